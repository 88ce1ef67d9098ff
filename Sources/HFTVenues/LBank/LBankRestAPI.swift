/// LBank REST v2 through HFTTransport's `RESTClient`: the signed subscribeKey lifecycle
/// (get/refresh/destroy), order create/cancel/info and user assets. Every call takes its token
/// from a process-wide limiter per API key: one for orders (500 per 10 s), one for the rest
/// (200 per 10 s). Errors are typed `HFTError`s with LBank's own code; keys and signatures
/// never appear in them.
import HFTCore
import HFTTransport

public final class LBankRestAPI: ExchangeRestAPI {
    public let venue = Venue.lbank
    public let endpoints: [String: String]
    public let lbankEndpoints: LBankEndpoints
    let credentials: LBankCredentials?
    /// Non-order calls, shared by every LBank API object of the same key in the process.
    public let limiter: RateLimiter
    /// Order create/cancel calls.
    public let orderLimiter: RateLimiter
    private let client: RESTClient
    private let ownsClient: Bool

    public convenience init(settings: VenueAPISettings) throws(HFTError) {
        let creds = try settings.credentials.map { (c) throws(HFTError) in try LBankCredentials(c) }
        try self.init(credentials: creds, endpoints: try LBankDescriptor.endpoints(settings.endpoints), options: try LBankClientOptions(settings.options))
    }

    public init(credentials: LBankCredentials?, endpoints: LBankEndpoints = .production,
                options: LBankClientOptions? = nil, client: RESTClient? = nil) throws(HFTError) {
        let opts: LBankClientOptions
        if let options { opts = options } else { opts = try LBankClientOptions() }
        self.credentials = credentials
        self.lbankEndpoints = endpoints
        self.endpoints = [LBankDescriptor.wsEndpoint: endpoints.webSocket, LBankDescriptor.restEndpoint: endpoints.rest]
        if let client {
            self.client = client
            ownsClient = false
        } else {
            self.client = try RESTClient(timeout: opts.requestTimeout)
            ownsClient = true
        }
        let key = Self.limiterKey(credentials?.apiKey)
        limiter = RateLimiterRegistry.shared.limiter(key, capacity: opts.restBurst, refillPerSecond: opts.restPerSecond)
        orderLimiter = RateLimiterRegistry.shared.limiter(key + ":orders", capacity: opts.orderBurst, refillPerSecond: opts.orderPerSecond)
    }

    public var hasCredentials: Bool { credentials != nil }

    public func shutdown() async {
        if ownsClient { await client.shutdown() }
    }

    // MARK: subscribeKey

    /// `get_key.do` → a new key (valid 60 min).
    public func createSubscribeKey() async throws(HFTError) -> String {
        let r = try await perform(try request(LBankEndpoints.Path.getKey, []))
        return try parsed { () throws(LBankDecodeError) in try LBankREST.parseKey(r.body) }
    }

    /// `refresh_key.do`: another 60 min for `key`.
    public func refreshSubscribeKey(_ key: String) async throws(HFTError) {
        let r = try await perform(try request(LBankEndpoints.Path.refreshKey, [("subscribeKey", key)]))
        try parsed { () throws(LBankDecodeError) in try LBankREST.parseOK(r.body) }
    }

    /// `destroy_key.do`.
    public func destroySubscribeKey(_ key: String) async throws(HFTError) {
        let r = try await perform(try request(LBankEndpoints.Path.destroyKey, [("subscribeKey", key)]))
        try parsed { () throws(LBankDecodeError) in try LBankREST.parseOK(r.body) }
    }

    // MARK: Orders and assets

    /// `create_order.do` (params from `LBankNewOrder`).
    public func createOrder(_ order: LBankNewOrder) async throws(HFTError) -> LBankOrderAck {
        let r = try await perform(try request(LBankEndpoints.Path.createOrder, order.params), limiter: orderLimiter)
        return try parsed { () throws(LBankDecodeError) in try LBankREST.parseOrderAck(r.body) }
    }

    /// `cancel_order.do` by order id or client order id.
    public func cancelOrder(symbol: String, orderID: String? = nil, clientOrderID: String? = nil) async throws(HFTError) {
        let r = try await perform(try request(LBankEndpoints.Path.cancelOrder, LBankNewOrder.cancelParams(symbol: symbol, orderID: orderID, clientOrderID: clientOrderID)),
                                  limiter: orderLimiter)
        try parsed { () throws(LBankDecodeError) in try LBankREST.parseOK(r.body) }
    }

    /// `orders_info.do`.
    public func order(symbol: String, orderID: String) async throws(HFTError) -> LBankRESTOrder {
        let r = try await perform(try request(LBankEndpoints.Path.orderInfo, [("symbol", symbol), ("orderId", orderID)]))
        return try parsed { () throws(LBankDecodeError) in try LBankREST.parseOrder(r.body) }
    }

    /// `user_info_account.do`: the balance snapshot (`assetUpdate` sends none).
    public func userAssets() async throws(HFTError) -> [Balance] {
        let r = try await perform(try request(LBankEndpoints.Path.userAssets, []))
        return try parsed { () throws(LBankDecodeError) in try LBankREST.parseAssets(r.body) }
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
        let response = try await client.execute(RESTClient.Request(method: r.method, url: r.url, headers: r.headers, body: r.body))
        if response.status == 429 {
            let retry = response.header("Retry-After").flatMap(UInt64.init).map { $0 * 1_000_000 }
            throw .rateLimited(retryAfterMicros: retry)
        }
        if !response.isSuccess && response.body.first != UInt8(ascii: "{") {
            throw .venueRejected(code: "HTTP \(response.status)", message: "LBank answered HTTP \(response.status)")
        }
        return response
    }

    private func parsed<T>(_ body: () throws(LBankDecodeError) -> T) throws(HFTError) -> T {
        do throws(LBankDecodeError) { return try body() } catch { throw error.hftError }
    }

    /// One limiter per API key (FNV-1a of the key, so the key itself is not listed anywhere).
    static func limiterKey(_ apiKey: String?) -> String {
        guard let apiKey else { return "lbank:rest:public" }
        var h: UInt64 = 0xcbf29ce484222325
        for b in apiKey.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return "lbank:rest:" + String(h, radix: 16)
    }
}
