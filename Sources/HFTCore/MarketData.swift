/// Microseconds since the Unix epoch, as venues stamp their messages.
public typealias Timestamp = Int64

/// A public trade.
public struct Trade: Sendable, Hashable {
    public var venue: Venue
    public var symbol: Symbol
    public var id: String
    public var price: FixedDecimal
    public var quantity: FixedDecimal
    /// The taker's side.
    public var side: Side
    public var timestamp: Timestamp

    public init(venue: Venue, symbol: Symbol, id: String, price: FixedDecimal, quantity: FixedDecimal, side: Side, timestamp: Timestamp) {
        self.venue = venue
        self.symbol = symbol
        self.id = id
        self.price = price
        self.quantity = quantity
        self.side = side
        self.timestamp = timestamp
    }
}

/// Best bid/ask and last-trade summary.
public struct Ticker: Sendable, Hashable {
    public var venue: Venue
    public var symbol: Symbol
    public var bid: FixedDecimal?
    public var bidQuantity: FixedDecimal?
    public var ask: FixedDecimal?
    public var askQuantity: FixedDecimal?
    public var last: FixedDecimal?
    public var volume24h: FixedDecimal?
    public var timestamp: Timestamp

    public init(venue: Venue, symbol: Symbol, bid: FixedDecimal? = nil, bidQuantity: FixedDecimal? = nil,
                ask: FixedDecimal? = nil, askQuantity: FixedDecimal? = nil, last: FixedDecimal? = nil,
                volume24h: FixedDecimal? = nil, timestamp: Timestamp) {
        self.venue = venue
        self.symbol = symbol
        self.bid = bid
        self.bidQuantity = bidQuantity
        self.ask = ask
        self.askQuantity = askQuantity
        self.last = last
        self.volume24h = volume24h
        self.timestamp = timestamp
    }
}
