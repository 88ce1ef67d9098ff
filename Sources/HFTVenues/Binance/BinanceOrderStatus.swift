/// Order status `X` / `status` (binance.md §8) and execution type `x`. Unknown values are kept
/// as `.other` so a new enum value never costs the message.
public enum BinanceOrderStatus: Sendable, Hashable {
    case new, pendingNew, partiallyFilled, filled, canceled, pendingCancel, rejected, expired, expiredInMatch
    case other(String)

    public init(wire: String) {
        switch wire {
        case "NEW": self = .new
        case "PENDING_NEW": self = .pendingNew
        case "PARTIALLY_FILLED": self = .partiallyFilled
        case "FILLED": self = .filled
        case "CANCELED": self = .canceled
        case "PENDING_CANCEL": self = .pendingCancel
        case "REJECTED": self = .rejected
        case "EXPIRED": self = .expired
        case "EXPIRED_IN_MATCH": self = .expiredInMatch
        default: self = .other(wire)
        }
    }

    public var wire: String {
        switch self {
        case .new: "NEW"
        case .pendingNew: "PENDING_NEW"
        case .partiallyFilled: "PARTIALLY_FILLED"
        case .filled: "FILLED"
        case .canceled: "CANCELED"
        case .pendingCancel: "PENDING_CANCEL"
        case .rejected: "REJECTED"
        case .expired: "EXPIRED"
        case .expiredInMatch: "EXPIRED_IN_MATCH"
        case .other(let s): s
        }
    }
}

/// `executionReport` `x`: what happened in this event.
public enum BinanceExecutionType: Sendable, Hashable {
    case new, canceled, replaced, rejected, trade, expired, tradePrevention
    case other(String)

    public init(wire: String) {
        switch wire {
        case "NEW": self = .new
        case "CANCELED": self = .canceled
        case "REPLACED": self = .replaced
        case "REJECTED": self = .rejected
        case "TRADE": self = .trade
        case "EXPIRED": self = .expired
        case "TRADE_PREVENTION": self = .tradePrevention
        default: self = .other(wire)
        }
    }
}
