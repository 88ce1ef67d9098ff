/// Market-stream payloads (binance.md §9). Times are HFTCore microseconds; symbols are the
/// API spelling (`BNBBTC`); prices and quantities keep the scale they were sent with.
import HFTCore

/// `depthUpdate`: the levels that changed between update ids `U` and `u` (absolute quantities; 0 removes).
public struct BinanceDepthUpdate: Sendable, Hashable {
    public var eventTime: Timestamp
    public var symbol: String
    /// `U`.
    public var firstUpdateID: Int64
    /// `u`.
    public var finalUpdateID: Int64
    public var bids: [BookLevel]
    public var asks: [BookLevel]

    public init(eventTime: Timestamp, symbol: String, firstUpdateID: Int64, finalUpdateID: Int64, bids: [BookLevel], asks: [BookLevel]) {
        self.eventTime = eventTime
        self.symbol = symbol
        self.firstUpdateID = firstUpdateID
        self.finalUpdateID = finalUpdateID
        self.bids = bids
        self.asks = asks
    }
}

/// `trade`: one fill between two orders.
public struct BinanceTrade: Sendable, Hashable {
    public var eventTime: Timestamp
    public var symbol: String
    public var tradeID: Int64
    public var price: FixedDecimal
    public var quantity: FixedDecimal
    public var tradeTime: Timestamp
    /// `m`: the buyer was the maker, so the taker sold.
    public var buyerIsMaker: Bool

    public init(eventTime: Timestamp, symbol: String, tradeID: Int64, price: FixedDecimal, quantity: FixedDecimal,
                tradeTime: Timestamp, buyerIsMaker: Bool) {
        self.eventTime = eventTime
        self.symbol = symbol
        self.tradeID = tradeID
        self.price = price
        self.quantity = quantity
        self.tradeTime = tradeTime
        self.buyerIsMaker = buyerIsMaker
    }
}

/// `aggTrade`: the fills of one taker order at one price (trade ids `f`…`l`).
public struct BinanceAggTrade: Sendable, Hashable {
    public var eventTime: Timestamp
    public var symbol: String
    public var aggregateTradeID: Int64
    public var price: FixedDecimal
    public var quantity: FixedDecimal
    public var firstTradeID: Int64
    public var lastTradeID: Int64
    public var tradeTime: Timestamp
    public var buyerIsMaker: Bool

    public init(eventTime: Timestamp, symbol: String, aggregateTradeID: Int64, price: FixedDecimal, quantity: FixedDecimal,
                firstTradeID: Int64, lastTradeID: Int64, tradeTime: Timestamp, buyerIsMaker: Bool) {
        self.eventTime = eventTime
        self.symbol = symbol
        self.aggregateTradeID = aggregateTradeID
        self.price = price
        self.quantity = quantity
        self.firstTradeID = firstTradeID
        self.lastTradeID = lastTradeID
        self.tradeTime = tradeTime
        self.buyerIsMaker = buyerIsMaker
    }
}

/// `bookTicker`: real-time best bid/ask; no event time (`u` is the book update id).
public struct BinanceBookTicker: Sendable, Hashable {
    public var updateID: Int64
    public var symbol: String
    public var bidPrice: FixedDecimal
    public var bidQty: FixedDecimal
    public var askPrice: FixedDecimal
    public var askQty: FixedDecimal

    public init(updateID: Int64, symbol: String, bidPrice: FixedDecimal, bidQty: FixedDecimal, askPrice: FixedDecimal, askQty: FixedDecimal) {
        self.updateID = updateID
        self.symbol = symbol
        self.bidPrice = bidPrice
        self.bidQty = bidQty
        self.askPrice = askPrice
        self.askQty = askQty
    }
}

/// A market-stream event.
public enum BinanceMarketEvent: Sendable, Hashable {
    case depthUpdate(BinanceDepthUpdate)
    /// `<s>@depth<N>`: full top-N; the symbol is only in the combined stream's name.
    case partialDepth(BinanceDepthSnapshot)
    case trade(BinanceTrade)
    case aggTrade(BinanceAggTrade)
    case bookTicker(BinanceBookTicker)
}
