/// Reference data for one Kraken pair and one asset (kraken.md §5.4): the price/qty precisions
/// that book checksums and order parameters are formatted at, plus increments and minimums.
/// Filled from the v2 `instrument` channel or REST AssetPairs/Assets.
import HFTCore

/// Decimal places of a pair's prices and quantities.
public struct KrakenPrecision: Sendable, Hashable {
    public var price: UInt8
    public var qty: UInt8
    public init(price: UInt8, qty: UInt8) {
        self.price = price
        self.qty = qty
    }
}

public struct KrakenInstrument: Sendable, Hashable {
    /// v2 wire symbol, `BTC/USD`.
    public var symbol: String
    public var base: String
    public var quote: String
    /// `online | cancel_only | post_only | limit_only | reduce_only | maintenance | delisted | work_in_progress`.
    public var status: String
    public var precision: KrakenPrecision
    public var priceIncrement: FixedDecimal?
    public var qtyIncrement: FixedDecimal?
    public var qtyMin: FixedDecimal?
    public var costMin: FixedDecimal?
    public var costPrecision: UInt8?
    public var marginable: Bool?

    public init(symbol: String, base: String, quote: String, status: String = "online", precision: KrakenPrecision,
                priceIncrement: FixedDecimal? = nil, qtyIncrement: FixedDecimal? = nil, qtyMin: FixedDecimal? = nil,
                costMin: FixedDecimal? = nil, costPrecision: UInt8? = nil, marginable: Bool? = nil) {
        self.symbol = symbol
        self.base = base
        self.quote = quote
        self.status = status
        self.precision = precision
        self.priceIncrement = priceIncrement
        self.qtyIncrement = qtyIncrement
        self.qtyMin = qtyMin
        self.costMin = costMin
        self.costPrecision = costPrecision
        self.marginable = marginable
    }

    public var unifiedSymbol: Symbol? { KrakenSymbols.unified(symbol) }
}

/// An asset's reference data.
public struct KrakenAsset: Sendable, Hashable {
    /// v2 code, `BTC`.
    public var id: String
    /// `enabled | deposit_only | withdrawal_only | funding_temporarily_disabled | …`.
    public var status: String
    /// Decimal places of balances in this asset.
    public var precision: UInt8
    public var displayPrecision: UInt8?
    /// REST key (`XXBT`) when it came from REST Assets.
    public var restName: String?

    public init(id: String, status: String = "enabled", precision: UInt8, displayPrecision: UInt8? = nil, restName: String? = nil) {
        self.id = id
        self.status = status
        self.precision = precision
        self.displayPrecision = displayPrecision
        self.restName = restName
    }
}
