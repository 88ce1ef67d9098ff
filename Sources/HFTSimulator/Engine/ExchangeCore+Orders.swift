import HFTCore

/// Order entry: place, cancel, amend, cancel-all, leverage.
extension ExchangeCore {
    static let maxPriceMantissa: Int128 = 1_000_000_000_000_000           // 1e15 ticks
    static let maxQuantityMantissa: Int128 = 100_000_000_000_000_000      // 1e17 units

    // MARK: Validation

    func ticks(_ price: FixedDecimal?, _ inst: InstrumentRuntime) throws(RejectReason) -> Int64 {
        guard let price, price > .zero,
              price <= FixedDecimal(mantissa: Self.maxPriceMantissa, scale: inst.spec.priceScale) else { throw .invalidPrice }
        guard let exact = price.exactlyRescaled(to: inst.spec.priceScale), Int64(exact.mantissa) % inst.tick == 0 else {
            throw .priceNotOnTick(tickSize: inst.spec.tickSize)
        }
        return Int64(exact.mantissa)
    }

    func units(_ quantity: FixedDecimal?, _ inst: InstrumentRuntime) throws(RejectReason) -> Int64 {
        guard let quantity, quantity > .zero,
              quantity <= FixedDecimal(mantissa: Self.maxQuantityMantissa, scale: inst.spec.quantityScale) else { throw .invalidQuantity }
        guard let exact = quantity.exactlyRescaled(to: inst.spec.quantityScale), Int64(exact.mantissa) % inst.lot == 0 else {
            throw .quantityNotOnLot(lotSize: inst.spec.lotSize)
        }
        let m = Int64(exact.mantissa)
        guard m >= inst.minQuantity else { throw .quantityBelowMinimum(minQuantity: inst.spec.minQuantity) }
        return m
    }

    func checkNotional(_ inst: InstrumentRuntime, price: Int64, quantity: Int64) throws(RejectReason) {
        guard inst.perp == nil, inst.minNotional > 0 else { return }
        if ledger.notional(inst, price, quantity, .up) < inst.minNotional {
            throw .notionalBelowMinimum(minNotional: inst.spec.minNotional)
        }
    }

    /// Turns a request into an order record, or says why it is malformed (no events).
    func makeRecord(_ account: Int, _ r: OrderRequest, _ inst: InstrumentRuntime, id: SimOrderID,
                    now: Timestamp) throws(RejectReason) -> OrderRecord {
        if r.type == .market {
            guard r.price == nil else { throw .invalidOrderCombination("a market order takes no price") }
            guard !r.postOnly else { throw .invalidOrderCombination("a market order cannot be post-only") }
        } else {
            guard r.quoteQuantity == nil else { throw .invalidOrderCombination("quote quantity is for market orders") }
            if r.postOnly && r.timeInForce != .gtc { throw .invalidOrderCombination("post-only needs GTC") }
        }
        let price = r.type == .limit ? try ticks(r.price, inst) : 0
        let quantity: Int64
        let budget: Int128?
        if let q = r.quoteQuantity {
            guard inst.perp == nil else { throw .invalidOrderCombination("quote quantity on a perpetual") }
            guard r.quantity == nil else { throw .invalidOrderCombination("give quantity or quote quantity, not both") }
            guard q > .zero, q <= FixedDecimal(mantissa: Self.maxQuantityMantissa, scale: inst.quoteScale),
                  let b = q.exactlyRescaled(to: inst.quoteScale) else { throw .invalidQuantity }
            budget = b.mantissa
            quantity = OrderRecord.unbounded
        } else {
            quantity = try units(r.quantity, inst)
            budget = nil
        }
        if r.type == .limit { try checkNotional(inst, price: price, quantity: quantity) }
        if let c = r.clientOrderID, c.isEmpty { throw .invalidOrderCombination("empty client order id") }
        let stp = r.selfTradePrevention ?? rules.defaultSelfTradePrevention
        return OrderRecord(id: id, account: account, side: r.side, type: r.type,
                           timeInForce: r.type == .market ? .ioc : r.timeInForce, postOnly: r.postOnly, stp: stp,
                           price: price, quantity: quantity, unboundedQuantity: budget != nil, quoteBudget: budget,
                           clientOrderID: r.clientOrderID, createdAt: now, updatedAt: now)
    }

    // MARK: Place

    /// Places an order; returns its state after matching. Business rejects (funds, post-only,
    /// duplicate client id, …) emit a `.rejected` order event before throwing.
    mutating func place(_ account: Int, _ r: OrderRequest, _ ctx: inout OpContext) throws(RejectReason) -> OrderRecord {
        try checkAccount(account)
        let ei = try engineIndex(r.symbol)
        let inst = engines[ei].inst
        var o = try makeRecord(account, r, inst, id: nextOrderID, now: ctx.now)
        nextOrderID += 1
        do throws(RejectReason) {
            try admit(&o, ei)
        } catch {
            o.status = .rejected
            engines[ei].emitOrder(.rejected, o, ledger, &ctx, reject: error)
            throw error
        }
        ctx.collectFills(for: o.id)
        engines[ei].accept(o, &ledger, &ctx)
        if o.postOnly && engines[ei].wouldCross(o.side, price: o.price) {
            engines[ei].finish(&o, .expired, .postOnlyWouldTake, &ledger, &ctx)
        } else if o.timeInForce == .fok && engines[ei].fillableQuantity(o) < o.remaining {
            engines[ei].finish(&o, .expired, .unfilledFillOrKill, &ledger, &ctx)
        } else {
            execute(&o, ei, &ctx)
        }
        return o
    }

    /// Matches an accepted order, then rests or ends it.
    private mutating func execute(_ o: inout OrderRecord, _ ei: Int, _ ctx: inout OpContext) {
        let stop = engines[ei].match(&o, &ledger, &ctx)
        if o.remaining == 0 {
            engines[ei].finish(&o, .filled, nil, &ledger, &ctx)
        } else if let stop {
            engines[ei].finish(&o, .expired, stop, &ledger, &ctx)
        } else if o.type == .market || o.timeInForce != .gtc {
            engines[ei].finish(&o, .expired, .unfilledImmediateOrCancel, &ledger, &ctx)
        } else {
            engines[ei].rest(o)
        }
    }

    /// The checks that need the book and the account; on success the reserve is frozen.
    private mutating func admit(_ o: inout OrderRecord, _ ei: Int) throws(RejectReason) {
        let inst = engines[ei].inst
        let acct = ledger.accounts[o.account]
        if let c = o.clientOrderID, acct.clientIDs[c] != nil { throw .duplicateClientOrderID }
        if rules.maxOpenOrdersPerSymbol > 0, o.type == .limit,
           acct.openOrders.values.lazy.filter({ $0 == ei }).count >= rules.maxOpenOrdersPerSymbol {
            throw .tooManyOpenOrders(limit: rules.maxOpenOrdersPerSymbol)
        }
        if o.postOnly && rules.postOnly == .reject && engines[ei].wouldCross(o.side, price: o.price) {
            throw .postOnlyWouldTake
        }
        let ra = inst.reserveAsset(o.side)
        let insufficient = RejectReason.insufficientBalance(asset: ledger.assets[ra].name)
        if o.type == .market {
            let opposite = engines[ei].book(o.side.opposite)
            guard let best = opposite.best else { throw .noLiquidity }
            if let budget = o.quoteBudget, ledger.notional(inst, best.price, inst.lot, .down) > budget { throw .invalidQuantity }
            if inst.perp == nil && o.side == .sell && !o.unboundedQuantity && acct.available[ra] < ledger.baseAmount(inst, o.quantity) {
                throw insufficient
            }
            let first = min(o.remaining, best.total)
            if ledger.affordable(inst, o, price: best.price, qty: first, .taker) == 0 { throw insufficient }
            return
        }
        let need = ledger.reserveNeeded(inst, o)
        guard acct.available[ra] >= need else { throw insufficient }
        ledger.freeze(o.account, ra, need)
        o.reserved = need
    }

    // MARK: Cancel

    /// The engine index and id of an open order of `account`.
    func locateOpen(_ account: Int, _ ref: OrderRef, symbol: Symbol?) throws(RejectReason) -> (Int, SimOrderID) {
        try checkAccount(account)
        let acct = ledger.accounts[account]
        let id: SimOrderID
        switch ref {
        case .id(let i): id = i
        case .clientID(let c):
            guard let i = acct.clientIDs[c] else { throw .unknownOrder }
            id = i
        }
        guard let ei = acct.openOrders[id] else { throw .unknownOrder }
        if let symbol, engines[ei].inst.spec.symbol != symbol { throw .unknownOrder }
        return (ei, id)
    }

    mutating func cancel(_ account: Int, _ ref: OrderRef, symbol: Symbol?, reason: OrderEndReason = .canceledByUser,
                         _ ctx: inout OpContext) throws(RejectReason) -> OrderRecord {
        let (ei, id) = try locateOpen(account, ref, symbol: symbol)
        guard var o = engines[ei].remove(id) else { throw .unknownOrder }
        engines[ei].finish(&o, .canceled, reason, &ledger, &ctx)
        return o
    }

    /// Cancels every open order of the account (optionally of one symbol), oldest first.
    mutating func cancelAll(_ account: Int, symbol: Symbol?, _ ctx: inout OpContext) throws(RejectReason) -> [OrderRecord] {
        try checkAccount(account)
        let only = try symbol.map { (s) throws(RejectReason) -> Int in try engineIndex(s) }
        let ids = ledger.accounts[account].openOrders.filter { only == nil || $0.value == only }.keys.sorted()
        var out: [OrderRecord] = []
        for id in ids {
            out.append(try cancel(account, .id(id), symbol: nil, reason: .canceledAll, &ctx))
        }
        return out
    }

    // MARK: Amend

    /// Changes price and/or quantity of an open order under the venue's `AmendPolicy`.
    /// A quantity decrease at the same price keeps priority; anything else re-queues the order
    /// (and lets it trade if the new price crosses).
    mutating func amend(_ account: Int, _ r: AmendRequest, symbol: Symbol?, _ ctx: inout OpContext) throws(RejectReason) -> OrderRecord {
        let (ei, id) = try locateOpen(account, r.order, symbol: symbol)
        let inst = engines[ei].inst
        guard let old = engines[ei].order(id) else { throw .unknownOrder }
        let price = r.newPrice == nil ? old.price : try ticks(r.newPrice, inst)
        let quantity = r.newQuantity == nil ? old.quantity : try units(r.newQuantity, inst)
        let rename = r.newClientOrderID.flatMap { $0 == old.clientOrderID ? nil : $0 }
        guard price != old.price || quantity != old.quantity || rename != nil else { throw .amendNoChange }
        if price != old.price && !rules.amend.allowPriceChange { throw .amendPriceChangeNotAllowed }
        if quantity > old.quantity && !rules.amend.allowQuantityIncrease { throw .amendQuantityIncreaseNotAllowed }
        if let c = rename {
            guard !c.isEmpty else { throw .invalidOrderCombination("empty client order id") }
            if ledger.accounts[account].clientIDs[c] != nil { throw .duplicateClientOrderID }
        }
        if old.postOnly && price != old.price && engines[ei].wouldCross(old.side, price: price) { throw .postOnlyWouldTake }
        if quantity > old.filled { try checkNotional(inst, price: price, quantity: quantity) }

        var o = old
        o.price = price
        o.quantity = max(quantity, old.filled)
        o.updatedAt = ctx.now
        let ra = inst.reserveAsset(o.side)
        let need = ledger.reserveNeeded(inst, o)
        if need - old.reserved > ledger.accounts[account].available[ra] {
            throw .insufficientBalance(asset: ledger.assets[ra].name)
        }
        ledger.freeze(account, ra, need - old.reserved)
        o.reserved = need
        if let c = rename {
            if let oldID = old.clientOrderID { ledger.accounts[account].clientIDs.removeValue(forKey: oldID) }
            ledger.accounts[account].clientIDs[c] = id
            o.clientOrderID = c
        }
        ctx.collectFills(for: id)

        if quantity <= old.filled {
            _ = engines[ei].remove(id)
            engines[ei].emitOrder(.amended, o, ledger, &ctx)
            engines[ei].finish(&o, quantity == old.filled ? .filled : .canceled, .amendedBelowFilled, &ledger, &ctx)
        } else if price == old.price && quantity <= old.quantity {
            engines[ei].updateInPlace(o)
            engines[ei].emitOrder(.amended, o, ledger, &ctx)
        } else {
            _ = engines[ei].remove(id)
            engines[ei].emitOrder(.amended, o, ledger, &ctx)
            execute(&o, ei, &ctx)
        }
        return o
    }

    // MARK: Leverage

    mutating func setLeverage(_ account: Int, symbol: Symbol, leverage: FixedDecimal) throws(RejectReason) {
        try checkAccount(account)
        let ei = try engineIndex(symbol)
        guard let perp = engines[ei].inst.perp else { throw .invalidOrderCombination("leverage applies to perpetuals") }
        guard leverage > .zero, leverage <= perp.maxLeverage, leverage.scale <= 8 else { throw .invalidLeverage }
        let acct = ledger.accounts[account]
        if acct.openOrders.values.contains(ei) || (acct.positions[ei]?.contracts ?? 0) != 0 { throw .leverageLocked }
        ledger.accounts[account].leverage[ei] = leverage
    }
}
