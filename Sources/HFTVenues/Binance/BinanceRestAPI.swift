/// Binance's REST API as the streams need it (binance.md §1, §3, §10): the depth snapshot,
/// `exchangeInfo` (symbol map, filters, published limits) and `time`, performed by
/// HFTTransport's `RESTClient`. Every call first takes its weight from the process-wide
/// REQUEST_WEIGHT bucket (shared with the WS API); `X-MBX-USED-WEIGHT-1M` feeds the bucket back;
/// a 429/418 blocks the bucket until `Retry-After` and throws `.rateLimited(retryAfterMicros:)`.
import HFTCore
import HFTTransport
import Synchronization

public final class BinanceRestAPI: ExchangeRestAPI {
    public let venue = Venue.binance
    public let endpoints: [String: String]
    public let binanceEndpoints: BinanceEndpoints
    public let options: BinanceClientOptions
    let credentials: BinanceCredentials?
    let limits: BinanceLimits
    private let link: VenueRESTLink
    private let symbolState = Mutex<(map: BinanceSymbolMap, info: BinanceExchangeInfo?)>((BinanceSymbolMap(), nil))
    /// Calls made, by path (for tests and diagnostics).
    private let callCounts = Mutex<[String: Int]>([:])

    /// From registry settings (endpoint overrides by name: `ws-api`, `streams`, `rest`).
    public convenience init(settings: VenueAPISettings) throws(HFTError) {
        let creds = try settings.credentials.map { (c) throws(HFTError) in try BinanceCredentials(c) }
        try self.init(credentials: creds, endpoints: try BinanceDescriptor.endpoints(settings.endpoints),
                      options: try BinanceClientOptions(settings.options), account: settings.account)
    }

    /// `client` nil: a client of its own, shut down by `shutdown()`.
    public init(credentials: BinanceCredentials? = nil, endpoints: BinanceEndpoints = .production,
                options: BinanceClientOptions? = nil, account: String? = nil, client: RESTClient? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.credentials = credentials
        self.binanceEndpoints = endpoints
        self.options = opts
        self.endpoints = Dictionary(uniqueKeysWithValues: endpoints.named.map { ($0.name, $0.url) })
        self.limits = BinanceLimits.shared(rest: endpoints.rest, account: account ?? "default", options: opts)
        link = try VenueRESTLink(client: client, timeout: opts.requestTimeout)
    }

    public var hasCredentials: Bool { credentials != nil }

    // MARK: Calls

    /// `GET /api/v3/depth` (weight 5…250 by `limit`).
    public func depth(symbol: String, limit: Int? = nil) async throws(HFTError) -> BinanceDepthSnapshot {
        let l = limit ?? options.depthSnapshotLimit
        let body = try await perform(try BinanceREST.depth(symbol: symbol, limit: l, endpoints: binanceEndpoints),
                                     weight: try BinanceREST.depthWeight(limit: l), path: BinanceEndpoints.Path.depth)
        do throws(BinanceDecodeError) { return try BinanceREST.parseDepth(body) } catch { throw error.hftError }
    }

    /// `GET /api/v3/exchangeInfo`: also loads the symbol map and reshapes the shared buckets
    /// from the published limits.
    public func exchangeInfo(symbols: [String] = []) async throws(HFTError) -> BinanceExchangeInfo {
        let body = try await perform(try BinanceREST.exchangeInfo(symbols: symbols, endpoints: binanceEndpoints),
                                     weight: BinanceREST.exchangeInfoWeight, path: BinanceEndpoints.Path.exchangeInfo)
        let info: BinanceExchangeInfo
        do throws(BinanceDecodeError) { info = try BinanceREST.parseExchangeInfo(body) } catch { throw error.hftError }
        symbolState.withLock { s in
            for i in info.symbols { s.map.add(i) }
            if var old = s.info, !symbols.isEmpty {
                for i in info.symbols where old[i.symbol] == nil { old.symbols.append(i) }
                s.info = old
            } else {
                s.info = info
            }
        }
        limits.configure(info.rateLimits)
        return info
    }

    /// `GET /api/v3/time` (µs).
    public func serverTime() async throws(HFTError) -> Timestamp {
        let body = try await perform(BinanceREST.time(endpoints: binanceEndpoints), weight: BinanceREST.timeWeight,
                                     path: BinanceEndpoints.Path.time)
        do throws(BinanceDecodeError) { return try BinanceREST.parseServerTime(body) } catch { throw error.hftError }
    }

    /// Symbols learnt from exchangeInfo (concatenated-upper fallback otherwise).
    public var symbols: BinanceSymbolMap { symbolState.withLock { $0.map } }

    /// exchangeInfo's entry for an API symbol, once loaded.
    public func symbolInfo(_ native: String) -> BinanceSymbolInfo? { symbolState.withLock { $0.info?[native] } }

    public var loadedExchangeInfo: BinanceExchangeInfo? { symbolState.withLock { $0.info } }

    /// REST calls made so far by path.
    public var calls: [String: Int] { callCounts.withLock { $0 } }

    public func shutdown() async {
        await link.shutdown()
    }

    // MARK: Plumbing

    private func perform(_ request: RESTClient.Request, weight: Int, path: String) async throws(HFTError) -> [UInt8] {
        try await limits.charge(weight: weight, maxWait: options.maxRateLimitWait)
        callCounts.withLock { $0[path, default: 0] += 1 }
        let response = try await link.execute(request, rateLimitStatuses: [])
        if let used = response.header("X-MBX-USED-WEIGHT-1M").flatMap(Double.init) {
            limits.weight.limiter.reportUsage(used: used, limit: Double(options.requestWeightPerMinute))
        }
        if response.isSuccess { return response.body }
        do throws(HFTError) {
            try BinanceREST.check(response)
        } catch {
            if case .rateLimited(let after) = error {
                limits.backOff(code: BinanceREST.apiError(response.body)?.code ?? -1003, retryAfterMicros: after)
            }
            throw error
        }
        throw .venueRejected(code: "HTTP \(response.status)", message: "Binance \(path) answered HTTP \(response.status)")
    }
}
