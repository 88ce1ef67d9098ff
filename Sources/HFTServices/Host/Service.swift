import HFTCore
import HFTVenues
import Logging

/// What a service subscribes to; the host runs the streams and calls the service's hooks.
public enum ServiceWatch: Sendable, Hashable {
    case book(Venue, Symbol, depth: Int)
    case trades(Venue, Symbol)
    case orders(Venue)
    case balances(Venue)
}

/// Everything the host hands a service: its settings, its venues' APIs and a logger.
public struct ServiceContext: Sendable {
    public let name: String
    public let parameters: ServiceParameters
    public let restAPIs: [Venue: any ExchangeRestAPI]
    public let wsAPIs: [Venue: any ExchangeWsAPI]
    public let logger: Logger

    public init(name: String, parameters: ServiceParameters, restAPIs: [Venue: any ExchangeRestAPI],
                wsAPIs: [Venue: any ExchangeWsAPI], logger: Logger) {
        self.name = name
        self.parameters = parameters
        self.restAPIs = restAPIs
        self.wsAPIs = wsAPIs
        self.logger = logger
    }

    /// The venue's WebSocket API named in the config's `ws_apis` (hftpy's `kraken_ws_api`).
    public func wsAPI(_ venue: Venue) throws(HFTError) -> any ExchangeWsAPI {
        guard let api = wsAPIs[venue] else { throw .configuration("service \(name) has no ws_apis entry for \(venue)") }
        return api
    }

    /// The venue's REST API named in the config's `apis` (hftpy's `kraken_api`).
    public func restAPI(_ venue: Venue) throws(HFTError) -> any ExchangeRestAPI {
        guard let api = restAPIs[venue] else { throw .configuration("service \(name) has no apis entry for \(venue)") }
        return api
    }
}

/// A trading program the host runs from a config file. Implement the hooks you need; the
/// host calls them from one task per watched stream, and `stop` after the streams end.
public protocol Service: AnyObject, Sendable {
    /// The `class_name` configs use.
    static var className: String { get }
    /// The keys the service accepts in `setting` (besides `apis` and `ws_apis`).
    static var parameters: [ParameterSpec] { get }
    init(context: ServiceContext) throws

    /// The streams to run; read once after `start`.
    var watches: [ServiceWatch] { get }
    func start() async throws
    /// Cancel open orders and release what the service holds.
    func stop() async

    func onBook(_ update: BookUpdate) async
    func onTrade(_ trade: Trade) async
    func onOrder(_ event: OrderEvent) async
    func onBalance(_ balance: Balance) async
}

extension Service {
    public var watches: [ServiceWatch] { [] }
    public func start() async throws {}
    public func stop() async {}
    public func onBook(_ update: BookUpdate) async {}
    public func onTrade(_ trade: Trade) async {}
    public func onOrder(_ event: OrderEvent) async {}
    public func onBalance(_ balance: Balance) async {}
}

/// Service classes by name, so a config can name them.
public struct ServiceRegistry: Sendable {
    public private(set) var types: [String: any Service.Type] = [:]

    public init(_ types: [any Service.Type] = []) {
        for t in types { register(t) }
    }

    public mutating func register(_ type: any Service.Type) { types[type.className] = type }

    public var specs: [String: [ParameterSpec]] { types.mapValues { $0.parameters } }

    /// The services this package ships.
    public static var builtIn: ServiceRegistry { ServiceRegistry([MMDemoService.self]) }
}
