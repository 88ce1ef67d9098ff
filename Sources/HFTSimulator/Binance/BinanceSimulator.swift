import HFTCore
import NIOCore

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

    private let listener = SimulatorListener()
    private let connections = SimConnectionTable<BinanceSocket>()

    static let apiPath = "/ws-api/v3"

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = BinanceContext(exchange: exchange, options: options)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        let context = self.context
        return try await listener.start(host: host, port: port, tls: options.tls, threads: options.threads) { server in
            let admit: @Sendable (ServerRequestHead) -> Bool = { _ in context.limiter.admitConnection(now: context.nowMillis()) }
            server.route(connections.route(Self.apiPath, accept: admit) { BinanceAPISession(context: context, server: $0) })
            for path in ["/ws", "/stream"] {
                server.route(connections.route(path, prefix: true, accept: admit) { BinanceStreamSession(context: context, server: $0) })
            }
            for r in BinanceREST.routes(context) { server.route(r) }
            // Refused handshakes (`CONNECTIONS` over the limit) fall through to these.
            for path in [Self.apiPath, "/ws", "/stream"] {
                server.route(HTTPRoute("GET", path, prefix: path != Self.apiPath) { _ in BinanceREST.tooManyConnections(context) })
            }
        } endpoints: { server in
            ["ws-api": server.webSocketURL(Self.apiPath), "streams": server.webSocketURL(""), "rest": server.httpURL("")]
        }
    }

    public func shutdown() async {
        await listener.shutdown(afterServers: connections.closeAll)
    }

    /// Endpoint name → URL once started.
    public var endpoints: [String: String] { listener.endpoints }

    /// Connections currently open (WS API and streams).
    public var connectionCount: Int { connections.count }

    /// Registers an Ed25519 public key (32 raw bytes) under `apiKey` for `account`; requests
    /// and `session.logon` signed with the matching private key then act for that account.
    public func registerEd25519Key(apiKey: String, publicKey: [UInt8], account: AccountID) {
        context.auth.register(apiKey: apiKey, publicKey: publicKey, account: account)
    }

    /// Sends the planned-shutdown event (§2) on every open connection, then closes them after
    /// `closeAfter` (nil: leaves them open).
    public func announceShutdown(closeAfter: Duration? = nil) {
        for c in connections.all {
            c.withSession { socket in
                socket.sendServerShutdown()
                socket.flush()
                guard let d = closeAfter else { return }
                socket.server.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(d)) {
                    socket.closeNow(code: 1001)
                }
            }
        }
    }
}
