import HFTCore
import NIOCore
import NIOPosix
import Synchronization

/// Kraken Spot WebSocket v2 over a `SimulatedExchange` (protocols/kraken.md).
///
/// Endpoints (`start` returns them by these names):
/// - `ws`: `ws://host:port/v2`, public market data (book, trade, ticker, instrument);
/// - `ws-auth`: `ws://host:port+1/v2`, a second listener like Kraken's second host:
///   executions, balances and order entry (public channels work there too);
/// - `rest`: `http://host:port` (base URL, shared with `ws`): `POST /0/private/GetWebSocketsToken`,
///   `GET /0/public/AssetPairs`, `GET /0/public/Assets`.
/// With port 0 both listeners take ephemeral ports. With TLS the schemes are `wss`/`https`
/// on `localhost`.
public final class KrakenSimulator: VenueSimulator {
    public struct Options: Sendable {
        public var tls: ServerTLS?
        /// The trading rate counter tier (§9); `.unlimited` turns it off.
        public var rateTier: KrakenRateTier
        public var heartbeatInterval: Duration
        /// Event-loop threads shared by both listeners.
        public var threads: Int

        public init(tls: ServerTLS? = nil, rateTier: KrakenRateTier = .intermediate, heartbeatInterval: Duration = .seconds(1),
                    threads: Int = 2) {
            self.tls = tls
            self.rateTier = rateTier
            self.heartbeatInterval = heartbeatInterval
            self.threads = threads
        }
    }

    public let venue: Venue = .kraken
    public let exchange: SimulatedExchange
    public let options: Options
    let context: KrakenContext

    private struct Running {
        var group: MultiThreadedEventLoopGroup?
        var servers: [LoopbackServer] = []
        var endpoints: [String: String] = [:]
    }

    private let running = Mutex(Running())
    private let connections = Mutex<[ObjectIdentifier: KrakenConnection]>([:])

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = KrakenContext(exchange: exchange, rateTier: options.rateTier, heartbeatInterval: options.heartbeatInterval)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        if let e = running.withLock({ $0.servers.isEmpty ? nil : $0.endpoints }) { return e }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.threads))
        func server(_ port: Int, _ endpoint: KrakenEndpoint) -> LoopbackServer {
            let s = LoopbackServer(configuration: .init(host: host, port: port, tls: options.tls), group: group)
            s.route(WebSocketRoute(
                "/v2",
                onOpen: { [weak self] session in self?.opened(session, endpoint) },
                onMessage: { [weak self] session, message in self?.connection(session)?.withSession { $0.receive(message) } },
                onClose: { [weak self] session in self?.closed(session) }))
            return s
        }
        let publicServer = server(port, .publicData)
        let authServer = server(port == 0 ? 0 : port + 1, .authenticated)
        for r in KrakenREST.routes(context) { publicServer.route(r) }
        do {
            try await publicServer.start()
            try await authServer.start()
        } catch {
            await publicServer.shutdown()
            await authServer.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        let endpoints = [
            "ws": publicServer.webSocketURL("/v2"),
            "ws-auth": authServer.webSocketURL("/v2"),
            "rest": publicServer.httpURL(""),
        ]
        running.withLock { $0 = Running(group: group, servers: [publicServer, authServer], endpoints: endpoints) }
        return endpoints
    }

    public func shutdown() async {
        let r = running.withLock { r in defer { r = Running() }; return r }
        context.deadMan.cancelAll()
        for s in r.servers { await s.shutdown() }
        let open = connections.withLock { c in defer { c.removeAll() }; return Array(c.values) }
        for c in open { c.withSession { $0.closed() } }
        try? await r.group?.shutdownGracefully()
    }

    /// Endpoint name → URL once started.
    public var endpoints: [String: String] { running.withLock { $0.endpoints } }

    /// Connections currently open on both endpoints.
    public var connectionCount: Int { connections.withLock { $0.count } }

    // MARK: Connections (called on each connection's event loop)

    private func opened(_ server: ServerSession, _ endpoint: KrakenEndpoint) {
        let session = KrakenSession(context: context, endpoint: endpoint, server: server)
        let connection = KrakenConnection(session: session)
        session.connection = connection
        connections.withLock { $0[ObjectIdentifier(server)] = connection }
        session.start()
    }

    private func connection(_ server: ServerSession) -> KrakenConnection? {
        connections.withLock { $0[ObjectIdentifier(server)] }
    }

    private func closed(_ server: ServerSession) {
        let c = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(server)) }
        c?.withSession { $0.closed() }
    }
}
