/// Kraken REST `API-Sign` (kraken.md §3.1):
/// `base64(HMAC-SHA512(key: base64decode(secret), path + SHA256(nonce + postdata)))`.
///
/// The keyed HMAC state is built once per secret and copied per message (STACK.md pitfall 18).
/// Neither the secret nor the keyed state ever appears in descriptions, dumps or errors.
import Crypto
import HFTCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct KrakenSigner: Sendable {
    private let keyed: HMAC<SHA512>

    /// `secret` is the base64 private key as Kraken issues it.
    public init(secret: String) throws(HFTError) {
        guard let key = Data(base64Encoded: secret), !key.isEmpty else {
            throw .configuration("Kraken API secret is not valid base64 (value redacted)")
        }
        keyed = HMAC<SHA512>(key: SymmetricKey(data: key))
    }

    /// The `API-Sign` header for a private call; `postData` is the exact form body sent and
    /// `nonce` the nonce text inside it.
    public func sign(path: String, nonce: String, postData: String) -> String {
        var inner = SHA256()
        var n = nonce, p = postData, u = path
        n.withUTF8 { inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        p.withUTF8 { inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let digest = inner.finalize()
        var mac = keyed
        u.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        digest.withUnsafeBytes { mac.update(data: $0) }
        return Data(mac.finalize()).base64EncodedString()
    }

    public func sign(path: String, nonce: UInt64, postData: String) -> String {
        sign(path: path, nonce: String(nonce), postData: postData)
    }
}

extension KrakenSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "KrakenSigner(secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// An API key and its signer. The key is shown only as its first four characters.
public struct KrakenCredentials: Sendable {
    public let apiKey: String
    public let signer: KrakenSigner

    public init(apiKey: String, secret: String) throws(HFTError) {
        guard !apiKey.isEmpty else { throw .configuration("Kraken API key is empty") }
        self.apiKey = apiKey
        self.signer = try KrakenSigner(secret: secret)
    }
}

extension KrakenCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "KrakenCredentials(apiKey: \(apiKey.prefix(4))…, secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
