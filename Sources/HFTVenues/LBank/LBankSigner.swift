/// LBank REST signing (lbank.md §6), HmacSHA256 method: all parameters (endpoint params,
/// `api_key`, `echostr`, `signature_method`, `timestamp`; not `sign`) sorted by name and joined
/// `k=v&…` → uppercase hex MD5 → lowercase hex HMAC-SHA256 keyed with the secret's UTF-8 bytes.
/// The keyed HMAC state is built once and copied per message.
import Crypto
import HFTCore

public struct LBankSigner: Sendable {
    public static let signatureMethod = "HmacSHA256"
    private let keyed: HMAC<SHA256>

    public init(secret: String) throws(HFTError) {
        guard !secret.isEmpty else { throw .configuration("LBank API secret is empty") }
        guard secret.count <= 64 else {
            throw .unsupported("LBank RSA secrets (PKCS#8 keys) are not supported; use an HmacSHA256 key")
        }
        keyed = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
    }

    /// `k=v&…` sorted by name (ASCII), values raw (as ccxt signs them).
    public static func canonical(_ params: [(String, String)]) -> String {
        params.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Uppercase hex MD5 of `canonical` (the "preparedStr").
    public static func prepared(_ canonical: String) -> String {
        hex(Array(Insecure.MD5.hash(data: Array(canonical.utf8))), upper: true)
    }

    /// The `sign` for all parameters (including `api_key`, `echostr`, `signature_method`, `timestamp`).
    public func sign(_ params: [(String, String)]) -> String {
        var m = keyed
        m.update(data: Array(Self.prepared(Self.canonical(params)).utf8))
        return Self.hex(Array(m.finalize()), upper: false)
    }

    static func hex(_ bytes: [UInt8], upper: Bool) -> String {
        let digits: [UInt8] = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 32 random alphanumerics (the venue wants 30–40).
    public static func echostr() -> String {
        let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var rng = SystemRandomNumberGenerator()
        return String(decoding: (0..<32).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] }, as: UTF8.self)
    }
}

extension LBankSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "LBankSigner(secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// An API key and its signer. The key is shown only as its first four characters.
public struct LBankCredentials: Sendable {
    public let apiKey: String
    public let signer: LBankSigner

    public init(apiKey: String, secret: String) throws(HFTError) {
        guard !apiKey.isEmpty else { throw .configuration("LBank API key is empty") }
        self.apiKey = apiKey
        self.signer = try LBankSigner(secret: secret)
    }

    public init(_ c: Credentials) throws(HFTError) {
        try self.init(apiKey: c.apiKey.reveal(), secret: c.apiSecret.reveal())
    }
}

extension LBankCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "LBankCredentials(apiKey: \(apiKey.prefix(4))…, secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
