/// The REST calls the client needs (fmex.md §6, §7), as pure builders and parsers. Signed calls
/// carry `FC-ACCESS-KEY`, `FC-ACCESS-TIMESTAMP` (ms) and `FC-ACCESS-SIGNATURE` (see `FMexSigner`).
/// Replies are `{"status":0,"data":…}`; errors a non-zero `status` with `msg`, or an HTTP status.
import HFTCore

/// One signed request (`payload`: what the signature covers apart from the timestamp — method,
/// URL with sorted query, form body).
public typealias FMexHTTPRequest = VenueHTTPRequest

public typealias FMexRESTError = VenueRESTError<FMexError>

extension FMexError: VenueRESTErrorDetail {
    public static var restName: String { "FMex REST" }
}

/// A new order in FMex terms (`POST /v3/contracts/orders`): integer contracts, LONG/SHORT.
public struct FMexNewOrder: Sendable, Hashable {
    public var symbol: String
    public var side: Side
    public var market: Bool
    public var quantity: FixedDecimal
    public var price: FixedDecimal?
    public var timeInForce: TimeInForce
    public var postOnly: Bool
    public var hidden: Bool
    public var reduceOnly: Bool
    public var source: String?

    public init(symbol: String, side: Side, market: Bool, quantity: FixedDecimal, price: FixedDecimal?, timeInForce: TimeInForce = .gtc,
                postOnly: Bool = false, hidden: Bool = false, reduceOnly: Bool = false, source: String? = nil) {
        self.symbol = symbol
        self.side = side
        self.market = market
        self.quantity = quantity
        self.price = price
        self.timeInForce = timeInForce
        self.postOnly = postOnly
        self.hidden = hidden
        self.reduceOnly = reduceOnly
        self.source = source
    }

    /// From the unified order: quantity in whole contracts (USD), ≥ 1.
    public init(_ o: PlaceOrder) throws(HFTError) {
        try o.validate()
        guard o.quantity.isMultiple(of: FixedDecimal(1)), o.quantity >= FixedDecimal(1) else {
            throw .invalidArgument("FMex quantities are whole contracts (USD) ≥ 1, got \(o.quantity)")
        }
        // FMex has no client order ids: `clientOrderID` stays local (the tracker maps it to the order id).
        self.init(symbol: FMexSymbols.payload(o.symbol), side: o.side, market: o.type == .market,
                  quantity: o.quantity.rescaled(to: 0), price: o.type == .market ? nil : o.price, timeInForce: o.timeInForce,
                  postOnly: o.postOnly)
    }

    /// Body members in key order, as (key, JSON value, signed text).
    func members(lowercaseEnums: Bool) -> [(String, JSONText, String)] {
        func e(_ s: String) -> String { lowercaseEnums ? s.lowercased() : s }
        let direction = e(side == .buy ? "LONG" : "SHORT"), type = e(market ? "MARKET" : "LIMIT")
        var m: [(String, JSONText, String)] = [("direction", .string(direction), direction)]
        if timeInForce == .fok { m.append(("fill_or_kill", .string("true"), "true")) }
        if hidden { m.append(("hidden", .string("true"), "true")) }
        if timeInForce == .ioc { m.append(("immediate_or_cancel", .string("true"), "true")) }
        if postOnly { m.append(("post_only", .string("true"), "true")) }
        if let price { m.append(("price", .decimalNumber(price), price.description)) }
        m.append(("quantity", .decimalNumber(quantity), quantity.description))
        if reduceOnly { m.append(("reduce_only", .string("true"), "true")) }
        if let source { m.append(("source", .string(source), source)) }
        m.append(("symbol", .string(symbol), symbol))
        m.append(("type", .string(type), type))
        return m
    }
}

public enum FMexREST {
    public struct Options: Sendable, Hashable {
        /// Send `direction`/`type` lowercase (the doc's signing example) instead of uppercase (§7).
        public var lowercaseEnums: Bool
        public init(lowercaseEnums: Bool = false) { self.lowercaseEnums = lowercaseEnums }
    }

    // MARK: Requests

    public static func newOrder(_ o: FMexNewOrder, credentials: FMexCredentials, milliseconds: Int64,
                                endpoints: FMexEndpoints = .production, options: Options = Options()) -> FMexHTTPRequest {
        let m = o.members(lowercaseEnums: options.lowercaseEnums)
        let json = JSONText.object(m.map { ($0.0, $0.1) }).rendered
        return signed("POST", FMexEndpoints.Path.orders, body: json, signedBody: m.map { ($0.0, $0.2) }, credentials: credentials,
                      milliseconds: milliseconds, endpoints: endpoints)
    }

    /// `POST /v3/contracts/orders/{id}/cancel` (empty body).
    public static func cancel(orderID: String, credentials: FMexCredentials, milliseconds: Int64,
                              endpoints: FMexEndpoints = .production) -> FMexHTTPRequest {
        signed("POST", FMexEndpoints.Path.cancel(pathSafe(orderID)), credentials: credentials, milliseconds: milliseconds, endpoints: endpoints)
    }

    /// `POST /v3/contracts/orders/cancel[?symbol=BTCUSD_P]`.
    public static func cancelAll(symbol: String?, credentials: FMexCredentials, milliseconds: Int64,
                                 endpoints: FMexEndpoints = .production) -> FMexHTTPRequest {
        signed("POST", FMexEndpoints.Path.cancelAll, query: symbol.map { [("symbol", pathSafe($0))] } ?? [], credentials: credentials,
               milliseconds: milliseconds, endpoints: endpoints)
    }

    public static func openOrders(credentials: FMexCredentials, milliseconds: Int64, endpoints: FMexEndpoints = .production) -> FMexHTTPRequest {
        signed("GET", FMexEndpoints.Path.openOrders, credentials: credentials, milliseconds: milliseconds, endpoints: endpoints)
    }

    /// `GET /v3/contracts/orders/{id}` (UNCERTAIN: not in the notes).
    public static func order(id: String, credentials: FMexCredentials, milliseconds: Int64, endpoints: FMexEndpoints = .production) -> FMexHTTPRequest {
        signed("GET", FMexEndpoints.Path.order(pathSafe(id)), credentials: credentials, milliseconds: milliseconds, endpoints: endpoints)
    }

    public static func accounts(credentials: FMexCredentials, milliseconds: Int64, endpoints: FMexEndpoints = .production) -> FMexHTTPRequest {
        signed("GET", FMexEndpoints.Path.accounts, credentials: credentials, milliseconds: milliseconds, endpoints: endpoints)
    }

    public static func positions(credentials: FMexCredentials, milliseconds: Int64, endpoints: FMexEndpoints = .production) -> FMexHTTPRequest {
        signed("GET", FMexEndpoints.Path.positions, credentials: credentials, milliseconds: milliseconds, endpoints: endpoints)
    }

    public static func signed(_ method: String, _ path: String, query: [(String, String)] = [], body: String = "",
                              signedBody: [(String, String)] = [], credentials: FMexCredentials, milliseconds: Int64,
                              endpoints: FMexEndpoints) -> FMexHTTPRequest {
        let ts = String(milliseconds)
        let url = endpoints.restURL(path)
        let sign = credentials.signer.restSign(method: method, url: url, query: query, timestamp: ts, body: signedBody)
        var headers: [(String, String)] = [("FC-ACCESS-KEY", credentials.apiKey), ("FC-ACCESS-SIGNATURE", sign),
                                           ("FC-ACCESS-TIMESTAMP", ts)]
        if !body.isEmpty { headers.append(("Content-Type", "application/json;charset=UTF-8")) }
        let q = FMexSigner.sortedQuery(query).map { "?" + $0 } ?? ""
        let form = FMexSigner.formBody(signedBody)
        return FMexHTTPRequest(method: method, url: url + q, headers: headers, body: body.isEmpty ? nil : Array(body.utf8),
                               payload: method + " " + path + q + (body.isEmpty ? "" : " " + body) + (form.isEmpty ? "" : " signed:" + form))
    }

    /// Ids and symbols go into paths as is when plain; anything else is percent-encoded.
    static func pathSafe(_ s: String) -> String {
        var out = ""
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%"
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 0x0f)])
            }
        }
        return out
    }

    // MARK: Replies

    /// The venue's error for a reply: HTTP non-2xx or a non-zero `status`; nil when it is a success.
    public static func error(status: Int, body: [UInt8], context: String) -> FMexError? {
        let parsed: (Int?, String)? = body.withUnsafeBytes { b in
            guard let root = try? JSONValue.root(b), root.kind == .object else { return nil }
            let st = root["status"]
            let code: Int? = (st?.stringEquals("ok") == true) ? 0 : st?.int64.map { Int(clamping: $0) }
            return (code, root["msg"]?.text ?? root["message"]?.text ?? "")
        }
        let ok = (200..<300).contains(status)
        if ok, let p = parsed, p.0 == 0 || p.0 == nil { return nil }
        if ok, parsed == nil { return nil }
        let code = parsed?.0.flatMap { $0 == 0 ? nil : $0 } ?? status
        return FMexError(code: code, message: parsed?.1 ?? "", context: context)
    }

    static func withData<T>(_ body: [UInt8], _ read: (JSONValue) throws(FMexRESTError) -> T) throws(FMexRESTError) -> T {
        try FMexRESTError.withRoot(body) { (root) throws(FMexRESTError) in try read(root.kind == .object ? (root["data"] ?? root) : root) }
    }

    static func decoding<T>(_ body: () throws(FMexDecodeError) -> T) throws(FMexRESTError) -> T {
        do throws(FMexDecodeError) { return try body() } catch { throw .malformed(error.description) }
    }

    /// The list under `data` (an array, or `data.results`/`data.orders`/`data.positions`).
    static func list(_ data: JSONValue) -> JSONValue? {
        if data.kind == .array { return data }
        guard data.kind == .object else { return nil }
        for v in [data["results"], data["orders"], data["positions"], data["list"]] {
            if let v, v.kind == .array { return v }
        }
        return nil
    }

    /// `{"status":0,"data":{"id":…,"status":"PENDING",…}}` → the order id (and the row when complete).
    public static func parseNewOrder(_ body: [UInt8]) throws(FMexRESTError) -> (id: String, order: FMexOrderPush?) {
        try withData(body) { (data) throws(FMexRESTError) in
            if data.kind == .object, let id = data["id"]?.text, !id.isEmpty { return (id, try? FMexDecoder.order(data)) }
            if data.kind == .number || data.kind == .string, let id = data.text, !id.isEmpty { return (id, nil) }
            throw .malformed("no order id")
        }
    }

    public static func parseOrders(_ body: [UInt8]) throws(FMexRESTError) -> [FMexOrderPush] {
        try withData(body) { (data) throws(FMexRESTError) in
            guard let l = list(data) else { throw .malformed("no order list") }
            var out: [FMexOrderPush] = []
            try decoding { () throws(FMexDecodeError) in
                try FMexFields.elements(l, "orders") { (o) throws(FMexDecodeError) in out.append(try FMexDecoder.order(o)) }
            }
            return out
        }
    }

    public static func parseOrder(_ body: [UInt8]) throws(FMexRESTError) -> FMexOrderPush {
        try withData(body) { (data) throws(FMexRESTError) in try decoding { () throws(FMexDecodeError) in try FMexDecoder.order(data) } }
    }

    /// `{"BTC":[available, order_frozen, position_margin]}` (or a list of account objects).
    public static func parseAccounts(_ body: [UInt8]) throws(FMexRESTError) -> [FMexAccount] {
        try withData(body) { (data) throws(FMexRESTError) in
            var out: [FMexAccount] = []
            if let l = list(data) {
                try decoding { () throws(FMexDecodeError) in
                    try FMexFields.elements(l, "accounts") { (a) throws(FMexDecodeError) in out.append(try FMexDecoder.account(a, "accounts")) }
                }
                return out
            }
            var failed = false
            try decoding { () throws(FMexDecodeError) in
                try FMexFields.members(data, "data") { name, v in
                    var values: [FixedDecimal] = []
                    if v.kind == .array {
                        try? v.forEachElement { (x) throws(JSONError) -> Bool in
                            if let d = x.decimal { values.append(d) }
                            return true
                        }
                    }
                    guard values.count >= 1 else { failed = true; return }
                    out.append(FMexAccount(currency: String(decoding: name, as: UTF8.self).uppercased(), available: values[0],
                                           frozen: values.count > 1 ? values[1] : .zero, positionMargin: values.count > 2 ? values[2] : .zero))
                }
            }
            if failed { throw .malformed("account row is not [available, frozen, position]") }
            return out.sorted { $0.currency < $1.currency }
        }
    }

    public static func parsePositions(_ body: [UInt8]) throws(FMexRESTError) -> [FMexPositionPush] {
        try withData(body) { (data) throws(FMexRESTError) in
            guard let l = list(data) else { throw .malformed("no position list") }
            var out: [FMexPositionPush] = []
            try decoding { () throws(FMexDecodeError) in
                try FMexFields.elements(l, "positions") { (p) throws(FMexDecodeError) in out.append(try FMexDecoder.position(p)) }
            }
            return out
        }
    }
}
