/// Symbol spelling (binance.md §1): API symbols are concatenated upper-case (`BTCUSDT`), stream
/// names lower-case (`btcusdt@trade`). Unified `BTC/USDT` ↔ `BTCUSDT` uses exchangeInfo's base
/// and quote assets when loaded; otherwise HFTCore's `SymbolSpelling` splits by known quotes.
import HFTCore

public struct BinanceSymbolMap: Sendable {
    private var toUnified: [String: Symbol] = [:]
    private var toNative: [Symbol: String] = [:]
    /// Used for names exchangeInfo did not list (or before it is loaded).
    public var fallback: SymbolSpelling

    public init(fallback: SymbolSpelling = .concatenatedUpper) {
        self.fallback = fallback
    }

    public init(_ info: BinanceExchangeInfo, fallback: SymbolSpelling = .concatenatedUpper) {
        self.fallback = fallback
        for s in info.symbols { add(s) }
    }

    public mutating func add(_ info: BinanceSymbolInfo) {
        add(native: info.symbol, base: info.baseAsset, quote: info.quoteAsset)
    }

    public mutating func add(native: String, base: String, quote: String) {
        let s = Symbol(base: base, quote: quote)
        toUnified[native] = s
        toNative[s] = native
    }

    /// Symbols learnt from exchangeInfo.
    public var count: Int { toUnified.count }

    /// `BTCUSDT` → `BTC/USDT`, or nil when neither the table nor the fallback can split it.
    public func unified(_ native: String) -> Symbol? {
        toUnified[native] ?? fallback.unified(native)
    }

    /// `BTC/USDT` → `BTCUSDT`. Binance Spot has no perpetuals.
    public func native(_ symbol: Symbol) throws(HFTError) -> String {
        guard !symbol.isPerpetual else { throw .unsupported("Binance Spot has no perpetual \(symbol)") }
        return toNative[symbol] ?? fallback.native(symbol)
    }

    /// The lower-case stream spelling of a unified symbol.
    public func streamName(_ symbol: Symbol) throws(HFTError) -> String {
        try native(symbol).lowercased()
    }

    /// A user argument: unified (`BTC/USDT`) or native (`BTCUSDT`, `btcusdt`).
    public func resolve(_ text: String) throws(HFTError) -> Symbol {
        if text.contains("/") { return try Symbol(parsing: text) }
        guard let s = unified(text.uppercased()) else { throw .invalidArgument("Binance symbol '\(text)' is not known") }
        return s
    }
}
