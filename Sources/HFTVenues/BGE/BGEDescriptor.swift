/// What `hft venues --json` and the registry know about BGE: endpoint names with their default
/// URLs, tuning knobs, channels; the knobs read into typed client settings; the factories.
import HFTCore
import HFTTransport

public enum BGEDescriptor {
    public static let wsEndpoint = "ws"
    public static let restEndpoint = "rest"

    /// The venue closes a socket that sends more than 50 messages in a second (pongs included).
    public static let venueMessageLimit = 50.0

    public static let knobs: [VenueKnob] = VenueKnob.common(pingInterval: "0", stallTimeout: "40", maxMessagesPerSecond: "48") + [
        VenueKnob("orderbook_interval", "0", "orderbook level code: 0…5 = 150 levels, 6…11 = 20 levels"),
        VenueKnob("book_channel", choices: BGEBookChannel.allCases.map(\.rawValue), "books from `orderbook` (default: full snapshots) or `percent10` (levels within ±10 % of mid applied as deltas, size 0 removes, from an empty book at each (re)subscribe)"),
        VenueKnob("candles_1hour", "0", "1: ask for hourly candles as `1hour` (older docs) instead of `60min` (zh page); both are read"),
        VenueKnob("zip", "0", "1: ask for gzip pushes (`zip:true`); frames are inflated either way"),
        VenueKnob("auth_timeout_s", "10", "seconds allowed for login on each (re)connect"),
        VenueKnob("rest_sign_base_path", "1", "1: the REST signature covers the base's path (/hk/v1/orders); 0: only /v1/orders"),
    ] + VenueKnob.windowLimit("rest", limit: "10", windowSeconds: "1", "REST calls (venue: 10 per 1 s per key)")

    public static let channels = ["book", "trades", "ticker", "candles", "orders", "balances"]

    public static var descriptor: VenueDescriptor {
        VenueDescriptor(venue: .bge, endpoints: [(wsEndpoint, BGEEndpoints.production.webSocket),
                                                 (restEndpoint, BGEEndpoints.production.rest)],
                        knobs: knobs, channels: channels, websocketOrderEntry: false)
    }

    /// Adds BGE's REST and WebSocket factories (the WebSocket API orders over REST).
    public static func register(into f: inout VenueFactories) { f.add(.bge, BGEWsAPI.self) }

    public static func endpoints(_ overrides: [String: String]) throws(HFTError) -> BGEEndpoints {
        let e = try descriptor.resolveEndpoints(overrides)
        return BGEEndpoints(webSocket: e[wsEndpoint] ?? BGEEndpoints.production.webSocket,
                            rest: e[restEndpoint] ?? BGEEndpoints.production.rest)
    }
}

/// The knobs, read once into typed values.
public struct BGEClientOptions: Sendable, Hashable {
    public var pingInterval: Duration
    public var stallTimeout: Duration
    public var reconnectBase: Duration
    public var reconnectMax: Duration
    public var requestTimeout: Duration
    /// Messages the client paces in any second on one socket (sub, unsub, req, login), the whole
    /// of it usable at once, the second stretched by 5 % for arrival-time spread. Pongs are never
    /// delayed: they are counted as they leave (later messages wait for them) and use the
    /// headroom up to the venue's 50.
    public var maxMessagesPerSecond: Double
    public var orderbookInterval: String
    /// `book_channel`: `orderbook` or `percent10`.
    public var bookChannel: BGEBookChannel
    /// The `interval` sent for hourly candles: `60min` or `1hour`.
    public var candleHourInterval: String
    public var zip: Bool
    public var authTimeout: Duration
    /// REST calls per window (`rest_limit` / `rest_window_s`).
    var rest: VenueWindowLimit
    public var signBasePath: Bool

    public init(_ overrides: [String: String] = [:]) throws(HFTError) {
        let o = try KnobReader(BGEDescriptor.knobs, overrides)
        bookChannel = o.choice("book_channel").flatMap(BGEBookChannel.init(rawValue:)) ?? .orderbook
        (pingInterval, stallTimeout, reconnectBase, reconnectMax, requestTimeout, maxMessagesPerSecond) = o.common
        let interval = o.integer("orderbook_interval") ?? 0
        orderbookInterval = String(interval)
        zip = o.flag("zip", false)
        candleHourInterval = o.flag("candles_1hour", false) ? "1hour" : "60min"
        authTimeout = o.seconds("auth_timeout_s")
        rest = try o.windowLimit("rest", venue: "bge")
        signBasePath = o.flag("rest_sign_base_path", true)
        guard (0...11).contains(interval) else { throw .configuration("bge: orderbook_interval must be 0…11") }
        guard maxMessagesPerSecond >= 1, maxMessagesPerSecond < BGEDescriptor.venueMessageLimit else {
            throw .configuration("bge: max_msgs_per_s must be 1…49 (the venue closes a socket above 50 messages a second; the rest is kept for pongs)")
        }
        guard requestTimeout > .zero else { throw .configuration("bge: request_timeout_s must be > 0") }
    }

    /// The socket: gzip/zlib/plain per frame, `{"ping":ts}` answered with `{"pong":ts}` on the
    /// event loop, one message window for everything sent (`max_msgs_per_s` in any 1.05 s),
    /// stall detection (the venue pings periodically).
    func webSocketConfiguration(url: String) throws(HFTError) -> WebSocketConfiguration {
        var c = WebSocketConfiguration(url: try WebSocketURL(url))
        c.compression = .auto
        c.reconnect = .knobs(base: reconnectBase, max: reconnectMax)
        c.requestTimeout = requestTimeout
        c.authenticationTimeout = authTimeout > .zero ? authTimeout : .seconds(10)
        c.messageWindow = WindowLimit(limit: maxMessagesPerSecond, per: .seconds(1 + VenueWindowLimit.margin))
        c.keepAlive = KeepAlivePolicy(serverPing: .echo(ping: "ping", pong: "pong"),
                                      stall: stallTimeout > .zero ? StallDetection(silence: stallTimeout, probeTimeout: .seconds(5)) : nil)
        return c
    }
}

extension BGERestAPI: VenueRESTFactory {}
extension BGEWsAPI: VenueWsFactory {}
extension BGEClientOptions: VenueClientOptions {}
