import HFTCore
import HFTSimulator
import HFTVenues
import Logging
import Synchronization

/// Hosts the services of a config: creates the REST and WebSocket APIs they name (through the
/// process-wide registry), starts the embedded simulator for `"sim": true` entries, runs the
/// services' streams, and stops everything in order.
public final class ServiceHost: Sendable {
    public let config: ServicesConfig
    public let registry: ServiceRegistry
    public let exchanges: Exchanges
    public let simulators: SimulatorHost
    private let logger: Logger

    private struct Running: Sendable {
        let service: any Service
        let tasks: [Task<Void, Never>]
    }
    private let running = Mutex<[Running]>([])
    private let startedAPIs = Mutex<[any ExchangeWsAPI]>([])

    public init(config: ServicesConfig, registry: ServiceRegistry = .builtIn, exchanges: Exchanges = .shared,
                simulators: SimulatorHost = SimulatorHost(), logger: Logger = Logger(label: "hft.services")) {
        self.config = config
        self.registry = registry
        self.exchanges = exchanges
        self.simulators = simulators
        self.logger = logger
    }

    /// Creates the APIs, starts them, then starts every service and its streams.
    public func start() async throws {
        let simVenues = Set(config.services.flatMap { $0.apis + $0.wsAPIs }.filter(\.sim).map(\.venue))
        let missing = simVenues.filter { simulators.running($0) == nil }
        if !missing.isEmpty { try await simulators.start(Venue.allCases.filter { missing.contains($0) }) }

        for entry in config.services {
            guard let type = registry.types[entry.className] else {
                throw ConfigError(file: config.file, path: "\(entry.name).class_name", expected: "a registered service class", found: entry.className)
            }
            var rest: [Venue: any ExchangeRestAPI] = [:]
            var ws: [Venue: any ExchangeWsAPI] = [:]
            for api in entry.apis { rest[api.venue] = try exchanges.createRestAPI(try settings(for: api)) }
            for api in entry.wsAPIs {
                let created = try exchanges.createWsAPI(try settings(for: api))
                if !startedAPIs.withLock({ $0.contains { $0 === created } }) {
                    try await created.start()
                    startedAPIs.withLock { $0.append(created) }
                }
                ws[api.venue] = created
                if rest[api.venue] == nil, let r = try? exchanges.restAPI(api.venue, account: api.account) { rest[api.venue] = r }
            }
            var serviceLogger = logger
            serviceLogger[metadataKey: "service"] = "\(entry.name)"
            let context = ServiceContext(name: entry.name, parameters: entry.parameters, restAPIs: rest, wsAPIs: ws, logger: serviceLogger)
            let service = try type.init(context: context)
            try await service.start()
            let tasks = try await watchTasks(service, context: context)
            running.withLock { $0.append(Running(service: service, tasks: tasks)) }
            logger.info("started \(entry.name) (\(entry.className))")
        }
    }

    public var services: [any Service] { running.withLock { $0.map(\.service) } }

    /// Stops the services (they cancel their orders), then the APIs, then the simulators.
    public func stop() async {
        let all = running.withLock { r in defer { r = [] }; return r }
        for r in all {
            for t in r.tasks { t.cancel() }
            await r.service.stop()
        }
        let apis = startedAPIs.withLock { a in defer { a = [] }; return a }
        for api in apis { await api.stop() }
        await exchanges.shutdownAll()
        await simulators.shutdown()
    }

    /// Registry settings for a config entry; `sim` entries point at the embedded simulator.
    func settings(for api: APIConfig) throws -> VenueAPISettings {
        var endpoints = api.endpoints
        var credentials = api.credentials
        if api.sim {
            guard let sim = simulators.running(api.venue) else { throw HFTError.unsupported("no simulator for \(api.venue) in this build") }
            for (name, url) in sim.endpoints where endpoints[name] == nil { endpoints[name] = url }
            if credentials == nil, let c = sim.credentials.first {
                credentials = Credentials(apiKey: Secret(c.apiKey), apiSecret: Secret(c.apiSecret), passphrase: c.passphrase.map { Secret($0) })
            }
        }
        return VenueAPISettings(venue: api.venue, credentials: credentials, endpoints: endpoints, options: api.options, account: api.account)
    }

    private func watchTasks(_ service: any Service, context: ServiceContext) async throws -> [Task<Void, Never>] {
        var tasks: [Task<Void, Never>] = []
        for w in service.watches {
            switch w {
            case .book(let venue, let symbol, let depth):
                let stream = try await context.wsAPI(venue).watchOrderBook(symbol, depth: depth)
                tasks.append(Task { for await u in stream { if Task.isCancelled { break }; await service.onBook(u) } })
            case .trades(let venue, let symbol):
                let stream = try await context.wsAPI(venue).watchTrades(symbol)
                tasks.append(Task { for await t in stream { if Task.isCancelled { break }; await service.onTrade(t) } })
            case .orders(let venue):
                let stream = try await context.wsAPI(venue).watchOrders()
                tasks.append(Task { for await e in stream { if Task.isCancelled { break }; await service.onOrder(e) } })
            case .balances(let venue):
                let stream = try await context.wsAPI(venue).watchBalance()
                tasks.append(Task { for await b in stream { if Task.isCancelled { break }; await service.onBalance(b) } })
            }
        }
        return tasks
    }
}
