import HFTCore
import Synchronization

/// WebSocket tokens issued by `GetWebSocketsToken` and the per-key nonces of signed REST calls.
///
/// A token belongs to one account. Unused, it expires after 900 s (§3.2); once used it stays
/// valid, except that the fault plan's `expire_token_after_s` invalidates it that long after
/// issue (checked by the front-end on every private subscribe and order request).
final class KrakenAuth: Sendable {
    struct Token: Sendable {
        let account: AccountID
        let issuedAt: Timestamp
        var used: Bool
    }

    static let lifetimeSeconds: Int64 = 900

    private let tokens = Mutex<[String: Token]>([:])
    private let nonces = Mutex<[String: UInt64]>([:])

    func issueToken(for account: AccountID, now: Timestamp) -> String {
        let token = Self.randomToken()
        tokens.withLock { t in
            if t.count > 10_000 {
                t = t.filter { $0.value.used || now - $0.value.issuedAt < Self.lifetimeSeconds * 1_000_000 }
            }
            t[token] = Token(account: account, issuedAt: now, used: false)
        }
        return token
    }

    /// The token's record when it is still valid (and marks it used).
    func use(_ token: String, now: Timestamp) -> Token? {
        tokens.withLock { t -> Token? in
            guard var rec = t[token] else { return nil }
            if !rec.used && now - rec.issuedAt >= Self.lifetimeSeconds * 1_000_000 {
                t[token] = nil
                return nil
            }
            rec.used = true
            t[token] = rec
            return rec
        }
    }

    /// Accepts `nonce` for `key` when it is above every nonce seen for that key.
    func acceptNonce(_ nonce: UInt64, key: String) -> Bool {
        nonces.withLock { n in
            if let last = n[key], nonce <= last { return false }
            n[key] = nonce
            return true
        }
    }

    /// 43 characters like Kraken's tokens (256 random bits).
    static func randomToken() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var rng = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(43)
        for _ in 0..<43 { out.append(alphabet[Int(rng.next(upperBound: UInt32(64)))]) }
        return String(decoding: out, as: UTF8.self)
    }
}
