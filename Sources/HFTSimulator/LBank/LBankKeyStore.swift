import HFTCore
import Synchronization

/// The `subscribeKey`s issued over REST (§5): 64 lowercase hex characters, valid
/// `keyValidity` from creation or the last refresh, gone once destroyed. Shared by every
/// connection; a key works across connections while valid.
final class LBankKeyStore: Sendable {
    struct Entry: Sendable {
        let account: AccountID
        /// Creation or last refresh (the `expire_token_after_s` fault counts from here).
        var refreshedAt: Timestamp
        var expiresAt: Timestamp
    }

    private let keys = Mutex<[String: Entry]>([:])
    private let validity: Int64

    init(validity: Duration) { self.validity = validity.wholeMicros }

    func create(_ account: AccountID, now: Timestamp) -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        for _ in 0..<4 { withUnsafeBytes(of: rng.next() as UInt64) { bytes.append(contentsOf: $0) } }
        let key = LBankSigner.hex(bytes, upper: false)
        keys.withLock { k in
            k = k.filter { $0.value.expiresAt > now }
            k[key] = Entry(account: account, refreshedAt: now, expiresAt: now + validity)
        }
        return key
    }

    /// The key's entry while valid; `earlyExpiry` (µs, the fault) shortens its life.
    func valid(_ key: String, now: Timestamp, earlyExpiry: Int64? = nil) -> Entry? {
        keys.withLock { k in
            guard let e = k[key] else { return nil }
            if e.expiresAt <= now || earlyExpiry.map({ now - e.refreshedAt >= $0 }) == true { return nil }
            return e
        }
    }

    /// Extends a valid key of `account`; false when unknown, expired or another account's.
    func refresh(_ key: String, account: AccountID, now: Timestamp, earlyExpiry: Int64? = nil) -> Bool {
        guard valid(key, now: now, earlyExpiry: earlyExpiry)?.account == account else { return false }
        keys.withLock { $0[key]?.refreshedAt = now; $0[key]?.expiresAt = now + validity }
        return true
    }

    func destroy(_ key: String, account: AccountID) -> Bool {
        keys.withLock { k in
            guard k[key]?.account == account else { return false }
            k[key] = nil
            return true
        }
    }

    /// Expires a key now (tests).
    func expire(_ key: String) { keys.withLock { $0[key]?.expiresAt = 0 } }
}
