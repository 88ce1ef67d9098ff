/// What `hft venues --json` and the registry know about Kraken: endpoint names with their default
/// URLs, tuning knobs with Kraken-appropriate defaults, channels; plus the knobs read into typed
/// client settings and the factories `VenueFactories.builtIn` registers.
import HFTCore
import HFTTransport

public enum KrakenDescriptor {
    /// Endpoint names (as `--endpoint NAME=URL` and the config take them).
    public static let wsEndpoint = "ws"
    public static let wsAuthEndpoint = "ws-auth"
    public static let restEndpoint = "rest"

    public static let knobs: [VenueKnob] = VenueKnob.common(pingInterval: "30", stallTimeout: "10", maxMessagesPerSecond: "10") + [
        VenueKnob("order_burst", "20", "order-entry requests that may leave at once before pacing at max_msgs_per_s (process-wide per account)"),
        VenueKnob("subscription_burst", "5", "subscribe/unsubscribe messages sent at once before pacing at max_msgs_per_s"),
        VenueKnob("book_checksum", "1", "1: verify the CRC-32 of every book message (mismatch → resync that symbol); 0: off"),
        VenueKnob("instrument_timeout_s", "5", "seconds to wait for pair precisions (instrument channel, then REST AssetPairs) before the first book"),
        VenueKnob("auth_timeout_s", "15", "seconds allowed for fetching a WebSocket token on each private (re)connect"),
        VenueKnob("ready_wait_s", "10", "seconds an order waits for the private connection to be ready before failing as not connected"),
        VenueKnob("reconcile_timeout_s", "30", "seconds to wait for the executions snapshot that settles requests cut off by a disconnect"),
        VenueKnob("dead_man_timeout_s", "0", "cancel_all_orders_after timeout kept armed while running (0: off)"),
        VenueKnob("dead_man_refresh_s", "20", "seconds between re-arms of the dead-man switch"),
    ]

    public static let channels = ["book", "trades", "ticker", "orders", "balances"]

    public static var descriptor: VenueDescriptor {
        VenueDescriptor(venue: .kraken,
                        endpoints: [(wsEndpoint, KrakenEndpoints.production.publicWebSocket),
                                    (wsAuthEndpoint, KrakenEndpoints.production.privateWebSocket),
                                    (restEndpoint, KrakenEndpoints.production.rest)],
                        knobs: knobs, channels: channels, websocketOrderEntry: true)
    }

    /// Adds Kraken's REST and WebSocket factories (the WebSocket API needs the REST one for tokens).
    public static func register(into f: inout VenueFactories) { f.add(.kraken, KrakenWsAPI.self) }

    /// The endpoints of `settings` with the defaults filled in, as `KrakenEndpoints`.
    public static func endpoints(_ overrides: [String: String]) throws(HFTError) -> KrakenEndpoints {
        let e = try descriptor.resolveEndpoints(overrides)
        return KrakenEndpoints(publicWebSocket: e[wsEndpoint] ?? KrakenEndpoints.production.publicWebSocket,
                               privateWebSocket: e[wsAuthEndpoint] ?? KrakenEndpoints.production.privateWebSocket,
                               rest: e[restEndpoint] ?? KrakenEndpoints.production.rest)
    }
}

/// The knobs, read once into typed values.
public struct KrakenClientOptions: Sendable, Hashable {
    public var pingInterval: Duration
    public var stallTimeout: Duration
    public var reconnectBase: Duration
    public var reconnectMax: Duration
    public var requestTimeout: Duration
    public var maxMessagesPerSecond: Double
    public var orderBurst: Int
    public var subscriptionBurst: Int
    public var verifyChecksum: Bool
    public var instrumentTimeout: Duration
    public var authTimeout: Duration
    public var readyWait: Duration
    public var reconcileTimeout: Duration
    public var deadManTimeoutSeconds: Int
    public var deadManRefresh: Duration

    public init(_ overrides: [String: String] = [:]) throws(HFTError) {
        let o = try KnobReader(KrakenDescriptor.knobs, overrides)
        (pingInterval, stallTimeout, reconnectBase, reconnectMax, requestTimeout, maxMessagesPerSecond) = o.common
        orderBurst = o.integer("order_burst") ?? 20
        subscriptionBurst = o.integer("subscription_burst") ?? 5
        verifyChecksum = o.flag("book_checksum", true)
        instrumentTimeout = o.seconds("instrument_timeout_s")
        authTimeout = o.seconds("auth_timeout_s")
        readyWait = o.seconds("ready_wait_s")
        reconcileTimeout = o.seconds("reconcile_timeout_s")
        deadManTimeoutSeconds = o.integer("dead_man_timeout_s") ?? 0
        deadManRefresh = o.seconds("dead_man_refresh_s")
        guard maxMessagesPerSecond > 0 else { throw .configuration("kraken: max_msgs_per_s must be > 0") }
        guard requestTimeout > .zero else { throw .configuration("kraken: request_timeout_s must be > 0") }
        guard deadManTimeoutSeconds < 86_400 else { throw .configuration("kraken: dead_man_timeout_s must be < 86400") }
        if deadManTimeoutSeconds > 0 && (deadManRefresh <= .zero || deadManRefresh >= .seconds(deadManTimeoutSeconds)) {
            throw .configuration("kraken: dead_man_refresh_s must be > 0 and below dead_man_timeout_s")
        }
    }

    /// The WebSocket settings for one Kraken endpoint: application ping (`{"method":"ping"}`)
    /// on a timer and as the stall probe, backoff from the reconnect knobs, paced replays.
    func webSocketConfiguration(url: String) throws(HFTError) -> WebSocketConfiguration {
        var c = WebSocketConfiguration(url: try WebSocketURL(url))
        c.reconnect = .knobs(base: reconnectBase, max: reconnectMax)
        c.requestTimeout = requestTimeout
        c.authenticationTimeout = authTimeout > .zero ? authTimeout : .seconds(15)
        c.subscriptionsPerSecond = maxMessagesPerSecond
        c.subscriptionBurst = max(1, subscriptionBurst)
        let ping = AppPing(interval: pingInterval > .zero ? pingInterval : .seconds(30),
                           timeout: max(.seconds(2), min(stallTimeout > .zero ? stallTimeout : .seconds(10), .seconds(10))),
                           makePing: { id in KrakenWire.pingText(id) },
                           isPong: { KrakenWire.isPong($0) })
        c.keepAlive = KeepAlivePolicy(appPing: pingInterval > .zero ? ping : nil,
                                      stall: stallTimeout > .zero
                                        ? StallDetection(silence: stallTimeout, probeTimeout: min(stallTimeout, .seconds(5)),
                                                         probe: pingInterval > .zero ? .appPing : .protocolPing)
                                        : nil)
        return c
    }
}

extension KrakenRestAPI: VenueRESTFactory {}
extension KrakenWsAPI: VenueWsFactory {}
extension KrakenClientOptions: VenueClientOptions {}
