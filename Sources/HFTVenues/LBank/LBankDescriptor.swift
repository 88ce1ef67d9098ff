/// What `hft venues --json` and the registry know about LBank: endpoint names with their
/// default URLs, tuning knobs, channels; the knobs read into typed client settings; the factories.
import HFTCore
import HFTTransport

public enum LBankDescriptor {
    /// Endpoint names (as `--endpoint NAME=URL` and the config take them).
    public static let wsEndpoint = "ws"
    public static let restEndpoint = "rest"

    public static let knobs: [VenueKnob] = VenueKnob.common(pingInterval: "30", stallTimeout: "60", maxMessagesPerSecond: "10") + [
        VenueKnob("key_refresh_s", "1800", "seconds between subscribeKey refreshes (the key expires 60 min after creation or its last refresh)"),
        VenueKnob("key_retry_s", "5", "seconds before retrying a failed subscribeKey re-creation"),
        VenueKnob("subscription_burst", "10", "subscribe messages sent at once before pacing at max_msgs_per_s"),
    ] + VenueKnob.windowLimit("rest", limit: "200", windowSeconds: "10", "signed REST calls other than orders (venue: 200 per 10 s)")
      + VenueKnob.windowLimit("order", limit: "500", windowSeconds: "10", "order create/cancel calls (venue: 500 per 10 s)")

    public static let channels = ["book", "trades", "ticker", "candles", "orders", "balances"]

    public static var descriptor: VenueDescriptor {
        VenueDescriptor(venue: .lbank,
                        endpoints: [(wsEndpoint, LBankEndpoints.production.webSocket), (restEndpoint, LBankEndpoints.production.rest)],
                        knobs: knobs, channels: channels, websocketOrderEntry: false)
    }

    /// Adds LBank's REST and WebSocket factories (the WebSocket API orders over REST and needs it for the subscribeKey).
    public static func register(into f: inout VenueFactories) { f.add(.lbank, LBankWsAPI.self) }

    public static func endpoints(_ overrides: [String: String]) throws(HFTError) -> LBankEndpoints {
        let e = try descriptor.resolveEndpoints(overrides)
        return LBankEndpoints(webSocket: e[wsEndpoint] ?? LBankEndpoints.production.webSocket,
                              rest: e[restEndpoint] ?? LBankEndpoints.production.rest)
    }
}

/// The knobs, read once into typed values.
public struct LBankClientOptions: Sendable, Hashable {
    public var pingInterval: Duration
    public var stallTimeout: Duration
    public var reconnectBase: Duration
    public var reconnectMax: Duration
    public var requestTimeout: Duration
    public var maxMessagesPerSecond: Double
    public var subscriptionBurst: Int
    public var keyRefresh: Duration
    public var keyRetry: Duration
    /// Signed REST calls other than orders per window (`rest_limit` / `rest_window_s`).
    var rest: VenueWindowLimit
    /// Order create/cancel calls per window (`order_limit` / `order_window_s`).
    var order: VenueWindowLimit

    public init(_ overrides: [String: String] = [:]) throws(HFTError) {
        let o = try KnobReader(LBankDescriptor.knobs, overrides)
        (pingInterval, stallTimeout, reconnectBase, reconnectMax, requestTimeout, maxMessagesPerSecond) = o.common
        subscriptionBurst = o.integer("subscription_burst") ?? 10
        keyRefresh = o.seconds("key_refresh_s")
        keyRetry = o.seconds("key_retry_s")
        rest = try o.windowLimit("rest", venue: "lbank")
        order = try o.windowLimit("order", venue: "lbank")
        guard maxMessagesPerSecond > 0 else { throw .configuration("lbank: max_msgs_per_s must be > 0") }
        guard requestTimeout > .zero else { throw .configuration("lbank: request_timeout_s must be > 0") }
        guard keyRefresh > .zero, keyRefresh < .seconds(3300) else {
            throw .configuration("lbank: key_refresh_s must be > 0 and well below the key's 60-minute life (< 3300)")
        }
        guard pingInterval < .seconds(60) else { throw .configuration("lbank: ping_interval_s must stay below the venue's 60 s pong limit") }
    }

    /// The socket: text frames, the server's `{"action":"ping"}` answered on the event loop,
    /// our own app ping on a timer and as the stall probe, backoff from the reconnect knobs.
    func webSocketConfiguration(url: String) throws(HFTError) -> WebSocketConfiguration {
        var c = WebSocketConfiguration(url: try WebSocketURL(url))
        c.compression = .none
        c.reconnect = .knobs(base: reconnectBase, max: reconnectMax)
        c.requestTimeout = requestTimeout
        c.subscriptionsPerSecond = maxMessagesPerSecond
        c.subscriptionBurst = max(1, subscriptionBurst)
        let ping = AppPing(interval: pingInterval > .zero ? pingInterval : .seconds(30),
                           timeout: max(.seconds(2), min(stallTimeout > .zero ? stallTimeout : .seconds(10), .seconds(10))),
                           makePing: { id in LBankRequest.ping(String(id)) },
                           isPong: { LBankDecoder.isPong($0) })
        c.keepAlive = KeepAlivePolicy(appPing: pingInterval > .zero ? ping : nil,
                                      serverPing: .action(),
                                      stall: stallTimeout > .zero
                                        ? StallDetection(silence: stallTimeout, probeTimeout: min(stallTimeout, .seconds(5)),
                                                         probe: pingInterval > .zero ? .appPing : .protocolPing)
                                        : nil)
        return c
    }
}

extension LBankRestAPI: VenueRESTFactory {}
extension LBankWsAPI: VenueWsFactory {}
extension LBankClientOptions: VenueClientOptions {}
