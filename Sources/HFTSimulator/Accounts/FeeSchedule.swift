import HFTCore

/// Maker and taker fee rates (fractions: `0.001` = 0.1 %).
///
/// Fees are charged in the asset the fill pays out: a spot buyer pays in base, a spot seller
/// in quote, an inverse perpetual in its settlement asset (BTC). The fee is the fill's
/// received amount (spot) or value (perpetual) times the rate, rounded *up* to the asset's
/// scale, and moves exactly into the exchange's fee pool. Rates must lie in 0 … 1 (no rebates).
public struct FeeSchedule: Sendable, Hashable {
    public var maker: FixedDecimal
    public var taker: FixedDecimal

    public init(maker: FixedDecimal, taker: FixedDecimal) {
        self.maker = maker
        self.taker = taker
    }

    public static let zero = FeeSchedule(maker: .zero, taker: .zero)

    public func rate(_ liquidity: Liquidity) -> FixedDecimal { liquidity == .maker ? maker : taker }
    var highest: FixedDecimal { max(maker, taker) }

    var isValid: Bool {
        maker >= .zero && taker >= .zero && maker <= FixedDecimal(1) && taker <= FixedDecimal(1)
    }
}
