/// Errors BGE sends (bge.md §3, §8): WebSocket `{"event","code","msg"}` replies (code as a
/// string or a number), failed acks (`"status":"FAIL"`), REST `{"code","message"}` bodies.
import HFTCore

public struct BGEError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let message: String
    /// The request's `event` (`sub`, `login`, …) or the REST method.
    public let context: String

    public init(code: Int, message: String, context: String = "") {
        self.code = code
        self.message = message
        self.context = context
    }

    /// Auth codes 40001…40016 and WS 401 (private channel before login).
    public var isAuthentication: Bool { code == 401 || (40001...40016).contains(code) }

    /// The venue's text, or the documented meaning when it sent none.
    public var text: String {
        if !message.isEmpty { return message }
        switch code {
        case 400: return "invalid request"
        case 401: return "not logged in"
        case 500: return "system error"
        case 40001: return "ACCESS_KEY cannot be empty"
        case 40002: return "ACCESS_SIGN cannot be empty"
        case 40003: return "ACCESS_TIMESTAMP cannot be empty"
        case 40005: return "invalid ACCESS_TIMESTAMP"
        case 40006: return "invalid ACCESS_KEY"
        case 40008: return "request timestamp expired"
        case 40010: return "API verification failed"
        case 40012: return "invalid API user"
        case 40013: return "user banned"
        case 40014: return "user frozen"
        case 40015: return "invalid IP"
        case 40016: return "API_KEY expired"
        case 1087: return "No data found"
        case 1090: return "client_oid exists"
        case 1100: return "insufficient balance"
        default: return "error \(code)"
        }
    }

    public var description: String { "BGE error \(code)" + (context.isEmpty ? "" : " (\(context))") + ": \(text)" }

    public var hftError: HFTError {
        if isAuthentication { return .authenticationFailed("\(code): \(text)") }
        return .venueRejected(code: String(code), message: text)
    }
}

/// Why a frame or REST body did not decode; never fatal.
public enum BGEDecodeError: JSONFieldError, Sendable, Equatable, CustomStringConvertible {
    case malformedJSON(String)
    case missingField(String)
    case invalidField(String)
    case unknownMessage(String)

    public static func malformedJSON(_ error: JSONError) -> BGEDecodeError { .malformedJSON(error.description) }

    public var description: String {
        switch self {
        case .malformedJSON(let s): "malformed JSON: \(s)"
        case .missingField(let f): "missing field \(f)"
        case .invalidField(let f): "invalid field \(f)"
        case .unknownMessage(let m): "unknown message \(m)"
        }
    }

    public var isUnknown: Bool { if case .unknownMessage = self { true } else { false } }
}
