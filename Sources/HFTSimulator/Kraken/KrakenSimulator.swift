import HFTCore

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

    private let listener = SimulatorListener()
    private let connections = SimConnectionTable<KrakenSession>()

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = KrakenContext(exchange: exchange, rateTier: options.rateTier, heartbeatInterval: options.heartbeatInterval)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        let context = self.context
        let ports = [port, port == 0 ? 0 : port + 1]
        return try await listener.start(host: host, ports: ports, tls: options.tls, threads: options.threads) { servers in
            for (server, endpoint) in zip(servers, [KrakenEndpoint.publicData, .authenticated]) {
                server.route(connections.route("/v2") { KrakenSession(context: context, endpoint: endpoint, server: $0) })
            }
            for r in KrakenREST.routes(context) { servers[0].route(r) }
        } endpoints: { servers in
            ["ws": servers[0].webSocketURL("/v2"), "ws-auth": servers[1].webSocketURL("/v2"), "rest": servers[0].httpURL("")]
        }
    }

    public func shutdown() async {
        context.deadMan.cancelAll()
        await listener.shutdown(afterServers: connections.closeAll)
    }

    /// Endpoint name → URL once started.
    public var endpoints: [String: String] { listener.endpoints }

    /// Connections currently open on both endpoints.
    public var connectionCount: Int { connections.count }
}
