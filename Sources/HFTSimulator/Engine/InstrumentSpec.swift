import HFTCore

/// An asset held in accounts, with the fixed scale its balances are kept at. Every amount
/// that moves between accounts is rounded to this scale first, so nothing is created or lost.
public struct AssetSpec: Sendable, Hashable {
    public var name: String
    public var scale: UInt8

    public init(_ name: String, scale: UInt8) {
        self.name = name.uppercased()
        self.scale = scale
    }
}

/// What kind of contract an instrument is.
public enum InstrumentKind: Sendable, Hashable {
    /// Spot: buying `quantity` base pays `price × quantity` quote.
    case spot
    /// FMex-style inverse perpetual: quantity in contracts worth `contractValue` quote each
    /// (1 USD on FMex), margin and PnL in the settlement asset (BTC).
    case inversePerpetual(InversePerpetualTerms)
}

/// Terms of an inverse perpetual.
public struct InversePerpetualTerms: Sendable, Hashable {
    /// Quote value of one contract (USD).
    public var contractValue: FixedDecimal
    /// Maintenance margin as a fraction of position value, for the liquidation price.
    public var maintenanceMarginRate: FixedDecimal
    public var defaultLeverage: FixedDecimal
    public var maxLeverage: FixedDecimal

    public init(contractValue: FixedDecimal = "1", maintenanceMarginRate: FixedDecimal = "0.005",
                defaultLeverage: FixedDecimal = "20", maxLeverage: FixedDecimal = "100") {
        self.contractValue = contractValue
        self.maintenanceMarginRate = maintenanceMarginRate
        self.defaultLeverage = defaultLeverage
        self.maxLeverage = maxLeverage
    }
}

/// Trading rules and display precision of one symbol.
///
/// Prices are kept as integers at `priceScale` and quantities at `quantityScale`; both scales
/// are also what front-ends print (Kraken's checksum needs exactly these digits).
public struct InstrumentSpec: Sendable, Hashable {
    public var symbol: Symbol
    public var kind: InstrumentKind
    public var priceScale: UInt8
    public var quantityScale: UInt8
    public var tickSize: FixedDecimal
    public var lotSize: FixedDecimal
    public var minQuantity: FixedDecimal
    /// Minimum `price × quantity` in quote (spot only; zero = none).
    public var minNotional: FixedDecimal

    public init(symbol: Symbol, kind: InstrumentKind = .spot, priceScale: UInt8, quantityScale: UInt8,
                tickSize: FixedDecimal? = nil, lotSize: FixedDecimal? = nil,
                minQuantity: FixedDecimal? = nil, minNotional: FixedDecimal = .zero) {
        self.symbol = symbol
        self.kind = kind
        self.priceScale = priceScale
        self.quantityScale = quantityScale
        self.tickSize = tickSize ?? FixedDecimal(mantissa: 1, scale: priceScale)
        self.lotSize = lotSize ?? FixedDecimal(mantissa: 1, scale: quantityScale)
        self.minQuantity = minQuantity ?? self.lotSize
        self.minNotional = minNotional
    }

    /// The asset an order's funds are reserved in and fees are charged from for this side.
    public func reserveAsset(for side: Side) -> String {
        switch kind {
        case .spot: side == .buy ? symbol.quote : symbol.base
        case .inversePerpetual: symbol.settle ?? symbol.base
        }
    }

    public var isInversePerpetual: Bool {
        if case .inversePerpetual = kind { return true }
        return false
    }

    /// A price at this instrument's scale.
    public func price(ticks mantissa: Int64) -> FixedDecimal { FixedDecimal(mantissa: Int128(mantissa), scale: priceScale) }
    /// A quantity at this instrument's scale.
    public func quantity(units mantissa: Int64) -> FixedDecimal { FixedDecimal(mantissa: Int128(mantissa), scale: quantityScale) }
}
