import HFTCore
import Testing
import HFTSimulator

@Suite("Exchange")
struct ExchangeTests {
    @Test(arguments: Venue.allCases)
    func presetsStartWithABookAndDefaultAccounts(_ venue: Venue) throws {
        let ex = try SimulatedExchange(venue: venue, clock: ManualClock(autoAdvanceMicros: 1))
        #expect(ex.venue == venue)
        #expect(ex.userAccounts().map(\.credentials) == [.simDefault(1), .simDefault(2)])
        for spec in ex.instruments {
            let book = try ex.bookSnapshot(spec.symbol, depth: 10)
            #expect(book.bids.count == 10 && book.asks.count == 10 && !book.isCrossed)
            #expect(book.bids.allSatisfy { $0.price.scale == spec.priceScale && $0.quantity.scale == spec.quantityScale })
        }
        ex.stepFlow(actions: 500)
        #expect(ex.audit().isEmpty)
    }

    @Test func defaultCredentialsAreDocumentedValues() {
        #expect(SimCredentials.simDefault(1) == SimCredentials(apiKey: "sim-key-1", apiSecret: "c2ltLXNlY3JldC0x"))
        #expect(SimCredentials.simDefault(2).apiSecret == "c2ltLXNlY3JldC0y")
        #expect(SimCredentials.simDefault(10).apiSecret == "c2ltLXNlY3JldC0xMA==")   // padding
    }

    @Test func accountsDepositsAndFees() throws {
        let ex = try makeExchange()
        let id = try ex.addAccount(AccountSetup(credentials: SimCredentials(apiKey: "k9", apiSecret: "s9"), balances: ["USD": "5"]))
        #expect(ex.account(forAPIKey: "k9") == id)
        #expect(throws: HFTError.self) { try ex.addAccount(AccountSetup(credentials: .simDefault(1), balances: [:])) }
        let before = ex.totals()
        try ex.deposit(id, asset: "usd", amount: "2.5")
        #expect(ex.available(id, "USD") == FixedDecimal("7.5"))
        #expect(ex.totals()["USD"]! - before["USD"]! == FixedDecimal("2.5"))
        #expect(throws: HFTError.self) { try ex.deposit(id, asset: "USD", amount: "-100") }
        #expect(throws: HFTError.self) { try ex.deposit(id, asset: "USD", amount: "0.000000001") }
        #expect(throws: HFTError.self) { try ex.deposit(id, asset: "DOGE", amount: "1") }
        try ex.setFees(id, FeeSchedule(maker: "0", taker: "0.01"))
        #expect(ex.fees(of: id) == FeeSchedule(maker: "0", taker: "0.01"))
        #expect(throws: HFTError.self) { try ex.setFees(id, FeeSchedule(maker: "-0.1", taker: "0")) }
    }

    @Test func invalidConfigurationsAreRefused() {
        func fails(_ c: ExchangeConfig) -> Bool { (try? SimulatedExchange(config: c)) == nil }
        let assets = [AssetSpec("BTC", scale: 8), AssetSpec("USD", scale: 2)]
        #expect(fails(ExchangeConfig(venue: .kraken, assets: assets,
                                     instruments: [InstrumentSpec(symbol: "BTC/EUR", priceScale: 1, quantityScale: 8)])))
        #expect(fails(ExchangeConfig(venue: .kraken, assets: [AssetSpec("BTC", scale: 4), AssetSpec("USD", scale: 2)],
                                     instruments: [InstrumentSpec(symbol: "BTC/USD", priceScale: 1, quantityScale: 8)])))
        #expect(fails(ExchangeConfig(venue: .kraken, assets: assets,
                                     instruments: [InstrumentSpec(symbol: "BTC/USD", priceScale: 1, quantityScale: 8, tickSize: "0.05")])))
        #expect(fails(ExchangeConfig(venue: .kraken, assets: assets,
                                     instruments: [InstrumentSpec(symbol: "BTC/USD", priceScale: 1, quantityScale: 8)],
                                     fees: FeeSchedule(maker: "2", taker: "0"))))
        #expect(!fails(ExchangeConfig(venue: .kraken, assets: assets,
                                      instruments: [InstrumentSpec(symbol: "BTC/USD", priceScale: 1, quantityScale: 8, tickSize: "0.5")])))
    }

    @Test func asyncEventStream() async throws {
        let ex = try makeExchange()
        let stream = ex.events(.account(alice))
        try ex.limit(alice, .buy, "1", at: "100.0", clientID: "s1")
        var iterator = stream.makeAsyncIterator()
        guard case .order(let o) = await iterator.next() else { Issue.record("expected an order event"); return }
        #expect(o.kind == .new && o.order.order.clientOrderID == "s1")
        guard case .balance(let b) = await iterator.next() else { Issue.record("expected a balance event"); return }
        #expect(b.balance.asset == "USD" && b.balance.frozen == FixedDecimal("100"))
    }

    @Test func concurrentCallersKeepTheBookConsistent() async throws {
        let ex = try makeExchange()
        let rec = record(ex, .market([btc]))
        await withTaskGroup(of: Void.self) { group in
            for a in 0..<3 {
                group.addTask {
                    for i in 0..<300 {
                        let side: Side = (i + a) % 2 == 0 ? .buy : .sell
                        let price = FixedDecimal(mantissa: Int128(1_000 + (i * 7 + a * 13) % 21 - 10), scale: 1)
                        _ = try? ex.limit(AccountID(a), side, "0.01", at: price)
                    }
                }
            }
        }
        var next: Int64 = 1
        for u in rec.bookUpdates {
            #expect(u.firstSequence == next)
            next = u.lastSequence + 1
        }
        #expect(ex.audit().isEmpty)
    }
}
