/// One outgoing Kraken v2 frame, ready to write: its method, `req_id`, how many replies carry
/// that `req_id` (one per symbol for subscribe, one per id for cancel_order) and the exact JSON
/// text. Builders live in extensions (`KrakenRequest+Subscriptions`, `KrakenRequest+Orders`).
/// Descriptions redact the token.
import HFTCore

public struct KrakenRequest: Sendable, Hashable {
    public let method: KrakenMethod
    public let reqID: RequestID?
    /// Replies that will carry this `req_id`.
    public let expectedResponses: Int
    /// The `params` object (for callbacks and logs; holds the token when there is one).
    public let params: JSONText?
    /// The frame text.
    public let text: String
    let token: String?

    /// Where `req_id` goes: subscriptions put it last, trading methods right after `method`
    /// (the order kraken.md's examples show).
    enum Layout { case reqIDLast, reqIDSecond }

    init(method: KrakenMethod, reqID: RequestID?, params: [(String, JSONText)]?, layout: Layout,
         expectedResponses: Int = 1, token: String? = nil) throws(HFTError) {
        if let reqID, !(0...Int64(Int32.max)).contains(reqID) {
            throw .invalidArgument("Kraken req_id \(reqID) is outside 0…\(Int32.max)")
        }
        var members: [(String, JSONText)] = [("method", .string(method.wireName))]
        let p = params.map { JSONText.object($0) }
        if layout == .reqIDSecond, let reqID { members.append(("req_id", .int(reqID))) }
        if let p { members.append(("params", p)) }
        if layout == .reqIDLast, let reqID { members.append(("req_id", .int(reqID))) }
        self.method = method
        self.reqID = reqID
        self.expectedResponses = expectedResponses
        self.params = p
        self.text = JSONText.object(members).rendered
        self.token = token
    }

    /// UTF-8 bytes of `text`.
    public var bytes: [UInt8] { Array(text.utf8) }

    /// `text` with the token replaced, for logs.
    public var redactedText: String {
        guard let token, !token.isEmpty else { return text }
        return text.replacing(token, with: "<token>")
    }

    /// A ping (kraken.md §2): `{"method":"ping","req_id":N}`.
    public static func ping(reqID: RequestID?) throws(HFTError) -> KrakenRequest {
        try KrakenRequest(method: .ping, reqID: reqID, params: nil, layout: .reqIDLast)
    }

    static func requireToken(_ token: String) throws(HFTError) {
        guard !token.isEmpty else { throw .invalidArgument("Kraken token is empty") }
    }
}

extension KrakenRequest: CustomStringConvertible {
    public var description: String { redactedText }
}
