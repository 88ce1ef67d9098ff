/// Where Kraken Spot lives (kraken.md §1): WebSocket v2 public and auth endpoints, the beta pair
/// (same engine, earlier API releases) and the REST base with the paths the WS flows need.
public struct KrakenEndpoints: Sendable, Hashable {
    /// Public market data: book, trade, ticker, instrument, status.
    public var publicWebSocket: String
    /// Private channels (executions, balances) and order entry.
    public var privateWebSocket: String
    /// REST base for the token call and reference data.
    public var rest: String

    public init(publicWebSocket: String, privateWebSocket: String, rest: String) {
        self.publicWebSocket = publicWebSocket
        self.privateWebSocket = privateWebSocket
        self.rest = rest
    }

    public static let production = KrakenEndpoints(
        publicWebSocket: "wss://ws.kraken.com/v2",
        privateWebSocket: "wss://ws-auth.kraken.com/v2",
        rest: "https://api.kraken.com")

    public static let beta = KrakenEndpoints(
        publicWebSocket: "wss://beta-ws.kraken.com/v2",
        privateWebSocket: "wss://beta-ws-auth.kraken.com/v2",
        rest: "https://api.kraken.com")

    /// A local simulator (or any other host) speaking the same protocol.
    public static func local(host: String, port: Int, tls: Bool = false) -> KrakenEndpoints {
        let ws = tls ? "wss" : "ws", http = tls ? "https" : "http"
        return KrakenEndpoints(publicWebSocket: "\(ws)://\(host):\(port)/v2",
                               privateWebSocket: "\(ws)://\(host):\(port)/v2",
                               rest: "\(http)://\(host):\(port)")
    }

    /// REST paths; the private path is also the signed `uri_path` (kraken.md §3.1).
    public enum Path {
        public static let getWebSocketsToken = "/0/private/GetWebSocketsToken"
        public static let assetPairs = "/0/public/AssetPairs"
        public static let assets = "/0/public/Assets"
    }

    /// Full REST URL for `path`.
    public func restURL(_ path: String) -> String { rest + path }
}
