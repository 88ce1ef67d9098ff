/// Errors the venue sends (digifinex.md §7): WebSocket `{"code":n,"message":"…"}` objects
/// (codes inferred from the ViaBTC lineage) and REST v3 `code` values.
import HFTCore

public struct DigiFinexError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case invalidArgument, internalError, serviceUnavailable, methodNotFound, serviceTimeout
        case requireAuth, tooQuick
        // REST v3
        case invalidAPIKey, signatureMismatch, rateLimited, badTimestamp, insufficientBalance
        case orderNotFound, wrongSymbol, exception
        case other
    }

    public let code: Int
    public let message: String
    /// True for REST v3 codes (`code` field of a REST reply), false for WebSocket errors.
    public let isREST: Bool

    public init(code: Int, message: String, isREST: Bool = false) {
        self.code = code
        self.message = message
        self.isREST = isREST
    }

    public var kind: Kind {
        if isREST {
            switch code {
            case 10002, 10011: return .invalidAPIKey
            case 10003: return .signatureMismatch
            case 10005: return .rateLimited
            case 10008: return .badTimestamp
            case 20011: return .insufficientBalance
            case 20013: return .orderNotFound
            case 20019: return .wrongSymbol
            case 50000: return .exception
            default: return .other
            }
        }
        switch code {
        case 1: return .invalidArgument
        case 2: return .internalError
        case 3: return .serviceUnavailable
        case 4: return .methodNotFound
        case 5: return .serviceTimeout
        case 6: return .requireAuth
        case 7: return .tooQuick
        default: return .other
        }
    }

    /// The venue's text, or a known meaning when it sent none.
    public var text: String {
        if !message.isEmpty { return message }
        switch kind {
        case .invalidArgument: return "invalid argument"
        case .internalError: return "internal error"
        case .serviceUnavailable: return "service unavailable"
        case .methodNotFound: return "method not found"
        case .serviceTimeout: return "service timeout"
        case .requireAuth: return "require auth"
        case .tooQuick: return "too quick"
        case .invalidAPIKey: return "invalid ApiKey"
        case .signatureMismatch: return "sign doesn't match"
        case .rateLimited: return "request frequency exceeds the limit"
        case .badTimestamp: return "invalid timestamp"
        case .insufficientBalance: return "insufficient balance"
        case .orderNotFound: return "no order info found"
        case .wrongSymbol: return "wrong trading pair symbol"
        case .exception: return "exception"
        case .other: return "error \(code)"
        }
    }

    public var description: String { "DigiFinex \(isREST ? "REST" : "WS") error \(code): \(text)" }

    public var hftError: HFTError {
        switch kind {
        case .tooQuick, .rateLimited: return .rateLimited(retryAfterMicros: nil)
        case .requireAuth, .invalidAPIKey, .signatureMismatch, .badTimestamp: return .authenticationFailed("\(code): \(text)")
        default: return .venueRejected(code: String(code), message: text)
        }
    }
}

/// Why a frame or REST body did not decode; never fatal.
public enum DigiFinexDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedJSON(String)
    case missingField(String)
    case invalidField(String)
    case unknownMethod(String)
    case unknownMessage

    public var description: String {
        switch self {
        case .malformedJSON(let s): "malformed JSON: \(s)"
        case .missingField(let f): "missing field \(f)"
        case .invalidField(let f): "invalid field \(f)"
        case .unknownMethod(let m): "unknown method \(m)"
        case .unknownMessage: "unknown message"
        }
    }

    public var isUnknown: Bool {
        switch self {
        case .unknownMethod, .unknownMessage: true
        default: false
        }
    }
}
