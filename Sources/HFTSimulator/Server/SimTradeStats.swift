import HFTCore

/// Ticker figures from the trades since the simulator started (it never runs 24 h), exact:
/// open, low, high, the last trade, base volume and quote turnover.
struct SimTradeStats {
    let priceScale: UInt8
    var open: FixedDecimal?
    var low: FixedDecimal?
    var high: FixedDecimal?
    var last: FixedDecimal?
    var lastQuantity: FixedDecimal?
    var lastSide: Side?
    /// Base quantity traded.
    var volume: FixedDecimal
    /// Quote value traded (Σ price × quantity).
    var turnover: FixedDecimal
    var count = 0

    init(priceScale: UInt8, quantityScale: UInt8, recent: [TradeEvent]) {
        self.priceScale = priceScale
        volume = FixedDecimal(mantissa: 0, scale: quantityScale)
        turnover = FixedDecimal(mantissa: 0, scale: priceScale + quantityScale)
        for t in recent { add(t) }
    }

    mutating func add(_ t: TradeEvent) {
        let p = t.trade.price, q = t.trade.quantity
        if open == nil { open = p }
        if low.map({ p < $0 }) ?? true { low = p }
        if high.map({ p > $0 }) ?? true { high = p }
        last = p
        lastQuantity = q
        lastSide = t.trade.side
        volume += q
        turnover += p * q
        count += 1
    }

    /// Zero at the price scale.
    var zeroPrice: FixedDecimal { FixedDecimal(mantissa: 0, scale: priceScale) }

    /// last − open, at the price scale.
    var priceChange: FixedDecimal {
        guard let open, let last else { return zeroPrice }
        return last - open
    }

    /// Percent change since the first trade, two decimals, truncated toward zero.
    var changePercent: FixedDecimal {
        guard let open, let last, !open.isZero,
              let o = open.exactlyRescaled(to: priceScale), let l = last.exactlyRescaled(to: priceScale) else {
            return FixedDecimal(mantissa: 0, scale: 2)
        }
        return FixedDecimal(mantissa: (l.mantissa - o.mantissa) * 10_000 / o.mantissa, scale: 2)
    }
}
