import HFTCore

/// An inverse-perpetual position, FMex style: contracts are quote (USD), money is the
/// settlement asset (BTC).
///
/// Model (exact, documented):
/// - A fill of `q` contracts at price `p` has value `v = q × contractValue / p` BTC, rounded
///   down to the BTC scale; both sides of the trade use the same `v`.
/// - `cost` is the signed sum of the values that opened the position (+ long, − short), so the
///   entry price is the harmonic mean `|contracts| × contractValue / |cost|`.
/// - Closing `c` of `|Q|` contracts realizes `PnL = cost × c/|Q| ± v_c` (= `c × (1/entry − 1/exit)`
///   for a long, the opposite for a short), paid by/to the exchange's settlement pool.
/// - Opening adds initial margin `ceil(v / leverage)` from available to frozen; closing releases
///   the proportional share of the margin. Fees (`ceil(v × rate)`) come from available.
/// - Bankruptcy price: where the loss equals the margin; liquidation price: where margin + PnL
///   equals the maintenance margin `ceil(|cost| × maintenanceMarginRate)`. They are reported,
///   not enforced (no automatic liquidation).
struct InversePositionState: Sendable, Hashable {
    /// Signed, at the instrument's quantity scale.
    var contracts: Int64 = 0
    /// Signed, at the settlement asset's scale.
    var cost: Int128 = 0
    var margin: Int128 = 0
    var realizedPnL: Int128 = 0
    var leverage: FixedDecimal
}

extension InstrumentRuntime {
    /// `q × contractValue / p` in settlement-asset mantissa.
    func contractValue(_ q: Int64, at p: Int64, _ rule: FloatingPointRoundingRule) -> Int128 {
        guard let perp else { return 0 }
        let cv = perp.contractValue
        let shift = Int(settleScale) + Int(spec.priceScale) - Int(spec.quantityScale) - Int(cv.scale)
        var num = Int128(q) * cv.mantissa
        var den = Int128(p)
        if shift >= 0 { num *= ScaledMath.pow10(shift) } else { den *= ScaledMath.pow10(-shift) }
        return ScaledMath.divide(num, den, rule)
    }

    /// `|contracts| × contractValue / value` as a price at `derivedPriceScale`, nil when `value <= 0`.
    func priceForValue(contracts: Int64, value: Int128) -> FixedDecimal? {
        guard let perp, value > 0 else { return nil }
        let q = FixedDecimal(mantissa: Int128(contracts.magnitude), scale: spec.quantityScale) * perp.contractValue
        return q.divided(by: FixedDecimal(mantissa: value, scale: settleScale), scale: derivedPriceScale, rounding: .toNearestOrAwayFromZero)
    }

    func position(_ s: InversePositionState, now: Timestamp) -> Position {
        let qty = quantity(s.contracts)
        let margin = FixedDecimal(mantissa: s.margin, scale: settleScale)
        let pnl = FixedDecimal(mantissa: s.realizedPnL, scale: settleScale)
        guard s.contracts != 0, let perp else {
            return Position(venue: venue, symbol: spec.symbol, quantity: qty, entryPrice: nil, leverage: s.leverage,
                            margin: margin, realizedPnL: pnl, timestamp: now)
        }
        let c = s.cost.magnitude
        let cost = Int128(c)
        let mm = ScaledMath.fee(cost, rate: perp.maintenanceMarginRate)
        let long = s.contracts > 0
        let bankrupt = long ? cost + s.margin : cost - s.margin
        let liquidation = long ? cost + s.margin - mm : cost - s.margin + mm
        return Position(venue: venue, symbol: spec.symbol, quantity: qty,
                        entryPrice: priceForValue(contracts: s.contracts, value: cost), leverage: s.leverage,
                        margin: margin, liquidationPrice: priceForValue(contracts: s.contracts, value: liquidation),
                        bankruptcyPrice: priceForValue(contracts: s.contracts, value: bankrupt),
                        realizedPnL: pnl, timestamp: now)
    }
}
