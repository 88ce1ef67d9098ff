/// Tuning of the BGE front-end; the defaults follow protocols/bge.md §2, §4, §8.
public struct BGEOptions: Sendable {
    public var tls: ServerTLS?
    /// Period of the server's `{"ping":ts}` (§2: undocumented); nil = never.
    public var pingInterval: Duration?
    /// Close when a ping is not answered with `{"pong":ts}` within this (§2: 30 s).
    public var pongTimeout: Duration
    /// Close when the client has not subscribed this long after connecting (§2: 30 s); nil = never.
    public var subscribeTimeout: Duration?
    /// Client frames allowed in any 1 s window before the socket is closed (§2: 50).
    public var maxClientMessagesPerSecond: Int
    /// Allowed |login timestamp − server time| (§4: undocumented, 30 s) → 40008 outside.
    public var loginSkew: Duration
    /// REST requests per second per key (§8: 10); nil = unlimited.
    public var restRequestsPerSecond: Int?
    /// Re-send every `orderbook`/`percent10` subscription at this period even without change
    /// (§5: "at most every 500 ms, also when nothing changed"); nil = only on change.
    public var bookRefreshInterval: Duration?
    /// Also push books as soon as they change (true), or only at `bookRefreshInterval` (false: the
    /// strict reading of "at most every 500 ms"; the notes are unsure which the venue does).
    public var bookPushesOnChange: Bool
    /// Close every connection at this age; the fault plan's `force_disconnect_after_s` can shorten it.
    public var maxConnectionAge: Duration?
    public var threads: Int

    public init(tls: ServerTLS? = nil, pingInterval: Duration? = .seconds(10), pongTimeout: Duration = .seconds(30),
                subscribeTimeout: Duration? = .seconds(30), maxClientMessagesPerSecond: Int = 50,
                loginSkew: Duration = .seconds(30), restRequestsPerSecond: Int? = 10,
                bookRefreshInterval: Duration? = .milliseconds(500), bookPushesOnChange: Bool = true,
                maxConnectionAge: Duration? = nil, threads: Int = 2) {
        self.tls = tls
        self.pingInterval = pingInterval
        self.pongTimeout = pongTimeout
        self.subscribeTimeout = subscribeTimeout
        self.maxClientMessagesPerSecond = maxClientMessagesPerSecond
        self.loginSkew = loginSkew
        self.restRequestsPerSecond = restRequestsPerSecond
        self.bookRefreshInterval = bookRefreshInterval
        self.bookPushesOnChange = bookPushesOnChange
        self.maxConnectionAge = maxConnectionAge
        self.threads = threads
    }
}
