import HFTCore

/// The one-shot kbar `request` (§3, §4):
/// `{"records":[[open (Unix s),o,h,l,c,volume,turnover,count]…],"columns":[…],"count":N,
/// "kbar":slot,"type":"kbar","pair":…,"SERVER":"V2","TS":…}`, rows oldest first. The bars are
/// the push's bars (`LBankKbar`, Beijing-time slots) over the engine's trade history.
extension LBankSession {
    /// Most rows one request returns; a larger `size` is clamped (a guess, README).
    static let kbarRequestMaxRows = 2_000
    /// Trades the bars are built from: all the engine keeps per pair.
    static let kbarHistoryTrades = 1_000

    /// A bar is returned when its open time lies in `start`…`end` (both inclusive, either
    /// optional); `size` bounds the rows. Slots without trades have no row.
    func requestKbar(_ r: LBankRequest, _ market: LBankMarket) {
        guard let slot = r.kbar else { return fail("Missing parameter ['kbar']") }
        guard LBankKbar.isSlot(slot) else { return fail("Invalid kbar '\(slot)'") }
        var from = Timestamp.min, to = Timestamp.max
        if let s = r.start {
            guard let t = LBankTime.parse(s) else { return fail("Invalid start '\(s)'") }
            from = t
        }
        if let s = r.end {
            guard let t = LBankTime.parse(s) else { return fail("Invalid end '\(s)'") }
            to = t
        }
        var size = Self.kbarRequestMaxRows
        if let s = r.size {
            guard let n = Int(s), n > 0 else { return fail("Invalid size '\(s)'") }
            size = min(n, size)
        }
        let trades = context.exchange.recentTrades(market.symbol, limit: Self.kbarHistoryTrades)
        // `start` after `end` is an empty range, not an error (README).
        let inRange = LBankKbar.bars(trades, slot: slot).filter { from <= $0.id * 1_000_000 && $0.id * 1_000_000 <= to }
        let rows = options.kbarRequestKeepsNewest ? Array(inRange.suffix(size)) : Array(inRange.prefix(size))
        let now = context.now()
        respond { j in
            j.object { j in
                j.key("records")
                j.beginArray()
                for bar in rows {
                    j.beginArray()
                    j.int(bar.id)
                    j.number(bar.open)
                    j.number(bar.high)
                    j.number(bar.low)
                    j.number(bar.close)
                    j.number(bar.volume)
                    j.number(bar.turnover)
                    j.int(bar.count)
                    j.endArray()
                }
                j.endArray()
                j.key("columns")
                j.beginArray()
                for c in ["timestamp", "open", "high", "low", "close", "volume", "turnover", "count"] { j.string(c) }
                j.endArray()
                j.field("count", rows.count)
                j.field("kbar", slot)
                j.field("type", "kbar")
                j.field("pair", market.pair)
                Self.writeTrailer(&j, now)
            }
        }
    }
}
