/// Trading and order-query requests (binance.md §7): `order.place`, `order.test`,
/// `order.cancel`, `order.cancelReplace`, `order.amend.keepPriority`, `openOrders.cancelAll`,
/// `openOrders.status`, `order.status`. All are SIGNED: `auth` adds timestamp and, unless the
/// session is logged on, apiKey and signature.
import HFTCore

/// `order.cancelReplace`: cancel one order and place another (not atomic).
public struct BinanceCancelReplace: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable {
        case stopOnFailure = "STOP_ON_FAILURE", allowFailure = "ALLOW_FAILURE"
    }

    public enum RateLimitMode: String, Sendable, Hashable {
        case doNothing = "DO_NOTHING", cancelOnly = "CANCEL_ONLY"
    }

    public var mode: Mode
    public var cancel: BinanceOrderRef
    public var cancelNewClientOrderID: String?
    public var cancelRestriction: BinanceCancelRestriction?
    public var rateLimitMode: RateLimitMode?
    /// The replacement; its symbol is the request's symbol.
    public var newOrder: BinanceNewOrder

    public init(mode: Mode = .stopOnFailure, cancel: BinanceOrderRef, newOrder: BinanceNewOrder,
                cancelNewClientOrderID: String? = nil, cancelRestriction: BinanceCancelRestriction? = nil,
                rateLimitMode: RateLimitMode? = nil) {
        self.mode = mode
        self.cancel = cancel
        self.newOrder = newOrder
        self.cancelNewClientOrderID = cancelNewClientOrderID
        self.cancelRestriction = cancelRestriction
        self.rateLimitMode = rateLimitMode
    }
}

extension BinanceRequest {
    public static func orderPlace(id: RequestID, order: BinanceNewOrder, auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        try BinanceRequest(id: id, method: .orderPlace, params: order.params(), auth: auth)
    }

    /// Validates params and signature without reaching the engine (weight 20 with commission rates).
    public static func orderTest(id: RequestID, order: BinanceNewOrder, computeCommissionRates: Bool = false,
                                 auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        var p = try order.params()
        if computeCommissionRates { p.set("computeCommissionRates", .bool(true)) }
        return try BinanceRequest(id: id, method: .orderTest, params: p, auth: auth, weight: computeCommissionRates ? 20 : 1)
    }

    /// Cancels one order; `newClientOrderID` renames the cancelled order's `clientOrderId`.
    public static func orderCancel(id: RequestID, symbol: String, order: BinanceOrderRef, newClientOrderID: String? = nil,
                                   restriction: BinanceCancelRestriction? = nil, auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        try requireSymbol(symbol)
        var p = BinanceParams([("symbol", .string(symbol))])
        try setRef(order, idName: "orderId", clientName: "origClientOrderId", into: &p)
        if let n = newClientOrderID {
            try BinanceNewOrder.checkClientOrderID(n, field: "newClientOrderId")
            p.set("newClientOrderId", .string(n))
        }
        p.set("cancelRestrictions", restriction.map { .string($0.rawValue) })
        return try BinanceRequest(id: id, method: .orderCancel, params: p, auth: auth)
    }

    public static func orderCancelReplace(id: RequestID, _ r: BinanceCancelReplace, auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        let newParams = try r.newOrder.params()
        var p = BinanceParams([("symbol", .string(r.newOrder.symbol)), ("cancelReplaceMode", .string(r.mode.rawValue))])
        try setRef(r.cancel, idName: "cancelOrderId", clientName: "cancelOrigClientOrderId", into: &p)
        if let n = r.cancelNewClientOrderID {
            try BinanceNewOrder.checkClientOrderID(n, field: "cancelNewClientOrderId")
            p.set("cancelNewClientOrderId", .string(n))
        }
        p.set("cancelRestrictions", r.cancelRestriction.map { .string($0.rawValue) })
        p.set("orderRateLimitExceededMode", r.rateLimitMode.map { .string($0.rawValue) })
        for item in newParams.items where item.name != "symbol" { p.set(item.name, item.value) }
        return try BinanceRequest(id: id, method: .orderCancelReplace, params: p, auth: auth)
    }

    /// Reduces an order's quantity keeping its queue position (0 < newQty < current qty).
    public static func orderAmendKeepPriority(id: RequestID, symbol: String, order: BinanceOrderRef, newQty: FixedDecimal,
                                              newClientOrderID: String? = nil, auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        try requireSymbol(symbol)
        guard newQty > .zero else { throw .invalidArgument("Binance newQty must be positive") }
        var p = BinanceParams([("symbol", .string(symbol))])
        try setRef(order, idName: "orderId", clientName: "origClientOrderId", into: &p)
        if let n = newClientOrderID {
            try BinanceNewOrder.checkClientOrderID(n, field: "newClientOrderId")
            p.set("newClientOrderId", .string(n))
        }
        p.set("newQty", .decimal(newQty))
        return try BinanceRequest(id: id, method: .orderAmendKeepPriority, params: p, auth: auth)
    }

    /// Cancels every open order (and order list) on `symbol`.
    public static func openOrdersCancelAll(id: RequestID, symbol: String, auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        try requireSymbol(symbol)
        return try BinanceRequest(id: id, method: .openOrdersCancelAll, params: BinanceParams([("symbol", .string(symbol))]), auth: auth)
    }

    /// Open orders on `symbol`, or on every symbol when nil (weight 6 / 80).
    public static func openOrdersStatus(id: RequestID, symbol: String? = nil, auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        var p = BinanceParams()
        if let symbol {
            try requireSymbol(symbol)
            p.set("symbol", .string(symbol))
        }
        return try BinanceRequest(id: id, method: .openOrdersStatus, params: p, auth: auth, weight: symbol == nil ? 80 : 6)
    }

    public static func orderStatus(id: RequestID, symbol: String, order: BinanceOrderRef, auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        try requireSymbol(symbol)
        var p = BinanceParams([("symbol", .string(symbol))])
        try setRef(order, idName: "orderId", clientName: "origClientOrderId", into: &p)
        return try BinanceRequest(id: id, method: .orderStatus, params: p, auth: auth)
    }

    static func setRef(_ ref: BinanceOrderRef, idName: String, clientName: String, into p: inout BinanceParams) throws(HFTError) {
        switch ref {
        case .orderID(let i):
            guard i >= 0 else { throw .invalidArgument("Binance \(idName) must not be negative") }
            p.set(idName, .int(i))
        case .clientOrderID(let c):
            guard !c.isEmpty, c.utf8.count <= 36 else { throw .invalidArgument("Binance \(clientName) '\(c)': 1–36 characters") }
            p.set(clientName, .string(c))
        }
    }
}
