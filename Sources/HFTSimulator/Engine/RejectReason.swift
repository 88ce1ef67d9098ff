import HFTCore

/// Why the simulator refused a request. Venue-independent; each front-end maps it to its own
/// error text and code (`EOrder:Insufficient funds`, `-2010`, `1100`, …).
public enum RejectReason: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownAccount
    case unknownSymbol(String)
    case unknownOrder
    /// Missing, zero, negative or absurdly large price.
    case invalidPrice
    /// Missing, zero, negative or absurdly large quantity.
    case invalidQuantity
    /// A market order with a price, a limit order with `quoteQuantity`, post-only on a market
    /// order or with IOC/FOK, a perpetual with `quoteQuantity`.
    case invalidOrderCombination(String)
    case priceNotOnTick(tickSize: FixedDecimal)
    case quantityNotOnLot(lotSize: FixedDecimal)
    case quantityBelowMinimum(minQuantity: FixedDecimal)
    case notionalBelowMinimum(minNotional: FixedDecimal)
    case insufficientBalance(asset: String)
    case postOnlyWouldTake
    case duplicateClientOrderID
    case tooManyOpenOrders(limit: Int)
    /// A market order met an empty book.
    case noLiquidity
    case amendPriceChangeNotAllowed
    case amendQuantityIncreaseNotAllowed
    case amendNoChange
    case invalidLeverage
    /// Leverage cannot change while orders or a position are open on the symbol.
    case leverageLocked

    /// A stable snake_case name of the case (for logs, metrics and front-end tables).
    public var code: String {
        switch self {
        case .unknownAccount: "unknown_account"
        case .unknownSymbol: "unknown_symbol"
        case .unknownOrder: "unknown_order"
        case .invalidPrice: "invalid_price"
        case .invalidQuantity: "invalid_quantity"
        case .invalidOrderCombination: "invalid_order_combination"
        case .priceNotOnTick: "price_not_on_tick"
        case .quantityNotOnLot: "quantity_not_on_lot"
        case .quantityBelowMinimum: "quantity_below_minimum"
        case .notionalBelowMinimum: "notional_below_minimum"
        case .insufficientBalance: "insufficient_balance"
        case .postOnlyWouldTake: "post_only_would_take"
        case .duplicateClientOrderID: "duplicate_client_order_id"
        case .tooManyOpenOrders: "too_many_open_orders"
        case .noLiquidity: "no_liquidity"
        case .amendPriceChangeNotAllowed: "amend_price_change_not_allowed"
        case .amendQuantityIncreaseNotAllowed: "amend_quantity_increase_not_allowed"
        case .amendNoChange: "amend_no_change"
        case .invalidLeverage: "invalid_leverage"
        case .leverageLocked: "leverage_locked"
        }
    }

    public var description: String {
        switch self {
        case .unknownAccount: "unknown account"
        case .unknownSymbol(let s): "unknown symbol \(s)"
        case .unknownOrder: "unknown order"
        case .invalidPrice: "invalid price"
        case .invalidQuantity: "invalid quantity"
        case .invalidOrderCombination(let s): "invalid order: \(s)"
        case .priceNotOnTick(let t): "price is not a multiple of the tick size \(t)"
        case .quantityNotOnLot(let l): "quantity is not a multiple of the lot size \(l)"
        case .quantityBelowMinimum(let m): "quantity below the minimum \(m)"
        case .notionalBelowMinimum(let m): "notional below the minimum \(m)"
        case .insufficientBalance(let a): "insufficient \(a) balance"
        case .postOnlyWouldTake: "post-only order would take liquidity"
        case .duplicateClientOrderID: "duplicate client order id"
        case .tooManyOpenOrders(let n): "more than \(n) open orders"
        case .noLiquidity: "no liquidity for a market order"
        case .amendPriceChangeNotAllowed: "amend may not change the price"
        case .amendQuantityIncreaseNotAllowed: "amend may not increase the quantity"
        case .amendNoChange: "amend changes nothing"
        case .invalidLeverage: "invalid leverage"
        case .leverageLocked: "leverage cannot change while orders or a position are open"
        }
    }
}

/// Why an order ended without being completely filled.
public enum OrderEndReason: String, Sendable, Hashable, CaseIterable {
    /// A cancel request (status `.canceled`).
    case canceledByUser
    /// Part of a cancel-all (status `.canceled`).
    case canceledAll
    /// An amendment set the quantity at or below the filled part (status `.canceled`, or
    /// `.filled` when it equals the filled part).
    case amendedBelowFilled
    /// IOC or market remainder (status `.expired`).
    case unfilledImmediateOrCancel
    /// FOK that could not fill completely (status `.expired`).
    case unfilledFillOrKill
    /// Post-only that would take, in `PostOnlyMode.expire` (status `.expired`).
    case postOnlyWouldTake
    /// Self-trade prevention (status `.expired`).
    case selfTradePrevention
    /// Funds ran out while matching (status `.expired`).
    case insufficientBalance
}
