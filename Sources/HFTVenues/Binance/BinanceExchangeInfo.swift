/// `exchangeInfo` (REST `/api/v3/exchangeInfo`): published rate limits and, per symbol, the base
/// and quote assets and the filters that reject orders with -1013 (`PRICE_FILTER`, `LOT_SIZE`,
/// `NOTIONAL` / `MIN_NOTIONAL`). A bound of 0 means "no bound", as Binance publishes it.
import HFTCore

public struct BinanceExchangeInfo: Sendable, Hashable {
    public var serverTime: Timestamp?
    public var rateLimits: [BinanceRateLimit]
    public var symbols: [BinanceSymbolInfo]

    public init(serverTime: Timestamp? = nil, rateLimits: [BinanceRateLimit] = [], symbols: [BinanceSymbolInfo] = []) {
        self.serverTime = serverTime
        self.rateLimits = rateLimits
        self.symbols = symbols
    }

    public subscript(symbol: String) -> BinanceSymbolInfo? { symbols.first { $0.symbol == symbol } }
}

public struct BinanceSymbolInfo: Sendable, Hashable {
    public struct Range: Sendable, Hashable {
        public var min: FixedDecimal
        public var max: FixedDecimal
        /// Tick or lot step; 0 disables the multiple check.
        public var step: FixedDecimal
        public init(min: FixedDecimal, max: FixedDecimal, step: FixedDecimal) {
            self.min = min
            self.max = max
            self.step = step
        }
    }

    public var symbol: String
    /// `TRADING`, `HALT`, `BREAK`, …
    public var status: String
    public var baseAsset: String
    public var quoteAsset: String
    public var baseAssetPrecision: Int?
    public var quoteAssetPrecision: Int?
    public var orderTypes: [String]
    /// `PRICE_FILTER`: minPrice, maxPrice, tickSize.
    public var price: Range?
    /// `LOT_SIZE`: minQty, maxQty, stepSize.
    public var lot: Range?
    /// `NOTIONAL` / `MIN_NOTIONAL` minNotional.
    public var minNotional: FixedDecimal?

    public init(symbol: String, status: String = "TRADING", baseAsset: String, quoteAsset: String, baseAssetPrecision: Int? = nil,
                quoteAssetPrecision: Int? = nil, orderTypes: [String] = [], price: Range? = nil, lot: Range? = nil,
                minNotional: FixedDecimal? = nil) {
        self.symbol = symbol
        self.status = status
        self.baseAsset = baseAsset
        self.quoteAsset = quoteAsset
        self.baseAssetPrecision = baseAssetPrecision
        self.quoteAssetPrecision = quoteAssetPrecision
        self.orderTypes = orderTypes
        self.price = price
        self.lot = lot
        self.minNotional = minNotional
    }

    /// The unified symbol (`BTC/USDT`).
    public var unified: Symbol { Symbol(base: baseAsset, quote: quoteAsset) }

    /// Checks a price and/or quantity against the filters before anything is sent (the engine
    /// would answer -1013 "Filter failure: …" and still count the request).
    public func check(price p: FixedDecimal?, quantity q: FixedDecimal?) throws(HFTError) {
        if let p, let f = price {
            if f.min > .zero, p < f.min { throw .invalidArgument("\(symbol) price \(p) below minPrice \(f.min)") }
            if f.max > .zero, p > f.max { throw .invalidArgument("\(symbol) price \(p) above maxPrice \(f.max)") }
            if f.step > .zero, !p.isMultiple(of: f.step) { throw .invalidArgument("\(symbol) price \(p) is not a multiple of tickSize \(f.step)") }
        }
        if let q, let f = lot {
            if f.min > .zero, q < f.min { throw .invalidArgument("\(symbol) quantity \(q) below minQty \(f.min)") }
            if f.max > .zero, q > f.max { throw .invalidArgument("\(symbol) quantity \(q) above maxQty \(f.max)") }
            if f.step > .zero, !q.isMultiple(of: f.step) { throw .invalidArgument("\(symbol) quantity \(q) is not a multiple of stepSize \(f.step)") }
        }
        if let p, let q, let m = minNotional, m > .zero, p * q < m {
            throw .invalidArgument("\(symbol) notional \(p * q) below minNotional \(m)")
        }
    }
}
