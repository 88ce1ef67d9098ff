/// What `hft venues --json` and the registry know about Binance Spot: endpoint names (`ws-api`,
/// `streams`, `rest`) with their default URLs, tuning knobs, channels; the knobs read into typed
/// client settings; and the factories `VenueFactories.builtIn` registers.
import HFTCore
import HFTTransport

public enum BinanceDescriptor {
    public static let knobs: [VenueKnob] = VenueKnob.common(pingInterval: "0", stallTimeout: "60", maxMessagesPerSecond: "10") + [
        VenueKnob("stream_control_per_s", "3", "SUBSCRIBE messages per second on a stream connection (Binance cuts above 5 incoming/s, pongs included)"),
        VenueKnob("max_streams_per_connection", "1024", "streams per market-data connection before another one is opened"),
        VenueKnob("rotation_interval_s", "84600", "replace each connection (gap-free, new one first) after this long; Binance cuts at 24 h"),
        VenueKnob("rotation_overlap_s", "10", "longest overlap of old and new connection while every book moves over"),
        VenueKnob("depth_snapshot_limit", "5000", "levels of the REST depth snapshot (weight 250 at 1001-5000)"),
        VenueKnob("snapshot_retry_s", "0.25", "delay before fetching a snapshot again when it was older than the buffered events"),
        VenueKnob("request_weight_per_min", "6000", "REQUEST_WEIGHT per minute (per IP, shared by REST and WS API); exchangeInfo's value replaces it"),
        VenueKnob("orders_per_10s", "50", "ORDERS per 10 s (unfilled order count, per account)"),
        VenueKnob("max_rate_limit_wait_s", "30", "a request queued behind a 429/418 back-off longer than this fails at once as rate_limited"),
        VenueKnob("recv_window_ms", "0", "recvWindow sent with signed requests (0: server default 5000)"),
        VenueKnob("auth_timeout_s", "15", "seconds allowed for session.logon + user-data subscription on each WS API (re)connect"),
        VenueKnob("ready_wait_s", "10", "seconds an order waits for the WS API connection to be ready before failing as not connected"),
        VenueKnob("reconcile_timeout_s", "30", "seconds to settle a request cut off by a disconnect (order.status after the reconnect)"),
        VenueKnob("user_data", "1", "1: subscribe the account's user-data stream on the WS API connection; 0: off"),
    ]

    public static let channels = ["book", "trades", "ticker", "orders", "balances"]

    public static var descriptor: VenueDescriptor {
        VenueDescriptor(venue: .binance, endpoints: BinanceEndpoints.production.named, knobs: knobs, channels: channels,
                        websocketOrderEntry: true)
    }

    /// Adds Binance's REST and WebSocket factories (the WebSocket API uses REST for depth snapshots).
    public static func register(into f: inout VenueFactories) { f.add(.binance, BinanceWsAPI.self) }

    /// The production endpoints with `--endpoint NAME=URL` overrides applied.
    public static func endpoints(_ overrides: [String: String]) throws(HFTError) -> BinanceEndpoints {
        try BinanceEndpoints(base: .production, overrides: overrides)
    }
}

/// The knobs, read once into typed values.
public struct BinanceClientOptions: Sendable, Hashable {
    public var pingInterval: Duration
    public var stallTimeout: Duration
    public var reconnectBase: Duration
    public var reconnectMax: Duration
    public var requestTimeout: Duration
    public var maxMessagesPerSecond: Double
    public var streamControlPerSecond: Double
    public var maxStreamsPerConnection: Int
    public var rotationInterval: Duration
    public var rotationOverlap: Duration
    public var depthSnapshotLimit: Int
    public var snapshotRetry: Duration
    public var requestWeightPerMinute: Int
    public var ordersPer10s: Int
    public var maxRateLimitWait: Duration
    public var recvWindow: FixedDecimal?
    public var authTimeout: Duration
    public var readyWait: Duration
    public var reconcileTimeout: Duration
    public var userData: Bool

    public init(_ overrides: [String: String] = [:]) throws(HFTError) {
        let o = try KnobReader(BinanceDescriptor.knobs, overrides)
        (pingInterval, stallTimeout, reconnectBase, reconnectMax, requestTimeout, maxMessagesPerSecond) = o.common
        streamControlPerSecond = o.rate("stream_control_per_s")
        maxStreamsPerConnection = o.integer("max_streams_per_connection") ?? 1024
        rotationInterval = o.seconds("rotation_interval_s")
        rotationOverlap = o.seconds("rotation_overlap_s")
        depthSnapshotLimit = o.integer("depth_snapshot_limit") ?? 5000
        snapshotRetry = o.seconds("snapshot_retry_s")
        requestWeightPerMinute = o.integer("request_weight_per_min") ?? 6000
        ordersPer10s = o.integer("orders_per_10s") ?? 50
        maxRateLimitWait = o.seconds("max_rate_limit_wait_s")
        let w = o["recv_window_ms"] ?? .zero
        recvWindow = w.isZero ? nil : w
        authTimeout = o.seconds("auth_timeout_s")
        readyWait = o.seconds("ready_wait_s")
        reconcileTimeout = o.seconds("reconcile_timeout_s")
        userData = o.flag("user_data", true)
        guard requestTimeout > .zero else { throw .configuration("binance: request_timeout_s must be > 0") }
        guard streamControlPerSecond > 0 else { throw .configuration("binance: stream_control_per_s must be > 0") }
        guard (1...BinanceStream.maxPerConnection).contains(maxStreamsPerConnection) else {
            throw .configuration("binance: max_streams_per_connection must be in 1…\(BinanceStream.maxPerConnection)")
        }
        guard rotationInterval > .zero else { throw .configuration("binance: rotation_interval_s must be > 0") }
        _ = try BinanceREST.depthWeight(limit: depthSnapshotLimit)
        guard requestWeightPerMinute > 0, ordersPer10s > 0 else { throw .configuration("binance: rate limits must be > 0") }
        try BinanceAuth.checkRecvWindow(recvWindow)
    }

    /// The WebSocket settings for one Binance connection. Binance pings every 20 s and the
    /// transport answers with the same payload; an optional client protocol ping and the stall
    /// probe (protocol ping) come from the knobs. Rotation is done by the session (gap-free),
    /// so the transport's own age limit stays off.
    func webSocketConfiguration(url: String, subscriptionsPerSecond: Double? = nil) throws(HFTError) -> WebSocketConfiguration {
        var c = WebSocketConfiguration(url: try WebSocketURL(url))
        c.reconnect = .knobs(base: reconnectBase, max: reconnectMax)
        c.requestTimeout = requestTimeout
        c.authenticationTimeout = authTimeout > .zero ? authTimeout : .seconds(15)
        c.subscriptionsPerSecond = subscriptionsPerSecond ?? max(1, maxMessagesPerSecond)
        c.subscriptionBurst = 1
        c.keepAlive = KeepAlivePolicy(protocolPingInterval: pingInterval > .zero ? pingInterval : nil,
                                      stall: stallTimeout > .zero
                                        ? StallDetection(silence: stallTimeout, probeTimeout: min(stallTimeout, .seconds(10)),
                                                         probe: .protocolPing)
                                        : nil)
        return c
    }
}

extension BinanceRestAPI: VenueRESTFactory {}
extension BinanceWsAPI: VenueWsFactory {}
extension BinanceClientOptions: VenueClientOptions {}
