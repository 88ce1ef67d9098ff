import HFTCore

extension ExchangeConfig {
    /// Each venue's simulator defaults: its symbols with the venue's precisions, its matching
    /// rules and fees, the two default accounts (`SimCredentials.simDefault(1)`, `(2)`) and a
    /// quiet synthetic flow per symbol (stepped by the host; see `FlowDriver`).
    public static func preset(for venue: Venue, flowSeed: UInt64 = 1) -> ExchangeConfig {
        switch venue {
        case .kraken:
            return spot(venue, quote: "USD", btc: ("BTC/USD", 1, 8, "0.0001", "0.5", "80000.0"),
                        eth: ("ETH/USD", 2, 8, "0.002", "0.5", "3000.00"),
                        rules: MatchingRules(postOnly: .reject, amend: .kraken, defaultSelfTradePrevention: .cancelTaker),
                        fees: FeeSchedule(maker: "0.0016", taker: "0.0026"), seed: flowSeed)
        case .binance:
            return spot(venue, quote: "USDT", btc: ("BTC/USDT", 2, 5, "0.00001", "5", "80000.00"),
                        eth: ("ETH/USDT", 2, 4, "0.0001", "5", "3000.00"),
                        rules: MatchingRules(postOnly: .reject, amend: .decreaseOnly, defaultSelfTradePrevention: .cancelMaker),
                        fees: FeeSchedule(maker: "0.001", taker: "0.001"), seed: flowSeed)
        case .digifinex:
            return spot(venue, quote: "USDT", btc: ("BTC/USDT", 2, 6, "0.0001", "1", "80000.00"),
                        eth: ("ETH/USDT", 2, 4, "0.001", "1", "3000.00"),
                        rules: MatchingRules(postOnly: .reject, amend: .decreaseOnly),
                        fees: FeeSchedule(maker: "0.002", taker: "0.002"), seed: flowSeed)
        case .lbank:
            return spot(venue, quote: "USDT", btc: ("BTC/USDT", 2, 4, "0.0001", "1", "80000.00"),
                        eth: ("ETH/USDT", 2, 4, "0.001", "1", "3000.00"),
                        rules: MatchingRules(postOnly: .expire, amend: .decreaseOnly),
                        fees: FeeSchedule(maker: "0.001", taker: "0.001"), seed: flowSeed)
        case .bge:
            return spot(venue, quote: "USDT", btc: ("BTC/USDT", 2, 6, "0.00001", "1", "80000.00"),
                        eth: ("ETH/USDT", 2, 4, "0.001", "1", "3000.00"),
                        rules: MatchingRules(postOnly: .expire, amend: .decreaseOnly),
                        fees: FeeSchedule(maker: "0.001", taker: "0.001"), seed: flowSeed)
        case .fmex:
            let symbol: Symbol = "BTC/USD:BTC"
            return ExchangeConfig(
                venue: venue, assets: [AssetSpec("BTC", scale: 12)],
                instruments: [InstrumentSpec(symbol: symbol, kind: .inversePerpetual(InversePerpetualTerms()),
                                             priceScale: 1, quantityScale: 0, tickSize: "0.5", lotSize: "1", minQuantity: "1")],
                rules: MatchingRules(postOnly: .expire, amend: .decreaseOnly),
                fees: FeeSchedule(maker: "0", taker: "0.00045"),
                accounts: [1, 2].map { AccountSetup(credentials: .simDefault($0), label: "sim \($0)", balances: ["BTC": "10"]) },
                flows: [FlowConfig(symbol: symbol, seed: flowSeed, initialMid: "9300.0", makers: 4, takers: 2,
                                   minQuoteQuantity: "1", maxQuoteQuantity: "5000", maxTakerQuantity: "2000")])
        }
    }

    /// (symbol, price scale, quantity scale, min quantity, min notional, starting mid)
    private typealias Market = (String, UInt8, UInt8, FixedDecimal, FixedDecimal, FixedDecimal)

    private static func spot(_ venue: Venue, quote: String, btc: Market, eth: Market, rules: MatchingRules,
                             fees: FeeSchedule, seed: UInt64) -> ExchangeConfig {
        let markets = [btc, eth]
        let instruments = markets.map { m in
            InstrumentSpec(symbol: Symbol(stringLiteral: m.0), priceScale: m.1, quantityScale: m.2,
                           minQuantity: m.3, minNotional: m.4)
        }
        let flows = markets.enumerated().map { i, m in
            FlowConfig(symbol: Symbol(stringLiteral: m.0), seed: seed &+ UInt64(i), initialMid: m.5,
                       minQuoteQuantity: m.3, maxQuoteQuantity: m.3 * FixedDecimal(500), maxTakerQuantity: m.3 * FixedDecimal(200))
        }
        return ExchangeConfig(
            venue: venue,
            assets: [AssetSpec("BTC", scale: 8), AssetSpec("ETH", scale: 8), AssetSpec(quote, scale: 8)],
            instruments: instruments, rules: rules, fees: fees,
            accounts: [1, 2].map {
                AccountSetup(credentials: .simDefault($0), label: "sim \($0)",
                             balances: ["BTC": "10", "ETH": "100", quote: "1000000"])
            },
            flows: flows)
    }
}
