import HFTKit

/// The services `hft demo` runs: one MMDemoService per venue against its embedded simulator.
enum DemoConfig {
    /// Per-venue quoting parameters sized for the simulators' presets.
    static func setting(_ venue: Venue) -> (symbol: String, size: String, maxPosition: String, spread: String, tick: String?) {
        switch venue {
        case .kraken: ("BTC/USD", "0.0100", "0.0500", "0.5", nil)
        case .binance: ("BTC/USDT", "0.01000", "0.05000", "0.5", nil)
        case .digifinex: ("BTC/USDT", "0.010000", "0.050000", "0.5", nil)
        case .lbank: ("BTC/USDT", "0.0100", "0.0500", "0.5", nil)
        case .bge: ("BTC/USDT", "0.010000", "0.050000", "0.5", nil)
        case .fmex: ("BTC/USD:BTC", "100", "500", "2", "0.5")
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
                ("spread_bps", .string(s.spread)), ("requote_bps", "0.25"), ("skew_bps", "0.5"),
            ]
            if let tick = s.tick { setting.append(("tick", .string(tick))) }
            members.append(("service.mm_\(v.rawValue)", .object([("class_name", "MMDemoService"), ("setting", .object(setting))])))
        }
        return try ServicesConfig.parse(JSONText.object(members).rendered, file: "<demo>", specs: ServiceRegistry.builtIn.specs)
    }
}
