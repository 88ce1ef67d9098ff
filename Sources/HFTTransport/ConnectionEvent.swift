import HFTCore

/// Why a connection went down.
public enum DisconnectReason: Sendable, Equatable, CustomStringConvertible {
    /// The peer sent a close frame.
    case closedByPeer(code: UInt16?, reason: String)
    /// The socket closed without a close frame (reset, EOF, network loss).
    case connectionLost
    /// This side closed it because of the error (stall, pong timeout, protocol error, oversize…).
    case failed(HFTError)
    /// `stop()`, `forceReconnect(reason:)` or the connection age limit.
    case requested(String)

    public var description: String {
        switch self {
        case .closedByPeer(let code, let reason): "closed by peer (\(code.map(String.init) ?? "no code")) \(reason)"
        case .connectionLost: "connection lost"
        case .failed(let e): "failed: \(e)"
        case .requested(let r): "requested: \(r)"
        }
    }
}

/// State changes and errors of one connection, in order.
public enum ConnectionEvent: Sendable, Equatable, CustomStringConvertible {
    case connecting(attempt: Int)
    /// The WebSocket upgrade completed.
    case connected
    /// `ConnectionHooks.authenticate` succeeded (only when the hooks authenticate).
    case authenticated
    /// Subscriptions replayed; the connection is ready for use.
    case ready
    case reconnecting(attempt: Int, delay: Duration)
    case disconnected(DisconnectReason)
    /// Stopped for good (after `stop()` or when the reconnect policy gave up).
    case closed
    /// A typed error that did not necessarily end the connection (bad frame, bad UTF-8, inflate…).
    case error(HFTError)

    public var description: String {
        switch self {
        case .connecting(let a): "connecting (attempt \(a))"
        case .connected: "connected"
        case .authenticated: "authenticated"
        case .ready: "ready"
        case .reconnecting(let a, let d): "reconnecting (attempt \(a)) in \(d)"
        case .disconnected(let r): "disconnected: \(r)"
        case .closed: "closed"
        case .error(let e): "error: \(e)"
        }
    }
}
