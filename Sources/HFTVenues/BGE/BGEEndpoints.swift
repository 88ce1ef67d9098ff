/// Where BGE spot lives (bge.md §1): one WebSocket V2 URL for public and private channels, and
/// the REST base (`/hk`) that order entry goes through (the WebSocket takes no orders).
public struct BGEEndpoints: Sendable, Hashable {
    public var webSocket: String
    /// REST base including the `/hk` prefix (`https://api.bg.exchange/hk`).
    public var rest: String

    public init(webSocket: String, rest: String) {
        self.webSocket = webSocket
        self.rest = rest
    }

    public static let production = BGEEndpoints(webSocket: "wss://ws.bg.exchange/v2/ws", rest: "https://api.bg.exchange/hk")

    /// REST paths after the base; these are what the signature covers (bge.md §8).
    public enum Path {
        public static let orders = "/v1/orders"
        public static func order(_ id: String) -> String { "/v1/orders/" + id }
        public static func clientOrder(_ clientID: String) -> String { "/v1/orders/single/" + clientID }
        public static let accounts = "/v1/accounts"
    }

    /// The path as signed: the base's own path (`/hk`) prefixed (UNCERTAIN, see README).
    public func signedPath(_ path: String, includeBasePath: Bool) -> String {
        guard includeBasePath else { return path }
        return basePath + path
    }

    /// `/hk` of `https://api.bg.exchange/hk` (empty when the base has no path).
    public var basePath: String {
        var s = Substring(rest)
        if let colon = s.firstIndex(of: ":") { s = s[s.index(after: colon)...].drop { $0 == "/" } }
        guard let slash = s.firstIndex(of: "/") else { return "" }
        var p = String(s[slash...])
        while p.hasSuffix("/") { p.removeLast() }
        return p
    }

    public func restURL(_ path: String) -> String {
        var base = rest
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
