/// The REST calls the streams need (binance.md §1, §3, §10) as pure builders and parsers:
/// `GET /api/v3/depth` (the order-book snapshot), `GET /api/v3/exchangeInfo`, `GET /api/v3/time`.
/// None is signed. Error bodies are `{"code":…,"msg":…}`; 429/418 carry `Retry-After` (seconds).
import HFTCore
import HFTTransport

public enum BinanceREST {
    /// Request weight of a depth snapshot by `limit` (binance.md §3), which must be 1…5000.
    public static func depthWeight(limit: Int) throws(HFTError) -> Int {
        switch limit {
        case 1...100: 5
        case 101...500: 25
        case 501...1000: 50
        case 1001...5000: 250
        default: throw .invalidArgument("Binance depth limit \(limit) not in 1…5000")
        }
    }

    /// Weight of `exchangeInfo` (Binance API docs; not in the notes).
    public static let exchangeInfoWeight = 20
    public static let timeWeight = 1

    // MARK: Requests

    /// `GET /api/v3/depth?symbol=…&limit=…`.
    public static func depth(symbol: String, limit: Int = 5000, endpoints: BinanceEndpoints = .production) throws(HFTError) -> RESTClient.Request {
        try BinanceRequest.requireSymbol(symbol)
        _ = try depthWeight(limit: limit)
        return RESTClient.Request(method: "GET", url: endpoints.restURL(BinanceEndpoints.Path.depth,
                                                                        query: "symbol=\(percentEncode(symbol))&limit=\(limit)"))
    }

    /// `GET /api/v3/exchangeInfo`, for all symbols, one (`symbol=`) or several (`symbols=[…]`).
    public static func exchangeInfo(symbols: [String] = [], endpoints: BinanceEndpoints = .production) throws(HFTError) -> RESTClient.Request {
        for s in symbols { try BinanceRequest.requireSymbol(s) }
        let query: String
        switch symbols.count {
        case 0: query = ""
        case 1: query = "symbol=" + percentEncode(symbols[0])
        default: query = "symbols=" + percentEncode("[" + symbols.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        }
        return RESTClient.Request(method: "GET", url: endpoints.restURL(BinanceEndpoints.Path.exchangeInfo, query: query))
    }

    /// `GET /api/v3/time`.
    public static func time(endpoints: BinanceEndpoints = .production) -> RESTClient.Request {
        RESTClient.Request(method: "GET", url: endpoints.restURL(BinanceEndpoints.Path.time))
    }

    /// RFC 3986 percent-encoding (unreserved characters pass).
    public static func percentEncode(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Responses

    /// Throws the typed error of a non-2xx reply; `retryAfter` is the `Retry-After` header.
    public static func check(status: Int, body: [UInt8], retryAfter: String? = nil) throws(HFTError) {
        guard !(200..<300).contains(status) else { return }
        let api = apiError(body) ?? BinanceAPIError(code: 0, message: "HTTP \(status)")
        var error = api.hftError(status: status)
        if case .rateLimited(nil) = error, let seconds = retryAfter.flatMap({ UInt64($0.trimmingPrefix(" ")) }) {
            error = .rateLimited(retryAfterMicros: seconds * 1_000_000)
        }
        throw error
    }

    public static func check(_ response: RESTClient.Response) throws(HFTError) {
        try check(status: response.status, body: response.body, retryAfter: response.header("Retry-After"))
    }

    /// `{"code":…,"msg":…}`, or nil when the body is not one.
    public static func apiError(_ body: [UInt8]) -> BinanceAPIError? {
        try? withRoot(body) { (root) throws(BinanceDecodeError) -> BinanceAPIError in
            guard root["code"] != nil else { throw .missingField("code") }
            return try BinanceDecoder.apiError(root, .milliseconds)
        }
    }

    /// `{"lastUpdateId":N,"bids":[…],"asks":[…]}`.
    public static func parseDepth(_ body: [UInt8]) throws(BinanceDecodeError) -> BinanceDepthSnapshot {
        try withRoot(body) { (root) throws(BinanceDecodeError) in try BinanceDecoder.depthSnapshot(root) }
    }

    /// `{"serverTime":…}` as µs.
    public static func parseServerTime(_ body: [UInt8], timeUnit: BinanceTimeUnit = .milliseconds) throws(BinanceDecodeError) -> Timestamp {
        try withRoot(body) { (root) throws(BinanceDecodeError) in try BinanceFields.time(root["serverTime"], "serverTime", timeUnit) }
    }

    public static func parseExchangeInfo(_ body: [UInt8], timeUnit: BinanceTimeUnit = .milliseconds) throws(BinanceDecodeError) -> BinanceExchangeInfo {
        try withRoot(body) { (root) throws(BinanceDecodeError) -> BinanceExchangeInfo in
            var serverTime, rateLimits, symbols: JSONValue?
            try BinanceFields.members(root, "exchangeInfo") { n, v in
                if n.binanceIs("serverTime") { serverTime = v }
                else if n.binanceIs("rateLimits") { rateLimits = v }
                else if n.binanceIs("symbols") { symbols = v }
            }
            var info = BinanceExchangeInfo(serverTime: try BinanceFields.optionalTime(serverTime, "serverTime", timeUnit),
                                           rateLimits: try BinanceRateLimit.readAll(rateLimits))
            if let symbols {
                try BinanceFields.elements(symbols, "symbols") { (s) throws(BinanceDecodeError) in info.symbols.append(try symbolInfo(s)) }
            }
            return info
        }
    }

    static func symbolInfo(_ v: JSONValue) throws(BinanceDecodeError) -> BinanceSymbolInfo {
        var symbol, status, base, quote, basePrecision, quotePrecision, quotePrecisionOld, orderTypes, filters: JSONValue?
        try BinanceFields.members(v, "symbols[]") { n, v in
            if n.binanceIs("symbol") { symbol = v }
            else if n.binanceIs("status") { status = v }
            else if n.binanceIs("baseAsset") { base = v }
            else if n.binanceIs("quoteAsset") { quote = v }
            else if n.binanceIs("baseAssetPrecision") { basePrecision = v }
            else if n.binanceIs("quoteAssetPrecision") { quotePrecision = v }
            else if n.binanceIs("quotePrecision") { quotePrecisionOld = v }
            else if n.binanceIs("orderTypes") { orderTypes = v }
            else if n.binanceIs("filters") { filters = v }
        }
        var info = BinanceSymbolInfo(symbol: try BinanceFields.string(symbol, "symbol"),
                                     status: try BinanceFields.optionalString(status, "status") ?? "TRADING",
                                     baseAsset: try BinanceFields.string(base, "baseAsset"),
                                     quoteAsset: try BinanceFields.string(quote, "quoteAsset"),
                                     baseAssetPrecision: try BinanceFields.optionalInt64(basePrecision, "baseAssetPrecision").map { Int($0) },
                                     quoteAssetPrecision: try BinanceFields.optionalInt64(quotePrecision ?? quotePrecisionOld, "quoteAssetPrecision").map { Int($0) })
        if let orderTypes, !orderTypes.isNull {
            try BinanceFields.elements(orderTypes, "orderTypes") { (t) throws(BinanceDecodeError) in
                info.orderTypes.append(try BinanceFields.string(t, "orderTypes"))
            }
        }
        if let filters, !filters.isNull {
            try BinanceFields.elements(filters, "filters") { (f) throws(BinanceDecodeError) in
                guard f.kind == .object, let type = f["filterType"] else { throw .invalidField("filters[]") }
                if type.stringEquals("PRICE_FILTER") {
                    info.price = .init(min: try BinanceFields.decimal(f["minPrice"], "minPrice"),
                                       max: try BinanceFields.decimal(f["maxPrice"], "maxPrice"),
                                       step: try BinanceFields.decimal(f["tickSize"], "tickSize"))
                } else if type.stringEquals("LOT_SIZE") {
                    info.lot = .init(min: try BinanceFields.decimal(f["minQty"], "minQty"),
                                     max: try BinanceFields.decimal(f["maxQty"], "maxQty"),
                                     step: try BinanceFields.decimal(f["stepSize"], "stepSize"))
                } else if type.stringEquals("NOTIONAL") || type.stringEquals("MIN_NOTIONAL") {
                    info.minNotional = try BinanceFields.optionalDecimal(f["minNotional"], "minNotional")
                }
            }
        }
        return info
    }

    /// Parses the whole body (trailing bytes checked) and hands the root object to `body`.
    static func withRoot<T>(_ bytes: [UInt8], _ body: (JSONValue) throws(BinanceDecodeError) -> T) throws(BinanceDecodeError) -> T {
        let r: Result<T, BinanceDecodeError> = bytes.withUnsafeBytes { raw in
            do throws(BinanceDecodeError) {
                let root: JSONValue
                do throws(JSONError) { root = try JSONValue.parse(raw) } catch { throw .malformedJSON(error) }
                guard root.kind == .object else { throw .notAnObject }
                return .success(try body(root))
            } catch {
                return .failure(error)
            }
        }
        return try r.get()
    }
}
