/// An API key and its signer. Built from HFTCore `Credentials`: a `privateKeyPEM` means an
/// Ed25519 key (session logon possible), otherwise `apiSecret` is the HMAC secret string.
/// Nothing about the key or secret is ever printed.
import HFTCore

public struct BinanceCredentials: Sendable {
    public let apiKey: Secret
    public let signer: BinanceSigner

    public init(apiKey: Secret, signer: BinanceSigner) throws(HFTError) {
        guard !apiKey.isEmpty else { throw .configuration("Binance API key is empty") }
        self.apiKey = apiKey
        self.signer = signer
    }

    public init(_ credentials: Credentials) throws(HFTError) {
        if let pem = credentials.privateKeyPEM, !pem.isEmpty {
            try self.init(apiKey: credentials.apiKey, signer: BinanceSigner(BinanceEd25519Signer(pem: pem)))
        } else {
            try self.init(apiKey: credentials.apiKey, signer: BinanceSigner(BinanceHMACSigner(secret: credentials.apiSecret)))
        }
    }

    public var keyType: BinanceKeyType { signer.keyType }

    /// `session.logon` and `userDataStream.subscribe` work with Ed25519 keys only (binance.md §6, §11).
    public var canLogOn: Bool { keyType == .ed25519 }
}

extension BinanceCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "BinanceCredentials(\(keyType.rawValue), apiKey: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
