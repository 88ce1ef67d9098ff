/// DigiFinex REST v3 (digifinex.md §8) through HFTTransport's `RESTClient`: signed order new /
/// cancel, open orders, order status, assets; public server time and symbols. Every call takes
/// its token from one process-wide limiter per API key (`rest_burst`, `rest_per_s`). Errors are
/// typed `HFTError`s with DigiFinex's own code; keys and signatures never appear in them.
import HFTCore
import HFTTransport

public final class DigiFinexRestAPI: ExchangeRestAPI {
    public let venue = Venue.digifinex
    public let endpoints: [String: String]
    public let digiFinexEndpoints: DigiFinexEndpoints
    let credentials: DigiFinexCredentials?
    /// Shared by every DigiFinex API object of the same key in the process.
    public let limiter: RateLimiter
    private let client: RESTClient
    private let ownsClient: Bool

    public convenience init(settings: VenueAPISettings) throws(HFTError) {
        let creds = try settings.credentials.map { (c) throws(HFTError) in try DigiFinexCredentials(c) }
        let options = try DigiFinexClientOptions(settings.options)
        try self.init(credentials: creds, endpoints: try DigiFinexDescriptor.endpoints(settings.endpoints), options: options)
    }

    public init(credentials: DigiFinexCredentials?, endpoints: DigiFinexEndpoints = .production,
                options: DigiFinexClientOptions? = nil, client: RESTClient? = nil) throws(HFTError) {
        let opts: DigiFinexClientOptions
        if let options { opts = options } else { opts = try DigiFinexClientOptions() }
        self.credentials = credentials
        self.digiFinexEndpoints = endpoints
        self.endpoints = [DigiFinexDescriptor.wsEndpoint: endpoints.webSocket, DigiFinexDescriptor.restEndpoint: endpoints.rest]
        if let client {
            self.client = client
            ownsClient = false
        } else {
            self.client = try RESTClient(timeout: opts.requestTimeout)
            ownsClient = true
        }
        limiter = RateLimiterRegistry.shared.limiter(Self.limiterKey(credentials?.apiKey), capacity: opts.restBurst,
                                                     refillPerSecond: opts.restPerSecond)
    }

    public var hasCredentials: Bool { credentials != nil }

    public func shutdown() async {
        if ownsClient { await client.shutdown() }
    }

    // MARK: Calls

    /// `POST /v3/spot/order/new` → the order id.
    public func placeOrder(_ order: DigiFinexNewOrder) async throws(HFTError) -> String {
        let r = try await perform(try request { c, s in DigiFinexREST.newOrder(order, credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try parsed { () throws(DigiFinexRESTError) in try DigiFinexREST.parseNewOrder(r.body) }
    }

    /// `POST /v3/spot/order/cancel` with a comma list of ids.
    public func cancelOrders(_ ids: [String]) async throws(HFTError) -> DigiFinexCancelResult {
        let r = try await perform(try request { c, s in DigiFinexREST.cancel(orderIDs: ids, credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try parsed { () throws(DigiFinexRESTError) in try DigiFinexREST.parseCancel(r.body) }
    }

    /// `GET /v3/spot/order/current` (one symbol, or all with nil).
    public func openOrders(symbol: Symbol? = nil) async throws(HFTError) -> [DigiFinexRESTOrder] {
        let native = try symbol.map { (s) throws(HFTError) in try DigiFinexSymbols.restNative(s) }
        let r = try await perform(try request { c, s in DigiFinexREST.openOrders(symbol: native, credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try parsed { () throws(DigiFinexRESTError) in try DigiFinexREST.parseOrders(r.body) }
    }

    /// `GET /v3/spot/order?order_id=…`: the status of orders by id (open or finished).
    public func orders(ids: [String]) async throws(HFTError) -> [DigiFinexRESTOrder] {
        guard !ids.isEmpty else { return [] }
        let r = try await perform(try request { c, s in DigiFinexREST.orders(ids: ids, credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try parsed { () throws(DigiFinexRESTError) in try DigiFinexREST.parseOrders(r.body) }
    }

    /// `GET /v3/spot/assets`: the balance snapshot the WebSocket never pushes.
    public func assets() async throws(HFTError) -> [DigiFinexAsset] {
        let r = try await perform(try request { c, s in DigiFinexREST.assets(credentials: c, seconds: s, endpoints: digiFinexEndpoints) })
        return try parsed { () throws(DigiFinexRESTError) in try DigiFinexREST.parseAssets(r.body) }
    }

    /// `GET /v3/time`, seconds.
    public func serverTime() async throws(HFTError) -> Int64 {
        let r = try await perform(DigiFinexREST.time(endpoints: digiFinexEndpoints))
        return try parsed { () throws(DigiFinexRESTError) in try DigiFinexREST.parseTime(r.body) }
    }

    /// `GET /v3/spot/symbols`.
    public func symbols() async throws(HFTError) -> [DigiFinexSymbolInfo] {
        let r = try await perform(DigiFinexREST.symbols(endpoints: digiFinexEndpoints))
        return try parsed { () throws(DigiFinexRESTError) in try DigiFinexREST.parseSymbols(r.body) }
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
        let response = try await client.execute(RESTClient.Request(method: r.method, url: r.url, headers: r.headers, body: r.body))
        if response.status == 429 || response.status == 418 {
            let retry = response.header("Retry-After").flatMap(UInt64.init).map { $0 * 1_000_000 }
            throw .rateLimited(retryAfterMicros: retry)
        }
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

    private func parsed<T>(_ body: () throws(DigiFinexRESTError) -> T) throws(HFTError) -> T {
        do throws(DigiFinexRESTError) { return try body() } catch { throw error.hftError }
    }

    /// One limiter per API key (FNV-1a of the key, so the key itself is not listed anywhere).
    static func limiterKey(_ apiKey: String?) -> String {
        guard let apiKey else { return "digifinex:rest:public" }
        var h: UInt64 = 0xcbf29ce484222325
        for b in apiKey.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return "digifinex:rest:" + String(h, radix: 16)
    }
}
