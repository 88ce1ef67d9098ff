/// A secret string that never prints: descriptions, debug output and string interpolation
/// all show `<redacted>`. Read the value with `reveal()` only where it is used (signing).
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, ExpressibleByStringLiteral {
    private let value: String
    public init(_ value: String) { self.value = value }
    public init(stringLiteral value: String) { self.value = value }
    public func reveal() -> String { value }
    public var isEmpty: Bool { value.isEmpty }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// API credentials for one account on one venue.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    public var apiKey: Secret
    public var apiSecret: Secret
    /// A PKCS#8 PEM private key (Binance Ed25519 keys), when the venue uses one.
    public var privateKeyPEM: Secret?
    /// A passphrase, for venues that issue one with the key.
    public var passphrase: Secret?

    public init(apiKey: Secret, apiSecret: Secret, privateKeyPEM: Secret? = nil, passphrase: Secret? = nil) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.privateKeyPEM = privateKeyPEM
        self.passphrase = passphrase
    }

    public init(key: String, secret: String) {
        self.init(apiKey: Secret(key), apiSecret: Secret(secret))
    }

    public var description: String { "Credentials(<redacted>)" }
}
