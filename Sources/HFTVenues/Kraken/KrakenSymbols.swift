/// Symbol spelling for Kraken Spot v2 (kraken.md §1): `BASE/QUOTE` with modern codes
/// (`BTC/USD`, not v1's `XBT/USD`). Unified and native spellings coincide for spot; legacy codes
/// (REST `wsname`, v1, user input) are mapped through a configurable alias table.
import HFTCore

public enum KrakenSymbols {
    /// Legacy asset codes and their v2 spelling. REST AssetPairs `wsname` still says `XBT/USD`.
    public static let defaultLegacyAliases: [String: String] = ["XBT": "BTC", "XDG": "DOGE"]

    /// The v2 wire symbol for a unified spot symbol.
    public static func native(_ symbol: Symbol, aliases: [String: String] = defaultLegacyAliases) throws(HFTError) -> String {
        guard !symbol.isPerpetual else { throw .unsupported("Kraken Spot has no perpetual \(symbol)") }
        return (aliases[symbol.base] ?? symbol.base) + "/" + (aliases[symbol.quote] ?? symbol.quote)
    }

    /// The unified symbol for a v2 wire symbol, or nil when it is not `BASE/QUOTE`.
    public static func unified(_ native: String, aliases: [String: String] = defaultLegacyAliases) -> Symbol? {
        guard let s = try? Symbol(parsing: native), !s.isPerpetual else { return nil }
        return Symbol(base: aliases[s.base] ?? s.base, quote: aliases[s.quote] ?? s.quote)
    }

    /// A legacy pair name (`XBT/USD`) in v2 spelling (`BTC/USD`); unknown codes pass through.
    public static func modernize(_ pair: String, aliases: [String: String] = defaultLegacyAliases) -> String {
        let parts = pair.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return aliases[pair] ?? pair }
        let b = String(parts[0]), q = String(parts[1])
        return (aliases[b] ?? b) + "/" + (aliases[q] ?? q)
    }
}
