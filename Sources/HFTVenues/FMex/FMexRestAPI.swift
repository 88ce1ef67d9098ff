/// FMex REST (fmex.md §6, §7) through HFTTransport's `RESTClient`: signed place / cancel, open
/// orders, accounts, positions. Every call takes its token from one process-wide limiter per API
/// key. Errors are typed `HFTError`s carrying FMex's own code; keys and signatures never appear.
import HFTCore
import HFTTransport

public final class FMexRestAPI: ExchangeRestAPI, OrderEntryRESTAPI {
    public let venue = Venue.fmex
    public let endpoints: [String: String]
    public let fmexEndpoints: FMexEndpoints
    let credentials: FMexCredentials?
    let restOptions: FMexREST.Options
    /// Shared by every FMex API object of the same key in the process.
    public let limiter: RateLimiter
    private let link: VenueRESTLink

    public convenience init(settings: VenueAPISettings) throws(HFTError) {
        let creds = try settings.credentials.map { (c) throws(HFTError) in try FMexCredentials(c) }
        try self.init(credentials: creds, endpoints: try FMexDescriptor.endpoints(settings.endpoints),
                      options: try FMexClientOptions(settings.options))
    }

    public init(credentials: FMexCredentials?, endpoints: FMexEndpoints = .production, options: FMexClientOptions? = nil,
                client: RESTClient? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.credentials = credentials
        self.fmexEndpoints = endpoints
        self.restOptions = FMexREST.Options(lowercaseEnums: opts.lowercaseEnums)
        self.endpoints = [FMexDescriptor.publicWsEndpoint: endpoints.publicWebSocket,
                          FMexDescriptor.privateWsEndpoint: endpoints.privateWebSocket, FMexDescriptor.restEndpoint: endpoints.rest]
        link = try VenueRESTLink(client: client, timeout: opts.requestTimeout)
        limiter = opts.rest.limiter(VenueRESTLink.limiterKey("fmex", credentials?.apiKey))
    }

    public var hasCredentials: Bool { credentials != nil }

    public func shutdown() async {
        await link.shutdown()
    }

    // MARK: Calls

    /// `POST /v3/contracts/orders` → the order id.
    public func placeOrder(_ order: FMexNewOrder) async throws(HFTError) -> String {
        let r = try await perform(try request { c, ms in FMexREST.newOrder(order, credentials: c, milliseconds: ms, endpoints: fmexEndpoints, options: restOptions) })
        return try mapHFTError { () throws(FMexRESTError) in try FMexREST.parseNewOrder(r.body).id }
    }

    /// `POST /v3/contracts/orders/{id}/cancel`.
    public func cancelOrder(id: String) async throws(HFTError) {
        _ = try await perform(try request { c, ms in FMexREST.cancel(orderID: id, credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
    }

    /// `GET /v3/contracts/orders/open`.
    public func openOrders() async throws(HFTError) -> [FMexOrderPush] {
        let r = try await perform(try request { c, ms in FMexREST.openOrders(credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
        return try mapHFTError { () throws(FMexRESTError) in try FMexREST.parseOrders(r.body) }
    }

    /// `GET /v3/contracts/orders/{id}` (path UNCERTAIN).
    public func order(id: String) async throws(HFTError) -> FMexOrderPush {
        let r = try await perform(try request { c, ms in FMexREST.order(id: id, credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
        return try mapHFTError { () throws(FMexRESTError) in try FMexREST.parseOrder(r.body) }
    }

    /// `GET /v3/contracts/accounts`.
    public func balances() async throws(HFTError) -> [FMexAccount] {
        let r = try await perform(try request { c, ms in FMexREST.accounts(credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
        return try mapHFTError { () throws(FMexRESTError) in try FMexREST.parseAccounts(r.body) }
    }

    /// `GET /v3/broker/auth/contracts/positions`.
    public func positions() async throws(HFTError) -> [FMexPositionPush] {
        let r = try await perform(try request { c, ms in FMexREST.positions(credentials: c, milliseconds: ms, endpoints: fmexEndpoints) })
        return try mapHFTError { () throws(FMexRESTError) in try FMexREST.parsePositions(r.body) }
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
        let response = try await link.execute(r.clientRequest)
        if let e = FMexREST.error(status: response.status, body: response.body, context: r.method + " " + Self.path(r.url)) {
            throw e.hftError
        }
        return response
    }

    /// The path of `url` without its query, for error contexts.
    static func path(_ url: String) -> String {
        let p = VenueRESTLink.path(url)
        return p.split(separator: "?", maxSplits: 1).first.map(String.init) ?? p
    }
}
