/// BGE signatures (bge.md §4, §8): `Base64(HMAC-SHA256(secret, timestamp + METHOD + path +
/// ("?" + query) + body))`; the WebSocket login signs the millisecond timestamp alone.
import Crypto
import HFTCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct BGESigner: Sendable {
    private let keyed: HMAC<SHA256>

    public init(secret: String) throws(HFTError) {
        guard !secret.isEmpty else { throw .configuration("BGE API secret is empty") }
        keyed = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
    }

    /// Base64 (padded) HMAC-SHA256 of `prehash`.
    public func sign(_ prehash: String) -> String {
        var m = keyed
        var text = prehash
        text.withUTF8 { m.update(data: UnsafeRawBufferPointer($0)) }
        return Data(m.finalize()).base64EncodedString()
    }

    /// The REST `ACCESS-SIGN`.
    public func restSign(timestamp: String, method: String, path: String, query: String, body: String) -> String {
        sign(timestamp + method.uppercased() + path + (query.isEmpty ? "" : "?" + query) + body)
    }

    /// The WebSocket login `access_sign` (method, path, query and body empty).
    public func loginSign(milliseconds: Int64) -> String { sign(String(milliseconds)) }
}

extension BGESigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "BGESigner(secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// An API key and its signer; the key is shown only as its first four characters.
public struct BGECredentials: Sendable {
    public let apiKey: String
    public let signer: BGESigner

    public init(apiKey: String, secret: String) throws(HFTError) {
        guard !apiKey.isEmpty else { throw .configuration("BGE API key is empty") }
        self.apiKey = apiKey
        self.signer = try BGESigner(secret: secret)
    }

    public init(_ c: Credentials) throws(HFTError) {
        try self.init(apiKey: c.apiKey.reveal(), secret: c.apiSecret.reveal())
    }
}

extension BGECredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "BGECredentials(apiKey: \(apiKey.prefix(4))…, secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
