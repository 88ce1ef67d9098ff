/// Request identifiers: unique per process, increasing, as the hftpy layer's `request_id`.
public typealias RequestID = Int64

/// Every failure HFTKit reports, as a value with a type.
public enum HFTError: Error, Sendable, Equatable, CustomStringConvertible {
    // Input from the wire.
    case malformedFrame(String)
    case oversizedMessage(size: Int, limit: Int)
    case invalidUTF8
    case decompressionFailed(String)
    case unknownMessage(String)

    // Connection.
    case notConnected
    case connectFailed(String)
    case tls(String)
    case closed(code: UInt16?, reason: String)
    case stalled(seconds: Double)

    // Requests.
    /// No response arrived within the request's timeout; the order (if any) may or may not exist.
    case noAnswer(requestID: RequestID, timeoutMicros: UInt64)
    /// The connection died after the request was written and before its answer was read.
    case outcomeUnknown(requestID: RequestID, reason: String)
    /// The venue refused the request with its own code and text.
    case venueRejected(code: String, message: String)
    /// The venue said to slow down; `retryAfterMicros` when it said for how long.
    case rateLimited(retryAfterMicros: UInt64?)
    case authenticationFailed(String)

    // Caller.
    case invalidArgument(String)
    case configuration(String)
    case unsupported(String)
    case cancelled

    public var description: String {
        switch self {
        case .malformedFrame(let s): "malformed frame: \(s)"
        case .oversizedMessage(let size, let limit): "message of \(size) bytes exceeds the \(limit)-byte limit"
        case .invalidUTF8: "text frame is not valid UTF-8"
        case .decompressionFailed(let s): "decompression failed: \(s)"
        case .unknownMessage(let s): "unknown message: \(s)"
        case .notConnected: "not connected"
        case .connectFailed(let s): "connect failed: \(s)"
        case .tls(let s): "TLS: \(s)"
        case .closed(let code, let reason): "connection closed (\(code.map(String.init) ?? "no code")) \(reason)"
        case .stalled(let s): "no traffic for \(s) s"
        case .noAnswer(let id, let t): "request \(id): no answer within \(t / 1000) ms"
        case .outcomeUnknown(let id, let r): "request \(id): outcome unknown (\(r))"
        case .venueRejected(let code, let message): "venue error \(code): \(message)"
        case .rateLimited(let after): "rate limited" + (after.map { ", retry after \($0 / 1000) ms" } ?? "")
        case .authenticationFailed(let s): "authentication failed: \(s)"
        case .invalidArgument(let s): "invalid argument: \(s)"
        case .configuration(let s): "configuration: \(s)"
        case .unsupported(let s): "unsupported: \(s)"
        case .cancelled: "cancelled"
        }
    }
}
