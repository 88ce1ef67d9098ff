import HFTCore

/// One spot symbol under its Binance spellings (`BTCUSDT` in the API, `btcusdt` in streams).
struct BinanceMarket: Sendable {
    let symbol: Symbol
    let spec: InstrumentSpec
    /// `BTCUSDT`.
    let apiName: String
    /// `btcusdt`.
    let streamName: String

    var priceScale: UInt8 { spec.priceScale }
    var quantityScale: UInt8 { spec.quantityScale }
}

/// The exchange's spot instruments in Binance spellings, built once at start-up.
struct BinanceMarkets: Sendable {
    let markets: [BinanceMarket]
    private let byAPIName: [String: Int]
    private let byStreamName: [String: Int]
    private let bySymbol: [Symbol: Int]

    init(exchange: SimulatedExchange) {
        var markets: [BinanceMarket] = []
        for spec in exchange.instruments where !spec.isInversePerpetual {
            let api = spec.symbol.base.uppercased() + spec.symbol.quote.uppercased()
            markets.append(BinanceMarket(symbol: spec.symbol, spec: spec, apiName: api, streamName: api.lowercased()))
        }
        self.markets = markets
        byAPIName = Dictionary(uniqueKeysWithValues: markets.enumerated().map { ($0.element.apiName, $0.offset) })
        byStreamName = Dictionary(uniqueKeysWithValues: markets.enumerated().map { ($0.element.streamName, $0.offset) })
        bySymbol = Dictionary(uniqueKeysWithValues: markets.enumerated().map { ($0.element.symbol, $0.offset) })
    }

    /// By API name (`BTCUSDT`, case-sensitive as on Binance).
    func market(api name: String) -> BinanceMarket? { byAPIName[name].map { markets[$0] } }
    /// By stream name (`btcusdt`).
    func market(stream name: String) -> BinanceMarket? { byStreamName[name].map { markets[$0] } }
    func market(_ symbol: Symbol) -> BinanceMarket? { bySymbol[symbol].map { markets[$0] } }
}

/// Binance prints every spot price, quantity and amount as a string with 8 fraction digits.
enum BinanceNumber {
    static let scale: UInt8 = 8

    static func text(_ d: FixedDecimal) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(24)
        d.rescaled(to: scale).write(to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// `"…"` bytes of `d` at 8 decimals.
    static func quoted(_ d: FixedDecimal) -> [UInt8] {
        var b: [UInt8] = [UInt8(ascii: "\"")]
        d.rescaled(to: scale).write(to: &b)
        b.append(UInt8(ascii: "\""))
        return b
    }

    static func quoted(mantissa: Int64, scale s: UInt8) -> [UInt8] {
        quoted(FixedDecimal(mantissa: Int128(mantissa), scale: s))
    }
}

extension KrakenJSON {
    // The Kraken front-end's byte writer is shared; these write Binance's decimal strings.

    /// A decimal as a JSON string with 8 fraction digits.
    mutating func decimal(_ d: FixedDecimal) { raw(BinanceNumber.quoted(d)) }

    mutating func field(_ k: StaticString, decimal d: FixedDecimal) {
        key(k)
        decimal(d)
    }

    /// `["price","qty"]` from ticks and lots.
    mutating func level(price: Int64, priceScale: UInt8, qty: Int64, quantityScale: UInt8) {
        beginArray()
        raw(BinanceNumber.quoted(mantissa: price, scale: priceScale))
        raw(BinanceNumber.quoted(mantissa: qty, scale: quantityScale))
        endArray()
    }

    /// An already-encoded JSON token (the request id, echoed verbatim).
    mutating func field(_ k: StaticString, rawJSON b: [UInt8]) {
        key(k)
        raw(b)
    }
}

/// The writer Binance front-end code uses (the Kraken front-end's forward-only writer).
typealias BinanceJSON = KrakenJSON
