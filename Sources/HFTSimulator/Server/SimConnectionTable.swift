import Synchronization

/// A front-end's per-connection session: started when its WebSocket opens, fed the client's
/// messages and told when the connection closes, all on the connection's event loop.
protocol SimFrontEndSession: SimEventSession {
    /// The session itself (`Self`), or the base class of the sessions a table holds.
    associatedtype Handled: SimEventSession = Self
    /// The session's thread-safe handle; set before `start` (sessions keep it weakly).
    var connection: SimEventInbox<Handled>? { get set }
    func start()
    func receive(_ m: ServerInbound)
    func closed()
}

/// The open WebSocket connections of one front-end, keyed by their `ServerSession`.
final class SimConnectionTable<Session: SimFrontEndSession>: Sendable where Session.Handled == Session {
    typealias Connection = SimEventInbox<Session>

    private let table = Mutex<[ObjectIdentifier: Connection]>([:])

    init() {}

    /// Connections currently open.
    var count: Int { table.withLock { $0.count } }

    /// Every open connection (e.g. to notify them all).
    var all: [Connection] { table.withLock { Array($0.values) } }

    /// A route whose upgrades become sessions of this table: `makeSession` builds the session of
    /// a new connection (nil: none; it closes the `ServerSession` itself when it refuses one).
    /// Let it capture the front-end's context, not the front-end: the front-end owns the route.
    func route(_ path: String, prefix: Bool = false,
               accept: @escaping @Sendable (ServerRequestHead) -> Bool = { _ in true },
               makeSession: @escaping @Sendable (ServerSession) -> Session?) -> WebSocketRoute {
        WebSocketRoute(
            path, prefix: prefix, accept: accept,
            onOpen: { [weak self] server in
                guard let self, let session = makeSession(server) else { return }
                self.open(session)
            },
            onMessage: { [weak self] server, message in self?.connection(server)?.withSession { $0.receive(message) } },
            onClose: { [weak self] server in self?.close(server) })
    }

    /// Registers and starts `session` (on its event loop).
    func open(_ session: Session) {
        let connection = Connection(session: session)
        session.connection = connection
        table.withLock { $0[ObjectIdentifier(session.server)] = connection }
        session.start()
    }

    func connection(_ server: ServerSession) -> Connection? {
        table.withLock { $0[ObjectIdentifier(server)] }
    }

    /// Forgets the connection of `server` and tells its session.
    func close(_ server: ServerSession) {
        let c = table.withLock { $0.removeValue(forKey: ObjectIdentifier(server)) }
        c?.withSession { $0.closed() }
    }

    /// Forgets every connection and tells each session (at shutdown).
    func closeAll() {
        let open = table.withLock { c in defer { c.removeAll() }; return Array(c.values) }
        for c in open { c.withSession { $0.closed() } }
    }
}
