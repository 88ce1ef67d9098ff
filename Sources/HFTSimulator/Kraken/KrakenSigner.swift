import Crypto

/// Kraken's REST request signature (§3.1):
/// `API-Sign = Base64(HMAC-SHA512(key: Base64Decode(secret), path + SHA256(nonce + postdata)))`.
enum KrakenSigner {
    static func sign(path: String, nonce: String, postData: String, secret: [UInt8]) -> String {
        let inner = SHA256.hash(data: Array((nonce + postData).utf8))
        var message = Array(path.utf8)
        message.append(contentsOf: inner)
        let mac = HMAC<SHA512>.authenticationCode(for: message, using: SymmetricKey(data: secret))
        return SimCredentials.base64(Array(mac))
    }

    /// True when `signature` is the API-Sign of the request under the Base64 `secret`
    /// (compared in constant time).
    static func verify(signature: String, path: String, nonce: String, postData: String, secret base64Secret: String) -> Bool {
        guard let secret = KrakenBase64.decode(base64Secret) else { return false }
        let expected = Array(sign(path: path, nonce: nonce, postData: postData, secret: secret).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<expected.count { diff |= expected[i] ^ given[i] }
        return diff == 0
    }
}

/// Standard Base64 (RFC 4648) decoding, padding optional; nil on any other byte.
enum KrakenBase64 {
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        var padding = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - 71)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c) + 4
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): padding += 1; continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return padding <= 2 ? out : nil
    }
}
