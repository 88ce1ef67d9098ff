import HFTCore

/// One tradable pair as the Kraken front-end names and formats it.
struct KrakenPair: Sendable {
    /// The engine's symbol, which is also the v2 WebSocket name (`BTC/USD`).
    let symbol: Symbol
    /// Index in `SimulatedExchange.instruments` (used in execution ids).
    let index: Int
    let spec: InstrumentSpec
    let quoteScale: UInt8
    /// REST AssetPairs key (`XXBTZUSD`), alternate name (`XBTUSD`) and v1 `wsname` (`XBT/USD`).
    let restKey: String
    let altName: String
    let wsName: String
    let restBase: String
    let restQuote: String

    var name: String { symbol.description }
    var priceScale: UInt8 { spec.priceScale }
    var quantityScale: UInt8 { spec.quantityScale }
}

/// An asset under its v2 name (`BTC`) and its REST names (`XXBT`, altname `XBT`).
struct KrakenAsset: Sendable {
    let name: String
    let restKey: String
    let altName: String
    let scale: UInt8
}

/// The exchange's reference data in Kraken's spellings, built once at start-up.
struct KrakenMarkets: Sendable {
    let pairs: [KrakenPair]
    let assets: [KrakenAsset]
    private let bySymbol: [Symbol: Int]

    init(exchange: SimulatedExchange) {
        var assets: [KrakenAsset] = []
        var scales: [String: UInt8] = [:]
        for a in exchange.assets {
            let (key, alt) = Self.restNames(a.name)
            assets.append(KrakenAsset(name: a.name, restKey: key, altName: alt, scale: a.scale))
            scales[a.name] = a.scale
        }
        var pairs: [KrakenPair] = []
        var index: [Symbol: Int] = [:]
        for (i, spec) in exchange.instruments.enumerated() where !spec.isInversePerpetual {
            let (bk, ba) = Self.restNames(spec.symbol.base)
            let (qk, qa) = Self.restNames(spec.symbol.quote)
            // Legacy X/Z-prefixed assets combine their keys (XXBTZUSD); newer ones use the altname.
            let legacy = bk.count == 4 && qk.count == 4 && bk != ba && qk != qa
            index[spec.symbol] = pairs.count
            pairs.append(KrakenPair(symbol: spec.symbol, index: i, spec: spec, quoteScale: scales[spec.symbol.quote] ?? 8,
                                    restKey: legacy ? bk + qk : ba + qa, altName: ba + qa, wsName: ba + "/" + qa,
                                    restBase: bk, restQuote: qk))
        }
        self.assets = assets
        self.pairs = pairs
        bySymbol = index
    }

    /// The pair a v2 symbol names (`BTC/USD`), or nil.
    func pair(_ text: String) -> KrakenPair? {
        guard let s = try? Symbol(parsing: text), s.description == text else { return nil }
        return bySymbol[s].map { pairs[$0] }
    }

    func pair(_ symbol: Symbol) -> KrakenPair? { bySymbol[symbol].map { pairs[$0] } }

    /// A pair by any REST spelling: key, altname, v1 wsname or v2 symbol.
    func restPair(_ text: String) -> KrakenPair? {
        let t = text.uppercased()
        return pairs.first { $0.restKey == t || $0.altName == t || $0.wsName == t || $0.name == t }
    }

    /// Kraken's REST names of an asset: legacy assets carry an X (crypto) or Z (fiat) prefix,
    /// and Bitcoin is XBT there.
    static func restNames(_ asset: String) -> (key: String, alt: String) {
        switch asset {
        case "BTC": ("XXBT", "XBT")
        case "ETH", "LTC", "XRP", "XLM", "ETC", "MLN", "REP", "ZEC", "XMR", "XDG":
            ("X" + asset, asset)
        case "USD", "EUR", "GBP", "JPY", "CAD":
            ("Z" + asset, asset)
        default: (asset, asset)
        }
    }
}
