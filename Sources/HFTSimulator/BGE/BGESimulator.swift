import HFTCore

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

    private let listener = SimulatorListener()
    private let connections = SimConnectionTable<BGESession>()

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = BGEContext(exchange: exchange, options: options)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        let context = self.context
        return try await listener.start(host: host, port: port, tls: options.tls, threads: options.threads) { server in
            let accept: @Sendable (ServerRequestHead) -> Bool = { $0.path == Self.webSocketPath || $0.path == Self.webSocketPath + "/" }
            server.route(connections.route(Self.webSocketPath, prefix: true, accept: accept) { BGESession(context: context, server: $0) })
            for r in BGEREST.routes(context) { server.route(r) }
        } endpoints: { server in
            ["ws": server.webSocketURL(Self.webSocketPath), "rest": server.httpURL(BGEREST.basePath)]
        }
    }

    public func shutdown() async {
        await listener.shutdown(afterServers: connections.closeAll)
    }

    public var endpoints: [String: String] { listener.endpoints }

    /// WebSocket connections currently open.
    public var connectionCount: Int { connections.count }
}
