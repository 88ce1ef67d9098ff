import HFTCore

/// One inverse perpetual as FMex spells it: `BTCUSD_P` in payloads, `btcusd_p` in topics (§5).
struct FMexMarket: Sendable {
    let symbol: Symbol
    let spec: InstrumentSpec
    let terms: InversePerpetualTerms
    /// `BTCUSD_P`.
    let name: String
    /// `btcusd_p`.
    let topic: String

    var settle: String { symbol.settle ?? symbol.base }
}

/// The exchange's perpetuals in FMex spelling, built once at start-up.
struct FMexMarkets: Sendable {
    let all: [FMexMarket]

    init(exchange: SimulatedExchange) {
        all = exchange.instruments.compactMap { spec in
            guard case .inversePerpetual(let terms) = spec.kind else { return nil }
            let name = spec.symbol.base + spec.symbol.quote + "_P"
            return FMexMarket(symbol: spec.symbol, spec: spec, terms: terms, name: name, topic: name.lowercased())
        }
    }

    /// `BTCUSD_P` or `btcusd_p` (payload and body symbols are matched case-insensitively, README).
    func named(_ name: String) -> FMexMarket? {
        let upper = name.uppercased()
        return all.first { $0.name == upper }
    }

    /// Topic spelling only (`btcusd_p`, §5).
    func topic(_ name: Substring) -> FMexMarket? { all.first { $0.topic == name } }

    func market(_ symbol: Symbol) -> FMexMarket? { all.first { $0.symbol == symbol } }
}

/// Order ids as FMex shows them (§6: 12-digit numbers); the simulator's id plus a fixed offset.
enum FMexOrderIDs {
    static let offset: UInt64 = 849_758_000_000

    static func number(_ id: SimOrderID) -> UInt64 { offset &+ id }

    static func id(_ text: Substring) -> SimOrderID? {
        guard let n = UInt64(text), n > offset else { return nil }
        return n - offset
    }
}
