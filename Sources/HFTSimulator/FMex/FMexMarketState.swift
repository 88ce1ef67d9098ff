import HFTCore

/// A price level in integer ticks and lots.
struct FMexLevel: Sendable, Equatable {
    var price: Int64
    var qty: Int64
}

/// A `depth-delta` subscription's last sent window and `seq` (§5: deltas chain by `pre_seq`).
struct FMexDeltaState {
    var bids: [FMexLevel]
    var asks: [FMexLevel]
    var seq: Int64
}

/// One connection's public state on one perpetual: the whole book as streamed (Kraken's
/// mirror, reused), the topics subscribed and the ticker figures. Confined to the
/// connection's event loop.
final class FMexMarketState {
    let market: FMexMarket
    let subscription: SubscriptionID
    var mirror: KrakenBookMirror
    var ticker = false
    var trade = false
    /// `depth.L20` / `depth.L150` subscriptions (level counts) and the window last pushed.
    var depth: [Int: FMexDeltaState] = [:]
    /// Best bid and ask (price, qty) of the last `ticker` push.
    var tickerTop: [Int64] = []
    /// `depth-delta.L20` / `.L150` subscriptions.
    var deltas: [Int: FMexDeltaState] = [:]
    /// `candle.$res` subscriptions and their current bar.
    var candles: [String: FMexBar?] = [:]
    var lastTradeID: Int64
    var stats: FMexTickerStats
    var pendingTrades: [TradeEvent] = []
    var bookDue = false
    var tickerDue = false
    var candlesDue = false

    init(market: FMexMarket, feed: SimMarketFeed) {
        self.market = market
        subscription = feed.subscription
        mirror = feed.mirror
        lastTradeID = feed.lastTradeID
        stats = FMexTickerStats(market: market, recent: feed.recentTrades)
    }

    var isIdle: Bool { !ticker && !trade && depth.isEmpty && deltas.isEmpty && candles.isEmpty }

    /// The best `n` levels of a side, best first.
    func top(_ side: Side, _ n: Int) -> [FMexLevel] {
        var out: [FMexLevel] = []
        for l in mirror.levels(side).reversed() {
            if out.count == n { break }
            out.append(FMexLevel(price: KrakenBookMirror.price(side, key: l.key), qty: l.qty))
        }
        return out
    }
}

/// Ticker figures from the trades since the simulator started (it never runs 24 h), exact:
/// the shared trade figures (`volume` in contracts) and the traded value.
@dynamicMemberLookup
struct FMexTickerStats {
    let market: FMexMarket
    private(set) var trades: SimTradeStats
    /// Settlement asset (BTC): Σ contracts × contract value / price.
    private(set) var value: FixedDecimal

    static let valueScale: UInt8 = 12

    init(market: FMexMarket, recent: [TradeEvent]) {
        self.market = market
        trades = SimTradeStats(priceScale: market.spec.priceScale, quantityScale: market.spec.quantityScale, recent: [])
        value = FixedDecimal(mantissa: 0, scale: Self.valueScale)
        for t in recent { add(t) }
    }

    subscript<T>(dynamicMember figure: KeyPath<SimTradeStats, T>) -> T { trades[keyPath: figure] }

    mutating func add(_ t: TradeEvent) {
        trades.add(t)
        value += Self.value(t.trade.quantity, t.trade.price, market)
    }

    /// `q × contractValue / p` in the settlement asset, rounded down at 12 decimals.
    static func value(_ q: FixedDecimal, _ p: FixedDecimal, _ m: FMexMarket) -> FixedDecimal {
        (q * m.terms.contractValue).divided(by: p, scale: valueScale, rounding: .down) ?? FixedDecimal(mantissa: 0, scale: valueScale)
    }
}

/// One `candle` bar (§5): `id` = open time in seconds; `base_vol` contracts, `quote_vol` BTC.
struct FMexBar: Sendable {
    let id: Int64
    var open: FixedDecimal
    var close: FixedDecimal
    var high: FixedDecimal
    var low: FixedDecimal
    var count: Int
    var baseVolume: FixedDecimal
    var quoteVolume: FixedDecimal

    init(id: Int64, _ t: TradeEvent, _ m: FMexMarket) {
        self.id = id
        let p = t.trade.price
        open = p
        close = p
        high = p
        low = p
        count = 1
        baseVolume = t.trade.quantity
        quoteVolume = FMexTickerStats.value(t.trade.quantity, p, m)
    }

    mutating func add(_ t: TradeEvent, _ m: FMexMarket) {
        let p = t.trade.price
        close = p
        if p > high { high = p }
        if p < low { low = p }
        count += 1
        baseVolume += t.trade.quantity
        quoteVolume += FMexTickerStats.value(t.trade.quantity, p, m)
    }

    /// `{"id","seq","open","close","high","low","count","base_vol","quote_vol"}` (no `type`).
    func writeFields(_ j: inout KrakenJSON, seq: Int64) {
        j.field("id", id)
        j.field("seq", seq)
        j.field("open", number: open)
        j.field("close", number: close)
        j.field("high", number: high)
        j.field("low", number: low)
        j.field("count", count)
        j.field("base_vol", number: baseVolume)
        j.field("quote_vol", number: quoteVolume)
    }

    /// Resolutions (§5, case-sensitive) → seconds; `MN` is a 30-day bucket (README).
    static let seconds: [String: Int64] = [
        "M1": 60, "M3": 180, "M5": 300, "M15": 900, "M30": 1_800, "H1": 3_600, "H4": 14_400, "H6": 21_600,
        "D1": 86_400, "W1": 604_800, "MN": 2_592_000,
    ]

    static func bucket(_ micros: Timestamp, _ seconds: Int64) -> Int64 {
        let s = micros / 1_000_000
        return s - ((s % seconds) + seconds) % seconds
    }

    /// Bars of `trades` (oldest first), oldest bar first.
    static func bars(_ trades: [TradeEvent], _ seconds: Int64, _ m: FMexMarket) -> [FMexBar] {
        var out: [FMexBar] = []
        for t in trades {
            let id = bucket(t.trade.timestamp, seconds)
            if let last = out.last, last.id == id { out[out.count - 1].add(t, m) } else { out.append(FMexBar(id: id, t, m)) }
        }
        return out
    }
}
