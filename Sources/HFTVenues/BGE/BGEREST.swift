/// The REST calls the client needs (bge.md §8), as pure builders and parsers. Signed calls carry
/// `ACCESS-KEY`, `ACCESS-TIMESTAMP` (ms) and `ACCESS-SIGN` = Base64 HMAC-SHA256 of
/// `timestamp + METHOD + path + ("?" + query) + body`. Errors are HTTP 4xx with
/// `{"code":n,"message":"…"}`.
import HFTCore

/// One signed request (`payload`: what was signed after the timestamp — method, path, query, body).
public typealias BGEHTTPRequest = VenueHTTPRequest

public typealias BGERESTError = VenueRESTError<BGEError>

extension BGEError: VenueRESTErrorDetail {
    public static var restName: String { "BGE REST" }
}

/// A new spot order in BGE terms (`POST /v1/orders`). Market buys spend `funds` (quote).
public struct BGENewOrder: Sendable, Hashable {
    public var product: String
    public var side: Side
    public var market: Bool
    public var size: FixedDecimal?
    public var funds: FixedDecimal?
    public var price: FixedDecimal?
    public var clientOrderID: String?
    /// `dc`, `co`, `cn`, `cb` (self-trade prevention); nil: not sent.
    public var stp: String?

    public init(product: String, side: Side, market: Bool, size: FixedDecimal?, funds: FixedDecimal? = nil,
                price: FixedDecimal?, clientOrderID: String?, stp: String? = nil) {
        self.product = product
        self.side = side
        self.market = market
        self.size = size
        self.funds = funds
        self.price = price
        self.clientOrderID = clientOrderID
        self.stp = stp
    }

    /// From the unified order: GTC limit or market only; a market buy's quantity is sent as
    /// `size` (base) — BGE documents `funds` for market buys, pass `BGENewOrder` directly for that.
    public init(_ o: PlaceOrder, stp: String? = nil) throws(HFTError) {
        try o.validate()
        guard o.timeInForce == .gtc else { throw .unsupported("BGE spot orders take GTC only (\(o.timeInForce.rawValue))") }
        guard !o.postOnly else { throw .unsupported("BGE documents no post-only flag") }
        self.init(product: try BGESymbols.native(o.symbol), side: o.side, market: o.type == .market, size: o.quantity,
                  price: o.type == .market ? nil : o.price, clientOrderID: o.clientOrderID, stp: stp)
    }

    /// The JSON body, fields in the documented example's order.
    public var json: String {
        var f: [(String, JSONText)] = [("product", .string(product)), ("side", .string(side.rawValue)),
                                       ("type", .string(market ? "market" : "limit"))]
        if let stp { f.append(("stp", .string(stp))) }
        if let price { f.append(("price", .decimal(price))) }
        if let size { f.append(("size", .decimal(size))) }
        if let funds { f.append(("funds", .decimal(funds))) }
        if let clientOrderID { f.append(("client_oid", .string(clientOrderID))) }
        return JSONText.object(f).rendered
    }
}

/// `POST /v1/orders` reply.
public struct BGEPlaced: Sendable, Hashable {
    public var orderID: String
    public var clientOrderID: String?
}

public enum BGEREST {
    public struct Signing: Sendable, Hashable {
        /// Sign the base's own path (`/hk`) too, i.e. the path as sent on the wire.
        public var includeBasePath: Bool
        public init(includeBasePath: Bool = true) { self.includeBasePath = includeBasePath }
    }

    // MARK: Requests

    public static func newOrder(_ o: BGENewOrder, credentials: BGECredentials, milliseconds: Int64,
                                endpoints: BGEEndpoints = .production, signing: Signing = Signing()) -> BGEHTTPRequest {
        signed("POST", BGEEndpoints.Path.orders, body: o.json, credentials: credentials, milliseconds: milliseconds,
               endpoints: endpoints, signing: signing)
    }

    public static func cancel(orderID: String, credentials: BGECredentials, milliseconds: Int64,
                              endpoints: BGEEndpoints = .production, signing: Signing = Signing()) -> BGEHTTPRequest {
        signed("DELETE", BGEEndpoints.Path.order(pathSafe(orderID)), credentials: credentials, milliseconds: milliseconds,
               endpoints: endpoints, signing: signing)
    }

    public static func cancel(clientOrderID: String, credentials: BGECredentials, milliseconds: Int64,
                              endpoints: BGEEndpoints = .production, signing: Signing = Signing()) -> BGEHTTPRequest {
        signed("DELETE", BGEEndpoints.Path.clientOrder(pathSafe(clientOrderID)), credentials: credentials,
               milliseconds: milliseconds, endpoints: endpoints, signing: signing)
    }

    /// `DELETE /v1/orders?product=BTC_USDT` (all of one product).
    public static func cancelAll(product: String, credentials: BGECredentials, milliseconds: Int64,
                                 endpoints: BGEEndpoints = .production, signing: Signing = Signing()) -> BGEHTTPRequest {
        signed("DELETE", BGEEndpoints.Path.orders, query: "product=" + pathSafe(product), credentials: credentials,
               milliseconds: milliseconds, endpoints: endpoints, signing: signing)
    }

    /// `GET /v1/orders/{order_id}` (UNCERTAIN: not in the notes).
    public static func order(id: String, credentials: BGECredentials, milliseconds: Int64,
                             endpoints: BGEEndpoints = .production, signing: Signing = Signing()) -> BGEHTTPRequest {
        signed("GET", BGEEndpoints.Path.order(pathSafe(id)), credentials: credentials, milliseconds: milliseconds,
               endpoints: endpoints, signing: signing)
    }

    /// `GET /v1/accounts` (UNCERTAIN: not in the notes).
    public static func accounts(credentials: BGECredentials, milliseconds: Int64,
                                endpoints: BGEEndpoints = .production, signing: Signing = Signing()) -> BGEHTTPRequest {
        signed("GET", BGEEndpoints.Path.accounts, credentials: credentials, milliseconds: milliseconds,
               endpoints: endpoints, signing: signing)
    }

    public static func signed(_ method: String, _ path: String, query: String = "", body: String = "",
                              credentials: BGECredentials, milliseconds: Int64, endpoints: BGEEndpoints,
                              signing: Signing) -> BGEHTTPRequest {
        let ts = String(milliseconds)
        let signedPath = endpoints.signedPath(path, includeBasePath: signing.includeBasePath)
        let sign = credentials.signer.restSign(timestamp: ts, method: method, path: signedPath, query: query, body: body)
        var headers: [(String, String)] = [("ACCESS-KEY", credentials.apiKey), ("ACCESS-SIGN", sign), ("ACCESS-TIMESTAMP", ts)]
        if !body.isEmpty { headers.append(("Content-Type", "application/json")) }
        let url = endpoints.restURL(path) + (query.isEmpty ? "" : "?" + query)
        return BGEHTTPRequest(method: method, url: url, headers: headers, body: body.isEmpty ? nil : Array(body.utf8),
                              payload: method + " " + signedPath + (query.isEmpty ? "" : "?" + query) + (body.isEmpty ? "" : " " + body))
    }

    /// Ids and products go into paths as is when they are plain; anything else is percent-encoded.
    static func pathSafe(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
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

    // MARK: Replies

    /// An error body (`{"code":n,"message":"…"}`) for a non-2xx status; nil when it is none.
    public static func error(status: Int, body: [UInt8], context: String) -> BGEError? {
        guard !(200..<300).contains(status) else { return nil }
        let parsed: (Int, String)? = body.withUnsafeBytes { b in
            guard let root = try? JSONValue.root(b), root.kind == .object, let code = root["code"]?.int64 else { return nil }
            return (Int(clamping: code), root["message"]?.text ?? root["msg"]?.text ?? "")
        }
        let (code, msg) = parsed ?? (status, "HTTP \(status)")
        return BGEError(code: code, message: msg, context: context)
    }

    static func withRoot<T>(_ body: [UInt8], _ read: (JSONValue) throws(BGERESTError) -> T) throws(BGERESTError) -> T {
        try BGERESTError.withRoot(body, read)
    }

    /// `{"order_id":129149436110880967,"client_oid":"…"}` (the id may be a number or a string).
    public static func parseNewOrder(_ body: [UInt8]) throws(BGERESTError) -> BGEPlaced {
        try withRoot(body) { (root) throws(BGERESTError) in
            guard root.kind == .object else { throw .malformed("not an object") }
            let data = root["data"].flatMap { $0.kind == .object ? $0 : nil } ?? root
            guard let id = data["order_id"]?.text, !id.isEmpty else { throw .malformed("no order_id") }
            let cl = data["client_oid"]?.text
            return BGEPlaced(orderID: id, clientOrderID: cl == "" ? nil : cl)
        }
    }

    /// One order (same fields as the `orders` push), bare or under `data`.
    public static func parseOrder(_ body: [UInt8]) throws(BGERESTError) -> BGEOrderPush {
        try withRoot(body) { (root) throws(BGERESTError) in
            let o = root["data"].flatMap { $0.kind == .object ? $0 : nil } ?? root
            do throws(BGEDecodeError) { return try BGEDecoder.order(o) } catch { throw .malformed(error.description) }
        }
    }

    /// Balances: an array of `{"currency","available","hold"}`, bare or under `data`.
    public static func parseAccounts(_ body: [UInt8]) throws(BGERESTError) -> [BGEAsset] {
        try withRoot(body) { (root) throws(BGERESTError) in
            let list = root.kind == .array ? root : (root["data"] ?? root)
            var out: [BGEAsset] = []
            do throws(BGEDecodeError) {
                try BGEFields.elements(list, "accounts") { (a) throws(BGEDecodeError) in
                    var avail = try BGEFields.optionalDecimal(a["available"], "available")
                    if avail == nil { avail = try BGEFields.optionalDecimal(a["balance"], "balance") }
                    out.append(BGEAsset(currency: try BGEFields.string(a["currency"], "currency").uppercased(),
                                        available: avail ?? .zero, hold: try BGEFields.optionalDecimal(a["hold"], "hold") ?? .zero))
                }
            } catch { throw .malformed(error.description) }
            return out
        }
    }
}
