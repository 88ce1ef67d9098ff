import HFTCore

/// A simulator account (index into the exchange's account table).
public struct AccountID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (a: AccountID, b: AccountID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "account#\(rawValue)" }
}

/// One price level's new total on one side (zero = the level is gone).
public struct LevelChange: Sendable, Hashable {
    public var side: Side
    public var price: FixedDecimal
    public var quantity: FixedDecimal

    public init(side: Side, price: FixedDecimal, quantity: FixedDecimal) {
        self.side = side
        self.price = price
        self.quantity = quantity
    }
}

/// The book changes one operation made, coalesced per level, in the order levels were first
/// touched. Every level change consumes one sequence number of the symbol, so
/// `lastSequence - firstSequence + 1 == changes.count` and the next update starts at
/// `lastSequence + 1` (Binance `U`/`u`; FMex `seq`/`pre_seq` = `lastSequence`/`firstSequence - 1`).
public struct SimBookUpdate: Sendable, Hashable {
    public var symbol: Symbol
    public var changes: [LevelChange]
    public var firstSequence: Int64
    public var lastSequence: Int64
    public var timestamp: Timestamp

    public init(symbol: Symbol, changes: [LevelChange], firstSequence: Int64, lastSequence: Int64, timestamp: Timestamp) {
        self.symbol = symbol
        self.changes = changes
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.timestamp = timestamp
    }
}

/// A public trade with the ids front-ends need.
public struct TradeEvent: Sendable, Hashable {
    /// Venue, symbol, id (decimal text of `tradeID`), price, quantity, taker side, time.
    public var trade: Trade
    /// Per-symbol trade counter starting at 1.
    public var tradeID: Int64
    public var buyOrderID: SimOrderID
    public var sellOrderID: SimOrderID
    public var takerOrderType: OrderType

    public init(trade: Trade, tradeID: Int64, buyOrderID: SimOrderID, sellOrderID: SimOrderID, takerOrderType: OrderType) {
        self.trade = trade
        self.tradeID = tradeID
        self.buyOrderID = buyOrderID
        self.sellOrderID = sellOrderID
        self.takerOrderType = takerOrderType
    }
}

/// An order as the simulator holds it: the unified `Order` plus what venues report beside it.
public struct SimOrder: Sendable, Hashable {
    public var id: SimOrderID
    public var account: AccountID
    /// The unified view; `orderID` is the decimal text of `id`.
    public var order: Order
    /// Sum of the quote amounts moved by fills (spot), or of the settlement-asset values (inverse perpetuals).
    public var cumulativeQuote: FixedDecimal
    /// Fees charged so far, summed per asset.
    public var fees: [FeeAmount]
    public var selfTradePrevention: SelfTradePrevention
    public var createdAt: Timestamp
    /// Why it ended without filling completely, once it has.
    public var endReason: OrderEndReason?

    public init(id: SimOrderID, account: AccountID, order: Order, cumulativeQuote: FixedDecimal, fees: [FeeAmount],
                selfTradePrevention: SelfTradePrevention, createdAt: Timestamp, endReason: OrderEndReason? = nil) {
        self.id = id
        self.account = account
        self.order = order
        self.cumulativeQuote = cumulativeQuote
        self.fees = fees
        self.selfTradePrevention = selfTradePrevention
        self.createdAt = createdAt
        self.endReason = endReason
    }
}

public struct FeeAmount: Sendable, Hashable {
    public var asset: String
    public var amount: FixedDecimal

    public init(asset: String, amount: FixedDecimal) {
        self.asset = asset
        self.amount = amount
    }
}

public enum OrderEventKind: String, Sendable, Hashable, CaseIterable {
    case new, partiallyFilled, filled, canceled, expired, amended, rejected
}

/// A private order update. `order` is the state after the event.
public struct SimOrderEvent: Sendable, Hashable {
    public var kind: OrderEventKind
    public var order: SimOrder
    /// Set when `kind == .rejected`.
    public var rejectReason: RejectReason?
    public var account: AccountID { order.account }

    public init(kind: OrderEventKind, order: SimOrder, rejectReason: RejectReason? = nil) {
        self.kind = kind
        self.order = order
        self.rejectReason = rejectReason
    }
}

/// One execution of one order (each trade yields one fill per side).
public struct FillEvent: Sendable, Hashable {
    public var account: AccountID
    public var orderID: SimOrderID
    public var tradeID: Int64
    /// Venue, symbol, trade id, order id, client id, side, price, quantity, fee, fee asset, maker/taker, time.
    public var fill: Fill
    /// The quote amount moved (spot) or the settlement-asset value (inverse perpetuals).
    public var quoteQuantity: FixedDecimal

    public init(account: AccountID, orderID: SimOrderID, tradeID: Int64, fill: Fill, quoteQuantity: FixedDecimal) {
        self.account = account
        self.orderID = orderID
        self.tradeID = tradeID
        self.fill = fill
        self.quoteQuantity = quoteQuantity
    }
}

public struct BalanceEvent: Sendable, Hashable {
    public var account: AccountID
    public var balance: Balance

    public init(account: AccountID, balance: Balance) {
        self.account = account
        self.balance = balance
    }
}

public struct PositionEvent: Sendable, Hashable {
    public var account: AccountID
    public var position: Position

    public init(account: AccountID, position: Position) {
        self.account = account
        self.position = position
    }
}

/// Everything an exchange publishes, in the order it happened.
public enum SimEvent: Sendable, Hashable {
    case book(SimBookUpdate)
    case trade(TradeEvent)
    case order(SimOrderEvent)
    case fill(FillEvent)
    case balance(BalanceEvent)
    case position(PositionEvent)

    /// The account a private event belongs to; nil for public market data.
    public var account: AccountID? {
        switch self {
        case .book, .trade: nil
        case .order(let e): e.account
        case .fill(let e): e.account
        case .balance(let e): e.account
        case .position(let e): e.account
        }
    }

    /// The symbol the event concerns; nil for balances.
    public var symbol: Symbol? {
        switch self {
        case .book(let e): e.symbol
        case .trade(let e): e.trade.symbol
        case .order(let e): e.order.order.symbol
        case .fill(let e): e.fill.symbol
        case .balance: nil
        case .position(let e): e.position.symbol
        }
    }
}
