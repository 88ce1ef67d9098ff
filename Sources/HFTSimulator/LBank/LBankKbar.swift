import HFTCore

/// `kbar` slots (§3) and their bar boundaries. Bars are aligned in Beijing time (the `t`
/// strings are UTC+8): a `day` opens at 00:00 +08, a `week` on Monday, `month`/`year` on the
/// calendar. The bar is the engine's `TradeBar` (`id` = open time, UTC seconds).
enum LBankKbar {
    static let fixedSeconds: [String: Int64] = [
        "1min": 60, "5min": 300, "15min": 900, "30min": 1_800, "1hr": 3_600, "4hr": 14_400,
        "day": 86_400, "week": 604_800,
    ]

    static func isSlot(_ s: String) -> Bool { fixedSeconds[s] != nil || s == "month" || s == "year" }

    /// The open time (UTC seconds) of the `slot` bar holding `micros`.
    static func open(_ micros: Timestamp, slot: String) -> Int64 {
        let offset = LBankTime.offsetMicros / 1_000_000
        let local = floorDiv(micros, 1_000_000) + offset
        if let interval = fixedSeconds[slot] {
            return TradeBar.openTime(floorDiv(micros, 1_000_000), interval: interval, utcOffset: offset)
        }
        let (y, m, _) = KrakenTime.civil(days: floorDiv(local, 86_400))
        return days(year: y, month: slot == "year" ? 1 : m) * 86_400 - offset
    }

    /// The `slot` bars of `trades` (taken in trade order), oldest first. Only slots with a trade
    /// have a bar: an empty slot is never invented.
    static func bars(_ trades: [TradeEvent], slot: String) -> [TradeBar] {
        var byOpen: [Int64: TradeBar] = [:]
        for t in trades {
            let id = open(t.trade.timestamp, slot: slot)
            if byOpen[id] == nil { byOpen[id] = TradeBar(id: id, t) } else { byOpen[id]!.add(t) }
        }
        return byOpen.keys.sorted().map { byOpen[$0]! }
    }

    /// Days since 1970-01-01 of the first of `month` (H. Hinnant's days_from_civil).
    static func days(year: Int64, month: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
}

/// One subscribed slot of a pair: its current bar (nil before the slot's first trade) and
/// whether it changed since the last push.
struct LBankKbarSlot {
    var bar: TradeBar?
    var due = false
}
