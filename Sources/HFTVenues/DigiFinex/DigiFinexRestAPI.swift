/// DigiFinex REST v3 (digifinex.md §8) through HFTTransport's `RESTClient`: signed order new /
/// cancel, open orders, order status, assets; public server time and symbols. Every call takes
/// its token from one process-wide limiter per API key (`rest_limit` per `rest_window_s`). Errors are
/// typed `HFTError`s with DigiFinex's own code; keys and signatures never appear in them.
import HFTCore
import HFTTransport

public final class DigiFinexRestAPI: ExchangeRestAPI, OrderEntryRESTAPI {
    public let venue = Venue.digifinex
    public let endpoints: [String: String]
    public let digiFinexEndpoints: DigiFinexEndpoints
    let credentials: DigiFinexCredentials?
    /// Shared by every DigiFinex API object of the same key in the process.
    public let limiter: RateLimiter
    private let link: VenueRESTLink

    public convenience init(settings: VenueAPISettings) throws(HFTError) {
        let creds = try settings.credentials.map { (c) throws(HFTError) in try DigiFinexCredentials(c) }
        let options = try DigiFinexClientOptions(settings.options)
        try self.init(credentials: creds, endpoints: try DigiFinexDescriptor.endpoints(settings.endpoints), options: options)
    }

    public init(credentials: DigiFinexCredentials?, endpoints: DigiFinexEndpoints = .production,
                options: DigiFinexClientOptions? = nil, client: RESTClient? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.credentials = credentials
        self.digiFinexEndpoints = endpoints
        self.endpoints = [DigiFinexDescriptor.wsEndpoint: endpoints.webSocket, DigiFinexDescriptor.restEndpoint: endpoints.rest]
        link = try VenueRESTLink(client: client, timeout: opts.requestTimeout)
        limiter = opts.rest.limiter(VenueRESTLink.limiterKey("digifinex", credentials?.apiKey))
    }

    public var hasCredentials: Bool { credentials != nil }

    public func shutdown() async {
        await link.shutdown()
    }

    // MARK: Calls

    /// `POST /v3/spot/order/new` → the order id.
    public func placeOrder(_ order: DigiFinexNewOrder) async throws(HFTError) -> String {
        let r = try await perform(try request { c, s in DigiFinexREST.newOrder(order, credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try mapHFTError { () throws(DigiFinexRESTError) in try DigiFinexREST.parseNewOrder(r.body) }
    }

    /// `POST /v3/spot/order/cancel` with a comma list of ids.
    public func cancelOrders(_ ids: [String]) async throws(HFTError) -> DigiFinexCancelResult {
        let r = try await perform(try request { c, s in DigiFinexREST.cancel(orderIDs: ids, credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try mapHFTError { () throws(DigiFinexRESTError) in try DigiFinexREST.parseCancel(r.body) }
    }

    /// `GET /v3/spot/order/current` (one symbol, or all with nil).
    public func openOrders(symbol: Symbol? = nil) async throws(HFTError) -> [DigiFinexRESTOrder] {
        let native = try symbol.map { (s) throws(HFTError) in try DigiFinexSymbols.restNative(s) }
        let r = try await perform(try request { c, s in DigiFinexREST.openOrders(symbol: native, credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try mapHFTError { () throws(DigiFinexRESTError) in try DigiFinexREST.parseOrders(r.body) }
    }

    /// `GET /v3/spot/order?order_id=…`: the status of orders by id (open or finished).
    public func orders(ids: [String]) async throws(HFTError) -> [DigiFinexRESTOrder] {
        guard !ids.isEmpty else { return [] }
        let r = try await perform(try request { c, s in DigiFinexREST.orders(ids: ids, credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try mapHFTError { () throws(DigiFinexRESTError) in try DigiFinexREST.parseOrders(r.body) }
    }

    /// `GET /v3/spot/assets`: the balance snapshot the WebSocket never pushes.
    public func assets() async throws(HFTError) -> [DigiFinexAsset] {
        let r = try await perform(try request { c, s in DigiFinexREST.assets(credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try mapHFTError { () throws(DigiFinexRESTError) in try DigiFinexREST.parseAssets(r.body) }
    }

    /// `GET /v3/time`, seconds.
    public func serverTime() async throws(HFTError) -> Int64 {
        let r = try await perform(DigiFinexREST.time(endpoints: digiFinexEndpoints))
        return try mapHFTError { () throws(DigiFinexRESTError) in try DigiFinexREST.parseTime(r.body) }
    }

    /// `GET /v3/spot/symbols`.
    public func symbols() async throws(HFTError) -> [DigiFinexSymbolInfo] {
        let r = try await perform(DigiFinexREST.symbols(endpoints: digiFinexEndpoints))
        return try mapHFTError { () throws(DigiFinexRESTError) in try DigiFinexREST.parseSymbols(r.body) }
    }

    // MARK: Plumbing

    /// Builds a signed request with the current time (seconds).
    func request(_ build: (DigiFinexCredentials, Int64) -> DigiFinexHTTPRequest) throws(HFTError) -> DigiFinexHTTPRequest {
        guard let credentials else { throw .authenticationFailed("DigiFinex private calls need API credentials") }
        return build(credentials, WallClock.milliseconds() / 1000)
    }

    /// Takes a limiter token, then performs the request (`limited` false: the caller took it).
    /// Any HTTP status is returned when it carries a body; 429/418 → `.rateLimited`.
    func perform(_ r: DigiFinexHTTPRequest, limited: Bool = true) async throws(HFTError) -> RESTClient.Response {
        if limited { try await limiter.acquire() }
        let response = try await link.execute(r.clientRequest, rateLimitStatuses: [429, 418])
        if !response.isSuccess && !Self.hasCode(response.body) {
            throw .venueRejected(code: "HTTP \(response.status)", message: "DigiFinex answered HTTP \(response.status)")
        }
        return response
    }

    static func hasCode(_ body: [UInt8]) -> Bool {
        body.withUnsafeBytes { b in
            guard let root = try? JSONValue.root(b), root.kind == .object else { return false }
            return root["code"]?.int64 != nil
        }
    }
}
