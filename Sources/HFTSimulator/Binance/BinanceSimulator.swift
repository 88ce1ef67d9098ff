import HFTCore
import NIOCore
import NIOPosix
import Synchronization

/// Binance Spot over a `SimulatedExchange` (protocols/binance.md): the WebSocket API, the
/// market streams and the REST calls the order-book sync needs, on one listener.
///
/// Endpoints (`start` returns them by these names):
/// - `ws-api`: `ws://host:port/ws-api/v3` — requests, session logon, user data stream;
/// - `streams`: `ws://host:port` — market streams at `/ws/<stream>` (raw) and
///   `/stream?streams=<a>/<b>` (combined);
/// - `rest`: `http://host:port` — `GET /api/v3/depth`, `/api/v3/exchangeInfo`, `/api/v3/time`,
///   `/api/v3/ping`.
/// With TLS the schemes are `wss`/`https` on `localhost`.
public final class BinanceSimulator: VenueSimulator {
    public struct Options: Sendable {
        public var tls: ServerTLS?
        public var rateLimits: BinanceRateLimitConfig
        /// Server ping frames (§2: 20 s).
        public var pingInterval: Duration
        /// Close when our ping is not answered within this (§2: 1 minute).
        public var pongTimeout: Duration
        /// Every connection is cut after this (§2: 24 h); the fault plan's
        /// `force_disconnect_after_s` shortens it.
        public var maxConnectionAge: Duration
        /// Market streams: incoming messages per second before the server disconnects (§3: 5).
        public var maxIncomingMessagesPerSecond: Int
        /// Market streams per connection (§3: 1024).
        public var maxStreamsPerConnection: Int
        /// Event-loop threads of the listener.
        public var threads: Int

        public init(tls: ServerTLS? = nil, rateLimits: BinanceRateLimitConfig = .init(), pingInterval: Duration = .seconds(20),
                    pongTimeout: Duration = .seconds(60), maxConnectionAge: Duration = .seconds(86_400),
                    maxIncomingMessagesPerSecond: Int = 5, maxStreamsPerConnection: Int = 1_024, threads: Int = 2) {
            self.tls = tls
            self.rateLimits = rateLimits
            self.pingInterval = pingInterval
            self.pongTimeout = pongTimeout
            self.maxConnectionAge = maxConnectionAge
            self.maxIncomingMessagesPerSecond = maxIncomingMessagesPerSecond
            self.maxStreamsPerConnection = maxStreamsPerConnection
            self.threads = threads
        }
    }

    public let venue: Venue = .binance
    public let exchange: SimulatedExchange
    public let options: Options
    let context: BinanceContext

    private struct Running {
        var group: MultiThreadedEventLoopGroup?
        var server: LoopbackServer?
        var endpoints: [String: String] = [:]
    }

    private let running = Mutex(Running())
    private let connections = Mutex<[ObjectIdentifier: BinanceConnection]>([:])

    static let apiPath = "/ws-api/v3"

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = BinanceContext(exchange: exchange, options: options)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        if let e = running.withLock({ $0.server == nil ? nil : $0.endpoints }) { return e }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.threads))
        let server = LoopbackServer(configuration: .init(host: host, port: port, tls: options.tls), group: group)
        let context = self.context
        let admit: @Sendable (ServerRequestHead) -> Bool = { _ in context.limiter.admitConnection(now: context.nowMillis()) }
        server.route(WebSocketRoute(
            Self.apiPath, accept: admit,
            onOpen: { [weak self] session in self?.opened(session, api: true) },
            onMessage: { [weak self] session, message in self?.connection(session)?.withSession { $0.receive(message) } },
            onClose: { [weak self] session in self?.closed(session) }))
        for path in ["/ws", "/stream"] {
            server.route(WebSocketRoute(
                path, prefix: true, accept: admit,
                onOpen: { [weak self] session in self?.opened(session, api: false) },
                onMessage: { [weak self] session, message in self?.connection(session)?.withSession { $0.receive(message) } },
                onClose: { [weak self] session in self?.closed(session) }))
        }
        for r in BinanceREST.routes(context) { server.route(r) }
        // Refused handshakes (`CONNECTIONS` over the limit) fall through to these.
        for path in [Self.apiPath, "/ws", "/stream"] {
            server.route(HTTPRoute("GET", path, prefix: path != Self.apiPath) { _ in BinanceREST.tooManyConnections(context) })
        }
        do {
            try await server.start()
        } catch {
            await server.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        let endpoints = [
            "ws-api": server.webSocketURL(Self.apiPath),
            "streams": server.webSocketURL(""),
            "rest": server.httpURL(""),
        ]
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

    /// Endpoint name → URL once started.
    public var endpoints: [String: String] { running.withLock { $0.endpoints } }

    /// Connections currently open (WS API and streams).
    public var connectionCount: Int { connections.withLock { $0.count } }

    /// Registers an Ed25519 public key (32 raw bytes) under `apiKey` for `account`; requests
    /// and `session.logon` signed with the matching private key then act for that account.
    public func registerEd25519Key(apiKey: String, publicKey: [UInt8], account: AccountID) {
        context.auth.register(apiKey: apiKey, publicKey: publicKey, account: account)
    }

    /// Sends the planned-shutdown event (§2) on every open connection, then closes them after
    /// `closeAfter` (nil: leaves them open).
    public func announceShutdown(closeAfter: Duration? = nil) {
        let open = connections.withLock { Array($0.values) }
        for c in open {
            c.withSession { socket in
                socket.sendServerShutdown()
                socket.flush()
                guard let d = closeAfter else { return }
                socket.server.eventLoop.assumeIsolated().scheduleTask(in: BinanceSocket.amount(d)) {
                    socket.closeNow(code: 1001)
                }
            }
        }
    }

    // MARK: Connections (called on each connection's event loop)

    private func opened(_ server: ServerSession, api: Bool) {
        let socket: BinanceSocket = api ? BinanceAPISession(context: context, server: server)
                                        : BinanceStreamSession(context: context, server: server)
        let connection = BinanceConnection(session: socket)
        socket.connection = connection
        connections.withLock { $0[ObjectIdentifier(server)] = connection }
        socket.start()
    }

    private func connection(_ server: ServerSession) -> BinanceConnection? {
        connections.withLock { $0[ObjectIdentifier(server)] }
    }

    private func closed(_ server: ServerSession) {
        let c = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(server)) }
        c?.withSession { $0.closed() }
    }
}
