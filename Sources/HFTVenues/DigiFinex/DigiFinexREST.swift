/// The REST v3 calls the client needs (digifinex.md §8), as pure builders and parsers.
/// Signed calls carry `ACCESS-KEY`, `ACCESS-TIMESTAMP` (seconds) and `ACCESS-SIGN` = hex
/// HMAC-SHA256 of the exact urlencoded parameter string sent (query, body, or `query&body`),
/// in the order sent. Replies are JSON with `code` 0 on success.
import HFTCore

/// One signed request (`payload`: the signed parameter text; no secret in it).
public typealias DigiFinexHTTPRequest = VenueHTTPRequest

public typealias DigiFinexRESTError = VenueRESTError<DigiFinexError>

extension DigiFinexError: VenueRESTErrorDetail {
    public static var restName: String { "DigiFinex REST" }
}

/// A new spot order in DigiFinex terms. For a market buy, `amount` is the quote amount to spend.
public struct DigiFinexNewOrder: Sendable, Hashable {
    public var symbol: String
    public var side: Side
    public var market: Bool
    public var amount: FixedDecimal
    public var price: FixedDecimal?
    public var postOnly: Bool

    public init(symbol: String, side: Side, market: Bool, amount: FixedDecimal, price: FixedDecimal?, postOnly: Bool) {
        self.symbol = symbol.lowercased()
        self.side = side
        self.market = market
        self.amount = amount
        self.price = price
        self.postOnly = postOnly
    }

    /// From the unified order; DigiFinex has no time-in-force and no client order id.
    public init(_ o: PlaceOrder) throws(HFTError) {
        try o.validate()
        guard o.timeInForce == .gtc else { throw .unsupported("DigiFinex spot orders have no time-in-force (\(o.timeInForce.rawValue))") }
        self.init(symbol: try DigiFinexSymbols.restNative(o.symbol), side: o.side, market: o.type == .market,
                  amount: o.quantity, price: o.price, postOnly: o.postOnly)
    }

    /// `buy`, `sell`, `buy_market`, `sell_market`.
    public var typeText: String { side.rawValue + (market ? "_market" : "") }

    /// Fields in the order of the official example: symbol, price, amount, type[, post_only].
    public var fields: [(String, String)] {
        var f: [(String, String)] = [("symbol", symbol)]
        if let price, !market { f.append(("price", price.description)) }
        f.append(("amount", amount.description))
        f.append(("type", typeText))
        if postOnly { f.append(("post_only", "1")) }
        return f
    }
}

/// An order as `GET /v3/spot/order[/current]` reports it.
public struct DigiFinexRESTOrder: Sendable, Hashable {
    public var symbol: String
    public var orderID: String
    /// Seconds.
    public var createdDate: Int64
    public var price: FixedDecimal
    public var averagePrice: FixedDecimal
    public var amount: FixedDecimal
    public var executedAmount: FixedDecimal
    /// 0 unfilled, 1 partial, 2 filled, 3 canceled, 4 canceled after a partial fill.
    public var status: Int
    /// `buy`, `sell`, `buy_market`, `sell_market`.
    public var type: String

    public var side: Side { type.hasPrefix("sell") ? .sell : .buy }
    public var isMarket: Bool { type.hasSuffix("_market") }
}

/// `POST /v3/spot/order/cancel` result.
public struct DigiFinexCancelResult: Sendable, Hashable {
    public var success: [String]
    public var failed: [String]
}

public struct DigiFinexAsset: Sendable, Hashable {
    public var currency: String
    public var free: FixedDecimal
    public var total: FixedDecimal
    /// `total - free` (never negative).
    public var frozen: FixedDecimal { let f = total - free; return f.isNegative ? .zero : f }
}

public struct DigiFinexSymbolInfo: Sendable, Hashable {
    public var symbol: String
    public var baseAsset: String
    public var quoteAsset: String
    public var pricePrecision: Int
    public var amountPrecision: Int
    public var minimumAmount: FixedDecimal?
    public var minimumValue: FixedDecimal?
    public var status: String
}

public enum DigiFinexREST {
    // MARK: Requests

    public static func newOrder(_ o: DigiFinexNewOrder, credentials: DigiFinexCredentials, seconds: Int64,
                                endpoints: DigiFinexEndpoints = .production) -> DigiFinexHTTPRequest {
        signed("POST", DigiFinexEndpoints.Path.orderNew, body: o.fields, credentials: credentials, seconds: seconds, endpoints: endpoints)
    }

    /// `order_id` is a comma list.
    public static func cancel(orderIDs: [String], credentials: DigiFinexCredentials, seconds: Int64,
                              endpoints: DigiFinexEndpoints = .production) -> DigiFinexHTTPRequest {
        signed("POST", DigiFinexEndpoints.Path.orderCancel, body: [("order_id", orderIDs.joined(separator: ","))],
               credentials: credentials, seconds: seconds, endpoints: endpoints)
    }

    /// `GET /v3/spot/order/current[?symbol=btc_usdt]`.
    public static func openOrders(symbol: String?, credentials: DigiFinexCredentials, seconds: Int64,
                                  endpoints: DigiFinexEndpoints = .production) -> DigiFinexHTTPRequest {
        signed("GET", DigiFinexEndpoints.Path.openOrders, query: symbol.map { [("symbol", $0.lowercased())] } ?? [],
               credentials: credentials, seconds: seconds, endpoints: endpoints)
    }

    /// `GET /v3/spot/order?order_id=a,b`.
    public static func orders(ids: [String], credentials: DigiFinexCredentials, seconds: Int64,
                              endpoints: DigiFinexEndpoints = .production) -> DigiFinexHTTPRequest {
        signed("GET", DigiFinexEndpoints.Path.order, query: [("order_id", ids.joined(separator: ","))],
               credentials: credentials, seconds: seconds, endpoints: endpoints)
    }

    public static func assets(credentials: DigiFinexCredentials, seconds: Int64,
                              endpoints: DigiFinexEndpoints = .production) -> DigiFinexHTTPRequest {
        signed("GET", DigiFinexEndpoints.Path.assets, credentials: credentials, seconds: seconds, endpoints: endpoints)
    }

    public static func time(endpoints: DigiFinexEndpoints = .production) -> DigiFinexHTTPRequest {
        DigiFinexHTTPRequest(method: "GET", url: endpoints.restURL(DigiFinexEndpoints.Path.time), headers: [], body: nil, payload: "")
    }

    public static func symbols(endpoints: DigiFinexEndpoints = .production) -> DigiFinexHTTPRequest {
        DigiFinexHTTPRequest(method: "GET", url: endpoints.restURL(DigiFinexEndpoints.Path.symbols), headers: [], body: nil, payload: "")
    }

    /// A signed request: the signature covers exactly the parameter text sent.
    public static func signed(_ method: String, _ path: String, query: [(String, String)] = [], body: [(String, String)] = [],
                              credentials: DigiFinexCredentials, seconds: Int64,
                              endpoints: DigiFinexEndpoints = .production) -> DigiFinexHTTPRequest {
        let q = formEncode(query), b = formEncode(body)
        let payload = [q, b].filter { !$0.isEmpty }.joined(separator: "&")
        var headers: [(String, String)] = [("ACCESS-KEY", credentials.apiKey), ("ACCESS-TIMESTAMP", String(seconds)),
                                           ("ACCESS-SIGN", credentials.signer.restSign(payload: payload))]
        if !body.isEmpty { headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        let url = endpoints.restURL(path) + (q.isEmpty ? "" : "?" + q)
        return DigiFinexHTTPRequest(method: method, url: url, headers: headers, body: body.isEmpty ? nil : Array(b.utf8), payload: payload)
    }

    /// `application/x-www-form-urlencoded`, keys in the given order; `,` is kept for id lists.
    public static func formEncode(_ fields: [(String, String)]) -> String {
        func enc(_ s: String) -> String {
            var out = ""
            for b in s.utf8 {
                switch b {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ","):
                    out.unicodeScalars.append(Unicode.Scalar(b))
                default:
                    let hex = Array("0123456789ABCDEF".unicodeScalars)
                    out += "%"
                    out.unicodeScalars.append(hex[Int(b >> 4)])
                    out.unicodeScalars.append(hex[Int(b & 0x0f)])
                }
            }
            return out
        }
        return fields.map { enc($0.0) + "=" + enc($0.1) }.joined(separator: "&")
    }

    // MARK: Replies

    /// Checks `code` and hands the root object to `read`.
    public static func withResult<T>(_ body: [UInt8], _ read: (JSONValue) throws(DigiFinexRESTError) -> T) throws(DigiFinexRESTError) -> T {
        let r: Result<T, DigiFinexRESTError> = body.withUnsafeBytes { bytes in
            do throws(DigiFinexRESTError) {
                let root: JSONValue
                do throws(JSONError) { root = try JSONValue.parse(bytes) } catch { throw .malformed(error.description) }
                guard root.kind == .object else { throw .malformed("not an object") }
                guard let code = root["code"]?.int64 else { throw .malformed("no code") }
                if code != 0 {
                    let msg = root["msg"]?.text ?? root["message"]?.text ?? ""
                    throw .venue(DigiFinexError(code: Int(clamping: code), message: msg, isREST: true))
                }
                return .success(try read(root))
            } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// `{"code":0,"order_id":"…"}`.
    public static func parseNewOrder(_ body: [UInt8]) throws(DigiFinexRESTError) -> String {
        try withResult(body) { (root) throws(DigiFinexRESTError) in
            guard let id = root["order_id"]?.text, !id.isEmpty else { throw .malformed("no order_id") }
            return id
        }
    }

    /// `{"code":0,"date":…,"success":[ids],"error":[ids]}`.
    public static func parseCancel(_ body: [UInt8]) throws(DigiFinexRESTError) -> DigiFinexCancelResult {
        try withResult(body) { (root) throws(DigiFinexRESTError) in
            DigiFinexCancelResult(success: try strings(root["success"]), failed: try strings(root["error"]))
        }
    }

    /// `{"code":0,"data":[order…]}` (open orders and order queries).
    public static func parseOrders(_ body: [UInt8]) throws(DigiFinexRESTError) -> [DigiFinexRESTOrder] {
        try withResult(body) { (root) throws(DigiFinexRESTError) in
            var out: [DigiFinexRESTOrder] = []
            guard let data = root["data"], !data.isNull else { return out }
            try each(data) { (o) throws(DigiFinexRESTError) in
                // `type` (buy/sell/buy_market/sell_market) as ccxt documents it; `side` also accepted.
                guard let id = o["order_id"]?.text, let symbol = o["symbol"]?.string,
                      let type = o["type"]?.string ?? o["side"]?.string,
                      let status = o["status"]?.int64 else { throw .malformed("order fields") }
                out.append(DigiFinexRESTOrder(symbol: symbol, orderID: id, createdDate: o["created_date"]?.int64 ?? 0,
                                              price: o["price"]?.decimal ?? .zero, averagePrice: o["avg_price"]?.decimal ?? .zero,
                                              amount: o["amount"]?.decimal ?? .zero, executedAmount: o["executed_amount"]?.decimal ?? .zero,
                                              status: Int(clamping: status), type: type))
            }
            return out
        }
    }

    /// `{"code":0,"list":[{"currency":"BTC","free":…,"total":…}]}`.
    public static func parseAssets(_ body: [UInt8]) throws(DigiFinexRESTError) -> [DigiFinexAsset] {
        try withResult(body) { (root) throws(DigiFinexRESTError) in
            var out: [DigiFinexAsset] = []
            guard let list = root["list"] ?? root["data"], !list.isNull else { return out }
            try each(list) { (a) throws(DigiFinexRESTError) in
                guard let currency = a["currency"]?.string, let free = a["free"]?.decimal else { throw .malformed("asset fields") }
                out.append(DigiFinexAsset(currency: currency.uppercased(), free: free, total: a["total"]?.decimal ?? free))
            }
            return out
        }
    }

    /// `{"server_time":…,"code":0}` (seconds).
    public static func parseTime(_ body: [UInt8]) throws(DigiFinexRESTError) -> Int64 {
        try withResult(body) { (root) throws(DigiFinexRESTError) in
            guard let t = root["server_time"]?.int64 else { throw .malformed("no server_time") }
            return t
        }
    }

    /// `{"symbol_list":[…],"code":0}`.
    public static func parseSymbols(_ body: [UInt8]) throws(DigiFinexRESTError) -> [DigiFinexSymbolInfo] {
        try withResult(body) { (root) throws(DigiFinexRESTError) in
            var out: [DigiFinexSymbolInfo] = []
            guard let list = root["symbol_list"], !list.isNull else { return out }
            try each(list) { (s) throws(DigiFinexRESTError) in
                guard let symbol = s["symbol"]?.string else { throw .malformed("symbol fields") }
                let parts = symbol.split(separator: "_").map(String.init)
                out.append(DigiFinexSymbolInfo(symbol: symbol, baseAsset: s["base_asset"]?.string ?? parts.first ?? "",
                                               quoteAsset: s["quote_asset"]?.string ?? parts.last ?? "",
                                               pricePrecision: Int(clamping: s["price_precision"]?.int64 ?? 8),
                                               amountPrecision: Int(clamping: s["amount_precision"]?.int64 ?? 8),
                                               minimumAmount: s["minimum_amount"]?.decimal, minimumValue: s["minimum_value"]?.decimal,
                                               status: s["status"]?.string ?? ""))
            }
            return out
        }
    }

    static func each(_ v: JSONValue, _ body: (JSONValue) throws(DigiFinexRESTError) -> Void) throws(DigiFinexRESTError) {
        guard v.kind == .array else { throw .malformed("expected an array") }
        var failure: DigiFinexRESTError?
        do throws(JSONError) {
            try v.forEachElement { (e) throws(JSONError) -> Bool in
                guard e.kind == .object else { failure = .malformed("expected objects"); return false }
                do throws(DigiFinexRESTError) { try body(e) } catch { failure = error; return false }
                return true
            }
        } catch { throw .malformed(error.description) }
        if let failure { throw failure }
    }

    static func strings(_ v: JSONValue?) throws(DigiFinexRESTError) -> [String] {
        guard let v, !v.isNull else { return [] }
        guard v.kind == .array else { throw .malformed("expected an id list") }
        var out: [String] = []
        do throws(JSONError) {
            try v.forEachElement { (e) throws(JSONError) -> Bool in
                if let s = e.text { out.append(s) }
                return true
            }
        } catch { throw .malformed(error.description) }
        return out
    }
}
