/// Why a frame did not decode: malformed bytes, an unknown message or event type, or a field
/// missing or of the wrong type. Values, never crashes.
import HFTCore

public enum BinanceDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedJSON(JSONError)
    case notAnObject
    /// No member that says what the frame is (`status`, `e`, `stream`, `event`, …).
    case unknownMessage
    /// An event type (`e`) this client does not decode.
    case unknownEvent(String)
    case missingField(String)
    case invalidField(String)

    public var description: String {
        switch self {
        case .malformedJSON(let e): "Binance: \(e)"
        case .notAnObject: "Binance: frame is not a JSON object"
        case .unknownMessage: "Binance: unrecognised message"
        case .unknownEvent(let e): "Binance: unknown event '\(e)'"
        case .missingField(let f): "Binance: missing field '\(f)'"
        case .invalidField(let f): "Binance: invalid field '\(f)'"
        }
    }

    public var hftError: HFTError {
        switch self {
        case .unknownMessage, .unknownEvent: .unknownMessage(description)
        default: .malformedFrame(description)
        }
    }
}
