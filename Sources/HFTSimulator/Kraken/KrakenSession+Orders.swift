import HFTCore

/// Order entry on `ws-auth` (§7): every method checks the token, charges the per-pair trading
/// counter (§9) and maps engine rejects to Kraken's error texts.
extension KrakenSession {
    /// The token's account, or nil after answering the error (public endpoint, bad token).
    private func tradingAccount(_ method: String, _ token: String?, _ reqID: Int64?, _ timeIn: Timestamp) -> AccountID? {
        guard endpoint == .authenticated else {
            fail(method, reqID, KrakenFailure(KrakenError.permissionDenied), timeIn)
            return nil
        }
        guard let account = authorize(token) else {
            fail(method, reqID, KrakenFailure(KrakenError.invalidToken), timeIn)
            return nil
        }
        return account
    }

    private func charge(_ account: AccountID, _ pair: KrakenPair, _ points: Int) -> Bool {
        context.rateCounter.charge(account, pair: pair.index, points: points, now: context.now())
    }

    // MARK: add_order, batch_add

    func addOrder(_ o: KrakenOrderParams, token: String?, reqID: Int64?, timeIn: Timestamp) {
        let method = "add_order"
        guard let account = tradingAccount(method, token, reqID, timeIn) else { return }
        guard let pair = o.symbol.flatMap({ context.markets.pair($0) }) else {
            fail(method, reqID, KrakenFailure(KrakenError.unknownAssetPair), timeIn)
            return
        }
        guard charge(account, pair, 1) else {
            fail(method, reqID, KrakenFailure(KrakenError.rateLimit), timeIn)
            return
        }
        if o.validate {
            respond(method, reqID, timeIn) { j in
                j.object { j in
                    if let c = o.clientOrderID { j.field("cl_ord_id", c) }
                    j.field("order_id", "")
                }
            }
            return
        }
        switch place(account, pair, o) {
        case .success(let r):
            respond(method, reqID, timeIn) { j in
                j.object { j in Self.writeOrderIDs(&j, r.order, o) }
            }
        case .failure(let f):
            fail(method, reqID, f, timeIn)
        }
    }

    func batchAdd(symbol: String, orders: [KrakenOrderParams], validate: Bool, token: String?, reqID: Int64?, timeIn: Timestamp) {
        let method = "batch_add"
        guard let account = tradingAccount(method, token, reqID, timeIn) else { return }
        guard let pair = context.markets.pair(symbol) else {
            fail(method, reqID, KrakenFailure(KrakenError.unknownAssetPair), timeIn)
            return
        }
        guard charge(account, pair, orders.count) else {
            fail(method, reqID, KrakenFailure(KrakenError.rateLimit), timeIn)
            return
        }
        var rows: [(KrakenOrderParams, Result<PlaceResult, KrakenFailure>?)] = []
        for var o in orders {
            o.symbol = symbol
            rows.append((o, validate ? nil : place(account, pair, o)))
        }
        respond(method, reqID, timeIn) { j in
            j.beginArray()
            for (o, outcome) in rows {
                j.object { j in
                    switch outcome {
                    case .success(let r)?: Self.writeOrderIDs(&j, r.order, o)
                    case .failure(let f)?:
                        if let c = o.clientOrderID { j.field("cl_ord_id", c) }
                        j.field("error", f.message)
                    case nil:
                        if let c = o.clientOrderID { j.field("cl_ord_id", c) }
                        j.field("order_id", "")
                    }
                }
            }
            j.endArray()
        }
    }

    /// `cl_ord_id`, `order_id`, `order_userref` (alphabetical).
    private static func writeOrderIDs(_ j: inout KrakenJSON, _ order: SimOrder, _ o: KrakenOrderParams) {
        if let c = o.clientOrderID { j.field("cl_ord_id", c) }
        j.field("order_id", KrakenIDs.order(order.id))
        if let u = o.userref { j.field("order_userref", u) }
    }

    private func place(_ account: AccountID, _ pair: KrakenPair, _ o: KrakenOrderParams) -> Result<PlaceResult, KrakenFailure> {
        let request = OrderRequest(symbol: pair.symbol, side: o.side, type: o.type, quantity: o.quantity, price: o.limitPrice,
                                   quoteQuantity: o.cashQuantity, timeInForce: o.type == .market ? .ioc : o.timeInForce,
                                   postOnly: o.postOnly, clientOrderID: o.clientOrderID, selfTradePrevention: o.stp)
        do throws(RejectReason) {
            let r = try context.exchange.placeOrder(account, request)
            // Before this loop drains the order's events, so executions can echo it.
            context.setUserref(o.userref, for: r.order.id)
            return .success(r)
        } catch {
            return .failure(KrakenFailure(KrakenError.reject(error, pair: pair)))
        }
    }

    // MARK: amend_order, edit_order

    func amendOrder(_ p: KrakenAmendParams, reqID: Int64?, timeIn: Timestamp) {
        let method = "amend_order"
        guard let account = tradingAccount(method, p.token, reqID, timeIn) else { return }
        let ref: OrderRef
        switch p.order {
        case .orderID(let s):
            guard let id = KrakenIDs.parseOrder(s) else {
                fail(method, reqID, KrakenFailure(KrakenError.unknownOrder), timeIn)
                return
            }
            ref = .id(id)
        case .clientID(let c): ref = .clientID(c)
        }
        guard p.quantity != nil || p.limitPrice != nil else {
            fail(method, reqID, KrakenFailure(KrakenError.noAmendableParameters), timeIn)
            return
        }
        guard let current = context.exchange.order(account, ref), !current.order.status.isFinal,
              let pair = context.markets.pair(current.order.symbol) else {
            fail(method, reqID, KrakenFailure(KrakenError.unknownOrder), timeIn)
            return
        }
        let now = context.now()
        guard charge(account, pair, KrakenRateCounter.amendPoints(age: context.rateCounter.age(of: current, now: now))) else {
            fail(method, reqID, KrakenFailure(KrakenError.rateLimit), timeIn)
            return
        }
        do throws(RejectReason) {
            _ = try context.exchange.amendOrder(account, AmendRequest(order: ref, newQuantity: p.quantity, newPrice: p.limitPrice))
        } catch {
            fail(method, reqID, KrakenFailure(KrakenError.reject(error, pair: pair, amend: true)), timeIn)
            return
        }
        context.rateCounter.noteAmend(current.id, at: now)
        let amendID = KrakenIDs.amend(context.nextSerial())
        respond(method, reqID, timeIn) { j in
            j.object { j in
                j.field("amend_id", amendID)
                switch p.order {
                case .orderID(let s): j.field("order_id", s)
                case .clientID(let c): j.field("cl_ord_id", c)
                }
            }
        }
    }

    /// Legacy cancel-and-replace (§7.3): a new order id, queue priority lost.
    func editOrder(_ p: KrakenEditParams, reqID: Int64?, timeIn: Timestamp) {
        let method = "edit_order"
        guard let account = tradingAccount(method, p.token, reqID, timeIn) else { return }
        guard let id = KrakenIDs.parseOrder(p.orderID), let pair = context.markets.pair(p.symbol),
              let current = context.exchange.order(account, .id(id)), !current.order.status.isFinal,
              current.order.symbol == pair.symbol else {
            fail(method, reqID, KrakenFailure(KrakenError.unknownOrder), timeIn)
            return
        }
        guard charge(account, pair, KrakenRateCounter.editPoints(age: context.rateCounter.age(of: current, now: context.now()))) else {
            fail(method, reqID, KrakenFailure(KrakenError.rateLimit), timeIn)
            return
        }
        do throws(RejectReason) {
            _ = try context.exchange.cancelOrder(account, .id(id))
        } catch {
            fail(method, reqID, KrakenFailure(KrakenError.reject(error, pair: pair, amend: true)), timeIn)
            return
        }
        let o = KrakenOrderParams(symbol: p.symbol, type: current.order.type, side: current.order.side,
                                  quantity: p.quantity ?? current.order.remainingQuantity,
                                  limitPrice: p.limitPrice ?? current.order.price, cashQuantity: nil,
                                  timeInForce: current.order.timeInForce, postOnly: p.postOnly ?? current.order.postOnly,
                                  clientOrderID: nil, userref: p.userref ?? context.userref(of: id), stp: nil, validate: false)
        switch place(account, pair, o) {
        case .success(let r):
            let old = p.orderID
            respond(method, reqID, timeIn) { j in
                j.object { j in
                    j.field("order_id", KrakenIDs.order(r.order.id))
                    j.field("original_order_id", old)
                }
            }
        case .failure(let f):
            fail(method, reqID, f, timeIn)
        }
    }

    // MARK: Cancels

    func cancelOrder(_ p: KrakenCancelParams, reqID: Int64?, timeIn: Timestamp) {
        let method = "cancel_order"
        guard let account = tradingAccount(method, p.token, reqID, timeIn) else { return }
        // One response per order, all with the request's req_id (§7.4).
        func answer(_ r: Result<SimOrder, KrakenFailure>, clientID: String?, userref: Int64?) {
            switch r {
            case .success(let o):
                respond(method, reqID, timeIn) { j in
                    j.object { j in
                        if let clientID { j.field("cl_ord_id", clientID) }
                        j.field("order_id", KrakenIDs.order(o.id))
                        if let userref { j.field("order_userref", userref) }
                    }
                }
            case .failure(let f):
                fail(method, reqID, f, timeIn)
            }
        }
        switch p.ids {
        case .orderIDs(let ids):
            for s in ids {
                guard let id = KrakenIDs.parseOrder(s) else {
                    fail(method, reqID, KrakenFailure(KrakenError.invalidOrder), timeIn)
                    continue
                }
                answer(cancelOne(account, .id(id)), clientID: nil, userref: nil)
            }
        case .clientIDs(let ids):
            for c in ids { answer(cancelOne(account, .clientID(c)), clientID: c, userref: nil) }
        case .userrefs(let refs):
            for r in refs {
                let open = context.openOrders(account, userref: r)
                if open.isEmpty { fail(method, reqID, KrakenFailure(KrakenError.invalidOrder), timeIn) }
                for o in open { answer(cancelOne(account, .id(o.id)), clientID: nil, userref: r) }
            }
        }
    }

    /// Cancels one open order, charging the age-dependent cancel points.
    private func cancelOne(_ account: AccountID, _ ref: OrderRef) -> Result<SimOrder, KrakenFailure> {
        guard let current = context.exchange.order(account, ref), !current.order.status.isFinal,
              let pair = context.markets.pair(current.order.symbol) else {
            return .failure(KrakenFailure(KrakenError.invalidOrder))
        }
        guard charge(account, pair, KrakenRateCounter.cancelPoints(age: context.rateCounter.age(of: current, now: context.now()))) else {
            return .failure(KrakenFailure(KrakenError.rateLimit))
        }
        do throws(RejectReason) {
            return .success(try context.exchange.cancelOrder(account, ref))
        } catch {
            return .failure(KrakenFailure(KrakenError.reject(error, pair: pair)))
        }
    }

    func cancelAll(token: String?, reqID: Int64?, timeIn: Timestamp) {
        let method = "cancel_all"
        guard let account = tradingAccount(method, token, reqID, timeIn) else { return }
        let count: Int
        do throws(RejectReason) {
            count = try context.exchange.cancelAllOrders(account).count
        } catch {
            fail(method, reqID, KrakenFailure(KrakenError.reject(error, pair: nil)), timeIn)
            return
        }
        respond(method, reqID, timeIn) { $0.object { $0.field("count", count) } }
    }

    /// Dead man's switch (§7.5); result keys are camelCase, as Kraken's.
    func cancelAfter(_ timeout: Int64, token: String?, reqID: Int64?, timeIn: Timestamp) {
        let method = "cancel_all_orders_after"
        guard let account = tradingAccount(method, token, reqID, timeIn) else { return }
        context.deadMan.arm(account, timeoutSeconds: timeout, on: server.eventLoop)
        let now = context.now()
        respond(method, reqID, timeIn) { j in
            j.object { j in
                j.field("currentTime", time: now)
                if timeout == 0 { j.field("triggerTime", "0") } else { j.field("triggerTime", time: now + timeout * 1_000_000) }
            }
        }
    }

    /// Cancels by order id, `order_userref` (as text) and `cl_ord_id`; the count is the
    /// top-level `orders_cancelled` Kraken was observed to send (§7.5).
    func batchCancel(orders: [String], clientIDs: [String], token: String?, reqID: Int64?, timeIn: Timestamp) {
        let method = "batch_cancel"
        guard let account = tradingAccount(method, token, reqID, timeIn) else { return }
        var cancelled = 0
        func count(_ r: Result<SimOrder, KrakenFailure>) { if case .success = r { cancelled += 1 } }
        for s in orders {
            if let id = KrakenIDs.parseOrder(s) {
                count(cancelOne(account, .id(id)))
            } else if let ref = Int64(s) {
                for o in context.openOrders(account, userref: ref) { count(cancelOne(account, .id(o.id))) }
            }
        }
        for c in clientIDs { count(cancelOne(account, .clientID(c))) }
        respond(method, reqID, timeIn, ordersCancelled: cancelled)
    }
}
