/// DigiFinex signatures (digifinex.md §3, §8), both HMAC-SHA256 keyed with the API secret's
/// UTF-8 bytes: the WebSocket `server.auth` sign is Base64 of the MAC over the millisecond
/// timestamp text; the REST `ACCESS-SIGN` is lowercase hex of the MAC over the exact urlencoded
/// parameter string sent. The keyed state is built once and copied per message.
import Crypto
import HFTCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct DigiFinexSigner: Sendable {
    private let keyed: HMAC<SHA256>

    public init(secret: String) throws(HFTError) {
        guard !secret.isEmpty else { throw .configuration("DigiFinex API secret is empty") }
        keyed = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
    }

    private func mac(_ message: String) -> HMAC<SHA256>.MAC {
        var m = keyed
        var text = message
        text.withUTF8 { m.update(data: UnsafeRawBufferPointer($0)) }
        return m.finalize()
    }

    /// `server.auth` sign: Base64(HMAC-SHA256(secret, timestamp)) with padding (44 chars).
    public func webSocketSign(timestamp: String) -> String {
        Data(mac(timestamp)).base64EncodedString()
    }

    /// REST `ACCESS-SIGN`: lowercase hex HMAC-SHA256 of `payload` (query, body, or `query&body`).
    public func restSign(payload: String) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in Array(mac(payload)) {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension DigiFinexSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "DigiFinexSigner(secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// An API key and its signer. The key is shown only as its first four characters.
public struct DigiFinexCredentials: Sendable {
    public let apiKey: String
    public let signer: DigiFinexSigner

    public init(apiKey: String, secret: String) throws(HFTError) {
        guard !apiKey.isEmpty else { throw .configuration("DigiFinex API key is empty") }
        self.apiKey = apiKey
        self.signer = try DigiFinexSigner(secret: secret)
    }

    public init(_ c: Credentials) throws(HFTError) {
        try self.init(apiKey: c.apiKey.reveal(), secret: c.apiSecret.reveal())
    }

    /// The `server.auth` params `[key, ts, sign]` for `milliseconds` (Unix time).
    public func authParams(milliseconds: Int64) -> [String] {
        let ts = String(milliseconds)
        return [apiKey, ts, signer.webSocketSign(timestamp: ts)]
    }
}

extension DigiFinexCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "DigiFinexCredentials(apiKey: \(apiKey.prefix(4))…, secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
