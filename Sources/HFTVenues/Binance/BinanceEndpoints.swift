/// Where Binance Spot lives (binance.md §1): the WebSocket API, the market-stream host and the
/// REST base. The names `ws-api`, `streams` and `rest` are the ones `--endpoint NAME=URL` takes.
///
/// `webSocketAPI` is a full URL (path included). `streams` is the stream host: `/ws/<stream>` or
/// `/stream?streams=…` is appended (a given `/ws` or `/stream` path is replaced, not doubled).
import HFTCore

public struct BinanceEndpoints: Sendable, Hashable {
    public static let webSocketAPIName = "ws-api"
    public static let streamsName = "streams"
    public static let restName = "rest"

    /// Request/response API: order entry, queries, session logon, user-data subscription.
    public var webSocketAPI: String
    /// Push-only market streams host.
    public var streams: String
    /// REST base for the depth snapshot, exchangeInfo and time.
    public var rest: String

    public init(webSocketAPI: String, streams: String, rest: String) {
        self.webSocketAPI = webSocketAPI
        self.streams = streams
        self.rest = rest
    }

    public static let production = BinanceEndpoints(
        webSocketAPI: "wss://ws-api.binance.com:443/ws-api/v3",
        streams: "wss://stream.binance.com:9443",
        rest: "https://api.binance.com")

    /// Spot testnet. The REST host is not in the notes (Binance's testnet docs give it).
    public static let testnet = BinanceEndpoints(
        webSocketAPI: "wss://ws-api.testnet.binance.vision/ws-api/v3",
        streams: "wss://stream.testnet.binance.vision",
        rest: "https://testnet.binance.vision")

    /// Production with the market-data-only stream host (no user data there anyway on streams).
    public static let marketDataOnly = BinanceEndpoints(
        webSocketAPI: production.webSocketAPI,
        streams: "wss://data-stream.binance.vision",
        rest: production.rest)

    /// A local simulator (or any host) speaking the same paths.
    public static func local(host: String, port: Int, tls: Bool = false) -> BinanceEndpoints {
        let ws = tls ? "wss" : "ws", http = tls ? "https" : "http"
        return BinanceEndpoints(webSocketAPI: "\(ws)://\(host):\(port)/ws-api/v3",
                                streams: "\(ws)://\(host):\(port)",
                                rest: "\(http)://\(host):\(port)")
    }

    /// Name → URL, in a stable order (for `hft venues --json`).
    public var named: [(name: String, url: String)] {
        [(Self.webSocketAPIName, webSocketAPI), (Self.streamsName, streams), (Self.restName, rest)]
    }

    /// `base` with `overrides` (`--endpoint NAME=URL`) applied; unknown names and wrong schemes throw.
    public init(base: BinanceEndpoints = .production, overrides: [String: String]) throws(HFTError) {
        self = base
        for (name, url) in overrides {
            let lower = url.lowercased()
            let isWS = lower.hasPrefix("ws://") || lower.hasPrefix("wss://")
            let isHTTP = lower.hasPrefix("http://") || lower.hasPrefix("https://")
            switch name {
            case Self.webSocketAPIName:
                guard isWS else { throw .configuration("binance endpoint \(name) needs a ws:// or wss:// URL, got \(url)") }
                webSocketAPI = url
            case Self.streamsName:
                guard isWS else { throw .configuration("binance endpoint \(name) needs a ws:// or wss:// URL, got \(url)") }
                streams = url
            case Self.restName:
                guard isHTTP else { throw .configuration("binance endpoint \(name) needs an http:// or https:// URL, got \(url)") }
                rest = url
            default:
                throw .configuration("binance has no endpoint '\(name)'; known: ws-api, streams, rest")
            }
        }
    }

    /// REST paths.
    public enum Path {
        public static let depth = "/api/v3/depth"
        public static let exchangeInfo = "/api/v3/exchangeInfo"
        public static let time = "/api/v3/time"
    }

    // MARK: URLs

    /// The WS API URL with the connection options (`timeUnit`, `returnRateLimits`) as query.
    public func webSocketAPIURL(timeUnit: BinanceTimeUnit = .milliseconds, returnRateLimits: Bool? = nil) -> String {
        var query: [String] = []
        if let t = timeUnit.queryValue { query.append("timeUnit=\(t)") }
        if let r = returnRateLimits { query.append("returnRateLimits=\(r)") }
        return Self.appending(query, to: webSocketAPI)
    }

    /// A raw stream connection: `/ws/<stream>` (or bare `/ws` to SUBSCRIBE later).
    public func rawStreamURL(_ stream: String? = nil, timeUnit: BinanceTimeUnit = .milliseconds) -> String {
        let url = streamHost + "/ws" + (stream.map { "/" + $0 } ?? "")
        return Self.appending(timeUnit.queryValue.map { ["timeUnit=\($0)"] } ?? [], to: url)
    }

    /// A combined stream connection: `/stream?streams=<s1>/<s2>` (events wrapped in `{"stream","data"}`).
    public func combinedStreamURL(_ streams: [String], timeUnit: BinanceTimeUnit = .milliseconds) -> String {
        var query: [String] = []
        if !streams.isEmpty { query.append("streams=" + streams.joined(separator: "/")) }
        if let t = timeUnit.queryValue { query.append("timeUnit=\(t)") }
        return Self.appending(query, to: streamHost + "/stream")
    }

    /// `rest + path`, with `query` (already encoded) when not empty.
    public func restURL(_ path: String, query: String = "") -> String {
        var base = rest
        while base.hasSuffix("/") { base.removeLast() }
        return base + path + (query.isEmpty ? "" : "?" + query)
    }

    /// `streams` without a trailing `/`, `/ws` or `/stream`.
    var streamHost: String {
        var s = streams
        if let q = s.firstIndex(of: "?") { s = String(s[..<q]) }
        while s.hasSuffix("/") { s.removeLast() }
        for suffix in ["/ws", "/stream"] where s.hasSuffix(suffix) {
            s.removeLast(suffix.count)
            break
        }
        return s
    }

    static func appending(_ query: [String], to url: String) -> String {
        guard !query.isEmpty else { return url }
        return url + (url.contains("?") ? "&" : "?") + query.joined(separator: "&")
    }
}
