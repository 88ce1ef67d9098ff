/// Tuning of the DigiFinex front-end; the defaults follow protocols/digifinex.md.
public struct DigiFinexOptions: Sendable {
    /// How a second `X.subscribe` on one connection treats the first list (§5, undocumented).
    public enum SubscribeMode: String, Sendable {
        /// ViaBTC-style: the new list replaces the old one (default).
        case replace
        /// The new symbols are added to the old ones.
        case add
    }

    public var tls: ServerTLS?
    /// Payload encoding of every server message (§1: zlib, RFC 1950; `.none` sends text frames).
    public var compression: ServerCompression
    /// Close a connection that sent nothing (no frame of any kind) for this long (§4: 60 s).
    public var idleTimeout: Duration
    /// Close every connection at this age (§4: about 2 h; the fault plan's
    /// `force_disconnect_after_s` can shorten it).
    public var maxConnectionAge: Duration?
    /// `server.auth` timestamp window either side of the server clock (§3: undocumented, ±30 s).
    public var authClockSkew: Duration
    /// REST `ACCESS-TIMESTAMP` may lag the server by this much (§3: 5 s) …
    public var restTimestampBehind: Duration
    /// … and lead it by this much (1 s).
    public var restTimestampAhead: Duration
    public var subscribeMode: SubscribeMode
    /// Levels per side in `depth.update` (the client's book is kept equal to this many).
    public var depthLevels: Int
    /// Snapshot asks highest first, as observed (§5: ccxws reverses them); deltas are unordered.
    public var snapshotAsksDescending: Bool
    /// Trades in the `clean=true` batch of `trades.update`.
    public var tradeSnapshotCount: Int
    /// Period of `all_ticker.update`.
    public var allTickerInterval: Duration
    /// Event-loop threads of the listener.
    public var threads: Int

    public init(tls: ServerTLS? = nil, compression: ServerCompression = .zlib, idleTimeout: Duration = .seconds(60),
                maxConnectionAge: Duration? = .seconds(7_200), authClockSkew: Duration = .seconds(30),
                restTimestampBehind: Duration = .seconds(5), restTimestampAhead: Duration = .seconds(1),
                subscribeMode: SubscribeMode = .replace, depthLevels: Int = 30, snapshotAsksDescending: Bool = true,
                tradeSnapshotCount: Int = 30, allTickerInterval: Duration = .seconds(1), threads: Int = 2) {
        self.tls = tls
        self.compression = compression
        self.idleTimeout = idleTimeout
        self.maxConnectionAge = maxConnectionAge
        self.authClockSkew = authClockSkew
        self.restTimestampBehind = restTimestampBehind
        self.restTimestampAhead = restTimestampAhead
        self.subscribeMode = subscribeMode
        self.depthLevels = max(1, depthLevels)
        self.snapshotAsksDescending = snapshotAsksDescending
        self.tradeSnapshotCount = max(0, tradeSnapshotCount)
        self.allTickerInterval = allTickerInterval
        self.threads = threads
    }
}
