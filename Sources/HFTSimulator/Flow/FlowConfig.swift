import HFTCore

/// Synthetic market flow for one symbol: a random-walk mid, makers quoting several levels per
/// side around it and refreshing them, takers crossing the spread. All choices come from one
/// seeded generator, so the same seed and clock give the same events.
public struct FlowConfig: Sendable, Hashable {
    public var symbol: Symbol
    public var seed: UInt64
    /// Starting mid (rounded to the tick).
    public var initialMid: FixedDecimal
    public var makers: Int
    public var takers: Int
    /// Levels each maker quotes on each side.
    public var levelsPerSide: Int
    /// Ticks between a maker's successive levels.
    public var levelSpacingTicks: Int
    /// Ticks from the mid to a maker's first level (at least).
    public var halfSpreadTicks: Int
    /// Size of one maker quote (rounded to lots).
    public var minQuoteQuantity: FixedDecimal
    public var maxQuoteQuantity: FixedDecimal
    /// Largest taker order (rounded to lots).
    public var maxTakerQuantity: FixedDecimal
    /// Per action: chance that a taker trades instead of a maker refreshing.
    public var takerProbability: Double
    /// Per action: chance the mid moves one tick (up or down) first.
    public var midMoveProbability: Double
    /// Per maker refresh: chance of cancelling instead of amending/re-quoting.
    public var cancelProbability: Double

    public init(symbol: Symbol, seed: UInt64 = 1, initialMid: FixedDecimal, makers: Int = 4, takers: Int = 2,
                levelsPerSide: Int = 10, levelSpacingTicks: Int = 1, halfSpreadTicks: Int = 1,
                minQuoteQuantity: FixedDecimal, maxQuoteQuantity: FixedDecimal, maxTakerQuantity: FixedDecimal,
                takerProbability: Double = 0.05, midMoveProbability: Double = 0.1, cancelProbability: Double = 0.1) {
        self.symbol = symbol
        self.seed = seed
        self.initialMid = initialMid
        self.makers = makers
        self.takers = takers
        self.levelsPerSide = levelsPerSide
        self.levelSpacingTicks = levelSpacingTicks
        self.halfSpreadTicks = halfSpreadTicks
        self.minQuoteQuantity = minQuoteQuantity
        self.maxQuoteQuantity = maxQuoteQuantity
        self.maxTakerQuantity = maxTakerQuantity
        self.takerProbability = takerProbability
        self.midMoveProbability = midMoveProbability
        self.cancelProbability = cancelProbability
    }
}
