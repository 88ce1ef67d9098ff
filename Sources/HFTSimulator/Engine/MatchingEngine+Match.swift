import HFTCore

/// The matching loop: a taker against the opposite side, best price first, oldest first.
extension MatchingEngine {
    /// Matches `taker` until it is filled, stops crossing, or must stop; returns why it had
    /// to stop early (self-trade prevention, funds), nil otherwise.
    mutating func match(_ taker: inout OrderRecord, _ ledger: inout Ledger, _ ctx: inout OpContext) -> OrderEndReason? {
        let makerSide = taker.side.opposite
        let limit: Int64? = taker.type == .limit ? taker.price : nil
        while taker.remaining > 0 {
            guard let price = book(makerSide).bestPrice, book(makerSide).crosses(price, limit: limit) else { return nil }
            touch(makerSide, price)
            let li = book(makerSide).levels.count - 1
            var maker = withBook(makerSide) { $0.levels[li].orders[$0.levels[li].head] }

            if maker.account == taker.account && taker.stp != .none {
                if taker.stp == .cancelTaker { return .selfTradePrevention }
                popMaker(makerSide, li, &maker)
                finish(&maker, .expired, .selfTradePrevention, &ledger, &ctx)
                if taker.stp == .cancelBoth { return .selfTradePrevention }
                continue
            }

            let q = ledger.affordable(inst, taker, price: price, qty: min(taker.remaining, maker.remaining), .taker)
            if q == 0 {
                if let budget = taker.quoteBudget, ledger.notional(inst, price, inst.lot, .down) > budget {
                    taker.quantity = taker.filled   // a quote-sized order is done when its budget buys no more lots
                    return nil
                }
                return .insufficientBalance
            }
            if ledger.affordable(inst, maker, price: price, qty: q, .maker) < q {
                popMaker(makerSide, li, &maker)
                finish(&maker, .expired, .insufficientBalance, &ledger, &ctx)
                continue
            }
            execute(&taker, &maker, price: price, qty: q, &ledger, &ctx)
            if maker.remaining == 0 {
                popMaker(makerSide, li, &maker)
                finish(&maker, .filled, nil, &ledger, &ctx)
            } else {
                withBook(makerSide) { b in
                    b.levels[li].orders[b.levels[li].head] = maker
                    b.levels[li].total -= q
                }
                emitOrder(.partiallyFilled, maker, ledger, &ctx)
            }
        }
        return nil
    }

    /// Removes the level's first order (whose current state is `maker`).
    private mutating func popMaker(_ side: Side, _ li: Int, _ maker: inout OrderRecord) {
        withBook(side) { b in
            _ = b.levels[li].popFront()
            if b.levels[li].isEmpty { b.levels.remove(at: li) }
        }
        locator.removeValue(forKey: maker.id)
    }

    /// Settles one trade and publishes it (trade, then the taker's and the maker's fills).
    private mutating func execute(_ taker: inout OrderRecord, _ maker: inout OrderRecord, price: Int64, qty: Int64,
                                  _ ledger: inout Ledger, _ ctx: inout OpContext) {
        lastTradeID += 1
        lastPrice = price
        volume += Int128(qty)
        taker.updatedAt = ctx.now
        maker.updatedAt = ctx.now
        let t = ledger.applyFill(inst, &taker, price: price, qty: qty, .taker)
        let m = ledger.applyFill(inst, &maker, price: price, qty: qty, .maker)
        if taker.remaining > 0 { taker.status = .partiallyFilled }
        if maker.remaining > 0 { maker.status = .partiallyFilled }

        let tid = lastTradeID
        let trade = TradeEvent(
            trade: Trade(venue: inst.venue, symbol: inst.spec.symbol, id: String(tid), price: inst.price(price),
                         quantity: inst.quantity(qty), side: taker.side, timestamp: ctx.now),
            tradeID: tid, buyOrderID: taker.side == .buy ? taker.id : maker.id,
            sellOrderID: taker.side == .sell ? taker.id : maker.id, takerOrderType: taker.type)
        recentTrades.append(trade)
        if ctx.wantsPublic { ctx.events.append(.trade(trade)) }
        emitFill(taker, t, trade, .taker, ledger, &ctx)
        if taker.remaining > 0 { emitOrder(.partiallyFilled, taker, ledger, &ctx) }
        emitFill(maker, m, trade, .maker, ledger, &ctx)
    }

    private func emitFill(_ o: OrderRecord, _ a: FillAmounts, _ trade: TradeEvent, _ liquidity: Liquidity,
                          _ ledger: Ledger, _ ctx: inout OpContext) {
        let collect = ctx.collectFillsFor == o.id
        guard collect || ctx.interest.wants(o.account) else { return }
        let quoteAsset = inst.perp != nil ? inst.settle : inst.quote
        let fill = FillEvent(
            account: AccountID(o.account), orderID: o.id, tradeID: trade.tradeID,
            fill: Fill(venue: inst.venue, symbol: inst.spec.symbol, tradeID: trade.trade.id, orderID: String(o.id),
                       clientOrderID: o.clientOrderID, side: o.side, price: trade.trade.price, quantity: trade.trade.quantity,
                       fee: ledger.amount(a.fee, asset: a.feeAsset), feeCurrency: ledger.assets[a.feeAsset].name,
                       liquidity: liquidity, timestamp: ctx.now),
            quoteQuantity: ledger.amount(a.quote, asset: quoteAsset))
        if collect { ctx.collectedFills.append(fill) }
        if ctx.interest.wants(o.account) { ctx.events.append(.fill(fill)) }
    }

    /// How much of `taker` could fill right now (for FOK), honouring self-trade prevention.
    func fillableQuantity(_ taker: OrderRecord) -> Int64 {
        let b = book(taker.side.opposite)
        let limit: Int64? = taker.type == .limit ? taker.price : nil
        var total: Int64 = 0
        var li = b.levels.count - 1
        while li >= 0 && total < taker.remaining {
            let level = b.levels[li]
            guard b.crosses(level.price, limit: limit) else { break }
            for oi in level.head..<level.orders.count {
                let m = level.orders[oi]
                if m.account == taker.account && taker.stp != .none {
                    if taker.stp == .cancelMaker { continue }
                    return total
                }
                total += m.remaining
                if total >= taker.remaining { return total }
            }
            li -= 1
        }
        return total
    }
}
