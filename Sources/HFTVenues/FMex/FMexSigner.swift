/// FCoin/FMex signatures (fmex.md §2): `Base64(HMAC-SHA1(secret, Base64(METHOD + URL + TS + BODY)))`
/// — Base64 applied twice. The URL carries its query sorted by key; the body is the JSON body's
/// keys sorted and rendered `k=v&…` (form style). The private socket signs `GET` + its HTTP
/// address + the timestamp.
import Crypto
import HFTCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct FMexSigner: Sendable {
    private let keyed: HMAC<Insecure.SHA1>

    public init(secret: String) throws(HFTError) {
        guard !secret.isEmpty else { throw .configuration("FMex API secret is empty") }
        keyed = HMAC<Insecure.SHA1>(key: SymmetricKey(data: Array(secret.utf8)))
    }

    /// The string that is signed (before the first Base64).
    public static func prehash(method: String, url: String, query: [(String, String)] = [], timestamp: String,
                               body: [(String, String)] = []) -> String {
        method.uppercased() + url + (sortedQuery(query).map { "?" + $0 } ?? "") + timestamp + formBody(body)
    }

    /// `k=v` pairs sorted by key, joined with `&` (nil when empty).
    public static func sortedQuery(_ items: [(String, String)]) -> String? {
        guard !items.isEmpty else { return nil }
        return items.sorted { $0.0 < $1.0 }.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    /// The body as signed: keys sorted, `k=v` joined with `&`.
    public static func formBody(_ items: [(String, String)]) -> String { sortedQuery(items) ?? "" }

    /// `Base64(HMAC-SHA1(secret, Base64(prehash)))`.
    public func sign(_ prehash: String) -> String {
        var m = keyed
        let b64 = Data(prehash.utf8).base64EncodedString()
        m.update(data: Array(b64.utf8))
        return Data(m.finalize()).base64EncodedString()
    }

    public func restSign(method: String, url: String, query: [(String, String)] = [], timestamp: String,
                         body: [(String, String)] = []) -> String {
        sign(Self.prehash(method: method, url: url, query: query, timestamp: timestamp, body: body))
    }

    /// The private socket's `FC-ACCESS-SIGNATURE`: `GET` + `https://…/v2/user/ws` + ms.
    public func webSocketSign(address: String, milliseconds: Int64) -> String {
        sign("GET" + address + String(milliseconds))
    }
}

extension FMexSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "FMexSigner(secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// An API key and its signer; the key is shown only as its first four characters.
public struct FMexCredentials: Sendable {
    public let apiKey: String
    public let signer: FMexSigner

    public init(apiKey: String, secret: String) throws(HFTError) {
        guard !apiKey.isEmpty else { throw .configuration("FMex API key is empty") }
        self.apiKey = apiKey
        self.signer = try FMexSigner(secret: secret)
    }

    public init(_ c: Credentials) throws(HFTError) {
        try self.init(apiKey: c.apiKey.reveal(), secret: c.apiSecret.reveal())
    }
}

extension FMexCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "FMexCredentials(apiKey: \(apiKey.prefix(4))…, secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
