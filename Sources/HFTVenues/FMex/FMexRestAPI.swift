/// FMex REST (fmex.md §6, §7) through HFTTransport's `RESTClient`: signed place / cancel, open
/// orders, accounts, positions. Every call takes its token from one process-wide limiter per API
/// key. Errors are typed `HFTError`s carrying FMex's own code; keys and signatures never appear.
import HFTCore
import HFTTransport

public final class FMexRestAPI: ExchangeRestAPI {
    public let venue = Venue.fmex
    public let endpoints: [String: String]
    public let fmexEndpoints: FMexEndpoints
    let credentials: FMexCredentials?
    let restOptions: FMexREST.Options
    /// Shared by every FMex API object of the same key in the process.
    public let limiter: RateLimiter
    private let client: RESTClient
    private let ownsClient: Bool

    public convenience init(settings: VenueAPISettings) throws(HFTError) {
        let creds = try settings.credentials.map { (c) throws(HFTError) in try FMexCredentials(c) }
        try self.init(credentials: creds, endpoints: try FMexDescriptor.endpoints(settings.endpoints),
                      options: try FMexClientOptions(settings.options))
    }

    public init(credentials: FMexCredentials?, endpoints: FMexEndpoints = .production, options: FMexClientOptions? = nil,
                client: RESTClient? = nil) throws(HFTError) {
        let opts: FMexClientOptions
        if let options { opts = options } else { opts = try FMexClientOptions() }
        self.credentials = credentials
        self.fmexEndpoints = endpoints
        self.restOptions = FMexREST.Options(lowercaseEnums: opts.lowercaseEnums)
        self.endpoints = [FMexDescriptor.publicWsEndpoint: endpoints.publicWebSocket,
                          FMexDescriptor.privateWsEndpoint: endpoints.privateWebSocket, FMexDescriptor.restEndpoint: endpoints.rest]
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

    /// `POST /v3/contracts/orders` → the order id.
    public func placeOrder(_ order: FMexNewOrder) async throws(HFTError) -> String {
        let r = try await perform(try request { c, ms in FMexREST.newOrder(order, credentials: c, milliseconds: ms, endpoints: fmexEndpoints, options: restOptions) })
        return try parsed { () throws(FMexRESTError) in try FMexREST.parseNewOrder(r.body).id }
    }

    /// `POST /v3/contracts/orders/{id}/cancel`.
    public func cancelOrder(id: String) async throws(HFTError) {
        _ = try await perform(try request { c, ms in FMexREST.cancel(orderID: id, credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
    }

    /// `GET /v3/contracts/orders/open`.
    public func openOrders() async throws(HFTError) -> [FMexOrderPush] {
        let r = try await perform(try request { c, ms in FMexREST.openOrders(credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
        return try parsed { () throws(FMexRESTError) in try FMexREST.parseOrders(r.body) }
    }

    /// `GET /v3/contracts/orders/{id}` (path UNCERTAIN).
    public func order(id: String) async throws(HFTError) -> FMexOrderPush {
        let r = try await perform(try request { c, ms in FMexREST.order(id: id, credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
        return try parsed { () throws(FMexRESTError) in try FMexREST.parseOrder(r.body) }
    }

    /// `GET /v3/contracts/accounts`.
    public func balances() async throws(HFTError) -> [FMexAccount] {
        let r = try await perform(try request { c, ms in FMexREST.accounts(credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
        return try parsed { () throws(FMexRESTError) in try FMexREST.parseAccounts(r.body) }
    }

    /// `GET /v3/broker/auth/contracts/positions`.
    public func positions() async throws(HFTError) -> [FMexPositionPush] {
        let r = try await perform(try request { c, ms in FMexREST.positions(credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
        return try parsed { () throws(FMexRESTError) in try FMexREST.parsePositions(r.body) }
    }

    // MARK: Plumbing

    /// Builds a signed request with the current time (ms).
    func request(_ build: (FMexCredentials, Int64) -> FMexHTTPRequest) throws(HFTError) -> FMexHTTPRequest {
        guard let credentials else { throw .authenticationFailed("FMex private calls need API credentials") }
        return build(credentials, WallClock.milliseconds())
    }

    /// Takes a limiter token (unless `limited` is false: the caller took it), performs the
    /// request; HTTP errors and non-zero `status` become FMex's error.
    func perform(_ r: FMexHTTPRequest, limited: Bool = true) async throws(HFTError) -> RESTClient.Response {
        if limited { try await limiter.acquire() }
        let response = try await client.execute(RESTClient.Request(method: r.method, url: r.url, headers: r.headers, body: r.body))
        if response.status == 429 {
            let retry = response.header("Retry-After").flatMap(UInt64.init).map { $0 * 1_000_000 }
            throw .rateLimited(retryAfterMicros: retry)
        }
        if let e = FMexREST.error(status: response.status, body: response.body, context: r.method + " " + Self.path(r.url)) {
            throw e.hftError
        }
        return response
    }

    static func path(_ url: String) -> String {
        var s = Substring(url)
        if let colon = s.firstIndex(of: ":") { s = s[s.index(after: colon)...].drop { $0 == "/" } }
        let p = s.firstIndex(of: "/").map { String(s[$0...]) } ?? "/"
        return p.split(separator: "?", maxSplits: 1).first.map(String.init) ?? p
    }

    private func parsed<T>(_ body: () throws(FMexRESTError) -> T) throws(HFTError) -> T {
        do throws(FMexRESTError) { return try body() } catch { throw error.hftError }
    }

    /// One limiter per API key (FNV-1a of the key, so the key itself is not listed anywhere).
    static func limiterKey(_ apiKey: String?) -> String {
        guard let apiKey else { return "fmex:rest:public" }
        var h: UInt64 = 0xcbf29ce484222325
        for b in apiKey.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return "fmex:rest:" + String(h, radix: 16)
    }
}
