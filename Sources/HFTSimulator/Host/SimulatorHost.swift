import HFTCore
import Synchronization

/// Runs the simulators of several venues in-process: exchange, front-end and synthetic flow per
/// venue. Used by `hft sim`, `hft demo` and the integration tests (ephemeral ports).
public final class SimulatorHost: Sendable {
    public struct Options: Sendable {
        public var host: String
        /// First port; venue i listens from `basePort + 10 * i`. 0 = ephemeral ports.
        public var basePort: Int
        /// Book updates per second of synthetic flow per venue (0 = no flow).
        public var flowRate: Double
        public var seed: UInt64
        /// Fault plan text per venue (`hft sim --fault`), already parsed.
        public var faults: FaultConfiguration?
        /// Only these of each venue's listed instruments get synthetic flow (empty: all of them).
        public var flowSymbols: [Symbol]

        public init(host: String = "127.0.0.1", basePort: Int = 0, flowRate: Double = 50, seed: UInt64 = 1,
                    faults: FaultConfiguration? = nil, flowSymbols: [Symbol] = []) {
            self.host = host
            self.basePort = basePort
            self.flowRate = flowRate
            self.seed = seed
            self.faults = faults
            self.flowSymbols = flowSymbols
        }
    }

    /// One running venue.
    public struct Running: Sendable {
        public let venue: Venue
        public let exchange: SimulatedExchange
        public let simulator: any VenueSimulator
        public let flow: FlowDriver?
        public let endpoints: [String: String]

        /// The default sim accounts' credentials (API key, secret).
        public var credentials: [SimCredentials] { exchange.userAccounts().map(\.credentials) }
    }

    private let running = Mutex<[Running]>([])
    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Starts the given venues (all venues with a front-end when empty).
    @discardableResult
    public func start(_ venues: [Venue] = []) async throws -> [Running] {
        let factories = VenueSimulators.factories
        let chosen = venues.isEmpty ? VenueSimulators.available : venues
        var started: [Running] = []
        for (i, venue) in chosen.enumerated() {
            guard let factory = factories[venue] else {
                throw HFTError.unsupported("no simulator front-end for \(venue) in this build")
            }
            var config = ExchangeConfig.preset(for: venue, flowSeed: options.seed &+ UInt64(i) &* 1000)
            if !options.flowSymbols.isEmpty {
                let listed = Set(config.instruments.map(\.symbol))
                guard options.flowSymbols.contains(where: listed.contains) else {
                    for r in started { r.flow?.stop(); await r.simulator.shutdown() }
                    throw HFTError.invalidArgument("the \(venue) simulator lists \(config.instruments.map(\.symbol.description).joined(separator: ", ")); "
                                                   + "none of \(options.flowSymbols.map(\.description).joined(separator: ", "))")
                }
                config.flows.removeAll { !options.flowSymbols.contains($0.symbol) }
            }
            let exchange = try SimulatedExchange(config: config)
            if let faults = options.faults { exchange.faults.setPlan(faults.plan(for: venue)) }
            let simulator = factory(exchange)
            let port = options.basePort == 0 ? 0 : options.basePort + 10 * i
            let endpoints: [String: String]
            do { endpoints = try await simulator.start(host: options.host, port: port) } catch {
                for r in started { r.flow?.stop(); await r.simulator.shutdown() }
                throw error
            }
            var flow: FlowDriver?
            if options.flowRate > 0 {
                let driver = FlowDriver(exchange: exchange, bookUpdatesPerSecond: options.flowRate)
                driver.start()
                flow = driver
            }
            let r = Running(venue: venue, exchange: exchange, simulator: simulator, flow: flow, endpoints: endpoints)
            started.append(r)
            running.withLock { $0.append(r) }
        }
        return started
    }

    public var venues: [Running] { running.withLock { $0 } }

    public func running(_ venue: Venue) -> Running? { running.withLock { $0.first { $0.venue == venue } } }

    /// Stops the flow, then the front-ends.
    public func shutdown() async {
        let all = running.withLock { r in defer { r = [] }; return r }
        for r in all { r.flow?.stop() }
        for r in all { await r.simulator.shutdown() }
    }
}
