/// What `hft venues --json` and the registry know about DigiFinex: endpoint names with their
/// default URLs, tuning knobs, channels; the knobs read into typed client settings; the factories.
import HFTCore
import HFTTransport

public enum DigiFinexDescriptor {
    /// Endpoint names (as `--endpoint NAME=URL` and the config take them).
    public static let wsEndpoint = "ws"
    public static let restEndpoint = "rest"

    public static let knobs: [VenueKnob] = VenueKnob.common(pingInterval: "20", stallTimeout: "45", maxMessagesPerSecond: "10") + [
        VenueKnob("subscription_burst", "5", "subscribe/unsubscribe messages sent at once before pacing at max_msgs_per_s"),
        VenueKnob("recycle_interval_s", "6600", "replace the socket with a fresh one after this long, without a gap (the venue cuts at ~2 h; 0: off)"),
        VenueKnob("recycle_snapshot_wait_s", "5", "seconds a recycle waits for the new socket's book snapshots before switching"),
        VenueKnob("auth_timeout_s", "10", "seconds allowed for server.auth on each (re)connect"),
        VenueKnob("reconcile_timeout_s", "10", "seconds allowed to settle an order whose REST reply was lost"),
    ] + VenueKnob.windowLimit("rest", limit: "10", windowSeconds: "1", "REST calls (venue: 1200 weight/min per key, weights per call not given: 10 per 1 s)")

    public static let channels = ["book", "trades", "ticker", "orders", "balances"]

    public static var descriptor: VenueDescriptor {
        VenueDescriptor(venue: .digifinex,
                        endpoints: [(wsEndpoint, DigiFinexEndpoints.production.webSocket),
                                    (restEndpoint, DigiFinexEndpoints.production.rest)],
                        knobs: knobs, channels: channels, websocketOrderEntry: false)
    }

    /// Adds DigiFinex's REST and WebSocket factories (the WebSocket API orders over REST).
    public static func register(into f: inout VenueFactories) { f.add(.digifinex, DigiFinexWsAPI.self) }

    public static func endpoints(_ overrides: [String: String]) throws(HFTError) -> DigiFinexEndpoints {
        let e = try descriptor.resolveEndpoints(overrides)
        return DigiFinexEndpoints(webSocket: e[wsEndpoint] ?? DigiFinexEndpoints.production.webSocket,
                                  rest: e[restEndpoint] ?? DigiFinexEndpoints.production.rest)
    }
}

/// The knobs, read once into typed values.
public struct DigiFinexClientOptions: Sendable, Hashable {
    public var pingInterval: Duration
    public var stallTimeout: Duration
    public var reconnectBase: Duration
    public var reconnectMax: Duration
    public var requestTimeout: Duration
    public var maxMessagesPerSecond: Double
    public var subscriptionBurst: Int
    /// Zero: never recycle.
    public var recycleInterval: Duration
    public var recycleSnapshotWait: Duration
    public var authTimeout: Duration
    /// REST calls per window (`rest_limit` / `rest_window_s`).
    var rest: VenueWindowLimit
    public var reconcileTimeout: Duration

    public init(_ overrides: [String: String] = [:]) throws(HFTError) {
        let o = try KnobReader(DigiFinexDescriptor.knobs, overrides)
        (pingInterval, stallTimeout, reconnectBase, reconnectMax, requestTimeout, maxMessagesPerSecond) = o.common
        subscriptionBurst = o.integer("subscription_burst") ?? 5
        recycleInterval = o.seconds("recycle_interval_s")
        recycleSnapshotWait = o.seconds("recycle_snapshot_wait_s")
        authTimeout = o.seconds("auth_timeout_s")
        rest = try o.windowLimit("rest", venue: "digifinex")
        reconcileTimeout = o.seconds("reconcile_timeout_s")
        guard maxMessagesPerSecond > 0 else { throw .configuration("digifinex: max_msgs_per_s must be > 0") }
        guard requestTimeout > .zero else { throw .configuration("digifinex: request_timeout_s must be > 0") }
        guard pingInterval < .seconds(60) else { throw .configuration("digifinex: ping_interval_s must stay below the venue's 60 s idle limit") }
    }

    /// The socket's settings: zlib-or-plain inflate per frame, `server.ping` on a timer and as
    /// the stall probe, backoff from the reconnect knobs, paced replays.
    func webSocketConfiguration(url: String) throws(HFTError) -> WebSocketConfiguration {
        var c = WebSocketConfiguration(url: try WebSocketURL(url))
        c.compression = .auto
        c.reconnect = .knobs(base: reconnectBase, max: reconnectMax)
        c.requestTimeout = requestTimeout
        c.authenticationTimeout = authTimeout > .zero ? authTimeout : .seconds(10)
        c.subscriptionsPerSecond = maxMessagesPerSecond
        c.subscriptionBurst = max(1, subscriptionBurst)
        let ping = AppPing(interval: pingInterval > .zero ? pingInterval : .seconds(20),
                           timeout: max(.seconds(2), min(stallTimeout > .zero ? stallTimeout : .seconds(10), .seconds(10))),
                           makePing: { id in DigiFinexRequest.ping(id: id) },
                           isPong: { DigiFinexDecoder.isPong($0) })
        c.keepAlive = KeepAlivePolicy(appPing: pingInterval > .zero ? ping : nil,
                                      stall: stallTimeout > .zero
                                        ? StallDetection(silence: stallTimeout, probeTimeout: min(stallTimeout, .seconds(5)),
                                                         probe: pingInterval > .zero ? .appPing : .protocolPing)
                                        : nil)
        return c
    }
}

extension DigiFinexRestAPI: VenueRESTFactory {}
extension DigiFinexWsAPI: VenueWsFactory {}
extension DigiFinexClientOptions: VenueClientOptions {}
