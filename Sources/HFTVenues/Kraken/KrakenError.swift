/// Kraken's error strings (WS `error`, REST `error[]`, the bare `{"Error":…}` frame) classified
/// into kinds a client acts on: new token, new nonce, back off, give up on this order, resubscribe.
import HFTCore

public struct KrakenError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// `EAPI:Invalid token`, `ESession:Invalid session`: fetch a new token and resend.
        case invalidToken
        case invalidKey
        case invalidSignature
        /// `EAPI:Invalid nonce`: retry with a larger nonce.
        case invalidNonce
        case permissionDenied
        case temporaryLockout
        /// REST counter or WS message rate (`EAPI:Rate limit exceeded`, `EService:Throttled`, `Exceeded msg rate`).
        case rateLimited
        /// The trading counter (`EOrder:Rate limit exceeded`, `EOrder:Domain rate limit exceeded`).
        case tradingRateLimited
        case insufficientFunds
        /// `EOrder:Unknown order`, `EOrder:Invalid order` (also: already closed).
        case unknownOrder
        /// `EOrder:Post only order`: a post-only order would have taken.
        case postOnlyWouldTake
        case invalidArguments
        /// `EService:Market in cancel_only mode` and friends.
        case marketMode
        case serviceUnavailable
        case pairNotSupported
        case alreadySubscribed
        case subscriptionNotFound
        case other
    }

    /// The text exactly as Kraken sent it.
    public let message: String
    public let kind: Kind

    public init(_ message: String) {
        self.message = message
        self.kind = KrakenError.classify(message)
    }

    public var description: String { message }

    /// `Category:Name` of an `E…` error (`EGeneral:Invalid arguments`), else the kind's name.
    public var code: String {
        guard message.hasPrefix("E") else { return kind.rawValue }
        let parts = message.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return kind.rawValue }
        return parts[0] + ":" + parts[1]
    }

    /// True when the client should fetch a new WebSocket token.
    public var requiresNewToken: Bool { kind == .invalidToken }

    public var hftError: HFTError {
        switch kind {
        case .invalidToken, .invalidKey, .invalidSignature, .invalidNonce, .permissionDenied, .temporaryLockout:
            .authenticationFailed(message)
        case .rateLimited, .tradingRateLimited:
            .rateLimited(retryAfterMicros: nil)
        default:
            .venueRejected(code: code, message: message)
        }
    }

    static func classify(_ m: String) -> Kind {
        let rules: [(String, Kind)] = [
            ("EAPI:Invalid token", .invalidToken), ("ESession:Invalid session", .invalidToken),
            ("EAPI:Invalid key", .invalidKey), ("EAPI:Invalid signature", .invalidSignature),
            ("EAPI:Invalid nonce", .invalidNonce), ("EGeneral:Permission denied", .permissionDenied),
            ("EGeneral:Temporary lockout", .temporaryLockout),
            ("EAPI:Rate limit exceeded", .rateLimited), ("EService:Throttled", .rateLimited),
            ("Exceeded msg rate", .rateLimited),
            ("EOrder:Rate limit exceeded", .tradingRateLimited), ("EOrder:Domain rate limit exceeded", .tradingRateLimited),
            ("EOrder:Insufficient funds", .insufficientFunds),
            ("EOrder:Unknown order", .unknownOrder), ("EOrder:Invalid order", .unknownOrder),
            ("EOrder:Post only order", .postOnlyWouldTake), ("Post only order", .postOnlyWouldTake),
            ("EGeneral:Invalid arguments", .invalidArguments),
            ("EService:Market in", .marketMode),
            ("EService:Unavailable", .serviceUnavailable), ("EService:Busy", .serviceUnavailable),
            ("Currency pair not supported", .pairNotSupported),
            ("Already subscribed", .alreadySubscribed), ("Subscription Not Found", .subscriptionNotFound),
        ]
        for (prefix, kind) in rules where m.hasPrefix(prefix) { return kind }
        return .other
    }
}
