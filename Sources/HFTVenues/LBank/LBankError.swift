/// Errors LBank sends (lbank.md §3, §6): REST `error_code` values and the WebSocket's
/// `{"status":"error","message":"…"}` (free text, no code), plus decode errors that never crash.
import HFTCore

public struct LBankError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case badSignature, badEchostr, badTimestamp, invalidAPIKey, rateLimited, insufficientBalance, orderNotFound
        /// A WebSocket error reply (free text).
        case webSocket
        case other
    }

    /// The REST `error_code`, or 0 for WebSocket errors.
    public let code: Int
    public let message: String

    public init(code: Int, message: String = "") {
        self.code = code
        self.message = message
    }

    public var kind: Kind {
        switch code {
        case 0: .webSocket
        case 10007: .badSignature
        case 10031: .badEchostr
        case 10600: .badTimestamp
        case 10005, 10006, 10001: .invalidAPIKey
        case 10004: .rateLimited
        case 10016, 10017: .insufficientBalance
        case 10025: .orderNotFound
        default: .other
        }
    }

    /// True when a WebSocket error text is about the subscribeKey (unknown/expired).
    public var mentionsKey: Bool { kind == .webSocket && message.lowercased().contains("key") }

    public var text: String {
        if !message.isEmpty { return message }
        switch kind {
        case .badSignature: return "signature verification failed"
        case .badEchostr: return "echostr length must be 30-40"
        case .badTimestamp: return "timestamp outside the window or replayed"
        case .invalidAPIKey: return "invalid api_key"
        case .rateLimited: return "too many requests"
        case .insufficientBalance: return "insufficient balance"
        case .orderNotFound: return "order not found"
        case .webSocket, .other: return "error \(code)"
        }
    }

    public var description: String { code == 0 ? "LBank WS error: \(text)" : "LBank error \(code): \(text)" }

    public var hftError: HFTError {
        switch kind {
        case .rateLimited: .rateLimited(retryAfterMicros: nil)
        case .badSignature, .badEchostr, .badTimestamp, .invalidAPIKey: .authenticationFailed("\(code): \(text)")
        default: .venueRejected(code: String(code), message: text)
        }
    }
}

/// Why a frame or REST body did not decode; never fatal.
public enum LBankDecodeError: HFTErrorConvertible, Sendable, Equatable, CustomStringConvertible, JSONFieldError {
    case malformedJSON(JSONError)
    case missingField(String)
    case invalidField(String)
    case unknownMessage(String)
    /// A REST reply with `result` false.
    case rejected(LBankError)

    public var description: String {
        switch self {
        case .malformedJSON(let e): "LBank: \(e)"
        case .missingField(let f): "missing field \(f)"
        case .invalidField(let f): "invalid field \(f)"
        case .unknownMessage(let t): "unknown message \(t)"
        case .rejected(let e): e.description
        }
    }

    public var hftError: HFTError {
        if case .rejected(let e) = self { return e.hftError }
        return .venueRejected(code: "decode", message: description)
    }
}
