/// What `hft venues --json` and the registry know about FMex: endpoint names with their default
/// URLs, tuning knobs, channels; the knobs read into typed client settings; the factories.
import HFTCore
import HFTTransport

public enum FMexDescriptor {
    public static let publicWsEndpoint = "ws"
    public static let privateWsEndpoint = "ws-user"
    public static let restEndpoint = "rest"

    public static let knobs: [VenueKnob] = VenueKnob.common(pingInterval: "15", stallTimeout: "0", maxMessagesPerSecond: "10") + [
        VenueKnob("ping_misses", "2", "unanswered pings (ping_interval_s apart) before the socket is replaced"),
        VenueKnob("subscription_burst", "5", "sub messages sent at once before pacing at max_msgs_per_s (no documented WS limit)"),
        VenueKnob("depth_level", "20", "book topic level: 20 (L20) or 150 (L150); a watch deeper than 20 uses 150"),
        VenueKnob("depth_delta", "1", "1: depth-delta topic (snapshot + deltas chained by pre_seq); 0: depth topic (full snapshot per push)"),
        VenueKnob("trim_book", "1", "1: cut the book to the topic's level count after each delta"),
        VenueKnob("ws_sign_percent_encode", "1", "1: percent-encode the private socket's query values (+ / =); 0: send the signature raw"),
        VenueKnob("rest_lowercase_enums", "0", "1: send direction/type lowercase in order bodies (as the signing example); 0: uppercase"),
        VenueKnob("reconcile_timeout_s", "10", "seconds allowed to settle an order whose REST reply was lost"),
        VenueKnob("auth_timeout_s", "10", "seconds start() waits for the private socket"),
    ] + VenueKnob.windowLimit("rest", limit: "100", windowSeconds: "10", "REST calls (venue: 100 per 10 s per key)")

    public static let channels = ["book", "trades", "ticker", "candles", "orders", "balances", "positions"]

    public static var descriptor: VenueDescriptor {
        VenueDescriptor(venue: .fmex, endpoints: [(publicWsEndpoint, FMexEndpoints.production.publicWebSocket),
                                                  (privateWsEndpoint, FMexEndpoints.production.privateWebSocket),
                                                  (restEndpoint, FMexEndpoints.production.rest)],
                        knobs: knobs, channels: channels, websocketOrderEntry: false)
    }

    /// Adds FMex's REST and WebSocket factories (the WebSocket API orders over REST).
    public static func register(into f: inout VenueFactories) { f.add(.fmex, FMexWsAPI.self) }

    public static func endpoints(_ overrides: [String: String]) throws(HFTError) -> FMexEndpoints {
        let e = try descriptor.resolveEndpoints(overrides)
        let p = FMexEndpoints.production
        return FMexEndpoints(publicWebSocket: e[publicWsEndpoint] ?? p.publicWebSocket,
                             privateWebSocket: e[privateWsEndpoint] ?? p.privateWebSocket, rest: e[restEndpoint] ?? p.rest)
    }
}

/// The knobs, read once into typed values.
public struct FMexClientOptions: Sendable, Hashable {
    public var pingInterval: Duration
    public var pingMisses: Int
    public var stallTimeout: Duration
    public var reconnectBase: Duration
    public var reconnectMax: Duration
    public var requestTimeout: Duration
    public var maxMessagesPerSecond: Double
    public var subscriptionBurst: Int
    public var depthLevel: Int
    public var depthDelta: Bool
    public var trimBook: Bool
    public var percentEncodeSignature: Bool
    public var lowercaseEnums: Bool
    /// REST calls per window (`rest_limit` / `rest_window_s`).
    var rest: VenueWindowLimit
    public var reconcileTimeout: Duration
    public var authTimeout: Duration

    public init(_ overrides: [String: String] = [:]) throws(HFTError) {
        let o = try KnobReader(FMexDescriptor.knobs, overrides)
        (pingInterval, stallTimeout, reconnectBase, reconnectMax, requestTimeout, maxMessagesPerSecond) = o.common
        pingMisses = max(1, o.integer("ping_misses") ?? 2)
        subscriptionBurst = max(1, o.integer("subscription_burst") ?? 5)
        depthLevel = o.integer("depth_level") ?? 20
        depthDelta = o.flag("depth_delta", true)
        trimBook = o.flag("trim_book", true)
        percentEncodeSignature = o.flag("ws_sign_percent_encode", true)
        lowercaseEnums = o.flag("rest_lowercase_enums", false)
        rest = try o.windowLimit("rest", venue: "fmex")
        reconcileTimeout = o.seconds("reconcile_timeout_s")
        authTimeout = o.seconds("auth_timeout_s")
        guard depthLevel == 20 || depthLevel == 150 else { throw .configuration("fmex: depth_level must be 20 or 150") }
        guard maxMessagesPerSecond > 0 else { throw .configuration("fmex: max_msgs_per_s must be > 0") }
        guard requestTimeout > .zero else { throw .configuration("fmex: request_timeout_s must be > 0") }
    }

    var reconnectPolicy: ReconnectPolicy {
        .knobs(base: reconnectBase, max: reconnectMax)
    }

    /// Text frames, no compression; `{"cmd":"ping"}` every `ping_interval_s` (the server does
    /// not ping), `ping_misses` unanswered → replaced; subscription replays paced.
    func webSocketConfiguration(url: WebSocketURL, reconnect: ReconnectPolicy) -> WebSocketConfiguration {
        var c = WebSocketConfiguration(url: url)
        c.compression = .none
        c.reconnect = reconnect
        c.requestTimeout = requestTimeout
        c.authenticationTimeout = authTimeout > .zero ? authTimeout : .seconds(10)
        c.subscriptionsPerSecond = maxMessagesPerSecond
        c.subscriptionBurst = subscriptionBurst
        let ping: AppPing? = pingInterval > .zero
            ? AppPing(interval: pingInterval, timeout: pingInterval * pingMisses,
                      makePing: { id in FMexRequest.ping(milliseconds: WallClock.milliseconds(), id: "ping.\(id)") },
                      isPong: FMexDecoder.isPong)
            : nil
        c.keepAlive = KeepAlivePolicy(appPing: ping,
                                      stall: stallTimeout > .zero ? StallDetection(silence: stallTimeout, probeTimeout: .seconds(5),
                                                                                  probe: ping == nil ? .protocolPing : .appPing) : nil)
        return c
    }
}

extension FMexRestAPI: VenueRESTFactory {}
extension FMexWsAPI: VenueWsFactory {}
extension FMexClientOptions: VenueClientOptions {}
