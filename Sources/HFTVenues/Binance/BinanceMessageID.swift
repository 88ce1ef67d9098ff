/// A response's `id` (binance.md §4, §9): echoed verbatim — an int, a string, or `null` when
/// the server could not read the request's id (invalid JSON, revoked session).
import HFTCore

public enum BinanceMessageID: Sendable, Hashable, CustomStringConvertible {
    case int(Int64)
    case string(String)
    case null

    /// The id as this client's `RequestID` (ints, and strings holding one).
    public var requestID: RequestID? {
        switch self {
        case .int(let i): i
        case .string(let s): Int64(s)
        case .null: nil
        }
    }

    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .string(let s): s
        case .null: "null"
        }
    }

    static func read(_ v: JSONValue?) throws(BinanceDecodeError) -> BinanceMessageID {
        guard let v, !v.isNull else { return .null }
        switch v.kind {
        case .number:
            guard let i = v.int64 else { throw .invalidField("id") }
            return .int(i)
        case .string:
            return .string(v.string ?? "")
        default:
            throw .invalidField("id")
        }
    }
}
