/// Inbound messages (fmex.md §3–§6) as typed values; decimals keep the text sent.
import HFTCore

public enum FMexInbound: Sendable, Equatable {
    /// `{"type":"hello","ts":…}` on connect.
    case hello(ts: Int64)
    /// `{"id","type":"ping","ts","gap"}` (normally consumed by the keep-alive).
    case pong(id: String?, ts: Int64?)
    /// `{"type":"topics","topics":[…]}`: the topics just (un)subscribed.
    case topics(id: String?, [String])
    /// `{"id","status":n,"msg"}` with a non-zero status.
    case error(FMexError, id: String?)
    case depth(FMexDepth)
    case trade(FMexTrade)
    case ticker(FMexTicker)
    case account(FMexAccount)
    case order(FMexOrderPush)
    case position(FMexPositionPush)
    /// A `req` reply (`{"id","ts","data":[…]}`), left for the caller.
    case reply(id: String?)
    /// `candle.$resolution.$symbol`.
    case candle(FMexCandle)
    /// Other pushes the client does not map.
    case other(type: String)
}

/// One `candle` push (fmex.md §5). `base_vol` is read as the base volume (contracts on the
/// inverse perpetuals, UNCERTAIN), `quote_vol` as the quote volume.
public struct FMexCandle: Sendable, Equatable {
    /// Lowercase topic symbol (`btcusd_p`).
    public var symbol: String
    /// Case as sent (`M1`, `H4`, `MN`).
    public var resolution: String
    /// `id`: open time, Unix seconds.
    public var openSeconds: Int64
    public var seq: Int64?
    public var open: FixedDecimal
    public var high: FixedDecimal
    public var low: FixedDecimal
    public var close: FixedDecimal
    public var baseVolume: FixedDecimal
    public var quoteVolume: FixedDecimal?
    public var count: Int64?
}

/// A depth snapshot (`depth.L20.x`, `depth.l20.x`) or delta (`depth-delta.l20.x`).
public struct FMexDepth: Sendable, Equatable {
    /// Lowercase topic symbol (`btcusd_p`).
    public var symbol: String
    /// `l20`, `l150` (lowercase).
    public var level: String
    public var isDelta: Bool
    public var seq: Int64?
    public var preSeq: Int64?
    public var ts: Int64?
    public var bids: [BookLevel]
    public var asks: [BookLevel]
}

public struct FMexTrade: Sendable, Equatable {
    public var symbol: String
    public var id: Int64
    public var price: FixedDecimal
    public var amount: FixedDecimal
    /// Taker side.
    public var side: Side
    /// Milliseconds.
    public var ts: Int64
}

public struct FMexTicker: Sendable, Equatable {
    public var symbol: String
    public var seq: Int64?
    /// The 11 positions of `ticker` (last, last qty, bid, bid qty, ask, ask qty, 24 h ago, high, low, volume, volume in BTC).
    public var values: [FixedDecimal]

    public var last: FixedDecimal? { value(0) }
    public var bid: FixedDecimal? { value(2) }
    public var bidQuantity: FixedDecimal? { value(3) }
    public var ask: FixedDecimal? { value(4) }
    public var askQuantity: FixedDecimal? { value(5) }
    public var volume24h: FixedDecimal? { value(9) }
    func value(_ i: Int) -> FixedDecimal? { i < values.count ? values[i] : nil }
}

/// `account` push and REST `accounts` row: `frozen` = order margin, `position` = position margin.
public struct FMexAccount: Sendable, Equatable {
    public var currency: String
    public var available: FixedDecimal
    public var frozen: FixedDecimal
    public var positionMargin: FixedDecimal
}

public struct FMexOrderPush: Sendable, Equatable {
    public var id: String
    /// `BTCUSD_P`.
    public var symbol: String
    public var side: Side
    public var type: OrderType
    /// Protective cap/floor for MARKET orders.
    public var price: FixedDecimal?
    /// Contracts.
    public var quantity: FixedDecimal
    public var unfilledQuantity: FixedDecimal
    /// Average fill price.
    public var fillPrice: FixedDecimal?
    /// Cumulative, in `marginCurrency`.
    public var fee: FixedDecimal
    public var marginCurrency: String
    /// `PENDING`, `PARTIAL_FILLED`, … (uppercased).
    public var status: String
    public var features: Int64
    public var createdAt: Int64?

    public var filledQuantity: FixedDecimal { quantity - unfilledQuantity }
}

public struct FMexPositionPush: Sendable, Equatable {
    public var symbol: String
    /// Contracts (USD), unsigned; `direction` gives the sign.
    public var quantity: FixedDecimal
    public var long: Bool
    public var leverage: FixedDecimal
    public var margin: FixedDecimal
    public var realizedPnL: FixedDecimal
    public var entryPrice: FixedDecimal?
    public var liquidationPrice: FixedDecimal?
    public var bankruptcyPrice: FixedDecimal?
    public var updatedAt: Int64?
}
