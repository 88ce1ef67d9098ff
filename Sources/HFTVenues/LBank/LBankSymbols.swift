/// Symbol spelling (lbank.md §4): lowercase `base_quote` (`eth_btc`); unified names are `ETH/BTC`.
import HFTCore

public enum LBankSymbols: VenueSymbolSpelling {
    static let spelling = SymbolSpelling.underscoredLower
    static var venue: Venue { .lbank }

    /// `ETH/BTC` → `eth_btc`. Perpetuals are not spot symbols.
    public static func native(_ s: Symbol) throws(HFTError) -> String {
        guard !s.isPerpetual else { throw .invalidArgument("LBank spot has no perpetual \(s)") }
        return spelling.native(s)
    }

    /// `eth_btc` → `ETH/BTC`.
    public static func unified(_ native: String) -> Symbol? { spelling.unified(native) }
}
