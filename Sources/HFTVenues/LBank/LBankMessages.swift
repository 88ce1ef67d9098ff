/// Server pushes, as the decoder reads them (lbank.md §4, §5). Prices and quantities are exact
/// decimals read from the raw JSON text (numbers in market pushes, strings in private ones).
import HFTCore

public enum LBankMessage: Sendable {
    case depth(LBankDepth)
    case trade(LBankTrade)
    case tick(LBankTick)
    case kbar(LBankKbar)
    case orderUpdate(LBankOrderUpdate)
    case assetUpdate(LBankAssetUpdate)
    /// The server's app ping (answered on the event loop by `ServerPingReply`).
    case ping(String)
    case pong(String)
    /// `{"status":"error","message":"…"}`.
    case error(LBankError)
    /// A known but unused type (request replies, …).
    case ignored(String)
}

/// A full top-N book: every push replaces the local book.
public struct LBankDepth: Sendable, Hashable {
    public var pair: String
    /// Best first.
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    /// Unix µs from `TS` (UTC+8 on the wire).
    public var timestamp: Timestamp
}

public struct LBankTrade: Sendable, Hashable {
    public var pair: String
    public var price: FixedDecimal
    /// `volume`: the base quantity.
    public var quantity: FixedDecimal
    /// `amount`: the quote value (price × volume).
    public var quoteValue: FixedDecimal?
    /// Raw `direction` (`buy`, `sell_maker`, …).
    public var direction: String
    /// Aggressor side: first token, inverted for a `maker` suffix (as ccxt).
    public var side: Side
    public var timestamp: Timestamp
}

public struct LBankTick: Sendable, Hashable {
    public var pair: String
    public var latest: FixedDecimal?
    public var high: FixedDecimal?
    public var low: FixedDecimal?
    public var volume: FixedDecimal?
    public var turnover: FixedDecimal?
    public var change: FixedDecimal?
    public var timestamp: Timestamp
}

/// One `kbar` push (lbank.md §4).
public struct LBankKbar: Sendable, Hashable {
    public var pair: String
    /// `slot`: the interval as sent (`5min`).
    public var slot: String
    /// `t`: bar open time (UTC+8 on the wire) → Unix µs.
    public var openTime: Timestamp
    public var open: FixedDecimal
    public var high: FixedDecimal
    public var low: FixedDecimal
    public var close: FixedDecimal
    /// `v`: base volume.
    public var volume: FixedDecimal
    /// `a`: quote turnover.
    public var turnover: FixedDecimal?
    /// `n`: trade count.
    public var count: Int64?
}

public struct LBankOrderUpdate: Sendable, Hashable {
    public var pair: String
    public var orderID: String
    /// `customerID`; nil when empty.
    public var clientOrderID: String?
    /// `txUuid`: the fill's trade id, nil for non-fill events.
    public var tradeID: String?
    /// `type` (`buy`, `sell_market`, `buy_maker`, …); nil on old servers.
    public var orderType: String?
    public var status: Int
    /// This fill's base quantity (`amount`).
    public var fillQuantity: FixedDecimal?
    /// This fill's quote value (`volumePrice`).
    public var fillQuoteValue: FixedDecimal?
    /// Fill price when status 1/2, else the order price.
    public var price: FixedDecimal?
    public var orderPrice: FixedDecimal?
    public var orderAmount: FixedDecimal?
    public var filledQuantity: FixedDecimal?
    public var averagePrice: FixedDecimal?
    public var remaining: FixedDecimal?
    public var role: String?
    /// `updateTime` ms → µs, or `TS`.
    public var timestamp: Timestamp
}

public struct LBankAssetUpdate: Sendable, Hashable {
    /// Upper-case currency (`USDT`).
    public var asset: String
    public var total: FixedDecimal?
    public var free: FixedDecimal
    public var frozen: FixedDecimal
    /// `DEPOSIT`, `ORDER_CREATE`, …
    public var reason: String?
    public var timestamp: Timestamp
}
