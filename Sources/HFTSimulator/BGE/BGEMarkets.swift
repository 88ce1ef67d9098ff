import HFTCore

/// One spot pair as BGE spells it: `BTC_USDT` (uppercase, underscore; §3).
struct BGEMarket: Sendable {
    let symbol: Symbol
    let spec: InstrumentSpec
    let product: String

    var base: String { symbol.base }
    var quote: String { symbol.quote }
    var priceScale: UInt8 { spec.priceScale }
    var quantityScale: UInt8 { spec.quantityScale }
}

/// The exchange's pairs in BGE spelling, built once at start-up.
struct BGEMarkets: Sendable {
    let all: [BGEMarket]
    private let byProduct: [String: Int]
    private let bySymbol: [Symbol: Int]

    init(exchange: SimulatedExchange) {
        var all: [BGEMarket] = []
        var byProduct: [String: Int] = [:]
        var bySymbol: [Symbol: Int] = [:]
        for spec in exchange.instruments where !spec.isInversePerpetual {
            let product = spec.symbol.base.uppercased() + "_" + spec.symbol.quote.uppercased()
            byProduct[product] = all.count
            bySymbol[spec.symbol] = all.count
            all.append(BGEMarket(symbol: spec.symbol, spec: spec, product: product))
        }
        self.all = all
        self.byProduct = byProduct
        self.bySymbol = bySymbol
    }

    /// `BTC_USDT`; lowercase is accepted too (README).
    func product(_ name: String) -> BGEMarket? { byProduct[name.uppercased()].map { all[$0] } }

    func market(_ symbol: Symbol) -> BGEMarket? { bySymbol[symbol].map { all[$0] } }
}

/// Order ids as BGE shows them (§6, §8): 18-digit decimal numbers; the simulator's id plus a
/// fixed offset, so any id text maps back exactly.
enum BGEOrderIDs {
    static let offset: UInt64 = 129_149_436_110_000_000

    static func number(_ id: SimOrderID) -> UInt64 { offset &+ id }
    static func text(_ id: SimOrderID) -> String { String(number(id)) }

    static func id(_ text: String) -> SimOrderID? {
        guard let n = UInt64(text), n > offset else { return nil }
        return n - offset
    }
}
