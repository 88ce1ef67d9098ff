import HFTCore
import Testing
import HFTSimulator

@Suite("Amend")
struct AmendTests {
    /// bob's order first, then carol's, same price; returns which maker a 0.5 buy hits.
    private func firstInQueue(after amend: (SimulatedExchange, SimOrderID) throws -> Void) throws -> AccountID? {
        let ex = try makeExchange(rules: MatchingRules(amend: .kraken))
        let b = try ex.limit(bob, .sell, "1", at: "100.0")
        try ex.limit(carol, .sell, "1", at: "100.0")
        try amend(ex, b.order.id)
        let r = try ex.limit(alice, .buy, "0.5", at: "100.0")
        let trade = try #require(ex.recentTrades(btc).last)
        #expect(r.fills.count == 1)
        return trade.sellOrderID == b.order.id ? bob : carol
    }

    @Test func quantityDecreaseKeepsPriority() throws {
        #expect(try firstInQueue { ex, id in _ = try ex.amendOrder(bob, AmendRequest(order: .id(id), newQuantity: "0.8")) } == bob)
    }

    @Test func quantityIncreaseLosesPriority() throws {
        #expect(try firstInQueue { ex, id in _ = try ex.amendOrder(bob, AmendRequest(order: .id(id), newQuantity: "1.2")) } == carol)
    }

    @Test func priceChangeLosesPriority() throws {
        #expect(try firstInQueue { ex, id in
            _ = try ex.amendOrder(bob, AmendRequest(order: .id(id), newPrice: "100.5"))
            _ = try ex.amendOrder(bob, AmendRequest(order: .id(id), newPrice: "100.0"))
        } == carol)
    }

    @Test func amendUpdatesBookReserveAndEvents() throws {
        let ex = try makeExchange()
        let rec = record(ex)
        let o = try ex.limit(alice, .buy, "1", at: "100.0", clientID: "q1")
        #expect(ex.frozen(alice, "USD") == FixedDecimal("100"))
        var r = try ex.amendOrder(alice, AmendRequest(order: .clientID("q1"), newQuantity: "2"))
        #expect(ex.frozen(alice, "USD") == FixedDecimal("200"))
        r = try ex.amendOrder(alice, AmendRequest(order: .id(o.order.id), newPrice: "50.0"))
        #expect(ex.frozen(alice, "USD") == FixedDecimal("100"))
        #expect(r.order.order.price == FixedDecimal("50.0") && r.order.order.quantity == FixedDecimal("2"))
        #expect(try ex.levels(.buy).map { "\($0.0) \($0.1)" } == ["50.0 2.00000000"])
        #expect(rec.orderKinds(o.order.id) == [.new, .amended, .amended])
        let changes = rec.bookUpdates.last!.changes.map { "\($0.side) \($0.price) \($0.quantity)" }
        #expect(changes == ["buy 100.0 0.00000000", "buy 50.0 2.00000000"])
        // Rename the client id.
        _ = try ex.amendOrder(alice, AmendRequest(order: .id(o.order.id), newClientOrderID: "q2"))
        #expect(ex.order(alice, .clientID("q2"))?.id == o.order.id)
        #expect(ex.order(alice, .clientID("q1")) == nil)
        #expect(rejection { try ex.amendOrder(alice, AmendRequest(order: .id(o.order.id), newQuantity: "2")) } == .amendNoChange)
        #expect(rejection { try ex.amendOrder(alice, AmendRequest(order: .id(999))) } == .unknownOrder)
        #expect(rejection { try ex.amendOrder(alice, AmendRequest(order: .id(o.order.id), newQuantity: "1000000")) }
                == .insufficientBalance(asset: "USD"))
        #expect(rejection { try ex.amendOrder(alice, AmendRequest(order: .id(o.order.id), newPrice: "50.05")) }
                == .priceNotOnTick(tickSize: "0.1"))
        #expect(ex.audit().isEmpty)
    }

    @Test func decreaseOnlyPolicy() throws {
        let ex = try makeExchange(rules: MatchingRules(amend: .decreaseOnly))
        let o = try ex.limit(alice, .buy, "1", at: "100.0")
        #expect(rejection { try ex.amendOrder(alice, AmendRequest(order: .id(o.order.id), newQuantity: "1.5")) }
                == .amendQuantityIncreaseNotAllowed)
        #expect(rejection { try ex.amendOrder(alice, AmendRequest(order: .id(o.order.id), newPrice: "99.0")) }
                == .amendPriceChangeNotAllowed)
        let r = try ex.amendOrder(alice, AmendRequest(order: .id(o.order.id), newQuantity: "0.25"))
        #expect(r.order.order.quantity == FixedDecimal("0.25"))
        #expect(ex.frozen(alice, "USD") == FixedDecimal("25"))
    }

    @Test func amendAtOrBelowFilledEndsTheOrder() throws {
        let ex = try makeExchange()
        let a = try ex.limit(bob, .sell, "1", at: "100.0")
        let b = try ex.limit(bob, .sell, "1", at: "100.0")
        try ex.limit(alice, .buy, "1.4", at: "100.0")     // a filled, b filled 0.4
        let filled = try ex.amendOrder(bob, AmendRequest(order: .id(b.order.id), newQuantity: "0.4"))
        #expect(filled.order.order.status == .filled)
        #expect(ex.order(bob, .id(a.order.id))?.order.status == .filled)
        let c = try ex.limit(bob, .sell, "1", at: "100.0")
        try ex.limit(alice, .buy, "0.5", at: "100.0")
        let canceled = try ex.amendOrder(bob, AmendRequest(order: .id(c.order.id), newQuantity: "0.3"))
        #expect(canceled.order.order.status == .canceled && canceled.order.endReason == .amendedBelowFilled)
        #expect(canceled.order.order.filledQuantity == FixedDecimal("0.5"))
        #expect(try ex.levels(.sell).isEmpty)
        #expect(ex.frozen(bob, "BTC") == .zero)
        #expect(ex.audit().isEmpty)
    }

    @Test func amendToACrossingPriceTrades() throws {
        let ex = try makeExchange()
        try ex.limit(bob, .sell, "1", at: "101.0")
        let o = try ex.limit(alice, .buy, "1", at: "100.0")
        let r = try ex.amendOrder(alice, AmendRequest(order: .id(o.order.id), newPrice: "101.0"))
        #expect(r.order.order.status == .filled)
        #expect(r.fills.map(\.fill.liquidity) == [.taker])
        #expect(ex.available(alice, "USD") == FixedDecimal("9999899"))

        let p = try ex.limit(alice, .buy, "1", at: "100.0", postOnly: true)
        try ex.limit(bob, .sell, "1", at: "102.0")
        #expect(rejection { try ex.amendOrder(alice, AmendRequest(order: .id(p.order.id), newPrice: "102.0")) } == .postOnlyWouldTake)
        #expect(ex.order(alice, .id(p.order.id))?.order.price == FixedDecimal("100.0"))
        #expect(ex.audit().isEmpty)
    }
}
