import Crypto

/// `ACCESS-SIGN` (§4, §8): Base64(HMAC-SHA256(key = secret UTF-8,
/// msg = timestamp + METHOD + requestPath + ("?" + query if any) + body)); on the WebSocket
/// method, path, query and body are empty, so the message is the timestamp's decimal text.
enum BGESigner {
    static func prehash(timestamp: String, method: String = "", path: String = "", query: String = "", body: String = "") -> String {
        timestamp + method.uppercased() + path + (query.isEmpty ? "" : "?" + query) + body
    }

    static func sign(secret: String, prehash: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(prehash.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return SimCredentials.base64(Array(mac))
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
