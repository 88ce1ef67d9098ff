import HFTCore

/// One connection's public state on one product: the whole book as streamed (Kraken's mirror,
/// reused), the channels subscribed (each with its `zip` flag) and the ticker figures.
/// Confined to the connection's event loop.
final class BGEMarketState {
    let market: BGEMarket
    let subscription: SubscriptionID
    var mirror: KrakenBookMirror
    /// `orderbook` subscriptions: interval code → (sent as a number?, zip).
    var orderbook: [Int: (numeric: Bool, zip: Bool)] = [:]
    /// `percent10` zip flag (nil: not subscribed) and the level keys of its last push.
    var percent10: Bool?
    var lastPercent10: (bids: [Int64], asks: [Int64]) = ([], [])
    var fills: Bool?
    var ticker: Bool?
    /// `candles` subscriptions: interval name → zip and the current bar.
    var candles: [String: (zip: Bool, bar: BGEBar?)] = [:]
    var candlesDue = false
    var lastTradeID: Int64
    var stats: BGETickerStats
    var pendingTrades: [TradeEvent] = []
    var bookDue = false
    var tickerDue = false

    init(market: BGEMarket, subscription: SubscriptionID, mirror: KrakenBookMirror, lastTradeID: Int64, stats: BGETickerStats) {
        self.market = market
        self.subscription = subscription
        self.mirror = mirror
        self.lastTradeID = lastTradeID
        self.stats = stats
    }

    var isIdle: Bool { orderbook.isEmpty && percent10 == nil && fills == nil && ticker == nil && candles.isEmpty }
}

/// `ticker` figures from the trades since the simulator started (it never runs 24 h), exact.
struct BGETickerStats {
    let priceScale: UInt8
    var open: FixedDecimal?
    var low: FixedDecimal?
    var high: FixedDecimal?
    var last: FixedDecimal?
    var volume: FixedDecimal
    var turnover: FixedDecimal
    var count = 0

    init(market: BGEMarket, recent: [TradeEvent]) {
        priceScale = market.priceScale
        volume = FixedDecimal(mantissa: 0, scale: market.quantityScale)
        turnover = FixedDecimal(mantissa: 0, scale: market.priceScale + market.quantityScale)
        for t in recent { add(t) }
    }

    mutating func add(_ t: TradeEvent) {
        let p = t.trade.price, q = t.trade.quantity
        if open == nil { open = p }
        if low.map({ p < $0 }) ?? true { low = p }
        if high.map({ p > $0 }) ?? true { high = p }
        last = p
        volume += q
        turnover += p * q
        count += 1
    }

    var zero: FixedDecimal { FixedDecimal(mantissa: 0, scale: priceScale) }

    /// close − open, at the price scale.
    var change: FixedDecimal {
        guard let open, let last else { return zero }
        return last - open
    }

    /// Percent change, two decimals, truncated toward zero.
    var changePercent: FixedDecimal {
        guard let open, let last, !open.isZero,
              let o = open.exactlyRescaled(to: priceScale), let l = last.exactlyRescaled(to: priceScale) else {
            return FixedDecimal(mantissa: 0, scale: 2)
        }
        return FixedDecimal(mantissa: (l.mantissa - o.mantissa) * 10_000 / o.mantissa, scale: 2)
    }
}
