import Crypto
import HFTCore
import Synchronization

/// The key type a request was signed with.
enum BinanceKeyType: Sendable, Equatable {
    case hmac
    case ed25519
}

/// API keys and signature checks (§5, §6). HMAC keys are the exchange's accounts (`sim-key-N`
/// with its secret); Ed25519 public keys are registered per API key. Every default sim account
/// also has its fixed sim Ed25519 key (`BinanceSimKeys.ed25519Seed(n)`) registered under its
/// own API key, so `sim-key-N` accepts both kinds (real Binance keys have one type).
final class BinanceAuth: Sendable {
    private struct EdKey: Sendable {
        let account: AccountID
        let publicKey: [UInt8]
    }

    private let exchange: SimulatedExchange
    private let edKeys = Mutex<[String: EdKey]>([:])

    init(exchange: SimulatedExchange) {
        self.exchange = exchange
        for (id, credentials, _) in exchange.userAccounts() {
            guard let n = BinanceSimKeys.defaultIndex(credentials.apiKey) else { continue }
            register(apiKey: credentials.apiKey, publicKey: BinanceSimKeys.ed25519PublicKey(n), account: id)
        }
    }

    func register(apiKey: String, publicKey: [UInt8], account: AccountID) {
        edKeys.withLock { $0[apiKey] = EdKey(account: account, publicKey: publicKey) }
    }

    /// The account and key type when `signature` signs `payload` under `apiKey`.
    func verify(apiKey: String, payload: String, signature: String) -> Result<(AccountID, BinanceKeyType), BinanceFailure> {
        guard Self.validKeyFormat(apiKey) else { return .failure(.badAPIKeyFormat) }
        let hmacAccount = exchange.account(forAPIKey: apiKey)
        let ed = edKeys.withLock { $0[apiKey] }
        guard hmacAccount != nil || ed != nil else { return .failure(.rejectedKey) }
        if signature.utf8.count == 64, signature.utf8.allSatisfy(Self.isHex),
           let account = hmacAccount, let secret = exchange.credentials(of: account)?.apiSecret {
            let expected = Self.hmacHex(secret: secret, payload: payload)
            return Self.equalFolded(expected, signature) ? .success((account, .hmac)) : .failure(.invalidSignature)
        }
        if let ed, let sig = KrakenBase64.decode(signature), sig.count == 64,
           let key = try? Curve25519.Signing.PublicKey(rawRepresentation: ed.publicKey),
           key.isValidSignature(sig, for: Array(payload.utf8)) {
            return .success((ed.account, .ed25519))
        }
        return .failure(.invalidSignature)
    }

    /// Lower-case hex HMAC-SHA256 of `payload` keyed by the secret string's UTF-8 bytes.
    static func hmacHex(secret: String, payload: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in Array(mac) {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `name=value` pairs sorted by name (byte order), joined by `&`, values as sent (§5).
    static func payload(_ params: [(String, String)]) -> String {
        params.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func validKeyFormat(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 128 && key.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
        }
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
    }

    /// Case-insensitive, constant-time comparison of two hex strings.
    private static func equalFolded(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= (x[i] | 0x20) ^ (y[i] | 0x20) }
        return diff == 0
    }
}

/// The fixed, documented Ed25519 test keys of the default sim accounts: the seed of key N is
/// SHA-256 of the ASCII text `sim-ed25519-N`. Anyone can derive the private key — these are
/// simulator keys only.
public enum BinanceSimKeys {
    /// The 32-byte Ed25519 seed (private key) of default account N.
    public static func ed25519Seed(_ n: Int) -> [UInt8] { Array(SHA256.hash(data: Array("sim-ed25519-\(n)".utf8))) }

    public static func ed25519PublicKey(_ n: Int) -> [UInt8] {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: ed25519Seed(n)) else { return [] }
        return Array(key.publicKey.rawRepresentation)
    }

    /// The seed as a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form Binance issues and
    /// `HFT_BINANCE_PRIVATE_KEY_FILE` takes.
    public static func ed25519PrivateKeyPEM(_ n: Int) -> String {
        let der: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
            + ed25519Seed(n)
        return "-----BEGIN PRIVATE KEY-----\n" + SimCredentials.base64(der) + "\n-----END PRIVATE KEY-----\n"
    }

    /// N when `apiKey` is `sim-key-N`.
    static func defaultIndex(_ apiKey: String) -> Int? {
        guard apiKey.hasPrefix("sim-key-") else { return nil }
        return Int(apiKey.dropFirst("sim-key-".count))
    }
}
