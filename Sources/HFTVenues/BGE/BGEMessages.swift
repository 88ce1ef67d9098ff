/// Inbound WebSocket V2 messages (bge.md §3, §5, §6) as typed values; decimals keep the text sent.
import HFTCore

public enum BGEInbound: Sendable, Equatable {
    /// `{"ping":ts}` (normally answered by the transport before it gets here).
    case ping(Int64)
    /// A successful ack (`code` 200) of `sub`/`unsub`/`req`/`login`.
    case ack(BGEAck)
    /// A generic error reply or a failed ack, with BGE's code and text.
    case error(BGEError, BGEAck?)
    case book(BGEBookPush)
    case percent10(BGEBookPush)
    case fills(product: String, [BGEFill])
    case ticker(product: String, BGETicker)
    case assets(product: String, [BGEAsset])
    case orders(product: String, [BGEOrderPush])
    /// `candles` push (one bar) or `req` reply (several); `interval` as sent (`15min`).
    case candles(product: String, interval: String, [BGECandle])
    /// Other pushes the client does not map.
    case other(type: String)
}

/// One `candles` bar; `vol` read as base volume and `filled_size` as quote volume (UNCERTAIN,
/// bge.md §5 names neither).
public struct BGECandle: Sendable, Equatable {
    /// `data.id`: bar open time, Unix seconds.
    public var openSeconds: Int64
    public var open: FixedDecimal
    public var high: FixedDecimal
    public var low: FixedDecimal
    public var close: FixedDecimal
    public var volume: FixedDecimal
    public var quoteVolume: FixedDecimal?
    public var count: Int64?
    public var seqID: Int64?
}

public struct BGEAck: Sendable, Equatable {
    public var event: String
    public var type: String
    public var product: String
    public var code: Int
}

/// `orderbook` (a full top-N snapshot) or `percent10` (sizes, `0` removes).
public struct BGEBookPush: Sendable, Equatable {
    public var product: String
    public var interval: String?
    public var seqID: Int64?
    public var bids: [BookLevel]
    public var asks: [BookLevel]
}

public struct BGEFill: Sendable, Equatable {
    public var id: Int64
    public var price: FixedDecimal
    public var volume: FixedDecimal
    /// Taker side.
    public var side: Side
    /// Microseconds.
    public var time: Timestamp
}

public struct BGETicker: Sendable, Equatable {
    public var open: FixedDecimal?
    public var close: FixedDecimal?
    public var high: FixedDecimal?
    public var low: FixedDecimal?
    public var volume: FixedDecimal?
    public var quoteVolume: FixedDecimal?
    public var seqID: Int64?
}

public struct BGEAsset: Sendable, Equatable {
    public var currency: String
    public var available: FixedDecimal
    public var hold: FixedDecimal
}

public struct BGEOrderPush: Sendable, Equatable {
    public var orderID: String
    public var product: String
    public var side: Side
    public var type: OrderType
    public var price: FixedDecimal?
    public var size: FixedDecimal?
    public var funds: FixedDecimal?
    /// Base filled (UNCERTAIN, bge.md §6).
    public var filledSize: FixedDecimal
    /// Quote filled (UNCERTAIN).
    public var filledAmount: FixedDecimal
    /// 0 received … 7 reduced.
    public var status: Int
    public var clientOrderID: String?
}
