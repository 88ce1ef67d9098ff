/// `executions` channel entries (kraken.md §8.1): order lifecycle events and own fills. Entries
/// are sparse: only `exec_type`, `order_id` and `timestamp` are reliably present, so every other
/// field is optional; `KrakenOrderTracker` merges them into full orders.
import HFTCore

public enum KrakenExecType: Sendable, Hashable {
    case pendingNew, new, trade, filled, canceled, expired, amended, restated, status, icebergRefill
    case other(String)

    public init(wireName: String) {
        switch wireName {
        case "pending_new": self = .pendingNew
        case "new": self = .new
        case "trade": self = .trade
        case "filled": self = .filled
        case "canceled": self = .canceled
        case "expired": self = .expired
        case "amended": self = .amended
        case "restated": self = .restated
        case "status": self = .status
        case "iceberg_refill": self = .icebergRefill
        default: self = .other(wireName)
        }
    }
}

public enum KrakenOrderStatus: Sendable, Hashable {
    case pendingNew, new, partiallyFilled, filled, canceled, expired
    case other(String)

    public init(wireName: String) {
        switch wireName {
        case "pending_new": self = .pendingNew
        case "new": self = .new
        case "partially_filled": self = .partiallyFilled
        case "filled": self = .filled
        case "canceled": self = .canceled
        case "expired": self = .expired
        default: self = .other(wireName)
        }
    }
}

public struct KrakenFee: Sendable, Hashable {
    public var asset: String
    public var qty: FixedDecimal
    public init(asset: String, qty: FixedDecimal) {
        self.asset = asset
        self.qty = qty
    }
}

public struct KrakenExecution: Sendable, Hashable {
    public var execType: KrakenExecType
    public var orderID: String
    public var clOrdID: String?
    public var orderUserref: Int64?
    public var symbol: String?
    public var side: Side?
    /// Wire `order_type` (`limit`, `market`, `stop-loss`, …).
    public var orderType: String?
    public var orderQty: FixedDecimal?
    public var limitPrice: FixedDecimal?
    public var displayQty: FixedDecimal?
    public var cashOrderQty: FixedDecimal?
    public var orderStatus: KrakenOrderStatus?
    /// As echoed: `GTC`, `GTD`, `IOC`.
    public var timeInForce: String?
    public var postOnly: Bool?
    public var reduceOnly: Bool?
    public var margin: Bool?
    public var execID: String?
    public var tradeID: Int64?
    public var lastQty: FixedDecimal?
    public var lastPrice: FixedDecimal?
    public var cost: FixedDecimal?
    public var liquidity: Liquidity?
    public var fees: [KrakenFee]
    public var feeUSDEquivalent: FixedDecimal?
    public var cumQty: FixedDecimal?
    public var cumCost: FixedDecimal?
    public var avgPrice: FixedDecimal?
    /// Free text on `canceled` / `amended`, e.g. `Post only order`.
    public var reason: String?
    public var timestamp: Timestamp?

    public init(execType: KrakenExecType, orderID: String) {
        self.execType = execType
        self.orderID = orderID
        self.fees = []
    }
}

public struct KrakenExecutionsMessage: Sendable, Hashable {
    public var type: KrakenPushType
    /// Per connection and channel, from 1; a gap means a lost message.
    public var sequence: Int64?
    public var data: [KrakenExecution]
}
