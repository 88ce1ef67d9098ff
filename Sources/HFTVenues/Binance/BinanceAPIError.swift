/// A WS API (or REST) error `{"code":int,"msg":string,"data"?:object}` (binance.md §4, §5, §7),
/// classified into what a client acts on, and mapped to `HFTError`:
/// 429/418 → `rateLimited` (wait from `data.retryAfter`), auth failures → `authenticationFailed`,
/// 5xx / -1007 → `outcomeUnknown` (query the order before retrying), the rest → `venueRejected`.
import HFTCore

public struct BinanceAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// 429, -1003 (request weight), -1015 (unfilled order count).
        case rateLimited
        /// 418: IP banned for ignoring 429s.
        case banned
        /// -1002, -1022, -2014, -2015, 401.
        case authentication
        /// -1021: outside recvWindow or ahead of the server; re-sync the clock.
        case invalidTimestamp
        /// -1007 or 5xx: execution status unknown.
        case unknownOutcome
        /// -2010 "Order would immediately match and take." (LIMIT_MAKER).
        case postOnlyWouldTake
        case insufficientBalance
        case duplicateOrder
        case marketClosed
        /// Other -2010 texts.
        case orderRejected
        /// -1013 "Filter failure: …".
        case filterFailure
        /// -2011 "Unknown order sent.", -2013 "Order does not exist."
        case unknownOrder
        /// -2011 with cancel restrictions.
        case cancelRejected
        /// Amend refused (quantity increase, no change).
        case amendRejected
        /// -2021: one leg of order.cancelReplace failed (409).
        case cancelReplacePartial
        /// -2022: order.cancelReplace failed.
        case cancelReplaceFailed
        /// -2035 / -2036 / -2042: user-data subscription state.
        case subscription
        /// -11xx: bad JSON, missing or malformed parameters.
        case invalidRequest
        /// 403: the WAF blocked the request.
        case forbidden
        case other
    }

    public let code: Int
    public let message: String
    /// `data.retryAfter`: when requests may resume (epoch, connection time unit).
    public let retryAfter: Int64?
    /// `data.serverTime`, when sent beside `retryAfter`.
    public let serverTime: Int64?
    /// `data` of a failed `order.cancelReplace`.
    public let cancelReplace: BinanceCancelReplaceResult?

    public init(code: Int, message: String, retryAfter: Int64? = nil, serverTime: Int64? = nil,
                cancelReplace: BinanceCancelReplaceResult? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.serverTime = serverTime
        self.cancelReplace = cancelReplace
    }

    public var description: String { "\(code) \(message)" }

    /// The kind, using the HTTP-like `status` where it decides (429, 418, 401, 403, 5xx).
    public func kind(status: Int? = nil) -> Kind {
        switch status {
        case 429?: return .rateLimited
        case 418?: return .banned
        case 401?: return .authentication
        case 403?: return .forbidden
        case let s? where s >= 500: return .unknownOutcome
        default: break
        }
        switch code {
        case -1003, -1015: return .rateLimited
        case -1002, -1022, -2014, -2015: return .authentication
        case -1021: return .invalidTimestamp
        case -1007: return .unknownOutcome
        case -1013: return .filterFailure
        case -2010:
            if message.hasPrefix("Order would immediately match") { return .postOnlyWouldTake }
            if message.hasPrefix("Account has insufficient balance") { return .insufficientBalance }
            if message.hasPrefix("Duplicate order") { return .duplicateOrder }
            if message.hasPrefix("Market is closed") { return .marketClosed }
            return .orderRejected
        case -2011:
            return message.contains("cancel restrictions") ? .cancelRejected : .unknownOrder
        case -2013: return .unknownOrder
        case -2021: return .cancelReplacePartial
        case -2022: return .cancelReplaceFailed
        case -2035, -2036, -2042: return .subscription
        case -1199 ... -1100: return .invalidRequest
        default:
            if message.hasPrefix("Order amend") || message.hasPrefix("The requested action would change no state") {
                return .amendRejected
            }
            return .other
        }
    }

    /// How long to wait, in µs, from `data.retryAfter` (against `data.serverTime` when sent,
    /// else the local clock `nowMicros`); nil when the error names no time.
    public func retryAfterMicros(timeUnit: BinanceTimeUnit = .milliseconds, nowMicros: Timestamp = WallClock.microseconds()) -> UInt64? {
        guard let retryAfter else { return nil }
        let now = serverTime.map(timeUnit.micros) ?? nowMicros
        return UInt64(max(0, timeUnit.micros(retryAfter) - now))
    }

    /// The typed error. `requestID` is the failed request's id (for `outcomeUnknown`).
    public func hftError(status: Int? = nil, requestID: RequestID? = nil, timeUnit: BinanceTimeUnit = .milliseconds,
                         nowMicros: Timestamp = WallClock.microseconds()) -> HFTError {
        switch kind(status: status) {
        case .rateLimited, .banned:
            return .rateLimited(retryAfterMicros: retryAfterMicros(timeUnit: timeUnit, nowMicros: nowMicros))
        case .authentication, .invalidTimestamp:
            return .authenticationFailed(description)
        case .unknownOutcome:
            if let requestID { return .outcomeUnknown(requestID: requestID, reason: description) }
            return .venueRejected(code: String(code), message: message)
        default:
            return .venueRejected(code: String(code), message: message)
        }
    }
}
