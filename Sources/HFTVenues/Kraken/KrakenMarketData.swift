/// Public channel payloads (kraken.md §2, §5.1–5.4): status, book, trade, ticker, instrument.
/// Prices and quantities keep the scale of the wire token.
import HFTCore

public enum KrakenSystemState: Sendable, Hashable {
    case online, maintenance, cancelOnly, postOnly
    case other(String)

    public init(wireName: String) {
        switch wireName {
        case "online": self = .online
        case "maintenance": self = .maintenance
        case "cancel_only": self = .cancelOnly
        case "post_only": self = .postOnly
        default: self = .other(wireName)
        }
    }
}

public struct KrakenStatus: Sendable, Hashable {
    public var system: KrakenSystemState
    public var apiVersion: String?
    public var connectionID: UInt64?
    public var version: String?

    public init(system: KrakenSystemState, apiVersion: String? = nil, connectionID: UInt64? = nil, version: String? = nil) {
        self.system = system
        self.apiVersion = apiVersion
        self.connectionID = connectionID
        self.version = version
    }
}

public struct KrakenStatusMessage: Sendable, Hashable {
    public var type: KrakenPushType
    public var data: [KrakenStatus]
}

/// One symbol's levels from a `book` message; `qty` 0 deletes a level.
public struct KrakenBookData: Sendable, Hashable {
    public var symbol: String
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public var checksum: UInt32?
    public var timestamp: Timestamp?

    public init(symbol: String, bids: [BookLevel], asks: [BookLevel], checksum: UInt32?, timestamp: Timestamp? = nil) {
        self.symbol = symbol
        self.bids = bids
        self.asks = asks
        self.checksum = checksum
        self.timestamp = timestamp
    }
}

public struct KrakenBookMessage: Sendable, Hashable {
    public var type: KrakenPushType
    public var data: [KrakenBookData]
}

public struct KrakenTradeData: Sendable, Hashable {
    public var symbol: String
    /// Taker side.
    public var side: Side
    public var price: FixedDecimal
    public var qty: FixedDecimal
    /// Taker order type, `limit | market`.
    public var orderType: String?
    public var tradeID: Int64
    public var timestamp: Timestamp
}

public struct KrakenTradeMessage: Sendable, Hashable {
    public var type: KrakenPushType
    public var data: [KrakenTradeData]
}

public struct KrakenTickerData: Sendable, Hashable {
    public var symbol: String
    public var bid: FixedDecimal?
    public var bidQty: FixedDecimal?
    public var ask: FixedDecimal?
    public var askQty: FixedDecimal?
    public var last: FixedDecimal?
    public var volume: FixedDecimal?
    public var vwap: FixedDecimal?
    public var low: FixedDecimal?
    public var high: FixedDecimal?
    public var change: FixedDecimal?
    public var changePct: FixedDecimal?
    /// Present in recent traffic only.
    public var timestamp: Timestamp?
}

public struct KrakenTickerMessage: Sendable, Hashable {
    public var type: KrakenPushType
    public var data: [KrakenTickerData]
}

/// `instrument` channel: pairs and assets (`data` is one object with both arrays).
public struct KrakenInstrumentMessage: Sendable, Hashable {
    public var type: KrakenPushType
    public var pairs: [KrakenInstrument]
    public var assets: [KrakenAsset]
}
