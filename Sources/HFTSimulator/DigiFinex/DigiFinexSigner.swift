import Crypto

/// DigiFinex signatures (§3, §8): WebSocket `server.auth` signs the millisecond timestamp,
/// Base64; REST signs the exact parameter string sent, lowercase hex. Both HMAC-SHA256 keyed
/// with the secret's UTF-8 bytes.
enum DigiFinexSigner {
    static func mac(secret: String, message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// `server.auth`: Base64 (standard alphabet, padded) of HMAC-SHA256(secret, ts).
    static func webSocketSign(secret: String, timestamp: String) -> String {
        SimCredentials.base64(mac(secret: secret, message: timestamp))
    }

    /// `ACCESS-SIGN`: lowercase hex of HMAC-SHA256(secret, payload).
    static func restSign(secret: String, payload: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in mac(secret: secret, message: payload) {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares without an early exit on the first differing byte.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
