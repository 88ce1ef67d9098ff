import HFTCore

/// A venue's simulator front-end: speaks the venue's exact wire protocol (WebSocket and the REST
/// endpoints its WebSocket flows need) over a `SimulatedExchange`.
public protocol VenueSimulator: AnyObject, Sendable {
    var venue: Venue { get }
    var exchange: SimulatedExchange { get }
    /// Binds on `host` (port 0 = ephemeral) and returns endpoint name → URL, with the same
    /// names the venue's client takes (`hft venues --json`).
    func start(host: String, port: Int) async throws -> [String: String]
    /// Closes every connection and the listening sockets.
    func shutdown() async
}

/// Builds a venue's front-end; front-ends register here as they are written.
public enum VenueSimulators {
    public typealias Factory = @Sendable (SimulatedExchange) -> any VenueSimulator

    /// Every venue with a front-end in this build.
    public static var factories: [Venue: Factory] {
        var f: [Venue: Factory] = [:]
        for (venue, factory) in builtIn { f[venue] = factory }
        return f
    }

    static let builtIn: [(Venue, Factory)] = [
        (.kraken, { KrakenSimulator(exchange: $0) }),
        (.binance, { BinanceSimulator(exchange: $0) }),
        (.digifinex, { DigiFinexSimulator(exchange: $0) }),
        (.lbank, { LBankSimulator(exchange: $0) }),
        (.bge, { BGESimulator(exchange: $0) }),
        (.fmex, { FMexSimulator(exchange: $0) }),
    ]

    public static var available: [Venue] { Venue.allCases.filter { factories[$0] != nil } }
}
