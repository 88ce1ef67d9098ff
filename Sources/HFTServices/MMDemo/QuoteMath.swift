import HFTCore

/// Price arithmetic for quoting: basis points and tick rounding, exact.
enum QuoteMath {
    static let bpsDenominator = FixedDecimal(10_000)

    /// `price × (1 + bps/10000)`, at the price's scale plus four digits.
    static func shift(_ price: FixedDecimal, bps: FixedDecimal) -> FixedDecimal {
        let factor = (bpsDenominator + bps).divided(by: bpsDenominator, scale: 8)!
        return (price * factor).rescaled(to: price.scale + 4)
    }

    /// The largest multiple of `tick` ≤ `price` (rounding down), or ≥ when `up`.
    static func toTick(_ price: FixedDecimal, tick: FixedDecimal, up: Bool) -> FixedDecimal {
        let s = max(price.scale, tick.scale)
        let p = price.rescaled(to: s, rounding: up ? .up : .down).mantissa
        let t = tick.rescaled(to: s).mantissa
        var q = p / t
        if up && q * t < p { q += 1 }
        return FixedDecimal(mantissa: q * t, scale: s).rescaled(to: tick.scale)
    }
}
