import HFTCore

/// One connection's public state on one pair: the whole book as streamed (Kraken's mirror,
/// reused), its channels, the last trade accounted for and the ticker statistics. Confined to
/// the connection's event loop.
final class LBankMarketState {
    let market: LBankMarket
    let subscription: SubscriptionID
    var mirror: KrakenBookMirror
    /// Levels per side of the `depth` subscription (nil: not subscribed).
    var depthLevels: Int?
    var trade = false
    var tick = false
    var lastTradeID: Int64
    var stats: LBankTickerStats
    /// New trades waiting for their operation's book update.
    var pendingTrades: [TradeEvent] = []
    var depthDue = false
    var tickDue = false

    init(market: LBankMarket, subscription: SubscriptionID, mirror: KrakenBookMirror, lastTradeID: Int64, stats: LBankTickerStats) {
        self.market = market
        self.subscription = subscription
        self.mirror = mirror
        self.lastTradeID = lastTradeID
        self.stats = stats
    }

    var isIdle: Bool { depthLevels == nil && !trade && !tick }
}

/// `tick` figures from the trades since the simulator started (it never runs 24 h), exact.
struct LBankTickerStats {
    let priceScale: UInt8
    var open: FixedDecimal?
    var low: FixedDecimal?
    var high: FixedDecimal?
    var last: FixedDecimal?
    var lastSide: Side?
    var volume: FixedDecimal
    var turnover: FixedDecimal

    init(market: LBankMarket, recent: [TradeEvent]) {
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
        lastSide = t.trade.side
        volume += q
        turnover += p * q
    }

    /// Percent change since the first trade, two decimals, truncated toward zero.
    var change: FixedDecimal {
        guard let open, let last, !open.isZero,
              let o = open.exactlyRescaled(to: priceScale), let l = last.exactlyRescaled(to: priceScale) else {
            return FixedDecimal(mantissa: 0, scale: 2)
        }
        return FixedDecimal(mantissa: (l.mantissa - o.mantissa) * 10_000 / o.mantissa, scale: 2)
    }
}
