/// Order-entry parameters for Kraken v2 (kraken.md §7): order types, time in force, a new
/// order, an amend, and the ways to name orders to cancel. Decimals are `FixedDecimal`;
/// times are microseconds since the epoch, sent as RFC 3339.
import HFTCore

public enum KrakenOrderType: String, Sendable, Hashable, CaseIterable {
    case limit, market, iceberg
    case stopLoss = "stop-loss", stopLossLimit = "stop-loss-limit"
    case takeProfit = "take-profit", takeProfitLimit = "take-profit-limit"
    case trailingStop = "trailing-stop", trailingStopLimit = "trailing-stop-limit"
    case settlePosition = "settle-position"

    /// Types that need `limit_price`.
    public var needsLimitPrice: Bool {
        switch self {
        case .limit, .iceberg, .stopLossLimit, .takeProfitLimit, .trailingStopLimit: true
        default: false
        }
    }

    /// Types that need `triggers`.
    public var needsTrigger: Bool {
        switch self {
        case .stopLoss, .stopLossLimit, .takeProfit, .takeProfitLimit, .trailingStop, .trailingStopLimit: true
        default: false
        }
    }

    public init(_ type: OrderType) {
        self = type == .limit ? .limit : .market
    }
}

public enum KrakenTimeInForce: String, Sendable, Hashable {
    case gtc, gtd, ioc

    /// Kraken v2 lists no FOK.
    public init(_ tif: TimeInForce) throws(HFTError) {
        switch tif {
        case .gtc: self = .gtc
        case .ioc: self = .ioc
        case .fok: throw .unsupported("Kraken WebSocket v2 has no fill-or-kill time in force")
        }
    }
}

/// `triggers` of a stop / take-profit / trailing order.
public struct KrakenTrigger: Sendable, Hashable {
    /// `last | index`.
    public var reference: String?
    public var price: FixedDecimal
    /// `static | pct | quote`.
    public var priceType: String?

    public init(price: FixedDecimal, reference: String? = nil, priceType: String? = nil) {
        self.price = price
        self.reference = reference
        self.priceType = priceType
    }
}

public struct KrakenNewOrder: Sendable, Hashable {
    public var orderType: KrakenOrderType
    public var side: Side
    /// Base units.
    public var quantity: FixedDecimal
    /// v2 symbol; left out of `batch_add` rows.
    public var symbol: String
    public var limitPrice: FixedDecimal?
    /// `static | pct | quote`.
    public var limitPriceType: String?
    public var trigger: KrakenTrigger?
    public var timeInForce: KrakenTimeInForce?
    public var expireTime: Timestamp?
    public var effectiveTime: Timestamp?
    public var postOnly: Bool?
    public var reduceOnly: Bool?
    public var margin: Bool?
    public var displayQty: FixedDecimal?
    public var cashOrderQty: FixedDecimal?
    /// `base | quote`.
    public var feePreference: String?
    public var noMPP: Bool?
    /// `cancel_newest | cancel_oldest | cancel_both`.
    public var stpType: String?
    /// Set it on every order: executions and the ack race (kraken.md §8.1).
    public var clOrdID: String?
    public var orderUserref: Int64?
    public var deadline: Timestamp?
    public var validate: Bool?
    public var senderSubID: String?

    public init(orderType: KrakenOrderType, side: Side, quantity: FixedDecimal, symbol: String, limitPrice: FixedDecimal? = nil,
                timeInForce: KrakenTimeInForce? = nil, postOnly: Bool? = nil, clOrdID: String? = nil) {
        self.orderType = orderType
        self.side = side
        self.quantity = quantity
        self.symbol = symbol
        self.limitPrice = limitPrice
        self.timeInForce = timeInForce
        self.postOnly = postOnly
        self.clOrdID = clOrdID
    }
}

/// Names one order: by Kraken id or by client id.
public enum KrakenOrderRef: Sendable, Hashable {
    case orderID(String)
    case clOrdID(String)
}

public struct KrakenAmend: Sendable, Hashable {
    public var order: KrakenOrderRef
    public var orderQty: FixedDecimal?
    public var displayQty: FixedDecimal?
    public var limitPrice: FixedDecimal?
    public var limitPriceType: String?
    public var postOnly: Bool?
    public var triggerPrice: FixedDecimal?
    public var triggerPriceType: String?
    public var deadline: Timestamp?

    public init(order: KrakenOrderRef, orderQty: FixedDecimal? = nil, limitPrice: FixedDecimal? = nil) {
        self.order = order
        self.orderQty = orderQty
        self.limitPrice = limitPrice
    }
}

/// Exactly one kind of identifier per cancel_order; one reply per id.
public enum KrakenCancelTarget: Sendable, Hashable {
    case orderIDs([String])
    case clOrdIDs([String])
    case orderUserrefs([Int64])

    public var count: Int {
        switch self {
        case .orderIDs(let a): a.count
        case .clOrdIDs(let a): a.count
        case .orderUserrefs(let a): a.count
        }
    }
}
