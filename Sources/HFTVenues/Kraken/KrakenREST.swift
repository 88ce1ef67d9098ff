/// The REST calls the WebSocket flows need (kraken.md §3, §5.4) as pure builders and parsers:
/// `GetWebSocketsToken` (signed POST with nonce), `AssetPairs` and `Assets` (public GET).
/// Responses are `{"error":[…],"result":…}`; `E…` strings in `error` become `KrakenRESTError.venue`.
import HFTCore

public enum KrakenRESTError: Error, Sendable, Equatable, CustomStringConvertible {
    case venue([KrakenError])
    case malformed(String)

    public var description: String {
        switch self {
        case .venue(let e): "Kraken REST: \(e.map(\.message).joined(separator: ", "))"
        case .malformed(let s): "Kraken REST: malformed response (\(s))"
        }
    }

    public var hftError: HFTError {
        switch self {
        case .venue(let e): e.first?.hftError ?? .venueRejected(code: "", message: description)
        case .malformed: .malformedFrame(description)
        }
    }
}

/// A WebSocket token: use within `expiresSeconds` (900); the text is redacted in descriptions.
public struct KrakenWebSocketToken: Sendable, Hashable, CustomStringConvertible {
    public let token: String
    public let expiresSeconds: Int
    public init(token: String, expiresSeconds: Int) {
        self.token = token
        self.expiresSeconds = expiresSeconds
    }
    public var description: String { "KrakenWebSocketToken(<redacted>, expires: \(expiresSeconds) s)" }
}

public enum KrakenREST {
    // MARK: Requests

    /// `POST /0/private/GetWebSocketsToken`, body `nonce=N[&otp=…]`, signed.
    public static func getWebSocketsToken(credentials: KrakenCredentials, nonce: UInt64, otp: String? = nil,
                                          endpoints: KrakenEndpoints = .production) -> KrakenHTTPRequest {
        privatePost(KrakenEndpoints.Path.getWebSocketsToken, fields: otp.map { [("otp", $0)] } ?? [],
                    credentials: credentials, nonce: nonce, endpoints: endpoints)
    }

    /// A signed private POST: `nonce` first, then `fields`, form-encoded.
    public static func privatePost(_ path: String, fields: [(String, String)], credentials: KrakenCredentials, nonce: UInt64,
                                   endpoints: KrakenEndpoints = .production) -> KrakenHTTPRequest {
        let n = String(nonce)
        let body = formEncode([("nonce", n)] + fields)
        let sign = credentials.signer.sign(path: path, nonce: n, postData: body)
        return KrakenHTTPRequest(method: "POST", url: endpoints.restURL(path), headers: [
            .init("API-Key", credentials.apiKey),
            .init("API-Sign", sign),
            .init("Content-Type", "application/x-www-form-urlencoded"),
        ], body: Array(body.utf8))
    }

    /// `GET /0/public/AssetPairs[?pair=…]`; pair names as REST knows them (`XBTUSD`).
    public static func assetPairs(_ pairs: [String] = [], endpoints: KrakenEndpoints = .production) -> KrakenHTTPRequest {
        let q = pairs.isEmpty ? "" : "?" + formEncode([("pair", pairs.joined(separator: ","))])
        return KrakenHTTPRequest(method: "GET", url: endpoints.restURL(KrakenEndpoints.Path.assetPairs) + q)
    }

    /// `GET /0/public/Assets[?asset=…]`.
    public static func assets(_ assets: [String] = [], endpoints: KrakenEndpoints = .production) -> KrakenHTTPRequest {
        let q = assets.isEmpty ? "" : "?" + formEncode([("asset", assets.joined(separator: ","))])
        return KrakenHTTPRequest(method: "GET", url: endpoints.restURL(KrakenEndpoints.Path.assets) + q)
    }

    /// `application/x-www-form-urlencoded`, keys in the given order.
    public static func formEncode(_ fields: [(String, String)]) -> String {
        func enc(_ s: String) -> String {
            var out = ""
            for b in s.utf8 {
                switch b {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    out.unicodeScalars.append(Unicode.Scalar(b))
                default:
                    let hex = Array("0123456789ABCDEF".unicodeScalars)
                    out.unicodeScalars.append("%")
                    out.unicodeScalars.append(hex[Int(b >> 4)])
                    out.unicodeScalars.append(hex[Int(b & 0xF)])
                }
            }
            return out
        }
        return fields.map { enc($0.0) + "=" + enc($0.1) }.joined(separator: "&")
    }

    // MARK: Responses

    public static func parseWebSocketsToken(_ body: [UInt8]) throws(KrakenRESTError) -> KrakenWebSocketToken {
        try withResult(body) { (result) throws(KrakenRESTError) -> KrakenWebSocketToken in
            guard result.kind == .object, let token = result["token"]?.string, !token.isEmpty else {
                throw .malformed("result.token missing")
            }
            let expires = result["expires"]?.int64 ?? 900
            return KrakenWebSocketToken(token: token, expiresSeconds: Int(expires))
        }
    }

    /// Pairs with a `wsname`, in v2 spelling (`XBT/USD` → `BTC/USD`); `pair_decimals` is the
    /// price precision, `lot_decimals` the qty precision.
    public static func parseAssetPairs(_ body: [UInt8], aliases: [String: String] = KrakenSymbols.defaultLegacyAliases)
        throws(KrakenRESTError) -> [KrakenInstrument] {
        try withResult(body) { (result) throws(KrakenRESTError) -> [KrakenInstrument] in
            var out: [KrakenInstrument] = []
            var failure: KrakenRESTError?
            try eachMember(result) { name, v in
                guard v.kind == .object, let ws = v["wsname"]?.string else { return true }  // e.g. dark-pool pairs
                guard let price = precision(v["pair_decimals"]), let qty = precision(v["lot_decimals"]) else {
                    failure = .malformed("\(name): pair_decimals/lot_decimals"); return false
                }
                let symbol = KrakenSymbols.modernize(ws, aliases: aliases)
                let parts = symbol.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2 else { failure = .malformed("\(name): wsname \(ws)"); return false }
                out.append(KrakenInstrument(symbol: symbol, base: parts[0], quote: parts[1],
                                            status: v["status"]?.string ?? "online",
                                            precision: KrakenPrecision(price: price, qty: qty),
                                            priceIncrement: v["tick_size"]?.decimal,
                                            qtyMin: v["ordermin"]?.decimal,
                                            costMin: v["costmin"]?.decimal,
                                            costPrecision: precision(v["cost_decimals"])))
                return true
            }
            if let failure { throw failure }
            return out
        }
    }

    /// Assets keyed by v2 code (`altname`, modernised: `XBT` → `BTC`); `restName` keeps the key (`XXBT`).
    public static func parseAssets(_ body: [UInt8], aliases: [String: String] = KrakenSymbols.defaultLegacyAliases)
        throws(KrakenRESTError) -> [KrakenAsset] {
        try withResult(body) { (result) throws(KrakenRESTError) -> [KrakenAsset] in
            var out: [KrakenAsset] = []
            var failure: KrakenRESTError?
            try eachMember(result) { name, v in
                guard v.kind == .object, let decimals = precision(v["decimals"]) else {
                    failure = .malformed("\(name): decimals"); return false
                }
                let alt = v["altname"]?.string ?? name
                out.append(KrakenAsset(id: aliases[alt] ?? alt, status: v["status"]?.string ?? "enabled",
                                       precision: decimals, displayPrecision: precision(v["display_decimals"]), restName: name))
                return true
            }
            if let failure { throw failure }
            return out
        }
    }

    // MARK: Helpers

    /// Checks `error`, then hands `result` to `body`.
    static func withResult<T>(_ bytes: [UInt8], _ body: (JSONValue) throws(KrakenRESTError) -> T) throws(KrakenRESTError) -> T {
        let r: Result<T, KrakenRESTError> = bytes.withUnsafeBytes { raw in
            do throws(KrakenRESTError) {
                let root: JSONValue
                do throws(JSONError) { root = try JSONValue.parse(raw) } catch { throw .malformed(error.description) }
                guard root.kind == .object else { throw .malformed("not an object") }
                var errors: [KrakenError] = []
                if let list = root["error"], list.kind == .array {
                    do throws(JSONError) {
                        try list.forEachElement { e in
                            if let s = e.string, !s.hasPrefix("W") { errors.append(KrakenError(s)) }
                            return true
                        }
                    } catch { throw .malformed(error.description) }
                }
                guard errors.isEmpty else { throw .venue(errors) }
                guard let result = root["result"], !result.isNull else { throw .malformed("no result") }
                return .success(try body(result))
            } catch {
                return .failure(error)
            }
        }
        return try r.get()
    }

    static func eachMember(_ v: JSONValue, _ body: (String, JSONValue) -> Bool) throws(KrakenRESTError) {
        guard v.kind == .object else { throw .malformed("result is not an object") }
        do throws(JSONError) {
            try v.forEachMember { name, value in body(String(decoding: name, as: UTF8.self), value) }
        } catch { throw .malformed(error.description) }
    }

    static func precision(_ v: JSONValue?) -> UInt8? {
        guard let i = v?.int64, (0...Int64(FixedDecimal.maxScale)).contains(i) else { return nil }
        return UInt8(i)
    }
}
