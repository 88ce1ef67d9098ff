/// Errors FMex sends (fmex.md §4): WebSocket `{"id","status":41002,"msg"}` replies and REST
/// `{"status":n,"msg"}` bodies or bare HTTP statuses (400, 401, 403, 404, 405, 406, 429, 500, 503).
import HFTCore

public struct FMexError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    public let message: String
    /// The request id (WebSocket) or method and path (REST).
    public let context: String

    public init(code: Int, message: String, context: String = "") {
        self.code = code
        self.message = message
        self.context = context
    }

    /// HTTP 401 is the documented "wrong API key, signature or timestamp".
    public var isAuthentication: Bool { code == 401 }

    /// The venue's text, or the documented meaning when it sent none.
    public var text: String {
        if !message.isEmpty { return message }
        switch code {
        case 400: return "bad request"
        case 401: return "wrong API key, signature or timestamp"
        case 403: return "forbidden"
        case 404: return "not found"
        case 405: return "method not allowed"
        case 406: return "body is not JSON"
        case 429: return "rate limited"
        case 500: return "internal server error"
        case 503: return "service unavailable"
        case 41002: return "invalid sub topic"
        default: return "error \(code)"
        }
    }

    public var description: String { "FMex error \(code)" + (context.isEmpty ? "" : " (\(context))") + ": \(text)" }

    public var hftError: HFTError {
        if isAuthentication { return .authenticationFailed("\(code): \(text)") }
        if code == 429 { return .rateLimited(retryAfterMicros: nil) }
        return .venueRejected(code: String(code), message: text)
    }
}

/// Why a frame or REST body did not decode; never fatal.
public enum FMexDecodeError: JSONFieldError, Sendable, Equatable, CustomStringConvertible {
    case malformedJSON(String)
    case missingField(String)
    case invalidField(String)
    case unknownMessage(String)

    public static func malformedJSON(_ error: JSONError) -> FMexDecodeError { .malformedJSON(error.description) }

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
