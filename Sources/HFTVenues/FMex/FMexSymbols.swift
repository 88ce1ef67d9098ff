/// Symbol spelling (fmex.md §5): topics use `btcusd_p`, payloads `BTCUSD_P`; unified names are
/// inverse perpetuals `BTC/USD:BTC`. FMex lists perpetuals only, so `BTC/USD` is read as the
/// perpetual too.
import HFTCore

public enum FMexSymbols: Sendable {
    static let spelling = SymbolSpelling(separator: "", letterCase: .lower, perpetualSuffix: "_p", knownQuotes: ["USDT", "USD"])

    /// `BTC/USD:BTC` (or `BTC/USD`) → `btcusd_p` (the topic spelling).
    public static func topic(_ s: Symbol) -> String {
        spelling.native(s.isPerpetual ? s : Symbol(base: s.base, quote: s.quote, settle: s.base))
    }

    /// `BTC/USD:BTC` → `BTCUSD_P` (REST bodies and payloads).
    public static func payload(_ s: Symbol) -> String { topic(s).uppercased() }

    /// `btcusd_p` or `BTCUSD_P` → `BTC/USD:BTC`.
    public static func unified(_ native: String) -> Symbol? {
        guard native.lowercased().hasSuffix("_p") else { return nil }
        return spelling.unified(native)
    }
}
