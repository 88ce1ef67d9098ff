/// LBank REST v2 (lbank.md §5, §6, §8): signed form POSTs and their replies. Pure functions:
/// the HTTP exchange is `LBankRestAPI`'s.
import HFTCore

/// One signed request ready to send. `redacted` is the endpoint parameters as JSON (no key,
/// no signature) for logs and `OrderResult.request`.
public struct LBankHTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: String
    public var redacted: String
}

/// An order as `orders_info.do` describes it.
public struct LBankRESTOrder: Sendable, Hashable {
    public var symbol: String
    public var orderID: String
    public var clientOrderID: String?
    public var type: String?
    public var price: FixedDecimal?
    public var quantity: FixedDecimal?
    public var filledQuantity: FixedDecimal?
    public var averagePrice: FixedDecimal?
    /// LBank order status (-1 cancelled, 0 open, 1 partial, 2 filled, 3 partial then cancelled, 4 cancelling).
    public var status: Int
    public var timestamp: Timestamp
}

/// A new-order reply.
public struct LBankOrderAck: Sendable, Hashable {
    public var orderID: String
    public var clientOrderID: String?
}

public enum LBankREST {
    typealias F = LBankFields

    /// Signs `params` (endpoint parameters) for `path`.
    public static func signed(_ path: String, _ params: [(String, String)], credentials c: LBankCredentials, milliseconds: Int64,
                              echostr: String = LBankSigner.echostr(), endpoints: LBankEndpoints) -> LBankHTTPRequest {
        let ts = String(milliseconds)
        let all = params + [("api_key", c.apiKey), ("echostr", echostr), ("signature_method", LBankSigner.signatureMethod), ("timestamp", ts)]
        let sign = c.signer.sign(all)
        let body = (params + [("api_key", c.apiKey), ("sign", sign)]).map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
        let redacted = JSONText.object(params.map { ($0.0, .string($0.1)) }).rendered
        return LBankHTTPRequest(method: "POST", url: endpoints.restURL(path),
                                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("timestamp", ts),
                                          ("signature_method", LBankSigner.signatureMethod), ("echostr", echostr)],
                                body: body, redacted: redacted)
    }

    /// `application/x-www-form-urlencoded` value encoding (unreserved characters kept).
    public static func formEncode(_ s: String) -> String {
        var out: [UInt8] = []
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        for b in s.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.append(b)
            default: out += [0x25, hex[Int(b >> 4)], hex[Int(b & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Replies

    /// Runs `body` with the envelope's root after checking `result`; a false result is `.rejected`.
    static func envelope<T>(_ bytes: [UInt8], _ body: (JSONValue) throws(LBankDecodeError) -> T) throws(LBankDecodeError) -> T {
        let r: Result<T, LBankDecodeError> = bytes.withUnsafeBytes { b in
            do throws(LBankDecodeError) {
                let root: JSONValue
                do throws(JSONError) { root = try JSONValue.root(b) } catch { throw .malformedJSON(error) }
                guard root.kind == .object else { throw .invalidField("root") }
                let ok: Bool
                if let r = root["result"], let bv = r.bool { ok = bv } else if let r = root["result"], r.kind == .string { ok = r.stringEquals("true") } else {
                    ok = (try F.optionalInt64(root["error_code"], "error_code") ?? -1) == 0
                }
                guard ok else {
                    let code = Int(try F.optionalInt64(root["error_code"], "error_code") ?? -1)
                    let msg = (try? F.optionalString(root["msg"], "msg")) ?? (try? F.optionalString(root["message"], "message")) ?? nil
                    throw .rejected(LBankError(code: code, message: msg ?? ""))
                }
                return .success(try body(root))
            } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// `get_key.do`: the key in `data` (string), `data.key`, `key` or `subscribeKey` (doc versions differ).
    public static func parseKey(_ bytes: [UInt8]) throws(LBankDecodeError) -> String {
        try envelope(bytes) { (root) throws(LBankDecodeError) in
            if let d = root["data"] {
                if let s = d.string, !s.isEmpty { return s }
                if d.kind == .object, let k = try F.optionalString(d["key"], "data.key"), !k.isEmpty { return k }
            }
            if let k = try F.optionalString(root["key"], "key"), !k.isEmpty { return k }
            if let k = try F.optionalString(root["subscribeKey"], "subscribeKey"), !k.isEmpty { return k }
            throw .missingField("data")
        }
    }

    /// `refresh_key.do`, `destroy_key.do`, cancels: `result` true or `"true"`.
    public static func parseOK(_ bytes: [UInt8]) throws(LBankDecodeError) {
        try envelope(bytes) { _ in () }
    }

    /// `create_order.do` → `data.order_id` (+ `custom_id`).
    public static func parseOrderAck(_ bytes: [UInt8]) throws(LBankDecodeError) -> LBankOrderAck {
        try envelope(bytes) { (root) throws(LBankDecodeError) in
            guard let d = root["data"], d.kind == .object else { throw .missingField("data") }
            let custom = try F.optionalID(d["custom_id"], "data.custom_id")
            return LBankOrderAck(orderID: try F.string(d["order_id"], "data.order_id"), clientOrderID: custom?.isEmpty == false ? custom : nil)
        }
    }

    /// `orders_info.do` → the order (`data` an object, or an array whose first element is it).
    public static func parseOrder(_ bytes: [UInt8]) throws(LBankDecodeError) -> LBankRESTOrder {
        try envelope(bytes) { (root) throws(LBankDecodeError) in
            guard var d = root["data"] else { throw .missingField("data") }
            if d.kind == .array {
                var first: JSONValue?
                try F.elements(d, "data") { (e) throws(LBankDecodeError) in if first == nil { first = e } }
                guard let first else { throw .missingField("data[0]") }
                d = first
            }
            guard d.kind == .object else { throw .invalidField("data") }
            func dec(_ a: StaticString, _ b: StaticString) throws(LBankDecodeError) -> FixedDecimal? {
                if let v = try F.optionalDecimal(d[a], "\(a)") { return v }
                return try F.optionalDecimal(d[b], "\(b)")
            }
            let orderID: String
            if let o = try F.optionalID(d["orderId"], "orderId") { orderID = o } else { orderID = try F.string(d["order_id"], "order_id") }
            var custom = try F.optionalID(d["clientOrderId"], "clientOrderId")
            if custom == nil { custom = try F.optionalID(d["custom_id"], "custom_id") }
            var time = try F.optionalInt64(d["updateTime"], "updateTime")
            if time == nil { time = try F.optionalInt64(d["time"], "time") }
            if time == nil { time = try F.optionalInt64(d["create_time"], "create_time") }
            return LBankRESTOrder(symbol: try F.optionalString(d["symbol"], "symbol") ?? "",
                                  orderID: orderID, clientOrderID: custom?.isEmpty == false ? custom : nil,
                                  type: try F.optionalString(d["type"], "type"),
                                  price: try dec("price", "price"), quantity: try dec("origQty", "amount"),
                                  filledQuantity: try dec("executedQty", "deal_amount"), averagePrice: try dec("avgPrice", "avg_price"),
                                  status: Int(try F.optionalInt64(d["status"], "status") ?? 0),
                                  timestamp: (time ?? 0) * 1000)
        }
    }

    /// `user_info_account.do` → balances from `data.balances[{asset, free, locked|freeze}]`.
    public static func parseAssets(_ bytes: [UInt8], now: Timestamp = WallClock.microseconds()) throws(LBankDecodeError) -> [Balance] {
        try envelope(bytes) { (root) throws(LBankDecodeError) in
            guard let d = root["data"], d.kind == .object, let list = d["balances"] else { throw .missingField("data.balances") }
            var out: [Balance] = []
            try F.elements(list, "data.balances") { (b) throws(LBankDecodeError) in
                let frozen: FixedDecimal
                if let l = try F.optionalDecimal(b["locked"], "locked") { frozen = l } else { frozen = try F.optionalDecimal(b["freeze"], "freeze") ?? .zero }
                out.append(Balance(venue: .lbank, asset: try F.string(b["asset"], "asset").uppercased(),
                                   available: try F.decimal(b["free"], "free"), frozen: frozen, timestamp: now))
            }
            return out
        }
    }
}
