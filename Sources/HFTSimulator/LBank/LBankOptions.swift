/// Tuning of the LBank front-end; the defaults follow protocols/lbank.md.
public struct LBankOptions: Sendable {
    public var tls: ServerTLS?
    /// Period of the server's `{"action":"ping","ping":id}` (§2: undocumented, ~30 s); nil = never.
    public var pingInterval: Duration?
    /// Close the socket when a server ping is not answered with its id within this (§2: 1 min).
    public var pongTimeout: Duration
    /// A `subscribeKey` lives this long from creation or its last refresh (§5: 60 min).
    public var keyValidity: Duration
    /// REST `timestamp` may lag the server by this much (§6: 5 s; `window` overrides it) …
    public var restTimestampBehind: Duration
    /// … and lead it by this much (1 s).
    public var restTimestampAhead: Duration
    /// Besides a push after every change, re-send each subscribed depth snapshot at this period
    /// (§7 "fixed cadence"); nil = only on change.
    public var depthRefreshInterval: Duration?
    /// On `kbar` subscribe, push the slot's current bar at once when it has trades (§3 has no
    /// acknowledgement; like `depth`/`tick`); false = first push on the next trade.
    public var kbarPushOnSubscribe: Bool
    /// A kbar `request` with more bars in `start`…`end` than `size` returns the newest `size`
    /// (true) or, by default, the oldest — `size` bars forward from `start` (§3 does not say).
    public var kbarRequestKeepsNewest: Bool
    /// Close every connection at this age; the fault plan's `force_disconnect_after_s` can shorten it.
    public var maxConnectionAge: Duration?
    /// Event-loop threads of the listener.
    public var threads: Int

    public init(tls: ServerTLS? = nil, pingInterval: Duration? = .seconds(30), pongTimeout: Duration = .seconds(60),
                keyValidity: Duration = .seconds(3_600), restTimestampBehind: Duration = .seconds(5),
                restTimestampAhead: Duration = .seconds(1), depthRefreshInterval: Duration? = nil, kbarPushOnSubscribe: Bool = true,
                kbarRequestKeepsNewest: Bool = false,
                maxConnectionAge: Duration? = nil, threads: Int = 2) {
        self.tls = tls
        self.pingInterval = pingInterval
        self.pongTimeout = pongTimeout
        self.keyValidity = keyValidity
        self.restTimestampBehind = restTimestampBehind
        self.restTimestampAhead = restTimestampAhead
        self.depthRefreshInterval = depthRefreshInterval
        self.kbarPushOnSubscribe = kbarPushOnSubscribe
        self.kbarRequestKeepsNewest = kbarRequestKeepsNewest
        self.maxConnectionAge = maxConnectionAge
        self.threads = threads
    }
}
