/// Symbol spellings (digifinex.md §5, §9): the WebSocket uses uppercase `BTC_USDT`, REST v3
/// lowercase `btc_usdt`; unified names are `BTC/USDT`.
import HFTCore

public enum DigiFinexSymbols: Sendable {
    static let ws = SymbolSpelling.underscoredUpper
    static let rest = SymbolSpelling.underscoredLower

    /// `BTC/USDT` → `BTC_USDT`. Perpetuals are not spot symbols.
    public static func native(_ s: Symbol) throws(HFTError) -> String {
        guard !s.isPerpetual else { throw .invalidArgument("DigiFinex spot has no perpetual \(s)") }
        return ws.native(s)
    }

    /// `BTC/USDT` → `btc_usdt`.
    public static func restNative(_ s: Symbol) throws(HFTError) -> String {
        guard !s.isPerpetual else { throw .invalidArgument("DigiFinex spot has no perpetual \(s)") }
        return rest.native(s)
    }

    /// Either spelling (`BTC_USDT`, `btc_usdt`) → `BTC/USDT`.
    public static func unified(_ native: String) -> Symbol? { ws.unified(native) }
}
