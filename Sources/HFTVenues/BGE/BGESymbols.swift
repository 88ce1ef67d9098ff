/// Symbol spelling (bge.md §3): `BTC_USDT` (uppercase, underscore); unified `BTC/USDT`.
import HFTCore

public enum BGESymbols: Sendable {
    static let spelling = SymbolSpelling.underscoredUpper

    public static func native(_ s: Symbol) throws(HFTError) -> String {
        guard !s.isPerpetual else { throw .invalidArgument("BGE spot has no perpetual \(s)") }
        return spelling.native(s)
    }

    public static func unified(_ native: String) -> Symbol? { spelling.unified(native.uppercased()) }
}
