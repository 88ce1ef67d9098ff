import HFTCore
import NIOCore
import NIOPosix
import Synchronization

/// LBank spot (WebSocket `ws/V2` + the REST calls around it) over a `SimulatedExchange`
/// (protocols/lbank.md).
///
/// Endpoints (`start` returns them by these names), one listener:
/// - `ws`: `ws://host:port/ws/V2/` — public and private channels on one socket, text frames;
/// - `rest`: `http://host:port` — signed subscribeKey lifecycle, order entry and assets
///   (paths `/v2/…` below it as in §5, §8).
/// With TLS the schemes are `wss`/`https` on `localhost`.
public final class LBankSimulator: VenueSimulator {
    public typealias Options = LBankOptions

    public let venue: Venue = .lbank
    public let exchange: SimulatedExchange
    public let options: Options
    let context: LBankContext

    static let webSocketPath = "/ws/V2/"

    private struct Running {
        var group: MultiThreadedEventLoopGroup?
        var server: LoopbackServer?
        var endpoints: [String: String] = [:]
    }

    private let running = Mutex(Running())
    private let connections = Mutex<[ObjectIdentifier: LBankConnection]>([:])

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = LBankContext(exchange: exchange, options: options)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        if let e = running.withLock({ $0.server == nil ? nil : $0.endpoints }) { return e }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.threads))
        let server = LoopbackServer(configuration: .init(host: host, port: port, tls: options.tls), group: group)
        // `/ws/V2` and `/ws/V2/` both upgrade.
        server.route(WebSocketRoute(
            "/ws/V2", prefix: true,
            accept: { $0.path == "/ws/V2" || $0.path == Self.webSocketPath },
            onOpen: { [weak self] session in self?.opened(session) },
            onMessage: { [weak self] session, message in self?.connection(session)?.withSession { $0.receive(message) } },
            onClose: { [weak self] session in self?.closed(session) }))
        for r in LBankREST.routes(context) { server.route(r) }
        do {
            try await server.start()
        } catch {
            await server.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        let endpoints = ["ws": server.webSocketURL(Self.webSocketPath), "rest": server.httpURL("")]
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

    /// Expires a `subscribeKey` now, as if its 60 minutes had passed (tests, scripted runs).
    public func expireSubscribeKey(_ key: String) { context.keys.expire(key) }

    // MARK: Connections (called on each connection's event loop)

    private func opened(_ server: ServerSession) {
        let session = LBankSession(context: context, server: server)
        let connection = LBankConnection(session: session)
        session.connection = connection
        connections.withLock { $0[ObjectIdentifier(server)] = connection }
        session.start()
    }

    private func connection(_ server: ServerSession) -> LBankConnection? {
        connections.withLock { $0[ObjectIdentifier(server)] }
    }

    private func closed(_ server: ServerSession) {
        let c = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(server)) }
        c?.withSession { $0.closed() }
    }
}
