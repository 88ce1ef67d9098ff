import HFTCore

/// FMex inverse perpetuals (protocols/fmex.md) over a `SimulatedExchange`.
///
/// Endpoints (`start` returns them by these names), one listener:
/// - `ws`: `ws://host:port/v2/ws` — public market data (§1);
/// - `ws-user`: `ws://host:port/v2/user/ws` — private pushes; the client appends
///   `?FC-ACCESS-KEY=…&FC-ACCESS-TIMESTAMP=…&FC-ACCESS-SIGNATURE=…` (§2), a bad one gets HTTP 401;
/// - `rest`: `http://host:port` — `/v3/contracts/…`, `/v3/broker/auth/contracts/positions`,
///   `/v2/public/server-time` (§7).
/// With TLS the schemes are `wss`/`https` on `localhost`.
public final class FMexSimulator: VenueSimulator {
    public typealias Options = FMexOptions

    public let venue: Venue = .fmex
    public let exchange: SimulatedExchange
    public let options: Options
    let context: FMexContext

    static let publicPath = "/v2/ws"
    static let userPath = "/v2/user/ws"

    private let listener = SimulatorListener()
    private let connections = SimConnectionTable<FMexSession>()

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = FMexContext(exchange: exchange, options: options)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        let context = self.context
        return try await listener.start(host: host, port: port, tls: options.tls, threads: options.threads) { server in
            server.route(connections.route(
                Self.userPath, prefix: true,
                accept: { h in (h.path == Self.userPath || h.path == Self.userPath + "/") && Self.authenticate(h, context) != nil },
                makeSession: { Self.privateSession($0, context) }))
            server.route(connections.route(Self.publicPath, prefix: true,
                                           accept: { $0.path == Self.publicPath || $0.path == Self.publicPath + "/" }) {
                FMexSession(context: context, server: $0, account: nil)
            })
            for r in FMexREST.routes(context) { server.route(r) }
        } endpoints: { server in
            ["ws": server.webSocketURL(Self.publicPath), "ws-user": server.webSocketURL(Self.userPath), "rest": server.httpURL("")]
        }
    }

    public func shutdown() async { await listener.shutdown(afterServers: connections.closeAll) }

    public var endpoints: [String: String] { listener.endpoints }

    /// WebSocket connections currently open.
    public var connectionCount: Int { connections.count }

    /// §2: the query's key, timestamp and signature of `GET https://<host>/v2/user/ws<ts>`.
    static func authenticate(_ h: ServerRequestHead, _ c: FMexContext) -> AccountID? {
        let items = h.queryItems
        func q(_ n: String) -> String? { items.first { $0.0 == n }?.1 }
        return FMexAuth.verify(c, key: q("FC-ACCESS-KEY"), signature: q("FC-ACCESS-SIGNATURE"), timestamp: q("FC-ACCESS-TIMESTAMP"),
                               method: "GET", hostHeader: h.header("Host"), path: userPath)
    }

    /// Verified at the upgrade; a clock step past the skew since then does not refuse it.
    private static func privateSession(_ server: ServerSession, _ context: FMexContext) -> FMexSession? {
        let key = server.request.queryItems.first { $0.0 == "FC-ACCESS-KEY" }?.1 ?? ""
        guard let account = context.exchange.account(forAPIKey: key) else {
            server.close(code: 1008, reason: "unauthorized")
            return nil
        }
        return FMexSession(context: context, server: server, account: account)
    }
}
