/// WS API method names (binance.md §4–§8) and their request weights (§3). Weights that depend
/// on a parameter (`openOrders.status`, `depth`) are resolved when the request is built.
public enum BinanceMethod: String, Sendable, Hashable, CaseIterable {
    case ping
    case time
    case depth
    case sessionLogon = "session.logon"
    case sessionStatus = "session.status"
    case sessionLogout = "session.logout"
    case sessionSubscriptions = "session.subscriptions"
    case orderPlace = "order.place"
    case orderTest = "order.test"
    case orderCancel = "order.cancel"
    case orderCancelReplace = "order.cancelReplace"
    case orderAmendKeepPriority = "order.amend.keepPriority"
    case orderStatus = "order.status"
    case openOrdersCancelAll = "openOrders.cancelAll"
    case openOrdersStatus = "openOrders.status"
    case userDataStreamSubscribe = "userDataStream.subscribe"
    case userDataStreamSubscribeSignature = "userDataStream.subscribe.signature"
    case userDataStreamUnsubscribe = "userDataStream.unsubscribe"

    /// The wire name, also accepted with a version prefix (`v3/order.place`).
    public init?(wireName: String) {
        var name = Substring(wireName)
        if name.hasPrefix("v"), let slash = name.firstIndex(of: "/") { name = name[name.index(after: slash)...] }
        self.init(rawValue: String(name))
    }

    /// Request weight for the common case (binance.md §3).
    public var weight: Int {
        switch self {
        case .ping, .time, .orderPlace, .orderTest, .orderCancel, .orderCancelReplace, .openOrdersCancelAll: 1
        case .sessionLogon, .sessionStatus, .sessionLogout, .sessionSubscriptions: 2
        case .userDataStreamSubscribe, .userDataStreamSubscribeSignature, .userDataStreamUnsubscribe: 2
        case .orderAmendKeepPriority, .orderStatus: 4
        case .openOrdersStatus: 6
        case .depth: 5
        }
    }

    /// How many units the request adds to the `ORDERS` (unfilled order count) limits.
    public var orderCount: Int {
        switch self {
        case .orderPlace, .orderCancelReplace: 1
        default: 0
        }
    }
}
