/// Where LBank spot lives (lbank.md §1): one WebSocket for public and private channels, and the
/// REST base that the subscribeKey lifecycle and order entry go through.
public struct LBankEndpoints: Sendable, Hashable {
    /// Public and private channels (same socket).
    public var webSocket: String
    /// REST base (`https://www.lbkex.net/`); paths start with `/v2/`.
    public var rest: String

    public init(webSocket: String, rest: String) {
        self.webSocket = webSocket
        self.rest = rest
    }

    public static let production = LBankEndpoints(webSocket: "wss://www.lbkex.net/ws/V2/", rest: "https://www.lbkex.net/")

    /// REST v2 paths (the part after the host).
    public enum Path {
        public static let getKey = "/v2/subscribe/get_key.do"
        public static let refreshKey = "/v2/subscribe/refresh_key.do"
        public static let destroyKey = "/v2/subscribe/destroy_key.do"
        public static let createOrder = "/v2/supplement/create_order.do"
        public static let cancelOrder = "/v2/supplement/cancel_order.do"
        public static let cancelBySymbol = "/v2/supplement/cancel_order_by_symbol.do"
        public static let orderInfo = "/v2/supplement/orders_info.do"
        public static let userAssets = "/v2/supplement/user_info_account.do"
    }

    /// The full URL of `path` (a trailing slash on the base is not doubled).
    public func restURL(_ path: String) -> String {
        var base = rest
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
