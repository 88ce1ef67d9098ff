/// Where FMex lived (fmex.md §1): the public market-data socket, the private push socket (signed
/// in its query string) and the REST base that order entry goes through (no WebSocket orders).
public struct FMexEndpoints: Sendable, Hashable {
    public var publicWebSocket: String
    public var privateWebSocket: String
    public var rest: String

    public init(publicWebSocket: String, privateWebSocket: String, rest: String) {
        self.publicWebSocket = publicWebSocket
        self.privateWebSocket = privateWebSocket
        self.rest = rest
    }

    public static let production = FMexEndpoints(publicWebSocket: "wss://api.fmex.com/v2/ws",
                                                 privateWebSocket: "wss://api.fmex.com/v2/user/ws",
                                                 rest: "https://api.fmex.com")

    /// REST paths (fmex.md §6, §7).
    public enum Path {
        public static let orders = "/v3/contracts/orders"
        public static let openOrders = "/v3/contracts/orders/open"
        public static func order(_ id: String) -> String { "/v3/contracts/orders/" + id }
        public static func cancel(_ id: String) -> String { "/v3/contracts/orders/" + id + "/cancel" }
        public static let cancelAll = "/v3/contracts/orders/cancel"
        public static let accounts = "/v3/contracts/accounts"
        public static let positions = "/v3/broker/auth/contracts/positions"
    }

    public func restURL(_ path: String) -> String {
        var base = rest
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// The HTTP form of the private socket's address that is signed: `wss://` → `https://`,
    /// `ws://` → `http://`, no query (fmex.md §2).
    public var privateSignedAddress: String {
        var s = privateWebSocket
        if let q = s.firstIndex(of: "?") { s = String(s[..<q]) }
        if s.hasPrefix("wss://") { return "https://" + s.dropFirst(6) }
        if s.hasPrefix("ws://") { return "http://" + s.dropFirst(5) }
        return s
    }
}
