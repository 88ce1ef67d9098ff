import HFTCore
import Testing
import HFTSimulator

@Suite("Matching")
struct MatchingTests {
    @Test func crossingAndPartialFill() throws {
        let ex = try makeExchange()
        let rec = record(ex)
        let ask = try ex.limit(bob, .sell, "1.0", at: "80000.0")
        #expect(ask.order.order.status == .open)
        let buy = try ex.limit(alice, .buy, "0.4", at: "80010.0")
        #expect(buy.order.order.status == .filled)
        #expect(buy.order.order.averagePrice == FixedDecimal("80000.0"))
        #expect(buy.fills.count == 1)
        #expect(buy.fills[0].fill.price.description == "80000.0")
        #expect(buy.fills[0].fill.quantity.description == "0.40000000")
        #expect(buy.fills[0].fill.liquidity == .taker)

        #expect(try ex.levels(.sell).map { $0.0 + " " + $0.1 } == ["80000.0 0.60000000"])
        #expect(try ex.levels(.buy).isEmpty)
        let t = try #require(rec.trades.first)
        #expect(t.trade.price.description == "80000.0" && t.trade.side == .buy && t.tradeID == 1)
        #expect(t.buyOrderID == buy.order.id && t.sellOrderID == ask.order.id)

        let bobOrder = try #require(ex.order(bob, .id(ask.order.id)))
        #expect(bobOrder.order.status == .partiallyFilled)
        #expect(bobOrder.order.remainingQuantity == FixedDecimal("0.6"))
        #expect(rec.orderKinds(ask.order.id) == [.new, .partiallyFilled])
        #expect(rec.orderKinds(buy.order.id) == [.new, .filled])

        #expect(ex.available(alice, "BTC") == FixedDecimal("100.4"))
        #expect(ex.available(alice, "USD") == FixedDecimal("9968000"))
        #expect(ex.available(bob, "BTC") == FixedDecimal("99"))
        #expect(ex.frozen(bob, "BTC") == FixedDecimal("0.6"))
        #expect(ex.available(bob, "USD") == FixedDecimal("10032000"))
        #expect(ex.audit().isEmpty)
    }

    @Test func priceThenTimePriority() throws {
        let ex = try makeExchange()
        let first = try ex.limit(bob, .sell, "1", at: "100.0")
        let second = try ex.limit(carol, .sell, "1", at: "100.0")
        let better = try ex.limit(bob, .sell, "1", at: "99.0")
        let r = try ex.limit(alice, .buy, "1.5", at: "100.0")
        #expect(r.fills.map(\.fill.price.description) == ["99.0", "100.0"])
        let makers = ex.openOrders(bob) + ex.openOrders(carol)
        #expect(makers.first { $0.id == first.order.id }?.order.filledQuantity == FixedDecimal("0.5"))
        #expect(makers.first { $0.id == second.order.id }?.order.filledQuantity == FixedDecimal("0"))
        #expect(ex.order(bob, .id(better.order.id))?.order.status == .filled)
        #expect(try ex.levels(.sell).map(\.1) == ["1.50000000"])
    }

    @Test func sweepCoalescesBookDeltasWithContiguousSequences() throws {
        let ex = try makeExchange()
        let rec = record(ex, .market([btc]))
        try ex.limit(bob, .sell, "1", at: "99.0")
        try ex.limit(bob, .sell, "1", at: "100.0")
        try ex.limit(bob, .sell, "1", at: "100.0")
        try ex.limit(alice, .buy, "2.5", at: "100.0")
        let updates = rec.bookUpdates
        #expect(updates.count == 4)
        var next: Int64 = 1
        for u in updates {
            #expect(u.firstSequence == next)
            #expect(u.lastSequence - u.firstSequence + 1 == Int64(u.changes.count))
            next = u.lastSequence + 1
        }
        let sweep = updates[3].changes.map { "\($0.side) \($0.price) \($0.quantity)" }
        #expect(sweep == ["sell 99.0 0.00000000", "sell 100.0 0.50000000"])
        #expect(try ex.bookSnapshot(btc).sequence == next - 1)
        #expect(rec.trades.map(\.tradeID) == [1, 2, 3])
    }

    @Test func marketOrders() throws {
        let ex = try makeExchange()
        #expect(rejection { try ex.market(alice, .buy, "1") } == .noLiquidity)
        try ex.limit(bob, .sell, "1", at: "99.0")
        try ex.limit(bob, .sell, "1", at: "100.0")
        let r = try ex.market(alice, .buy, "1.5")
        #expect(r.order.order.status == .filled)
        #expect(r.fills.map(\.fill.price.description) == ["99.0", "100.0"])
        #expect(ex.available(alice, "USD") == FixedDecimal("9999851"))   // 99 + 50
        // More than the book has: the rest expires.
        let r2 = try ex.market(alice, .buy, "2")
        #expect(r2.order.order.status == .expired)
        #expect(r2.order.endReason == .unfilledImmediateOrCancel)
        #expect(r2.order.order.filledQuantity == FixedDecimal("0.5"))
        // Quote-sized market buy: spends at most 50 USD.
        try ex.limit(bob, .sell, "1", at: "200.0")
        let q = try ex.placeOrder(alice, OrderRequest(symbol: btc, side: .buy, type: .market, quantity: nil,
                                                      quoteQuantity: "50", timeInForce: .ioc))
        #expect(q.order.order.status == .filled)
        #expect(q.order.order.filledQuantity == FixedDecimal("0.25"))
        #expect(q.order.cumulativeQuote == FixedDecimal("50"))
        #expect(rejection { try ex.placeOrder(alice, OrderRequest(symbol: btc, side: .buy, type: .market, quantity: "1", price: "1.0")) }
                == .invalidOrderCombination("a market order takes no price"))
        #expect(rejection { try ex.market(alice, .sell, "1") } == .noLiquidity)
        try ex.limit(bob, .buy, "1", at: "90.0")
        #expect(rejection { try ex.market(alice, .sell, "1000") } == .insufficientBalance(asset: "BTC"))
        #expect(ex.audit().isEmpty)
    }

    @Test func immediateOrCancelAndFillOrKill() throws {
        let ex = try makeExchange()
        try ex.limit(bob, .sell, "1", at: "99.0")
        let fok = try ex.limit(alice, .buy, "2", at: "99.0", tif: .fok)
        #expect(fok.order.order.status == .expired && fok.order.endReason == .unfilledFillOrKill)
        #expect(fok.fills.isEmpty)
        #expect(try ex.levels(.sell).map(\.1) == ["1.00000000"])
        #expect(ex.frozen(alice, "USD") == .zero)

        let ioc = try ex.limit(alice, .buy, "2", at: "99.0", tif: .ioc)
        #expect(ioc.order.order.status == .expired && ioc.order.endReason == .unfilledImmediateOrCancel)
        #expect(ioc.order.order.filledQuantity == FixedDecimal("1"))
        #expect(try ex.levels(.buy).isEmpty)

        try ex.limit(bob, .sell, "1", at: "99.0")
        try ex.limit(bob, .sell, "1", at: "99.5")
        let fok2 = try ex.limit(alice, .buy, "1.5", at: "99.5", tif: .fok)
        #expect(fok2.order.order.status == .filled)
        #expect(ex.frozen(alice, "USD") == .zero)
        #expect(ex.audit().isEmpty)
    }

    @Test func postOnlyRejectMode() throws {
        let ex = try makeExchange(rules: MatchingRules(postOnly: .reject))
        let rec = record(ex)
        try ex.limit(bob, .sell, "1", at: "100.0")
        #expect(rejection { try ex.limit(alice, .buy, "1", at: "100.0", postOnly: true) } == .postOnlyWouldTake)
        #expect(rec.trades.isEmpty)
        #expect(rec.orderEvents.last?.kind == .rejected)
        #expect(rec.orderEvents.last?.rejectReason == .postOnlyWouldTake)
        let ok = try ex.limit(alice, .buy, "1", at: "99.9", postOnly: true)
        #expect(ok.order.order.status == .open && ok.order.order.postOnly)
        #expect(rejection { try ex.limit(alice, .buy, "1", at: "99.9", tif: .ioc, postOnly: true) }
                == .invalidOrderCombination("post-only needs GTC"))
    }

    @Test func postOnlyExpireMode() throws {
        let ex = try makeExchange(rules: MatchingRules(postOnly: .expire))
        let rec = record(ex)
        try ex.limit(bob, .sell, "1", at: "100.0")
        let r = try ex.limit(alice, .buy, "1", at: "100.5", postOnly: true)
        #expect(r.order.order.status == .expired && r.order.endReason == .postOnlyWouldTake)
        #expect(rec.orderKinds(r.order.id) == [.new, .expired])
        #expect(rec.trades.isEmpty)
        #expect(ex.frozen(alice, "USD") == .zero)
        #expect(try ex.levels(.sell).map(\.1) == ["1.00000000"])
    }

    @Test func cancelAndCancelAll() throws {
        let ex = try makeExchange()
        let a = try ex.limit(alice, .buy, "1", at: "90.0", clientID: "a1")
        let b = try ex.limit(alice, .buy, "1", at: "91.0")
        let c = try ex.limit(alice, .sell, "1", at: "3000.00", symbol: eth)
        let d = try ex.limit(bob, .buy, "1", at: "92.0")
        #expect(ex.frozen(alice, "USD") == FixedDecimal("181"))

        let canceled = try ex.cancelOrder(alice, .clientID("a1"))
        #expect(canceled.id == a.order.id && canceled.order.status == .canceled && canceled.endReason == .canceledByUser)
        #expect(rejection { try ex.cancelOrder(alice, .id(a.order.id)) } == .unknownOrder)
        #expect(rejection { try ex.cancelOrder(alice, .id(d.order.id)) } == .unknownOrder)   // not hers
        #expect(rejection { try ex.cancelOrder(alice, .id(b.order.id), symbol: eth) } == .unknownOrder)
        #expect(ex.order(alice, .clientID("a1"))?.order.status == .canceled)   // from history

        let done = try ex.cancelAllOrders(alice, symbol: btc)
        #expect(done.map(\.id) == [b.order.id])
        #expect(done[0].endReason == .canceledAll)
        #expect(ex.openOrders(alice).map(\.id) == [c.order.id])
        #expect(try ex.cancelAllOrders(alice).map(\.id) == [c.order.id])
        #expect(ex.openOrders(alice).isEmpty)
        #expect(ex.openOrders(bob).map(\.id) == [d.order.id])
        #expect(ex.frozen(alice, "USD") == .zero && ex.frozen(alice, "ETH") == .zero)
        #expect(ex.audit().isEmpty)
    }

    @Test(arguments: SelfTradePrevention.allCases)
    func selfTradePrevention(_ mode: SelfTradePrevention) throws {
        let ex = try makeExchange()
        let rec = record(ex)
        let mine = try ex.limit(alice, .sell, "1", at: "100.0")
        let theirs = try ex.limit(bob, .sell, "1", at: "100.0")
        let taker = try ex.limit(alice, .buy, "1", at: "100.0", stp: mode)
        switch mode {
        case .none:
            #expect(taker.order.order.status == .filled)
            #expect(rec.trades.count == 1 && rec.trades[0].sellOrderID == mine.order.id)
            #expect(ex.order(alice, .id(mine.order.id))?.order.status == .filled)
        case .cancelTaker:
            #expect(taker.order.order.status == .expired && taker.order.endReason == .selfTradePrevention)
            #expect(rec.trades.isEmpty)
            #expect(ex.openOrders(alice).map(\.id) == [mine.order.id])
        case .cancelMaker:
            #expect(taker.order.order.status == .filled)
            #expect(rec.trades.count == 1 && rec.trades[0].sellOrderID == theirs.order.id)
            let m = try #require(ex.order(alice, .id(mine.order.id)))
            #expect(m.order.status == .expired && m.endReason == .selfTradePrevention)
        case .cancelBoth:
            #expect(taker.order.order.status == .expired && taker.order.endReason == .selfTradePrevention)
            #expect(ex.order(alice, .id(mine.order.id))?.order.status == .expired)
            #expect(rec.trades.isEmpty)
            #expect(ex.openOrders(bob).map(\.id) == [theirs.order.id])
        }
        #expect(ex.audit().isEmpty)
    }

    @Test func venueDefaultSelfTradePrevention() throws {
        let ex = try makeExchange(rules: MatchingRules(defaultSelfTradePrevention: .cancelTaker))
        try ex.limit(alice, .sell, "1", at: "100.0")
        let taker = try ex.limit(alice, .buy, "1", at: "100.0")
        #expect(taker.order.selfTradePrevention == .cancelTaker)
        #expect(taker.order.endReason == .selfTradePrevention)
    }

    @Test func tickLotAndMinimumRejects() throws {
        let ex = try makeExchange(minNotional: "10")
        #expect(rejection { try ex.limit(alice, .buy, "1", at: "100.05") } == .priceNotOnTick(tickSize: "0.1"))
        #expect(rejection { try ex.limit(alice, .buy, "0.000000001", at: "100.0") } == .quantityNotOnLot(lotSize: "0.00000001"))
        #expect(rejection { try ex.limit(alice, .buy, "0.00005", at: "100.0") } == .quantityBelowMinimum(minQuantity: "0.0001"))
        #expect(rejection { try ex.limit(alice, .buy, "0.05", at: "100.0") } == .notionalBelowMinimum(minNotional: "10"))
        #expect(rejection { try ex.limit(alice, .buy, "1", at: "0") } == .invalidPrice)
        #expect(rejection { try ex.limit(alice, .buy, "1", at: "-5.0") } == .invalidPrice)
        #expect(rejection { try ex.limit(alice, .buy, "0", at: "100.0") } == .invalidQuantity)
        #expect(rejection { try ex.limit(alice, .buy, "1", at: "100.0", symbol: "XRP/USD") } == .unknownSymbol("XRP/USD"))
        #expect(rejection { try ex.limit(AccountID(99), .buy, "1", at: "100.0") } == .unknownAccount)
        // Extra trailing zeros are fine when the value sits on the grid.
        #expect(try ex.limit(alice, .buy, "0.100000000", at: "100.000").order.order.price?.description == "100.0")
        #expect(rejection { try ex.limit(alice, .buy, "200000", at: "100.0") } == .insufficientBalance(asset: "USD"))
        #expect(rejection { try ex.limit(alice, .sell, "101", at: "100.0") } == .insufficientBalance(asset: "BTC"))
    }

    @Test func openOrderLimit() throws {
        let ex = try makeExchange(rules: MatchingRules(maxOpenOrdersPerSymbol: 2))
        try ex.limit(alice, .buy, "1", at: "90.0")
        try ex.limit(alice, .buy, "1", at: "91.0")
        #expect(rejection { try ex.limit(alice, .buy, "1", at: "92.0") } == .tooManyOpenOrders(limit: 2))
        try ex.limit(alice, .buy, "1", at: "3000.00", symbol: eth)
        try ex.limit(bob, .buy, "1", at: "92.0")
    }

    @Test func duplicateClientOrderID() throws {
        let ex = try makeExchange()
        let first = try ex.limit(alice, .buy, "1", at: "90.0", clientID: "abc")
        #expect(rejection { try ex.limit(alice, .buy, "1", at: "91.0", clientID: "abc") } == .duplicateClientOrderID)
        try ex.limit(bob, .buy, "1", at: "91.0", clientID: "abc")   // other accounts are independent
        _ = try ex.cancelOrder(alice, .id(first.order.id))
        let again = try ex.limit(alice, .buy, "1", at: "92.0", clientID: "abc")
        #expect(ex.order(alice, .clientID("abc"))?.id == again.order.id)
    }

    @Test func feesAreChargedInTheReceivedAsset() throws {
        let ex = try makeExchange(fees: FeeSchedule(maker: "0.001", taker: "0.002"))
        let before = ex.totals()
        let maker = try ex.limit(bob, .sell, "1", at: "100.0")
        let r = try ex.limit(alice, .buy, "1", at: "100.0")
        #expect(r.fills[0].fill.fee == FixedDecimal("0.002") && r.fills[0].fill.feeCurrency == "BTC")
        #expect(ex.available(alice, "BTC") == FixedDecimal("100.998"))
        #expect(ex.available(alice, "USD") == FixedDecimal("9999900"))
        #expect(ex.available(bob, "USD") == FixedDecimal("10000099.9"))
        #expect(ex.collectedFees()["BTC"] == FixedDecimal("0.002"))
        #expect(ex.collectedFees()["USD"] == FixedDecimal("0.1"))
        #expect(ex.totals() == before)
        let bobOrder = try #require(ex.order(bob, .id(maker.order.id)))
        #expect(bobOrder.fees == [FeeAmount(asset: "USD", amount: "0.1")])
    }

    @Test func eventOrderForATaker() throws {
        let ex = try makeExchange()
        try ex.limit(bob, .sell, "1", at: "100.0")
        let rec = record(ex)
        try ex.limit(alice, .buy, "2", at: "100.0")
        let kinds: [String] = rec.events.map {
            switch $0 {
            case .order(let o): "order:\(o.kind.rawValue):\(o.account.rawValue)"
            case .trade: "trade"
            case .fill(let f): "fill:\(f.fill.liquidity.rawValue)"
            case .book: "book"
            case .balance(let b): "balance:\(b.account.rawValue):\(b.balance.asset)"
            case .position: "position"
            }
        }
        #expect(kinds == ["order:new:0", "trade", "fill:taker", "order:partiallyFilled:0", "fill:maker", "order:filled:1",
                          "book", "balance:0:USD", "balance:0:BTC", "balance:1:BTC", "balance:1:USD"])
    }

    @Test func accountFilterSeesOnlyItsOwnEvents() throws {
        let ex = try makeExchange()
        let rec = record(ex, .account(alice))
        try ex.limit(bob, .sell, "1", at: "100.0")
        try ex.limit(alice, .buy, "1", at: "100.0")
        #expect(!rec.events.isEmpty)
        #expect(rec.events.allSatisfy { $0.account == alice })
    }

    @Test func subscribeWithSnapshotIsAtomic() throws {
        let ex = try makeExchange()
        try ex.limit(bob, .sell, "1", at: "100.0")
        let rec = EventRecorder()
        let (_, book) = try ex.subscribe(.market([btc]), snapshotOf: btc, depth: 10) { rec.record($0) }
        try ex.limit(bob, .sell, "1", at: "101.0")
        #expect(book.asks.count == 1 && book.sequence == 1)
        #expect(rec.bookUpdates.first?.firstSequence == book.sequence + 1)
    }

    @Test func handlersMayCallBackIntoTheExchange() throws {
        let ex = try makeExchange()
        let rec = EventRecorder()
        ex.subscribe(.market([btc])) { e in
            rec.record(e)
            if case .trade = e { _ = try? ex.limit(carol, .sell, "1", at: "150.0") }
        }
        try ex.limit(bob, .sell, "1", at: "100.0")
        try ex.limit(alice, .buy, "1", at: "100.0")
        #expect(try ex.levels(.sell).map(\.0) == ["150.0"])
        var next: Int64 = 1
        for u in rec.bookUpdates {
            #expect(u.firstSequence == next)
            next = u.lastSequence + 1
        }
    }

    @Test func tickerAndRecentTrades() throws {
        let ex = try makeExchange()
        try ex.limit(bob, .sell, "2", at: "100.0")
        try ex.limit(alice, .buy, "1", at: "99.0")
        try ex.limit(alice, .buy, "0.5", at: "100.0")
        let t = try #require(ex.ticker(btc))
        #expect(t.bid == FixedDecimal("99.0") && t.ask == FixedDecimal("100.0") && t.last == FixedDecimal("100.0"))
        #expect(t.askQuantity == FixedDecimal("1.5") && t.volume24h == FixedDecimal("0.5"))
        #expect(ex.recentTrades(btc).map(\.trade.quantity) == [FixedDecimal("0.5")])
    }
}
