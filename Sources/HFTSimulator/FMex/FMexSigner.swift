import Crypto
import HFTCore

/// The FCoin HTTP signature FMex reuses (§2): `Base64(HMAC-SHA1(secret, Base64(prehash)))`,
/// `prehash = METHOD + FULL_URL[?sorted query] + TIMESTAMP + sorted body form`.
enum FMexSigner {
    static func prehash(method: String, url: String, query: String = "", timestamp: String, body: String = "") -> String {
        method.uppercased() + url + (query.isEmpty ? "" : "?" + sortedQuery(query)) + timestamp + body
    }

    static func sign(secret: String, prehash: String) -> String {
        let inner = SimCredentials.base64(Array(prehash.utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(inner.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return SimCredentials.base64(Array(mac))
    }

    /// `k=v` pairs of the query as sent, sorted by key (stable for equal keys).
    static func sortedQuery(_ query: String) -> String {
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true)
        return pairs.enumerated().sorted { a, b in
            let ka = a.element.prefix { $0 != "=" }, kb = b.element.prefix { $0 != "=" }
            return ka == kb ? a.offset < b.offset : ka < kb
        }.map { String($0.element) }.joined(separator: "&")
    }

    /// The signed form of a JSON object body: keys sorted, `k=v` joined with `&`, strings
    /// unescaped, numbers and literals as sent (§2). Nil when the body is not a JSON object.
    static func bodyForm(_ body: [UInt8]) -> String? {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return "" }
        return body.withUnsafeBytes { raw -> String? in
            guard let root = try? JSONValue.parse(raw), root.kind == .object else { return nil }
            var pairs: [(String, String)] = []
            try? root.forEachMember { name, value in
                let text: String = switch value.kind {
                case .string: value.string ?? ""
                default: String(decoding: value.rawBytes, as: UTF8.self)
                }
                pairs.append((JSONValue.unescape(name), text))
                return true
            }
            return pairs.sorted { $0.0 < $1.0 }.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
        }
    }

    /// Constant-time comparison.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Checks `FC-ACCESS-KEY` / `-TIMESTAMP` / `-SIGNATURE` (§2) against every URL form the
/// client may have signed (README): any failure is the one documented 401.
enum FMexAuth {
    static let productionHost = "api.fmex.com"

    /// The `scheme://host` prefixes accepted for a request that arrived with `hostHeader`.
    static func bases(_ c: FMexContext, hostHeader: String?) -> [String] {
        if let fixed = c.options.signedHost { return ["https://" + fixed] }
        var out = ["https://" + productionHost]
        if let h = hostHeader, !h.isEmpty { out += ["https://" + h, "http://" + h] }
        return out
    }

    static func verify(_ c: FMexContext, key: String?, signature: String?, timestamp: String?, method: String,
                       hostHeader: String?, path: String, query: String = "", body: String = "") -> AccountID? {
        guard let key, !key.isEmpty, var signature, !signature.isEmpty, let timestamp, let ms = Int64(timestamp) else { return nil }
        let skew = c.options.signatureSkew.wholeMicros / 1_000
        guard abs(c.now() / 1_000 - ms) <= skew else { return nil }
        guard let account = c.exchange.account(forAPIKey: key), let creds = c.exchange.credentials(of: account) else { return nil }
        if c.options.acceptSpaceForPlus { signature = String(signature.map { $0 == " " ? "+" : $0 }) }
        for base in bases(c, hostHeader: hostHeader) {
            let pre = FMexSigner.prehash(method: method, url: base + path, query: query, timestamp: timestamp, body: body)
            if FMexSigner.same(signature, FMexSigner.sign(secret: creds.apiSecret, prehash: pre)) { return account }
        }
        return nil
    }
}
