/// LBank REST v2 through HFTTransport's `RESTClient`: the signed subscribeKey lifecycle
/// (get/refresh/destroy), order create/cancel/info and user assets. Every call takes its token
/// from a process-wide limiter per API key: one for orders (500 per 10 s), one for the rest
/// (200 per 10 s). Errors are typed `HFTError`s with LBank's own code; keys and signatures
/// never appear in them.
import HFTCore
import HFTTransport

public final class LBankRestAPI: ExchangeRestAPI, SigningRESTAPI {
    public let venue = Venue.lbank
    public let endpoints: [String: String]
    public let lbankEndpoints: LBankEndpoints
    let credentials: LBankCredentials?
    /// Non-order calls, shared by every LBank API object of the same key in the process.
    public let limiter: RateLimiter
    /// Order create/cancel calls.
    public let orderLimiter: RateLimiter
    private let link: VenueRESTLink

    public convenience init(settings: VenueAPISettings) throws(HFTError) {
        let creds = try settings.credentials.map { (c) throws(HFTError) in try LBankCredentials(c) }
        try self.init(credentials: creds, endpoints: try LBankDescriptor.endpoints(settings.endpoints), options: try LBankClientOptions(settings.options))
    }

    public init(credentials: LBankCredentials?, endpoints: LBankEndpoints = .production,
                options: LBankClientOptions? = nil, client: RESTClient? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.credentials = credentials
        self.lbankEndpoints = endpoints
        self.endpoints = [LBankDescriptor.wsEndpoint: endpoints.webSocket, LBankDescriptor.restEndpoint: endpoints.rest]
        link = try VenueRESTLink(client: client, timeout: opts.requestTimeout)
        let key = VenueRESTLink.limiterKey("lbank", credentials?.apiKey)
        limiter = opts.rest.limiter(key)
        orderLimiter = opts.order.limiter(key + ":orders")
    }

    public var hasCredentials: Bool { credentials != nil }

    public func shutdown() async {
        await link.shutdown()
    }

    // MARK: subscribeKey

    /// `get_key.do` → a new key (valid 60 min).
    public func createSubscribeKey() async throws(HFTError) -> String {
        let r = try await perform(try request(LBankEndpoints.Path.getKey, []))
        return try mapHFTError { () throws(LBankDecodeError) in try LBankREST.parseKey(r.body) }
    }

    /// `refresh_key.do`: another 60 min for `key`.
    public func refreshSubscribeKey(_ key: String) async throws(HFTError) {
        let r = try await perform(try request(LBankEndpoints.Path.refreshKey, [("subscribeKey", key)]))
        try mapHFTError { () throws(LBankDecodeError) in try LBankREST.parseOK(r.body) }
    }

    /// `destroy_key.do`.
    public func destroySubscribeKey(_ key: String) async throws(HFTError) {
        let r = try await perform(try request(LBankEndpoints.Path.destroyKey, [("subscribeKey", key)]))
        try mapHFTError { () throws(LBankDecodeError) in try LBankREST.parseOK(r.body) }
    }

    // MARK: Orders and assets

    /// `create_order.do` (params from `LBankNewOrder`).
    public func createOrder(_ order: LBankNewOrder) async throws(HFTError) -> LBankOrderAck {
        let r = try await perform(try request(LBankEndpoints.Path.createOrder, order.params), limiter: orderLimiter)
        return try mapHFTError { () throws(LBankDecodeError) in try LBankREST.parseOrderAck(r.body) }
    }

    /// `cancel_order.do` by order id or client order id.
    public func cancelOrder(symbol: String, orderID: String? = nil, clientOrderID: String? = nil) async throws(HFTError) {
        let r = try await perform(try request(LBankEndpoints.Path.cancelOrder, LBankNewOrder.cancelParams(symbol: symbol, orderID: orderID, clientOrderID: clientOrderID)),
                                  limiter: orderLimiter)
        try mapHFTError { () throws(LBankDecodeError) in try LBankREST.parseOK(r.body) }
    }

    /// `orders_info.do`.
    public func order(symbol: String, orderID: String) async throws(HFTError) -> LBankRESTOrder {
        let r = try await perform(try request(LBankEndpoints.Path.orderInfo, [("symbol", symbol), ("orderId", orderID)]))
        return try mapHFTError { () throws(LBankDecodeError) in try LBankREST.parseOrder(r.body) }
    }

    /// `user_info_account.do`: the balance snapshot (`assetUpdate` sends none).
    public func userAssets() async throws(HFTError) -> [Balance] {
        let r = try await perform(try request(LBankEndpoints.Path.userAssets, []))
        return try mapHFTError { () throws(LBankDecodeError) in try LBankREST.parseAssets(r.body) }
    }

    // MARK: Plumbing

    /// Builds a signed request with the current time (ms).
    func request(_ path: String, _ params: [(String, String)]) throws(HFTError) -> LBankHTTPRequest {
        guard let credentials else { throw .authenticationFailed("LBank private calls need API credentials") }
        return LBankREST.signed(path, params, credentials: credentials, milliseconds: WallClock.milliseconds(), endpoints: lbankEndpoints)
    }

    /// Takes a limiter token (nil limiter: the caller took it), then performs the request.
    /// Any HTTP status is returned when it carries a JSON body; 429 → `.rateLimited`.
    func perform(_ r: LBankHTTPRequest, limiter: RateLimiter? = nil, limited: Bool = true) async throws(HFTError) -> RESTClient.Response {
        if limited { try await (limiter ?? self.limiter).acquire() }
        let response = try await link.execute(RESTClient.Request(method: r.method, url: r.url, headers: r.headers, body: r.body))
        if !response.isSuccess && response.body.first != UInt8(ascii: "{") {
            throw .venueRejected(code: "HTTP \(response.status)", message: "LBank answered HTTP \(response.status)")
        }
        return response
    }
}
