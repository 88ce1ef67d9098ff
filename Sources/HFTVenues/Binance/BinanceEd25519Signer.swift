/// Binance Ed25519 request signature (binance.md §5, §6): Ed25519 over the payload's UTF-8
/// bytes, Base64. Needed for `session.logon` and `userDataStream.subscribe`. Signatures may be
/// randomized (CryptoKit) — verify them, never compare bytes.
import Crypto
import HFTCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct BinanceEd25519Signer: Sendable {
    private let key: Curve25519.Signing.PrivateKey

    /// From a PKCS#8 PEM private key, as Binance's key generator writes it.
    public init(pem: Secret) throws(HFTError) {
        try self.init(seed: BinancePKCS8.ed25519Seed(pem: pem.reveal()))
    }

    /// From the raw 32-byte seed.
    public init(seed: [UInt8]) throws(HFTError) {
        guard seed.count == 32 else { throw .configuration("Binance Ed25519 seed must be 32 bytes") }
        do { key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed) } catch {
            throw .configuration("Binance Ed25519 key rejected by the crypto library")
        }
    }

    /// The public key (32 raw bytes), as registered with Binance.
    public var publicKey: Curve25519.Signing.PublicKey { key.publicKey }

    /// Base64 Ed25519 signature of `payload`'s UTF-8 bytes.
    public func sign(_ payload: String) throws(HFTError) -> String {
        do { return try key.signature(for: Array(payload.utf8)).base64EncodedString() } catch {
            throw .authenticationFailed("Ed25519 signing failed")
        }
    }

    /// True when `signature` (Base64) is this key's signature of `payload`.
    public func isValidSignature(_ signature: String, for payload: String) -> Bool {
        guard let raw = Data(base64Encoded: signature) else { return false }
        return key.publicKey.isValidSignature(raw, for: Array(payload.utf8))
    }
}

extension BinanceEd25519Signer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "BinanceEd25519Signer(privateKey: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
