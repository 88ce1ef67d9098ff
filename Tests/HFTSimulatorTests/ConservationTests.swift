import HFTCore
import Testing
import HFTSimulator

/// Random order sequences must never create or destroy value.
@Suite("Conservation")
struct ConservationTests {
    /// Coarse scales so that notionals and fees really round: USD has 2 decimals while
    /// price × qty has 5; ETH/BTC notionals have 8 digits rounded to BTC's 4.
    static func spotExchange(seed: UInt64) throws -> SimulatedExchange {
        var rng = SeededRandom(seed: seed)
        let config = ExchangeConfig(
            venue: .binance,
            assets: [AssetSpec("BTC", scale: 4), AssetSpec("ETH", scale: 3), AssetSpec("USD", scale: 2)],
            instruments: [InstrumentSpec(symbol: "BTC/USD", priceScale: 1, quantityScale: 4),
                          InstrumentSpec(symbol: "ETH/BTC", priceScale: 5, quantityScale: 3)],
            rules: MatchingRules(postOnly: rng.chance(0.5) ? .reject : .expire,
                                 amend: rng.chance(0.5) ? .kraken : .decreaseOnly,
                                 defaultSelfTradePrevention: SelfTradePrevention.allCases[rng.below(4)]),
            fees: FeeSchedule(maker: "0.001", taker: "0.0025"),
            accounts: (1...4).map { i in
                AccountSetup(credentials: .simDefault(i), balances: ["BTC": "2", "ETH": "40", "USD": "3000"],
                             fees: i == 4 ? FeeSchedule(maker: "0.0003", taker: "0.0007") : nil)
            })
        return try SimulatedExchange(config: config, clock: ManualClock(autoAdvanceMicros: 1))
    }

    static let allowedRejects: Set<String> = [
        "insufficient_balance", "post_only_would_take", "duplicate_client_order_id", "no_liquidity", "amend_no_change",
        "amend_price_change_not_allowed", "amend_quantity_increase_not_allowed", "unknown_order", "invalid_quantity",
        "invalid_order_combination",
    ]

    /// One random operation; returns the reject, if any.
    static func randomOperation(_ ex: SimulatedExchange, _ rng: inout SeededRandom, mids: [Symbol: (Int, UInt8)],
                                lots: [Symbol: (Int, UInt8)], perpetual: Bool = false) -> RejectReason? {
        let account = AccountID(rng.below(4))
        let symbols = Array(mids.keys).sorted { $0.description < $1.description }
        let symbol = symbols[rng.below(symbols.count)]
        let (mid, ps) = mids[symbol]!
        let (maxLots, qs) = lots[symbol]!
        func price() -> FixedDecimal { FixedDecimal(mantissa: Int128(mid + rng.int(in: -20...20)), scale: ps) }
        func qty() -> FixedDecimal { FixedDecimal(mantissa: Int128(rng.int(in: 1...maxLots)), scale: qs) }
        let side: Side = rng.chance(0.5) ? .buy : .sell
        let roll = rng.below(100)
        return rejection { () throws -> Void in
            switch roll {
            case 0..<45:
                let tif: TimeInForce = [.gtc, .gtc, .gtc, .gtc, .ioc, .fok][rng.below(6)]
                let post = tif == .gtc && rng.chance(0.15)
                let stp: SelfTradePrevention? = rng.chance(0.25) ? SelfTradePrevention.allCases[rng.below(4)] : nil
                let cid: String? = rng.chance(0.3) ? "c\(rng.below(8))" : nil
                _ = try ex.placeOrder(account, OrderRequest(symbol: symbol, side: side, type: .limit, quantity: qty(), price: price(),
                                                            timeInForce: tif, postOnly: post, clientOrderID: cid, selfTradePrevention: stp))
            case 45..<57:
                if !perpetual && rng.chance(0.3) {
                    let quote = symbol.quote == "USD" ? FixedDecimal(mantissa: Int128(rng.int(in: 1...50_000)), scale: 2)
                        : FixedDecimal(mantissa: Int128(rng.int(in: 1...5_000)), scale: 4)
                    _ = try ex.placeOrder(account, OrderRequest(symbol: symbol, side: side, type: .market, quantity: nil,
                                                                quoteQuantity: quote))
                } else {
                    _ = try ex.placeOrder(account, .market(symbol, side, quantity: qty()))
                }
            case 57..<75:
                let open = ex.openOrders(account)
                guard !open.isEmpty else { return }
                _ = try ex.cancelOrder(account, .id(open[rng.below(open.count)].id))
            case 75..<95:
                let open = ex.openOrders(account)
                guard !open.isEmpty else { return }
                let o = open[rng.below(open.count)]
                let (m, p) = mids[o.order.symbol]!
                let (l, q) = lots[o.order.symbol]!
                var r = AmendRequest(order: .id(o.id))
                if rng.chance(0.6) { r.newQuantity = FixedDecimal(mantissa: Int128(rng.int(in: 1...l)), scale: q) }
                if rng.chance(0.5) { r.newPrice = FixedDecimal(mantissa: Int128(m + rng.int(in: -20...20)), scale: p) }
                _ = try ex.amendOrder(account, r)
            default:
                _ = try ex.cancelAllOrders(account, symbol: rng.chance(0.5) ? symbol : nil)
            }
        }
    }

    /// Recomputes the reserves from the public open orders: a buy holds `ceil(price × remaining)`
    /// quote, a sell `remaining` base.
    static func frozenMatchesOpenOrders(_ ex: SimulatedExchange, _ account: AccountID) -> Bool {
        let scales = Dictionary(uniqueKeysWithValues: ex.assets.map { ($0.name, $0.scale) })
        var expected: [String: FixedDecimal] = [:]
        for o in ex.openOrders(account) {
            let s = o.order.symbol
            let remaining = o.order.remainingQuantity
            let (asset, amount) = o.order.side == .buy
                ? (s.quote, (o.order.price! * remaining).rescaled(to: scales[s.quote]!, rounding: .up))
                : (s.base, remaining)
            expected[asset, default: .zero] += amount
        }
        return ex.balances(account).allSatisfy { $0.frozen == expected[$0.asset, default: .zero] && !$0.available.isNegative }
    }

    /// CPU-bound for seconds in a debug build: yields between sequences so the tests that wait on
    /// sockets in parallel are not starved of the two cooperative threads.
    @Test func randomSpotSequencesConserveValue() async throws {
        let mids: [Symbol: (Int, UInt8)] = ["BTC/USD": (10_000, 1), "ETH/BTC": (5_000, 5)]
        let lots: [Symbol: (Int, UInt8)] = ["BTC/USD": (3_000, 4), "ETH/BTC": (5_000, 3)]
        var trades = 0, rejects = 0
        for seq in 0..<200 {
            await Task.yield()
            let ex = try Self.spotExchange(seed: UInt64(seq))
            let start = ex.totals()
            var rng = SeededRandom(seed: 0xC0FFEE &+ UInt64(seq))
            for op in 0..<200 {
                if let r = Self.randomOperation(ex, &rng, mids: mids, lots: lots) {
                    rejects += 1
                    #expect(Self.allowedRejects.contains(r.code), "seq \(seq) op \(op): \(r.description)")
                }
                let totals = ex.totals()
                guard totals == start else {
                    Issue.record("seq \(seq) op \(op): totals \(totals) ≠ \(start)")
                    return
                }
                let problems = ex.audit()
                guard problems.isEmpty else {
                    Issue.record("seq \(seq) op \(op): \(problems)")
                    return
                }
                for a in 0..<4 where !Self.frozenMatchesOpenOrders(ex, AccountID(a)) {
                    Issue.record("seq \(seq) op \(op): account \(a) frozen ≠ its open orders' reserves")
                    return
                }
            }
            #expect(ex.settlementPool().values.allSatisfy { $0.isZero })
            trades += ex.recentTrades("BTC/USD", limit: 1_000).count + ex.recentTrades("ETH/BTC", limit: 1_000).count
            // Cancelling everything leaves nothing frozen.
            for a in 0..<4 { _ = try ex.cancelAllOrders(AccountID(a)) }
            for a in 0..<4 { #expect(ex.balances(AccountID(a)).allSatisfy { $0.frozen.isZero }) }
            #expect(ex.totals() == start)
        }
        #expect(trades > 5_000)      // the sequences really trade
        #expect(rejects > 1_000)     // and really hit the limits
    }

    @Test func randomPerpetualSequencesConserveValue() async throws {
        let mids: [Symbol: (Int, UInt8)] = ["BTC/USD:BTC": (93_000, 1)]
        let lots: [Symbol: (Int, UInt8)] = ["BTC/USD:BTC": (5_000, 0)]
        var trades = 0, flips = 0
        for seq in 0..<50 {
            await Task.yield()
            var config = ExchangeConfig.preset(for: .fmex)
            config.flows = []
            config.accounts = (1...4).map { AccountSetup(credentials: .simDefault($0), balances: ["BTC": "0.05"]) }
            config.instruments[0].tickSize = "0.1"
            let ex = try SimulatedExchange(config: config, clock: ManualClock(autoAdvanceMicros: 1))
            let start = ex.totals()
            var rng = SeededRandom(seed: 0xFEE1 &+ UInt64(seq))
            for op in 0..<200 {
                _ = Self.randomOperation(ex, &rng, mids: mids, lots: lots, perpetual: true)
                guard ex.totals() == start else { Issue.record("seq \(seq) op \(op): totals changed"); return }
                let problems = ex.audit()
                guard problems.isEmpty else { Issue.record("seq \(seq) op \(op): \(problems)"); return }
            }
            trades += ex.recentTrades("BTC/USD:BTC", limit: 1_000).count
            flips += (0..<4).filter { ex.positions(AccountID($0)).first.map { !$0.realizedPnL.isZero } ?? false }.count
        }
        #expect(trades > 1_000)
        #expect(flips > 20)   // positions really closed with PnL
    }
}
