import HFTCore

/// What the connection does to stay alive and to notice a dead peer; set by the venue layer.
public struct KeepAlivePolicy: Sendable {
    /// Send a protocol ping frame this often (nil: never).
    public var protocolPingInterval: Duration?
    /// A protocol ping without a pong frame for this long → reconnect.
    public var protocolPongTimeout: Duration
    /// A venue-level ping message sent on a timer, with its pong matcher.
    public var appPing: AppPing?
    /// Answers the server's application pings on the event loop; the ping never reaches the user.
    public var serverPing: ServerPingReply?
    /// Probe, then reconnect, when nothing arrives for a while.
    public var stall: StallDetection?

    public init(protocolPingInterval: Duration? = nil, protocolPongTimeout: Duration = .seconds(10),
                appPing: AppPing? = nil, serverPing: ServerPingReply? = nil, stall: StallDetection? = nil) {
        self.protocolPingInterval = protocolPingInterval
        self.protocolPongTimeout = protocolPongTimeout
        self.appPing = appPing
        self.serverPing = serverPing
        self.stall = stall
    }

    /// Nothing: server protocol pings are still answered (always).
    public static let none = KeepAlivePolicy()
}

/// A client application ping (e.g. Kraken `{"method":"ping","req_id":N}`).
public struct AppPing: Sendable {
    public var interval: Duration
    /// The pong must arrive within this time, or the connection is replaced.
    public var timeout: Duration
    /// Builds the ping text; gets a fresh request id.
    public var makePing: @Sendable (RequestID) -> String
    /// Recognises the pong among inbound messages (called only while a ping is outstanding).
    public var isPong: @Sendable (UnsafeRawBufferPointer) -> Bool

    public init(interval: Duration, timeout: Duration, makePing: @escaping @Sendable (RequestID) -> String,
                isPong: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
        self.interval = interval
        self.timeout = timeout
        self.makePing = makePing
        self.isPong = isPong
    }
}

/// How stalls are detected: after `silence` without inbound traffic a probe is sent; if even the
/// probe gets no traffic back within `probeTimeout`, the connection is replaced. Quiet but healthy
/// channels answer the probe and are kept.
public struct StallDetection: Sendable {
    public enum Probe: Sendable { case protocolPing, appPing }
    public var silence: Duration
    public var probeTimeout: Duration
    public var probe: Probe

    public init(silence: Duration, probeTimeout: Duration = .seconds(5), probe: Probe = .protocolPing) {
        self.silence = silence
        self.probeTimeout = probeTimeout
        self.probe = probe
    }
}
