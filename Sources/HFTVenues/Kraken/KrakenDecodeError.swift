/// Why a frame did not decode into a `KrakenInbound`: malformed bytes, an unknown message or
/// channel, or a field missing or of the wrong type. Values, never crashes.
import HFTCore

public enum KrakenDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedJSON(JSONError)
    case notAnObject
    /// Neither `method`, `channel` nor an error member.
    case unknownMessage
    case unknownChannel(String)
    case missingField(String)
    case invalidField(String)

    public var description: String {
        switch self {
        case .malformedJSON(let e): "Kraken: \(e)"
        case .notAnObject: "Kraken: frame is not a JSON object"
        case .unknownMessage: "Kraken: message has no method or channel"
        case .unknownChannel(let c): "Kraken: unknown channel '\(c)'"
        case .missingField(let f): "Kraken: missing field '\(f)'"
        case .invalidField(let f): "Kraken: invalid field '\(f)'"
        }
    }

    public var hftError: HFTError {
        switch self {
        case .unknownMessage, .unknownChannel: .unknownMessage(description)
        default: .malformedFrame(description)
        }
    }
}
