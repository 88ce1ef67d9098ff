import HFTCore

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

    private let listener = SimulatorListener()
    private let connections = SimConnectionTable<LBankSession>()

    public init(exchange: SimulatedExchange, options: Options = Options()) {
        self.exchange = exchange
        self.options = options
        context = LBankContext(exchange: exchange, options: options)
    }

    public func start(host: String, port: Int) async throws -> [String: String] {
        let context = self.context
        return try await listener.start(host: host, port: port, tls: options.tls, threads: options.threads) { server in
            // `/ws/V2` and `/ws/V2/` both upgrade.
            server.route(connections.route("/ws/V2", prefix: true, accept: { $0.path == "/ws/V2" || $0.path == Self.webSocketPath }) {
                LBankSession(context: context, server: $0)
            })
            for r in LBankREST.routes(context) { server.route(r) }
        } endpoints: { server in
            ["ws": server.webSocketURL(Self.webSocketPath), "rest": server.httpURL("")]
        }
    }

    public func shutdown() async {
        await listener.shutdown(afterServers: connections.closeAll)
    }

    public var endpoints: [String: String] { listener.endpoints }

    /// WebSocket connections currently open.
    public var connectionCount: Int { connections.count }

    /// Expires a `subscribeKey` now, as if its 60 minutes had passed (tests, scripted runs).
    public func expireSubscribeKey(_ key: String) { context.keys.expire(key) }
}
