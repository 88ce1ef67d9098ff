import HFTCore

/// Integer arithmetic on decimal mantissas (values at a known scale), with explicit rounding.
enum ScaledMath {
    static let powers: [Int128] = {
        var p: [Int128] = [1]
        for _ in 1...38 { p.append(p.last! * 10) }
        return p
    }()

    @inline(__always)
    static func pow10(_ n: Int) -> Int128 { powers[n] }

    /// `n / d` rounded; `d > 0`.
    static func divide(_ n: Int128, _ d: Int128, _ rule: FloatingPointRoundingRule) -> Int128 {
        let (q, r) = n.quotientAndRemainder(dividingBy: d)
        if r == 0 { return q }
        switch rule {
        case .down: return n < 0 ? q - 1 : q
        case .up: return n < 0 ? q : q + 1
        case .towardZero: return q
        case .awayFromZero: return n < 0 ? q - 1 : q + 1
        default:
            let twice = (r < 0 ? -r : r) * 2
            if twice >= d { return n < 0 ? q - 1 : q + 1 }
            return q
        }
    }

    /// `v × 10^shift` (a negative shift divides, rounding by `rule`).
    static func shift(_ v: Int128, by shift: Int, _ rule: FloatingPointRoundingRule) -> Int128 {
        if shift >= 0 { return v * pow10(shift) }
        return divide(v, pow10(-shift), rule)
    }

    /// `amount × rate`, rounded up, where `amount` is a non-negative mantissa and `rate` in 0…1.
    /// Split so that it never overflows for any amount that fits.
    static func fee(_ amount: Int128, rate: FixedDecimal) -> Int128 {
        if rate.isZero || amount == 0 { return 0 }
        let d = pow10(Int(rate.scale))
        let (q, r) = amount.quotientAndRemainder(dividingBy: d)
        return q * rate.mantissa + divide(r * rate.mantissa, d, .up)
    }

    /// A decimal's mantissa at `scale`, rounded by `rule`.
    static func mantissa(_ v: FixedDecimal, at scale: UInt8, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> Int128 {
        shift(v.mantissa, by: Int(scale) - Int(v.scale), rule)
    }
}
