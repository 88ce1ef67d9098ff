import HFTKit

/// The services `hft demo` runs: one MMDemoService per venue against its embedded simulator.
enum DemoConfig {
    /// Per-venue quoting parameters sized for the simulators' presets: quotes about one tick from
    /// the mid (at the synthetic makers' touch), so the synthetic takers reach them and the demo shows
    /// fills, requotes and inventory skew within seconds.
    static func setting(_ venue: Venue) -> (symbol: String, size: String, maxPosition: String, spread: String, requote: String, skew: String, tick: String?) {
        switch venue {
        case .kraken: ("BTC/USD", "0.0100", "0.0500", "0.025", "0.0125", "0.0125", nil)
        case .binance: ("BTC/USDT", "0.01000", "0.05000", "0.0025", "0.00125", "0.00125", "0.01")
        case .digifinex: ("BTC/USDT", "0.010000", "0.050000", "0.0025", "0.00125", "0.00125", nil)
        case .lbank: ("BTC/USDT", "0.0100", "0.0500", "0.0025", "0.00125", "0.00125", nil)
        case .bge: ("BTC/USDT", "0.010000", "0.050000", "0.0025", "0.00125", "0.00125", nil)
        case .fmex: ("BTC/USD:BTC", "100", "500", "1.1", "0.5", "0.5", "0.5")
        }
    }

    static func services(for venues: [Venue]) throws -> ServicesConfig {
        var members: [(String, JSONText)] = []
        for v in venues {
            let s = setting(v)
            var setting: [(String, JSONText)] = [
                ("apis", .array([.object([("exchange", .string(v.rawValue)), ("sim", true)])])),
                ("ws_apis", .array([.object([("exchange", .string(v.rawValue)), ("sim", true)])])),
                ("symbol", .string(s.symbol)), ("size", .string(s.size)), ("max_position", .string(s.maxPosition)),
                ("spread_bps", .string(s.spread)), ("requote_bps", .string(s.requote)), ("skew_bps", .string(s.skew)),
            ]
            if let tick = s.tick { setting.append(("tick", .string(tick))) }
            members.append(("service.mm_\(v.rawValue)", .object([("class_name", "MMDemoService"), ("setting", .object(setting))])))
        }
        return try ServicesConfig.parse(JSONText.object(members).rendered, file: "<demo>", specs: ServiceRegistry.builtIn.specs)
    }
}
