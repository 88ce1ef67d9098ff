import HFTCore

/// Everything one WebSocket connection needs; the venue layer fills it in.
public struct WebSocketConfiguration: Sendable {
    public var url: WebSocketURL
    /// Extra upgrade request headers (never logged).
    public var headers: [(String, String)]
    public var compression: PayloadCompression
    /// Largest message accepted, after reassembly and after inflating. A larger one is reported
    /// as `HFTError.oversizedMessage` and the connection is closed with 1009 and replaced.
    public var maxMessageSize: Int
    /// Check text frames for valid UTF-8 (a bad one is dropped and reported as `.invalidUTF8`).
    public var validateUTF8: Bool
    public var keepAlive: KeepAlivePolicy
    public var reconnect: ReconnectPolicy
    public var tls: TLSOptions
    public var connectTimeout: Duration
    /// Time allowed for `ConnectionHooks.authenticate`.
    public var authenticationTimeout: Duration
    /// Default timeout of `sendRequest`.
    public var requestTimeout: Duration
    /// How long to wait for the peer's close frame after sending ours.
    public var closeTimeout: Duration
    /// Pacing of subscription messages replayed after a (re)connect.
    public var subscriptionsPerSecond: Double
    public var subscriptionBurst: Int
    /// A venue's cap on the messages a client may send on one socket ("50 per second"): when set,
    /// it replaces the subscription pacing above and counts every message the connection sends
    /// for you — subscriptions and their replays, unsubscribes, `sendPaced`, `sendRequest`, and
    /// automatic ping replies and application pings. Those automatic ones (and the callback form
    /// of `sendRequest`) are never delayed: they are counted as they leave, and later paced
    /// messages wait for them; one that finds the window full goes anyway, so set `limit` below
    /// the venue's cap by the pongs a window can hold. Raw `send`/`write` are not counted.
    public var messageWindow: WindowLimit?
    /// How messages are buffered in `WebSocketConnection.messages` (when no `onMessage` callback is set).
    public var messageDelivery: BackpressurePolicy
    /// Replace the connection after it has been up this long (nil: never). For gap-free rotation,
    /// see `WebSocketConnection.makeReplacement()`.
    public var maxConnectionAge: Duration?

    public init(url: WebSocketURL, headers: [(String, String)] = [], compression: PayloadCompression = .none,
                maxMessageSize: Int = 16 << 20, validateUTF8: Bool = true, keepAlive: KeepAlivePolicy = .none,
                reconnect: ReconnectPolicy = ReconnectPolicy(), tls: TLSOptions = .default,
                connectTimeout: Duration = .seconds(10), authenticationTimeout: Duration = .seconds(15),
                requestTimeout: Duration = .seconds(10), closeTimeout: Duration = .seconds(2),
                subscriptionsPerSecond: Double = 20, subscriptionBurst: Int = 5,
                messageDelivery: BackpressurePolicy = .neverDrop(alarmThreshold: 100_000),
                maxConnectionAge: Duration? = nil, messageWindow: WindowLimit? = nil) {
        self.url = url
        self.headers = headers
        self.compression = compression
        self.maxMessageSize = maxMessageSize
        self.validateUTF8 = validateUTF8
        self.keepAlive = keepAlive
        self.reconnect = reconnect
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.authenticationTimeout = authenticationTimeout
        self.requestTimeout = requestTimeout
        self.closeTimeout = closeTimeout
        self.subscriptionsPerSecond = subscriptionsPerSecond
        self.subscriptionBurst = subscriptionBurst
        self.messageDelivery = messageDelivery
        self.maxConnectionAge = maxConnectionAge
        self.messageWindow = messageWindow
    }

    /// Parses `url` and appends `query` items.
    public init(url: String, query: [(String, String)] = []) throws(HFTError) {
        self.init(url: try WebSocketURL(url).appendingQuery(query))
    }
}
