/// Tuning of the FMex front-end; the defaults follow protocols/fmex.md §2–§7. Every knob
/// that settles an UNCERTAIN point of the notes is listed in README.md.
public struct FMexOptions: Sendable {
    public var tls: ServerTLS?
    /// Close a socket that has sent no `ping` command for this long (§3: FCoin 300 s); nil = never.
    public var pingTimeout: Duration?
    /// Close code of that close (§3: undocumented).
    public var pingTimeoutCloseCode: UInt16
    /// Send `{"type":"hello","ts"}` on the private socket too (§3: documented for the public one).
    public var helloOnUserSocket: Bool
    /// Allowed |FC-ACCESS-TIMESTAMP − server time| (§2: 30 s).
    public var signatureSkew: Duration
    /// Host the client must have signed (`https://<host>/path`); nil = lenient: the request's
    /// `Host` with `https://` or `http://`, or `api.fmex.com` (§2: the simulator's address is
    /// not the production one).
    public var signedHost: String?
    /// Accept a raw `+` in the WebSocket query signature that a query decoder turned into a space (§2).
    public var acceptSpaceForPlus: Bool
    /// Most topics per `sub` (§4: 20).
    public var maxTopicsPerSub: Int
    /// Public topics may be subscribed on `/v2/user/ws` too (§6: unsaid).
    public var publicTopicsOnUserSocket: Bool
    /// Depth-delta: send `qty 0` for levels that left the L20/L150 window but still exist (§5: UNCERTAIN).
    public var deltaWindowRemovals: Bool
    /// `status` of the error reply to a frame that is not a valid command (§4: only 41002 known).
    public var badRequestStatus: Int
    /// REST requests per user per 10 s (§4: 100); nil = unlimited.
    public var restRequestsPer10s: Int?
    /// Close every connection at this age; the fault plan's `force_disconnect_after_s` can shorten it.
    public var maxConnectionAge: Duration?
    public var threads: Int

    public init(tls: ServerTLS? = nil, pingTimeout: Duration? = .seconds(300), pingTimeoutCloseCode: UInt16 = 1000,
                helloOnUserSocket: Bool = true, signatureSkew: Duration = .seconds(30), signedHost: String? = nil,
                acceptSpaceForPlus: Bool = true, maxTopicsPerSub: Int = 20, publicTopicsOnUserSocket: Bool = true,
                deltaWindowRemovals: Bool = true, badRequestStatus: Int = 400, restRequestsPer10s: Int? = 100,
                maxConnectionAge: Duration? = nil, threads: Int = 2) {
        self.tls = tls
        self.pingTimeout = pingTimeout
        self.pingTimeoutCloseCode = pingTimeoutCloseCode
        self.helloOnUserSocket = helloOnUserSocket
        self.signatureSkew = signatureSkew
        self.signedHost = signedHost
        self.acceptSpaceForPlus = acceptSpaceForPlus
        self.maxTopicsPerSub = maxTopicsPerSub
        self.publicTopicsOnUserSocket = publicTopicsOnUserSocket
        self.deltaWindowRemovals = deltaWindowRemovals
        self.badRequestStatus = badRequestStatus
        self.restRequestsPer10s = restRequestsPer10s
        self.maxConnectionAge = maxConnectionAge
        self.threads = threads
    }
}
