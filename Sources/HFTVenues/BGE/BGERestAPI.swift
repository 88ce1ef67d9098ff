/// BGE REST (bge.md §8) through HFTTransport's `RESTClient`: signed place / cancel, order query,
/// balances. Every call takes its token from one process-wide limiter per API key. Errors are
/// typed `HFTError`s carrying BGE's own code; keys and signatures never appear in them.
import HFTCore
import HFTTransport

public final class BGERestAPI: ExchangeRestAPI, OrderEntryRESTAPI {
    public let venue = Venue.bge
    public let endpoints: [String: String]
    public let bgeEndpoints: BGEEndpoints
    let credentials: BGECredentials?
    let signing: BGEREST.Signing
    /// Shared by every BGE API object of the same key in the process.
    public let limiter: RateLimiter
    private let link: VenueRESTLink

    public convenience init(settings: VenueAPISettings) throws(HFTError) {
        let creds = try settings.credentials.map { (c) throws(HFTError) in try BGECredentials(c) }
        try self.init(credentials: creds, endpoints: try BGEDescriptor.endpoints(settings.endpoints),
                      options: try BGEClientOptions(settings.options))
    }

    public init(credentials: BGECredentials?, endpoints: BGEEndpoints = .production, options: BGEClientOptions? = nil,
                client: RESTClient? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.credentials = credentials
        self.bgeEndpoints = endpoints
        self.signing = BGEREST.Signing(includeBasePath: opts.signBasePath)
        self.endpoints = [BGEDescriptor.wsEndpoint: endpoints.webSocket, BGEDescriptor.restEndpoint: endpoints.rest]
        link = try VenueRESTLink(client: client, timeout: opts.requestTimeout)
        limiter = opts.rest.limiter(VenueRESTLink.limiterKey("bge", credentials?.apiKey))
    }

    public var hasCredentials: Bool { credentials != nil }

    public func shutdown() async {
        await link.shutdown()
    }

    // MARK: Calls

    /// `POST /v1/orders` → the order id.
    public func placeOrder(_ order: BGENewOrder) async throws(HFTError) -> BGEPlaced {
        let r = try await perform(try request { c, ms in BGEREST.newOrder(order, credentials: c, milliseconds: ms, endpoints: bgeEndpoints, signing: signing) })
        return try mapHFTError { () throws(BGERESTError) in try BGEREST.parseNewOrder(r.body) }
    }

    /// `DELETE /v1/orders/{order_id}`.
    public func cancelOrder(id: String) async throws(HFTError) {
        _ = try await perform(try request { c, ms in BGEREST.cancel(orderID: id, credentials: c, milliseconds: ms, endpoints: bgeEndpoints, signing: signing) })
    }

    /// `DELETE /v1/orders/single/{client_oid}`.
    public func cancelOrder(clientOrderID: String) async throws(HFTError) {
        _ = try await perform(try request { c, ms in BGEREST.cancel(clientOrderID: clientOrderID, credentials: c, milliseconds: ms, endpoints: bgeEndpoints, signing: signing) })
    }

    /// `DELETE /v1/orders?product=…`.
    public func cancelAll(symbol: Symbol) async throws(HFTError) {
        let product = try BGESymbols.native(symbol)
        _ = try await perform(try request { c, ms in BGEREST.cancelAll(product: product, credentials: c, milliseconds: ms, endpoints: bgeEndpoints, signing: signing) })
    }

    /// `GET /v1/orders/{order_id}` (path UNCERTAIN).
    public func order(id: String) async throws(HFTError) -> BGEOrderPush {
        let r = try await perform(try request { c, ms in BGEREST.order(id: id, credentials: c, milliseconds: ms, endpoints: bgeEndpoints, signing: signing) })
        return try mapHFTError { () throws(BGERESTError) in try BGEREST.parseOrder(r.body) }
    }

    /// `GET /v1/accounts` (path UNCERTAIN).
    public func balances() async throws(HFTError) -> [BGEAsset] {
        let r = try await perform(try request { c, ms in BGEREST.accounts(credentials: c, milliseconds: ms, endpoints: bgeEndpoints, signing: signing) })
        return try mapHFTError { () throws(BGERESTError) in try BGEREST.parseAccounts(r.body) }
    }

    // MARK: Plumbing

    /// Builds a signed request with the current time (ms).
    func request(_ build: (BGECredentials, Int64) -> BGEHTTPRequest) throws(HFTError) -> BGEHTTPRequest {
        guard let credentials else { throw .authenticationFailed("BGE private calls need API credentials") }
        return build(credentials, WallClock.milliseconds())
    }

    /// Takes a limiter token (unless `limited` is false: the caller took it), performs the
    /// request; a non-2xx status becomes BGE's error (its `code`, else the HTTP status).
    func perform(_ r: BGEHTTPRequest, limited: Bool = true) async throws(HFTError) -> RESTClient.Response {
        if limited { try await limiter.acquire() }
        let response = try await link.execute(r.clientRequest)
        if let e = BGEREST.error(status: response.status, body: response.body, context: r.method + " " + VenueRESTLink.path(r.url)) {
            throw e.hftError
        }
        return response
    }
}
