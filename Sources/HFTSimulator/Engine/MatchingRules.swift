/// What happens to a post-only order that would take liquidity.
public enum PostOnlyMode: String, Sendable, Hashable, CaseIterable {
    /// Refused before it exists, no order events: Binance `LIMIT_MAKER` (`-2010 Order would
    /// immediately match and take.`), Kraken `add_order` (`EOrder:Post only order`).
    case reject
    /// Accepted, then expired at once with reason `.postOnlyWouldTake` (Binance futures `GTX`,
    /// Kraken's executions `canceled` with reason "Post only order").
    case expire
}

/// Self-trade prevention, applied when a taker meets a resting order of the same account.
/// The taker's mode decides, as on Binance (`selfTradePreventionMode`) and Kraken (`stp_type`).
public enum SelfTradePrevention: String, Sendable, Hashable, CaseIterable {
    /// Trade with yourself (fees charged both ways).
    case none
    /// Expire the incoming order's remainder (Binance `EXPIRE_TAKER`, Kraken `cancel_newest`).
    case cancelTaker
    /// Expire the resting order and go on matching (Binance `EXPIRE_MAKER`, Kraken `cancel_oldest`).
    case cancelMaker
    /// Expire both (Binance `EXPIRE_BOTH`, Kraken `cancel_both`).
    case cancelBoth
}

/// Which amendments a venue allows. Whatever is allowed, a pure quantity decrease keeps queue
/// priority; a price change or a quantity increase moves the order to the back of its level.
public struct AmendPolicy: Sendable, Hashable {
    public var allowPriceChange: Bool
    public var allowQuantityIncrease: Bool

    public init(allowPriceChange: Bool, allowQuantityIncrease: Bool) {
        self.allowPriceChange = allowPriceChange
        self.allowQuantityIncrease = allowQuantityIncrease
    }

    /// Kraken `amend_order`: price and quantity, priority kept on a quantity decrease.
    public static let kraken = AmendPolicy(allowPriceChange: true, allowQuantityIncrease: true)
    /// Binance `order.amend.keepPriority`: quantity decrease only (other changes go through
    /// cancel-replace, which the front-end does as cancel + place).
    public static let decreaseOnly = AmendPolicy(allowPriceChange: false, allowQuantityIncrease: false)
}

/// The matching rules of one venue.
public struct MatchingRules: Sendable, Hashable {
    public var postOnly: PostOnlyMode
    public var amend: AmendPolicy
    /// Used when an order does not name its own mode.
    public var defaultSelfTradePrevention: SelfTradePrevention
    /// Open orders an account may have per symbol (0 = unlimited).
    public var maxOpenOrdersPerSymbol: Int

    public init(postOnly: PostOnlyMode = .reject, amend: AmendPolicy = .kraken,
                defaultSelfTradePrevention: SelfTradePrevention = .none, maxOpenOrdersPerSymbol: Int = 0) {
        self.postOnly = postOnly
        self.amend = amend
        self.defaultSelfTradePrevention = defaultSelfTradePrevention
        self.maxOpenOrdersPerSymbol = maxOpenOrdersPerSymbol
    }
}
