/// Method replies (kraken.md §4, §5, §7): the envelope (`method`, `req_id`, `success`,
/// `error`, `time_in`, `time_out`) and the method-specific `result`.
import HFTCore

public enum KrakenMethod: Sendable, Hashable {
    case subscribe, unsubscribe, ping, pong
    case addOrder, amendOrder, editOrder, cancelOrder, cancelAll, cancelAllOrdersAfter, batchAdd, batchCancel
    case other(String)

    public init(wireName: String) {
        switch wireName {
        case "subscribe": self = .subscribe
        case "unsubscribe": self = .unsubscribe
        case "ping": self = .ping
        case "pong": self = .pong
        case "add_order": self = .addOrder
        case "amend_order": self = .amendOrder
        case "edit_order": self = .editOrder
        case "cancel_order": self = .cancelOrder
        case "cancel_all": self = .cancelAll
        case "cancel_all_orders_after": self = .cancelAllOrdersAfter
        case "batch_add": self = .batchAdd
        case "batch_cancel": self = .batchCancel
        default: self = .other(wireName)
        }
    }

    public var wireName: String {
        switch self {
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .ping: "ping"
        case .pong: "pong"
        case .addOrder: "add_order"
        case .amendOrder: "amend_order"
        case .editOrder: "edit_order"
        case .cancelOrder: "cancel_order"
        case .cancelAll: "cancel_all"
        case .cancelAllOrdersAfter: "cancel_all_orders_after"
        case .batchAdd: "batch_add"
        case .batchCancel: "batch_cancel"
        case .other(let s): s
        }
    }
}

public struct KrakenResponse: Sendable, Hashable {
    public var method: KrakenMethod
    public var reqID: Int64?
    /// A missing or non-boolean `success` counts as failure, except on `pong` (no `success` there).
    public var success: Bool
    public var error: KrakenError?
    public var timeIn: Timestamp?
    public var timeOut: Timestamp?
    /// Symbol echoed by a failed subscribe.
    public var symbol: String?
    public var result: KrakenResult
    /// `result.warnings`, when present.
    public var warnings: [String]

    public init(method: KrakenMethod, reqID: Int64? = nil, success: Bool, error: KrakenError? = nil,
                timeIn: Timestamp? = nil, timeOut: Timestamp? = nil, symbol: String? = nil,
                result: KrakenResult = .none, warnings: [String] = []) {
        self.method = method
        self.reqID = reqID
        self.success = success
        self.error = error
        self.timeIn = timeIn
        self.timeOut = timeOut
        self.symbol = symbol
        self.result = result
        self.warnings = warnings
    }

    /// Server-side processing time, `time_out − time_in`, in microseconds.
    public var serverMicros: Int64? {
        guard let i = timeIn, let o = timeOut else { return nil }
        return o - i
    }
}

public enum KrakenResult: Sendable, Hashable {
    case none
    /// subscribe / unsubscribe ack (one per symbol).
    case subscription(KrakenSubscriptionAck)
    /// add_order, amend_order, edit_order, cancel_order.
    case order(KrakenOrderAck)
    /// batch_add: one row per order in request order.
    case orders([KrakenOrderAck])
    /// cancel_all `count`; batch_cancel `count` or top-level `orders_cancelled`.
    case count(Int64)
    /// cancel_all_orders_after; `triggerTime` is `"0"` when disabled.
    case cancelAfter(currentTime: String, triggerTime: String)
    /// A result shape this decoder does not model.
    case unrecognised
}

public struct KrakenSubscriptionAck: Sendable, Hashable {
    public var channel: String
    public var symbol: String?
    public var depth: Int?
    public var snapshot: Bool?
    public var eventTrigger: String?
    public var snapOrders: Bool?
    public var snapTrades: Bool?
    /// Trading counter cap (executions ack).
    public var maxRateCount: Int?

    public init(channel: String, symbol: String? = nil, depth: Int? = nil, snapshot: Bool? = nil, eventTrigger: String? = nil,
                snapOrders: Bool? = nil, snapTrades: Bool? = nil, maxRateCount: Int? = nil) {
        self.channel = channel
        self.symbol = symbol
        self.depth = depth
        self.snapshot = snapshot
        self.eventTrigger = eventTrigger
        self.snapOrders = snapOrders
        self.snapTrades = snapTrades
        self.maxRateCount = maxRateCount
    }
}

public struct KrakenOrderAck: Sendable, Hashable {
    public var orderID: String?
    public var clOrdID: String?
    public var orderUserref: Int64?
    /// amend_order.
    public var amendID: String?
    /// edit_order: the replaced order.
    public var originalOrderID: String?
    /// A per-row error (batch rows).
    public var error: KrakenError?

    public init(orderID: String? = nil, clOrdID: String? = nil, orderUserref: Int64? = nil, amendID: String? = nil,
                originalOrderID: String? = nil, error: KrakenError? = nil) {
        self.orderID = orderID
        self.clOrdID = clOrdID
        self.orderUserref = orderUserref
        self.amendID = amendID
        self.originalOrderID = originalOrderID
        self.error = error
    }
}
