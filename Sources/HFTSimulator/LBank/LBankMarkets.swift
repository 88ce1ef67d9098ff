import HFTCore

/// One spot pair as LBank spells it: lowercase `base_quote` everywhere (§4).
struct LBankMarket: Sendable {
    let symbol: Symbol
    let spec: InstrumentSpec
    let pair: String

    var priceScale: UInt8 { spec.priceScale }
    var quantityScale: UInt8 { spec.quantityScale }
}

/// The exchange's pairs in LBank spelling, built once at start-up.
struct LBankMarkets: Sendable {
    let all: [LBankMarket]
    private let byPair: [String: Int]
    private let bySymbol: [Symbol: Int]

    init(exchange: SimulatedExchange) {
        var all: [LBankMarket] = []
        var byPair: [String: Int] = [:]
        var bySymbol: [Symbol: Int] = [:]
        for spec in exchange.instruments where !spec.isInversePerpetual {
            let pair = spec.symbol.base.lowercased() + "_" + spec.symbol.quote.lowercased()
            byPair[pair] = all.count
            bySymbol[spec.symbol] = all.count
            all.append(LBankMarket(symbol: spec.symbol, spec: spec, pair: pair))
        }
        self.all = all
        self.byPair = byPair
        self.bySymbol = bySymbol
    }

    /// `btc_usdt` (any letter case).
    func pair(_ name: String) -> LBankMarket? { byPair[name.lowercased()].map { all[$0] } }

    func market(_ symbol: Symbol) -> LBankMarket? { bySymbol[symbol].map { all[$0] } }
}

/// Order ids as LBank shows them (§5 `uuid`): UUID-shaped lowercase hex, 8-4-4-4-12. The
/// simulator's id is recoverable from the text (DigiFinex's keyed scheme, dashes added).
struct LBankOrderIDs: Sendable {
    let inner: DigiFinexOrderIDs

    init(salt: UInt64) { inner = DigiFinexOrderIDs(salt: salt) }

    func text(_ id: SimOrderID) -> String {
        let h = Array(inner.text(id).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, c) in h.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    func id(_ text: String) -> SimOrderID? {
        let hex = text.utf8.filter { $0 != UInt8(ascii: "-") }
        guard text.utf8.count == 36 else { return nil }
        return inner.id(String(decoding: hex, as: UTF8.self))
    }
}
