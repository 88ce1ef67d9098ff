import HFTCore

/// One spot pair as DigiFinex spells it: `BTC_USDT` on the WebSocket, `btc_usdt` in REST (§5, §9).
struct DigiFinexMarket: Sendable {
    let symbol: Symbol
    let spec: InstrumentSpec
    let wsName: String
    let restName: String

    var priceScale: UInt8 { spec.priceScale }
    var quantityScale: UInt8 { spec.quantityScale }
}

/// The exchange's pairs and assets in DigiFinex spellings, built once at start-up.
struct DigiFinexMarkets: Sendable {
    let all: [DigiFinexMarket]
    let assets: [AssetSpec]
    private let byWS: [String: Int]
    private let bySymbol: [Symbol: Int]

    init(exchange: SimulatedExchange) {
        var all: [DigiFinexMarket] = []
        var byWS: [String: Int] = [:]
        var bySymbol: [Symbol: Int] = [:]
        for spec in exchange.instruments where !spec.isInversePerpetual {
            let ws = spec.symbol.base.uppercased() + "_" + spec.symbol.quote.uppercased()
            byWS[ws] = all.count
            bySymbol[spec.symbol] = all.count
            all.append(DigiFinexMarket(symbol: spec.symbol, spec: spec, wsName: ws, restName: ws.lowercased()))
        }
        self.all = all
        self.byWS = byWS
        self.bySymbol = bySymbol
        assets = exchange.assets
    }

    /// A WebSocket market name: uppercase `BASE_QUOTE`, exactly.
    func ws(_ name: String) -> DigiFinexMarket? { byWS[name].map { all[$0] } }

    /// A REST symbol: `btc_usdt` (any letter case).
    func rest(_ name: String) -> DigiFinexMarket? { byWS[name.uppercased()].map { all[$0] } }

    func market(_ symbol: Symbol) -> DigiFinexMarket? { bySymbol[symbol].map { all[$0] } }

    func asset(_ name: String) -> AssetSpec? { assets.first { $0.name == name } }
}

/// Order ids as DigiFinex shows them: 32 lowercase hex characters (§5 order.update). The
/// simulator's numeric id is recoverable from the text (no table): the low 16 digits carry the
/// id masked, the high 16 a keyed hash of it, so random text is refused.
struct DigiFinexOrderIDs: Sendable {
    let salt: UInt64

    init(salt: UInt64) { self.salt = salt }

    func text(_ id: SimOrderID) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        Self.hex16(Self.mix(id ^ salt), into: &out)
        Self.hex16(id ^ Self.mix(salt), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func id(_ text: String) -> SimOrderID? {
        let u = Array(text.utf8)
        guard u.count == 32, let high = Self.parseHex(u[0..<16]), let low = Self.parseHex(u[16..<32]) else { return nil }
        let id = low ^ Self.mix(salt)
        return Self.mix(id ^ salt) == high ? id : nil
    }

    /// SplitMix64's finaliser.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex16(_ v: UInt64, into out: inout [UInt8]) {
        var shift: UInt64 = 60
        for _ in 0..<16 {
            out.append(digits[Int((v >> shift) & 0xF)])
            shift &-= 4
        }
    }

    static func parseHex(_ s: ArraySlice<UInt8>) -> UInt64? {
        var v: UInt64 = 0
        for c in s {
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 97...102: d = c - 87
            case 65...70: d = c - 55
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        return v
    }
}
