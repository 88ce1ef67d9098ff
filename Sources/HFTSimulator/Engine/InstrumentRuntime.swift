import HFTCore

/// An instrument resolved against the exchange's asset table: the spec's decimals as integers
/// at the instrument's scales, and asset indices. Built once when the exchange starts.
struct InstrumentRuntime: Sendable {
    let index: Int
    let spec: InstrumentSpec
    let venue: Venue
    let base: Int
    /// For inverse perpetuals: the settlement asset (their quote is just the contract unit).
    let quote: Int
    /// Margin/settlement asset of a perpetual; `quote` for spot (unused).
    let settle: Int
    let baseScale: UInt8
    let quoteScale: UInt8
    let settleScale: UInt8
    let tick: Int64
    let lot: Int64
    let minQuantity: Int64
    /// At `quoteScale`, rounded up.
    let minNotional: Int128
    let perp: InversePerpetualTerms?

    /// Scale of averaged prices (average fill price, entry, liquidation).
    var derivedPriceScale: UInt8 { spec.priceScale + 4 }

    init(index: Int, spec: InstrumentSpec, venue: Venue, assets: [AssetSpec]) throws(HFTError) {
        func asset(_ name: String) throws(HFTError) -> Int {
            guard let i = assets.firstIndex(where: { $0.name == name }) else {
                throw .configuration("\(spec.symbol): asset \(name) is not in the exchange's asset list")
            }
            return i
        }
        func steps(_ v: FixedDecimal, _ scale: UInt8, _ what: String) throws(HFTError) -> Int64 {
            guard v > .zero, let exact = v.exactlyRescaled(to: scale), exact.mantissa <= Int128(Int64.max) else {
                throw .configuration("\(spec.symbol): \(what) \(v) does not fit scale \(scale)")
            }
            return Int64(exact.mantissa)
        }
        self.index = index
        self.spec = spec
        self.venue = venue
        base = try asset(spec.symbol.base)
        baseScale = assets[base].scale
        switch spec.kind {
        case .spot:
            perp = nil
            quote = try asset(spec.symbol.quote)
            quoteScale = assets[quote].scale
            settle = quote
            guard baseScale >= spec.quantityScale else {
                throw .configuration("\(spec.symbol): base asset scale \(baseScale) below quantity scale \(spec.quantityScale)")
            }
            guard Int(quoteScale) <= Int(spec.priceScale) + Int(spec.quantityScale) + 6 else {
                throw .configuration("\(spec.symbol): quote asset scale too large for exact notionals")
            }
        case .inversePerpetual(let terms):
            guard let s = spec.symbol.settle else {
                throw .configuration("\(spec.symbol): an inverse perpetual needs BASE/QUOTE:SETTLE")
            }
            guard terms.contractValue > .zero, terms.defaultLeverage > .zero,
                  terms.maxLeverage >= terms.defaultLeverage, terms.maintenanceMarginRate >= .zero else {
                throw .configuration("\(spec.symbol): invalid perpetual terms")
            }
            perp = terms
            settle = try asset(s)
            // The quote (USD) is only the contracts' unit; all money is the settlement asset.
            quote = settle
            quoteScale = assets[settle].scale
        }
        settleScale = assets[settle].scale
        tick = try steps(spec.tickSize, spec.priceScale, "tick size")
        lot = try steps(spec.lotSize, spec.quantityScale, "lot size")
        minQuantity = max(lot, try steps(spec.minQuantity, spec.quantityScale, "minimum quantity"))
        minNotional = ScaledMath.mantissa(spec.minNotional, at: quoteScale, .up)
    }

    func reserveAsset(_ side: Side) -> Int {
        perp != nil ? settle : (side == .buy ? quote : base)
    }

    /// The asset fees are charged in: what the fill pays out.
    func feeAsset(_ side: Side) -> Int {
        perp != nil ? settle : (side == .buy ? base : quote)
    }

    func price(_ ticks: Int64) -> FixedDecimal { FixedDecimal(mantissa: Int128(ticks), scale: spec.priceScale) }
    func quantity(_ units: Int64) -> FixedDecimal { FixedDecimal(mantissa: Int128(units), scale: spec.quantityScale) }
}
