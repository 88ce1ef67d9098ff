/// Where DigiFinex spot lives (digifinex.md §1): one WebSocket for public and private channels,
/// and the REST v3 base that order entry, open orders and balances go through.
public struct DigiFinexEndpoints: Sendable, Hashable {
    /// Public and private channels (same socket).
    public var webSocket: String
    /// REST base, with or without the `/v3` suffix (`https://openapi.digifinex.com/v3`).
    public var rest: String

    public init(webSocket: String, rest: String) {
        self.webSocket = webSocket
        self.rest = rest
    }

    public static let production = DigiFinexEndpoints(webSocket: "wss://openapi.digifinex.com/ws/v1/",
                                                      rest: "https://openapi.digifinex.com/v3")

    /// Mainland China hosts.
    public static let mainlandChina = DigiFinexEndpoints(webSocket: "wss://openapi.digifinex.vip/ws/v1/",
                                                         rest: "https://openapi.digifinex.vip/v3")

    /// REST v3 paths (the part after the host).
    public enum Path {
        public static let orderNew = "/v3/spot/order/new"
        public static let orderCancel = "/v3/spot/order/cancel"
        public static let openOrders = "/v3/spot/order/current"
        public static let order = "/v3/spot/order"
        public static let assets = "/v3/spot/assets"
        public static let time = "/v3/time"
        public static let symbols = "/v3/spot/symbols"
    }

    /// The full URL of a v3 `path`; a base that already ends in `/v3` is not doubled.
    public func restURL(_ path: String) -> String {
        var base = rest
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/v3") { base.removeLast(3) }
        return base + path
    }
}
