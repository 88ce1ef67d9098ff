import HFTCore

/// DigiFinex spot (WebSocket ws/v1 + the REST v3 calls around it) over a `SimulatedExchange`
/// (protocols/digifinex.md).
///
/// Endpoints (`start` returns them by these names), one listener:
/// - `ws`: `ws://host:port/ws/v1/` — public and private channels on one socket, every server
///   message a binary frame holding one zlib stream;
/// - `rest`: `http://host:port/v3` — signed order entry and assets, public time, symbols and
///   order book (paths below it as in §8).
/// With TLS the schemes are `wss`/`https` on `localhost`.
public final class DigiFinexSimulator: VenueSimulator {
    public typealias Options = DigiFinexOptions

    public let venue: Venue = .digifinex
    public let exchange: SimulatedExchange
    public let options: Options
    let context: DigiFinexContext

    static let webSocketPath = "/ws/v1/"
    static let restBase = "/v3"

    private let listener = SimulatorListener()
    private let connections = SimConnectionTable<DigiFinexSession>()

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = DigiFinexContext(exchange: exchange, options: options)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        let context = self.context
        return try await listener.start(host: host, port: port, tls: options.tls, threads: options.threads) { server in
            // `/ws/v1` and `/ws/v1/` both upgrade.
            server.route(connections.route("/ws/v1", prefix: true, accept: { $0.path == "/ws/v1" || $0.path == Self.webSocketPath }) {
                DigiFinexSession(context: context, server: $0)
            })
            for r in DigiFinexREST.routes(context) { server.route(r) }
        } endpoints: { server in
            ["ws": server.webSocketURL(Self.webSocketPath), "rest": server.httpURL(Self.restBase)]
        }
    }

    public func shutdown() async {
        await listener.shutdown(afterServers: connections.closeAll)
    }

    /// Endpoint name → URL once started.
    public var endpoints: [String: String] { listener.endpoints }

    /// WebSocket connections currently open.
    public var connectionCount: Int { connections.count }
}
