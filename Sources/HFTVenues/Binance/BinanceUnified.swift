/// Binance public and balance payloads as unified HFTCore values: `Trade`, `Ticker`, `Balance`,
/// and the order status / type / time-in-force vocabulary.
import HFTCore

extension BinanceTrade {
    /// `m` (buyer is maker) ⇒ the taker sold. Timestamp: the trade time `T`.
    public func unified(symbols: BinanceSymbolMap) throws(HFTError) -> Trade {
        Trade(venue: .binance, symbol: try BinanceUnifiedSupport.symbol(symbol, symbols), id: String(tradeID),
              price: price, quantity: quantity, side: buyerIsMaker ? .sell : .buy, timestamp: tradeTime)
    }
}

extension BinanceAggTrade {
    /// The aggregate id `a` is the trade id.
    public func unified(symbols: BinanceSymbolMap) throws(HFTError) -> Trade {
        Trade(venue: .binance, symbol: try BinanceUnifiedSupport.symbol(symbol, symbols), id: String(aggregateTradeID),
              price: price, quantity: quantity, side: buyerIsMaker ? .sell : .buy, timestamp: tradeTime)
    }
}

extension BinanceBookTicker {
    /// `bookTicker` has no time: `receivedAt` stands in.
    public func unified(symbols: BinanceSymbolMap, receivedAt: Timestamp = WallClock.microseconds()) throws(HFTError) -> Ticker {
        Ticker(venue: .binance, symbol: try BinanceUnifiedSupport.symbol(symbol, symbols), bid: bidPrice, bidQuantity: bidQty,
               ask: askPrice, askQuantity: askQty, timestamp: receivedAt)
    }
}

extension BinanceAccountPosition {
    /// One `Balance` per changed asset: available = free `f`, frozen = locked `l`.
    public func unified() -> [Balance] {
        balances.map { Balance(venue: .binance, asset: $0.asset, available: $0.free, frozen: $0.locked, timestamp: eventTime) }
    }
}

extension BinanceOrderStatus {
    /// NEW → open, PENDING_NEW → pending, PARTIALLY_FILLED → partiallyFilled, FILLED → filled,
    /// CANCELED → canceled, PENDING_CANCEL → open (still working), REJECTED → rejected,
    /// EXPIRED and EXPIRED_IN_MATCH (STP) → expired, anything else → unknown.
    public var unified: OrderStatus {
        switch self {
        case .new: .open
        case .pendingNew: .pending
        case .partiallyFilled: .partiallyFilled
        case .filled: .filled
        case .canceled: .canceled
        case .pendingCancel: .open
        case .rejected: .rejected
        case .expired, .expiredInMatch: .expired
        case .other: .unknown
        }
    }
}

enum BinanceUnifiedSupport {
    static func symbol(_ native: String, _ symbols: BinanceSymbolMap) throws(HFTError) -> Symbol {
        guard let s = symbols.unified(native) else { throw .malformedFrame("Binance: cannot split symbol '\(native)'") }
        return s
    }

    /// MARKET, STOP_LOSS and TAKE_PROFIT execute as market orders; the rest are limit orders.
    /// LIMIT_MAKER is post-only.
    static func orderType(_ wire: String) -> (OrderType, postOnly: Bool) {
        switch wire {
        case "MARKET", "STOP_LOSS", "TAKE_PROFIT": (.market, false)
        case "LIMIT_MAKER": (.limit, true)
        default: (.limit, false)
        }
    }

    static func timeInForce(_ wire: String?) -> TimeInForce {
        switch wire {
        case "IOC": .ioc
        case "FOK": .fok
        default: .gtc
        }
    }

    /// `cumulativeQuote / cumulativeQty` at the finer of the two scales (nil before a fill).
    static func averagePrice(quote: FixedDecimal?, qty: FixedDecimal, priceScale: UInt8) -> FixedDecimal? {
        guard let quote, qty > .zero else { return nil }
        return quote.divided(by: qty, scale: max(priceScale, quote.scale))
    }
}
