public enum Side: String, Sendable, Hashable, Codable, CaseIterable {
    case buy, sell
    public var opposite: Side { self == .buy ? .sell : .buy }
}

public enum OrderType: String, Sendable, Hashable, Codable, CaseIterable {
    case limit, market
}

public enum TimeInForce: String, Sendable, Hashable, Codable, CaseIterable {
    /// Good till cancelled.
    case gtc
    /// Immediate or cancel.
    case ioc
    /// Fill or kill.
    case fok
}

public enum OrderStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sent, not yet acknowledged.
    case pending
    case open
    case partiallyFilled = "partially_filled"
    case filled
    case canceled
    case rejected
    case expired
    /// The acknowledgement was lost; reconcile with the venue before trusting it.
    case unknown

    public var isFinal: Bool {
        switch self {
        case .filled, .canceled, .rejected, .expired: true
        default: false
        }
    }
}

/// Whether a fill added liquidity (maker) or took it (taker).
public enum Liquidity: String, Sendable, Hashable, Codable {
    case maker, taker
}
