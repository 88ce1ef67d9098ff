import HFTCore

/// A bar accumulated from trades — open, high, low, close, base volume, quote turnover and
/// count, all exact; `id` is the open time in UTC seconds. The venues' candle fronts (BGE
/// `candles`, LBank `kbar`) write it in their own shapes.
struct TradeBar {
    let id: Int64
    var open: FixedDecimal
    var close: FixedDecimal
    var high: FixedDecimal
    var low: FixedDecimal
    var volume: FixedDecimal
    var turnover: FixedDecimal
    var count: Int

    init(id: Int64, _ t: TradeEvent) {
        self.id = id
        let p = t.trade.price, q = t.trade.quantity
        open = p
        close = p
        high = p
        low = p
        volume = q
        turnover = p * q
        count = 1
    }

    mutating func add(_ t: TradeEvent) {
        let p = t.trade.price, q = t.trade.quantity
        close = p
        if p > high { high = p }
        if p < low { low = p }
        volume += q
        turnover += p * q
        count += 1
    }

    /// The open time (UTC seconds) of the `interval`-second bar holding `seconds`, bars aligned
    /// on the local clock `utcOffset` seconds ahead of UTC; weeks open on Monday.
    static func openTime(_ seconds: Int64, interval: Int64, utcOffset: Int64 = 0) -> Int64 {
        // 1970-01-01 was a Thursday: weeks are counted from Monday 1969-12-29.
        let shift: Int64 = interval == 604_800 ? 4 * 86_400 : 0
        let x = seconds + utcOffset - shift
        return (x >= 0 ? x / interval : (x - interval + 1) / interval) * interval + shift - utcOffset
    }
}
