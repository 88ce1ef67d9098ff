import HFTCore

/// The trade-derived half of a `ticker` message (§5.3): last, volume, VWAP, low, high and change
/// since the first trade known to the connection (the simulator's stand-in for Kraken's 24 h
/// window). Integers at the pair's scales.
struct KrakenTickerStats {
    let priceScale: UInt8
    let quantityScale: UInt8
    private(set) var last: Int64?
    private(set) var open: Int64?
    private(set) var low: Int64?
    private(set) var high: Int64?
    /// Lots traded since the exchange started (seeded from the exchange's ticker).
    private(set) var volume: Int128
    private var vwapQuantity: Int128 = 0
    private var vwapNotional: Int128 = 0

    init(pair: KrakenPair, recent: [TradeEvent], volume: FixedDecimal?) {
        priceScale = pair.priceScale
        quantityScale = pair.quantityScale
        self.volume = volume.map { $0.rescaled(to: pair.quantityScale).mantissa } ?? 0
        for t in recent { record(t, countVolume: false) }
    }

    mutating func add(_ t: TradeEvent) { record(t, countVolume: true) }

    private mutating func record(_ t: TradeEvent, countVolume: Bool) {
        let p = Int64(t.trade.price.rescaled(to: priceScale).mantissa)
        let q = t.trade.quantity.rescaled(to: quantityScale).mantissa
        if open == nil { open = p }
        last = p
        low = min(low ?? p, p)
        high = max(high ?? p, p)
        vwapQuantity += q
        vwapNotional += Int128(p) * q
        if countVolume { volume += q }
    }

    func price(_ ticks: Int64?) -> FixedDecimal { FixedDecimal(mantissa: Int128(ticks ?? 0), scale: priceScale) }

    var volumeDecimal: FixedDecimal { FixedDecimal(mantissa: volume, scale: quantityScale) }

    /// Volume-weighted average price with up to four more digits than the price.
    var vwap: FixedDecimal {
        guard vwapQuantity > 0 else { return price(nil) }
        let notional = FixedDecimal(mantissa: vwapNotional, scale: priceScale + quantityScale)
        let v = notional.divided(by: FixedDecimal(mantissa: vwapQuantity, scale: quantityScale), scale: priceScale + 4,
                                 rounding: .toNearestOrAwayFromZero) ?? price(nil)
        return KrakenNumbers.trimmed(v, minScale: priceScale)
    }

    var change: FixedDecimal { price((last ?? 0) - (open ?? 0)) }

    /// Change in percent, two decimals.
    var changePercent: FixedDecimal {
        guard let open, open != 0, let last else { return FixedDecimal(mantissa: 0, scale: 2) }
        return FixedDecimal(mantissa: Int128(last - open) * 100, scale: 0)
            .divided(by: FixedDecimal(mantissa: Int128(open), scale: 0), scale: 2, rounding: .toNearestOrAwayFromZero)
            ?? FixedDecimal(mantissa: 0, scale: 2)
    }
}

enum KrakenNumbers {
    /// `d` without trailing fraction zeros, but keeping at least `minScale` fraction digits.
    static func trimmed(_ d: FixedDecimal, minScale: UInt8) -> FixedDecimal {
        let n = d.normalized
        return n.scale >= minScale ? n : n.rescaled(to: minScale)
    }
}
