/// One outgoing WS API frame, ready to write (binance.md §4): `{"id":N,"method":"…","params":{…}}`
/// (`params` left out when empty), with its method, weight and the exact text. Builders live in
/// extensions (`+Session`, `+Orders`, `+UserData`). Descriptions redact `apiKey` and `signature`.
import HFTCore

public struct BinanceRequest: Sendable, Hashable {
    public let id: RequestID
    public let method: BinanceMethod
    public let params: BinanceParams
    /// REQUEST_WEIGHT units this request costs.
    public let weight: Int
    /// The frame text.
    public let text: String

    public init(id: RequestID, method: BinanceMethod, params: BinanceParams = BinanceParams(), weight: Int? = nil) {
        self.id = id
        self.method = method
        self.params = params
        self.weight = weight ?? method.weight
        var members: [(String, JSONText)] = [("id", .int(id)), ("method", .string(method.rawValue))]
        if !params.isEmpty { members.append(("params", params.json)) }
        self.text = JSONText.object(members).rendered
    }

    /// A signed or session-authenticated request: `auth` adds its members to `params`.
    init(id: RequestID, method: BinanceMethod, params: BinanceParams, auth: BinanceAuth, weight: Int? = nil) throws(HFTError) {
        var p = params
        try auth.apply(to: &p)
        self.init(id: id, method: method, params: p, weight: weight)
    }

    /// UTF-8 bytes of `text`.
    public var bytes: [UInt8] { Array(text.utf8) }

    /// Names whose values never leave this process in logs.
    static let secretParams: Set<String> = ["apiKey", "signature"]

    /// `params` with secrets replaced, for logs and `OrderResult.request`.
    public var redactedParams: JSONText {
        .object(params.items.map { Self.secretParams.contains($0.name) ? ($0.name, .string("<redacted>")) : ($0.name, $0.value.json) })
    }

    /// `text` with secrets replaced.
    public var redactedText: String {
        var members: [(String, JSONText)] = [("id", .int(id)), ("method", .string(method.rawValue))]
        if !params.isEmpty { members.append(("params", redactedParams)) }
        return JSONText.object(members).rendered
    }
}

extension BinanceRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { redactedText }
    public var debugDescription: String { redactedText }
    public var customMirror: Mirror { Mirror(self, children: ["text": redactedText], displayStyle: .struct) }
}
