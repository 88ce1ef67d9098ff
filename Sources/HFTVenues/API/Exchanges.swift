import HFTCore
import Synchronization

/// Builds venue APIs; the built-in table knows every venue implemented so far, and tests or
/// applications may add their own (a paper-trading adapter, a fake).
public struct VenueFactories: Sendable {
    public typealias RestFactory = @Sendable (VenueAPISettings) throws -> any ExchangeRestAPI
    public typealias WsFactory = @Sendable (VenueAPISettings, (any ExchangeRestAPI)?) throws -> any ExchangeWsAPI

    public var rest: [Venue: RestFactory]
    public var ws: [Venue: WsFactory]
    /// Venues whose WebSocket authentication needs the REST API (tokens, listen/subscribe keys).
    public var wsNeedsRest: Set<Venue>

    public init(rest: [Venue: RestFactory] = [:], ws: [Venue: WsFactory] = [:], wsNeedsRest: Set<Venue> = []) {
        self.rest = rest
        self.ws = ws
        self.wsNeedsRest = wsNeedsRest
    }
}

/// Everything a venue API is created from.
public struct VenueAPISettings: Sendable, Hashable {
    public var venue: Venue
    public var credentials: Credentials?
    public var endpoints: [String: String]
    public var options: [String: String]
    /// A named second account; nil is the default one.
    public var account: String?

    public init(venue: Venue, credentials: Credentials? = nil, endpoints: [String: String] = [:], options: [String: String] = [:], account: String? = nil) {
        self.venue = venue
        self.credentials = credentials
        self.endpoints = endpoints
        self.options = options
        self.account = account
    }
}

/// The process-wide registry: one REST and one WebSocket API per venue (and per named account),
/// created once at start-up and fetched anywhere, so rate limits are global and requests keep
/// their order. `Exchanges.shared` is the process's; separate instances serve tests.
public final class Exchanges: Sendable {
    public static let shared = Exchanges()

    struct Key: Hashable { let venue: Venue; let account: String? }
    struct Entry<API: Sendable>: Sendable { let settings: VenueAPISettings; let api: API }
    struct State {
        var rest: [Key: Entry<any ExchangeRestAPI>] = [:]
        var ws: [Key: Entry<any ExchangeWsAPI>] = [:]
    }

    private let state = Mutex(State())
    private let factories: Mutex<VenueFactories>

    public init(factories: VenueFactories = .builtIn) {
        self.factories = Mutex(factories)
    }

    /// Adds or replaces the factories of one venue.
    public func register(_ venue: Venue, rest: VenueFactories.RestFactory?, ws: VenueFactories.WsFactory?, wsNeedsRest: Bool) {
        factories.withLock { f in
            f.rest[venue] = rest
            f.ws[venue] = ws
            if wsNeedsRest { f.wsNeedsRest.insert(venue) } else { f.wsNeedsRest.remove(venue) }
        }
    }

    /// Creates the venue's REST API, or returns the existing one when created with the same settings.
    /// Other settings for the same venue and account are a configuration error.
    @discardableResult
    public func createRestAPI(_ settings: VenueAPISettings) throws(HFTError) -> any ExchangeRestAPI {
        let key = Key(venue: settings.venue, account: settings.account)
        let factory = factories.withLock { $0.rest[settings.venue] }
        return try state.withLock { (s) throws(HFTError) -> any ExchangeRestAPI in
            if let existing = s.rest[key] {
                guard existing.settings == settings else { throw Exchanges.conflict("REST", settings) }
                return existing.api
            }
            guard let factory else { throw .unsupported("no REST API for \(settings.venue) in this build") }
            let api: any ExchangeRestAPI
            do { api = try factory(settings) } catch { throw Exchanges.asHFTError(error) }
            s.rest[key] = Entry(settings: settings, api: api)
            return api
        }
    }

    /// Creates the venue's WebSocket API (and the REST API it authenticates with, when it needs one).
    @discardableResult
    public func createWsAPI(_ settings: VenueAPISettings) throws(HFTError) -> any ExchangeWsAPI {
        let key = Key(venue: settings.venue, account: settings.account)
        let (factory, needsRest) = factories.withLock { ($0.ws[settings.venue], $0.wsNeedsRest.contains(settings.venue)) }
        let rest: (any ExchangeRestAPI)? = needsRest ? try restAPIForWs(settings) : nil
        return try state.withLock { (s) throws(HFTError) -> any ExchangeWsAPI in
            if let existing = s.ws[key] {
                guard existing.settings == settings else { throw Exchanges.conflict("WebSocket", settings) }
                return existing.api
            }
            guard let factory else { throw .unsupported("no WebSocket API for \(settings.venue) in this build") }
            let api: any ExchangeWsAPI
            do { api = try factory(settings, rest) } catch { throw Exchanges.asHFTError(error) }
            s.ws[key] = Entry(settings: settings, api: api)
            return api
        }
    }

    /// The WebSocket API created for `venue` (and `account`).
    public func wsAPI(_ venue: Venue, account: String? = nil) throws(HFTError) -> any ExchangeWsAPI {
        guard let e = state.withLock({ $0.ws[Key(venue: venue, account: account)] }) else {
            throw .configuration("no WebSocket API for \(venue)\(account.map { " account \($0)" } ?? ""): create it at start-up with createWsAPI")
        }
        return e.api
    }

    public func restAPI(_ venue: Venue, account: String? = nil) throws(HFTError) -> any ExchangeRestAPI {
        guard let e = state.withLock({ $0.rest[Key(venue: venue, account: account)] }) else {
            throw .configuration("no REST API for \(venue)\(account.map { " account \($0)" } ?? ""): create it at start-up with createRestAPI")
        }
        return e.api
    }

    public var allWsAPIs: [any ExchangeWsAPI] { state.withLock { $0.ws.values.map(\.api) } }

    /// Stops every WebSocket API, shuts every REST API down and forgets them.
    public func shutdownAll() async {
        let (ws, rest) = state.withLock { s in
            defer { s = State() }
            return (s.ws.values.map(\.api), s.rest.values.map(\.api))
        }
        for api in ws { await api.stop() }
        for api in rest { await api.shutdown() }
    }

    private func restAPIForWs(_ settings: VenueAPISettings) throws(HFTError) -> any ExchangeRestAPI {
        let key = Key(venue: settings.venue, account: settings.account)
        if let existing = state.withLock({ $0.rest[key] }) { return existing.api }
        return try createRestAPI(settings)
    }

    static func conflict(_ kind: String, _ s: VenueAPISettings) -> HFTError {
        .configuration("a \(kind) API for \(s.venue)\(s.account.map { " account \($0)" } ?? "") already exists with other settings; "
                       + "give the second one its own account name")
    }

    static func asHFTError(_ error: any Error) -> HFTError {
        (error as? HFTError) ?? .configuration("\(error)")
    }
}

extension Exchanges {
    public static func createRestAPI(_ settings: VenueAPISettings) throws(HFTError) -> any ExchangeRestAPI { try shared.createRestAPI(settings) }
    public static func createWsAPI(_ settings: VenueAPISettings) throws(HFTError) -> any ExchangeWsAPI { try shared.createWsAPI(settings) }
    public static func wsAPI(_ venue: Venue, account: String? = nil) throws(HFTError) -> any ExchangeWsAPI { try shared.wsAPI(venue, account: account) }
    public static func restAPI(_ venue: Venue, account: String? = nil) throws(HFTError) -> any ExchangeRestAPI { try shared.restAPI(venue, account: account) }
}

extension VenueFactories {
    /// Every venue implemented in this build.
    public static var builtIn: VenueFactories {
        var f = VenueFactories()
        KrakenDescriptor.register(into: &f)
        BinanceDescriptor.register(into: &f)
        DigiFinexDescriptor.register(into: &f)
        LBankDescriptor.register(into: &f)
        BGEDescriptor.register(into: &f)
        FMexDescriptor.register(into: &f)
        return f
    }
}
