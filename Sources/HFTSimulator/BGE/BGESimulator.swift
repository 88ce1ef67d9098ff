import HFTCore
import NIOCore
import NIOPosix
import Synchronization

/// BGE (bg.exchange) spot: WebSocket V2 + the REST order calls (protocols/bge.md) over a
/// `SimulatedExchange`.
///
/// Endpoints (`start` returns them by these names), one listener:
/// - `ws`: `ws://host:port/v2/ws` — public and private channels on one socket (§1);
/// - `rest`: `http://host:port/hk` — signed orders and balances (`/v1/…` below it, §8).
/// With TLS the schemes are `wss`/`https` on `localhost`.
public final class BGESimulator: VenueSimulator {
    public typealias Options = BGEOptions

    public let venue: Venue = .bge
    public let exchange: SimulatedExchange
    public let options: Options
    let context: BGEContext

    static let webSocketPath = "/v2/ws"

    private struct Running {
        var group: MultiThreadedEventLoopGroup?
        var server: LoopbackServer?
        var endpoints: [String: String] = [:]
    }

    private let running = Mutex(Running())
    private let connections = Mutex<[ObjectIdentifier: BGEConnection]>([:])

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = BGEContext(exchange: exchange, options: options)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        if let e = running.withLock({ $0.server == nil ? nil : $0.endpoints }) { return e }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.threads))
        let server = LoopbackServer(configuration: .init(host: host, port: port, tls: options.tls), group: group)
        server.route(WebSocketRoute(
            Self.webSocketPath, prefix: true,
            accept: { $0.path == Self.webSocketPath || $0.path == Self.webSocketPath + "/" },
            onOpen: { [weak self] session in self?.opened(session) },
            onMessage: { [weak self] session, message in self?.connection(session)?.withSession { $0.receive(message) } },
            onClose: { [weak self] session in self?.closed(session) }))
        for r in BGEREST.routes(context) { server.route(r) }
        do {
            try await server.start()
        } catch {
            await server.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        let endpoints = ["ws": server.webSocketURL(Self.webSocketPath), "rest": server.httpURL(BGEREST.basePath)]
        running.withLock { $0 = Running(group: group, server: server, endpoints: endpoints) }
        return endpoints
    }

    public func shutdown() async {
        let r = running.withLock { r in defer { r = Running() }; return r }
        await r.server?.shutdown()
        let open = connections.withLock { c in defer { c.removeAll() }; return Array(c.values) }
        for c in open { c.withSession { $0.closed() } }
        try? await r.group?.shutdownGracefully()
    }

    public var endpoints: [String: String] { running.withLock { $0.endpoints } }

    /// WebSocket connections currently open.
    public var connectionCount: Int { connections.withLock { $0.count } }

    // MARK: Connections (called on each connection's event loop)

    private func opened(_ server: ServerSession) {
        let session = BGESession(context: context, server: server)
        let connection = BGEConnection(session: session)
        session.connection = connection
        connections.withLock { $0[ObjectIdentifier(server)] = connection }
        session.start()
    }

    private func connection(_ server: ServerSession) -> BGEConnection? {
        connections.withLock { $0[ObjectIdentifier(server)] }
    }

    private func closed(_ server: ServerSession) {
        let c = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(server)) }
        c?.withSession { $0.closed() }
    }
}
