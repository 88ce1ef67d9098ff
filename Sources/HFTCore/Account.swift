/// An order as the venue last reported it.
public struct Order: Sendable, Hashable {
    public var venue: Venue
    public var symbol: Symbol
    public var orderID: String
    public var clientOrderID: String?
    public var side: Side
    public var type: OrderType
    public var timeInForce: TimeInForce
    public var postOnly: Bool
    public var price: FixedDecimal?
    public var quantity: FixedDecimal
    public var filledQuantity: FixedDecimal
    public var averagePrice: FixedDecimal?
    public var status: OrderStatus
    public var timestamp: Timestamp

    public init(venue: Venue, symbol: Symbol, orderID: String, clientOrderID: String? = nil, side: Side,
                type: OrderType, timeInForce: TimeInForce = .gtc, postOnly: Bool = false, price: FixedDecimal?,
                quantity: FixedDecimal, filledQuantity: FixedDecimal = .zero, averagePrice: FixedDecimal? = nil,
                status: OrderStatus, timestamp: Timestamp) {
        self.venue = venue
        self.symbol = symbol
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.side = side
        self.type = type
        self.timeInForce = timeInForce
        self.postOnly = postOnly
        self.price = price
        self.quantity = quantity
        self.filledQuantity = filledQuantity
        self.averagePrice = averagePrice
        self.status = status
        self.timestamp = timestamp
    }

    public var remainingQuantity: FixedDecimal { quantity - filledQuantity }
}

/// One execution of one of our orders.
public struct Fill: Sendable, Hashable {
    public var venue: Venue
    public var symbol: Symbol
    public var tradeID: String
    public var orderID: String
    public var clientOrderID: String?
    public var side: Side
    public var price: FixedDecimal
    public var quantity: FixedDecimal
    public var fee: FixedDecimal
    public var feeCurrency: String
    public var liquidity: Liquidity
    public var timestamp: Timestamp

    public init(venue: Venue, symbol: Symbol, tradeID: String, orderID: String, clientOrderID: String? = nil,
                side: Side, price: FixedDecimal, quantity: FixedDecimal, fee: FixedDecimal, feeCurrency: String,
                liquidity: Liquidity, timestamp: Timestamp) {
        self.venue = venue
        self.symbol = symbol
        self.tradeID = tradeID
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.side = side
        self.price = price
        self.quantity = quantity
        self.fee = fee
        self.feeCurrency = feeCurrency
        self.liquidity = liquidity
        self.timestamp = timestamp
    }
}

/// One asset's balance: `total = available + frozen` (frozen = reserved by open orders).
public struct Balance: Sendable, Hashable {
    public var venue: Venue
    public var asset: String
    public var available: FixedDecimal
    public var frozen: FixedDecimal
    public var timestamp: Timestamp

    public init(venue: Venue, asset: String, available: FixedDecimal, frozen: FixedDecimal, timestamp: Timestamp) {
        self.venue = venue
        self.asset = asset
        self.available = available
        self.frozen = frozen
        self.timestamp = timestamp
    }

    public var total: FixedDecimal { available + frozen }
}

/// A derivatives position. `quantity` is signed: positive long, negative short
/// (in contracts; for inverse contracts such as FMex's, contracts are USD).
public struct Position: Sendable, Hashable {
    public var venue: Venue
    public var symbol: Symbol
    public var quantity: FixedDecimal
    public var entryPrice: FixedDecimal?
    public var leverage: FixedDecimal
    public var margin: FixedDecimal
    public var liquidationPrice: FixedDecimal?
    public var bankruptcyPrice: FixedDecimal?
    public var realizedPnL: FixedDecimal
    public var timestamp: Timestamp

    public init(venue: Venue, symbol: Symbol, quantity: FixedDecimal, entryPrice: FixedDecimal?, leverage: FixedDecimal,
                margin: FixedDecimal, liquidationPrice: FixedDecimal? = nil, bankruptcyPrice: FixedDecimal? = nil,
                realizedPnL: FixedDecimal = .zero, timestamp: Timestamp) {
        self.venue = venue
        self.symbol = symbol
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.leverage = leverage
        self.margin = margin
        self.liquidationPrice = liquidationPrice
        self.bankruptcyPrice = bankruptcyPrice
        self.realizedPnL = realizedPnL
        self.timestamp = timestamp
    }
}
