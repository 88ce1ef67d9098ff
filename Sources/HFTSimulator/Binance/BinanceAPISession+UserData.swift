import HFTCore

/// One account's user-data subscription on a WS API connection (§8).
final class BinanceUserStream {
    let id: Int
    let account: AccountID
    let subscription: SubscriptionID
    /// Made by `userDataStream.subscribe` (ends with the logon).
    let logonBased: Bool
    /// Last total per asset pushed (balanceUpdate deltas).
    var totals: [String: FixedDecimal]
    /// Fills waiting for their order's next event, which carries the order state after them.
    var pendingFills: [SimOrderID: [FillEvent]] = [:]
    /// Time of the last order or fill event: balances stamped with it are that operation's
    /// trade moves; others are deposits or withdrawals.
    var lastActivity: Timestamp?
    /// Balances of the operation being read (one time stamp), in order, one per asset.
    var balanceGroup: [Balance] = []

    init(id: Int, account: AccountID, subscription: SubscriptionID, logonBased: Bool, totals: [String: FixedDecimal]) {
        self.id = id
        self.account = account
        self.subscription = subscription
        self.logonBased = logonBased
        self.totals = totals
    }
}

extension BinanceAPISession {
    // MARK: Subscribe

    func subscribeUserData(_ p: BinanceParams, _ call: Call, signed: Bool) throws(BinanceFailure) {
        let account: AccountID
        if signed {
            let apiKey = try p.required("apiKey")
            let signature = try p.required("signature")
            try checkTimestamp(p)
            switch context.auth.verify(apiKey: apiKey, payload: BinanceAuth.payload(p.request.signedParams), signature: signature) {
            case .success(let (a, _)): account = a
            case .failure(let f): throw f
            }
        } else {
            guard let l = logon else { throw .notLoggedIn }
            account = l.account
        }
        guard !userStreams.contains(where: { $0.account == account }) else { throw .subscriptionActive }
        guard userStreams.count < Self.maxActiveSubscriptions, subscriptionsOpened < Self.maxLifetimeSubscriptions else {
            throw .tooManySubscriptions
        }
        guard !isDead else { return }
        let id = subscriptionsOpened
        subscriptionsOpened += 1
        let ex = context.exchange
        let sub = ex.subscribe(.account(account)) { [weak connection] e in connection?.enqueue(e) }
        let totals = Dictionary(uniqueKeysWithValues: ex.balances(account).map { ($0.asset, $0.total) })
        userStreams.append(BinanceUserStream(id: id, account: account, subscription: sub, logonBased: !signed, totals: totals))
        respond(call) { j in j.object { $0.field("subscriptionId", id) } }
    }

    func unsubscribeUserData(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        if let id = try p.int("subscriptionId") {
            guard userStreams.contains(where: { $0.id == Int(id) }) else { throw .subscriptionNotActive }
            respond(call) { $0.object { _ in } }
            endStreams { $0.id == Int(id) }
        } else {
            respond(call) { $0.object { _ in } }
            endStreams { _ in true }
        }
    }

    /// Ends the matching subscriptions with `eventStreamTerminated` (after unsubscribe or logout).
    func endStreams(_ which: (BinanceUserStream) -> Bool) {
        let ending = userStreams.filter(which)
        guard !ending.isEmpty else { return }
        userStreams.removeAll(where: which)
        for s in ending {
            context.exchange.unsubscribe(s.subscription)
            push(s) { j in
                j.field("e", "eventStreamTerminated")
                j.field("E", nowTime())
            }
        }
    }

    // MARK: Events

    /// An operation's balance changes come last among its events, but a batch may end inside
    /// them (delivery and draining interleave): a group still open at the end of a batch is
    /// pushed a moment later unless the rest of it arrives first.
    func processUserData(_ events: [SimEvent]) {
        guard !isDead else { return }
        for e in events {
            guard let account = e.account, let s = userStreams.first(where: { $0.account == account }) else { continue }
            switch e {
            case .order(let o):
                flushBalances(s)
                s.lastActivity = o.order.order.timestamp
                onOrder(o, s)
            case .fill(let f):
                flushBalances(s)
                s.lastActivity = f.fill.timestamp
                s.pendingFills[f.orderID, default: []].append(f)
            case .balance(let b):
                if let t = s.balanceGroup.first?.timestamp, t != b.balance.timestamp { flushBalances(s) }
                s.balanceGroup.removeAll { $0.asset == b.balance.asset }
                s.balanceGroup.append(b.balance)
            default: break
            }
            if isDead { return }
        }
        flush()
        guard userStreams.contains(where: { !$0.balanceGroup.isEmpty }) else { return }
        server.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(300)) { [self] in
            guard !isDead else { return }
            for s in userStreams { flushBalances(s) }
            flush()
        }
    }

    private func onOrder(_ e: SimOrderEvent, _ s: BinanceUserStream) {
        let o = e.order
        guard let m = context.markets.market(o.order.symbol) else { return }
        if let fills = s.pendingFills.removeValue(forKey: o.id) {
            var cumQty = o.order.filledQuantity, cumQuote = o.cumulativeQuote
            var rows: [(FillEvent, FixedDecimal, FixedDecimal)] = []
            for f in fills.reversed() {
                rows.append((f, cumQty, cumQuote))
                cumQty -= f.fill.quantity
                cumQuote -= f.quoteQuantity
            }
            for (f, q, c) in rows.reversed() {
                let done = q == o.order.quantity
                report(s, o, m, exec: "TRADE", status: done ? "FILLED" : "PARTIALLY_FILLED", fill: f, cumQty: q, cumQuote: c,
                       at: f.fill.timestamp, working: !done && Text.isWorking(o))
            }
        }
        let client = o.order.clientOrderID ?? ""
        switch e.kind {
        case .new:
            report(s, o, m, exec: "NEW", status: "NEW", at: o.createdAt, working: Text.isWorking(o))
        case .canceled:
            let cancelID = context.cancelClientID(of: o.id) ?? BinanceContext.generatedClientOrderID()
            report(s, o, m, exec: "CANCELED", status: "CANCELED", client: cancelID, orig: client, at: o.order.timestamp)
        case .expired:
            let stp = o.endReason == .selfTradePrevention
            report(s, o, m, exec: stp ? "TRADE_PREVENTION" : "EXPIRED", status: Text.status(o), at: o.order.timestamp,
                   expiry: Text.expiryReason(o.endReason))
        case .amended:
            report(s, o, m, exec: "REPLACED", status: Text.status(o), orig: context.priorClientID(of: o.id) ?? "",
                   at: o.order.timestamp, working: Text.isWorking(o))
        case .partiallyFilled, .filled, .rejected:
            break
        }
    }

    /// One `executionReport` (§8).
    private func report(_ s: BinanceUserStream, _ o: SimOrder, _ m: BinanceMarket, exec: StaticString, status: StaticString,
                        fill: FillEvent? = nil, cumQty: FixedDecimal? = nil, cumQuote: FixedDecimal? = nil,
                        client: String? = nil, orig: String = "", at: Timestamp, working: Bool = false,
                        expiry: StaticString? = nil) {
        let executionID = context.nextExecutionID()
        push(s) { j in
            j.field("e", "executionReport")
            j.field("E", nowTime())
            j.field("s", m.apiName)
            j.field("c", client ?? o.order.clientOrderID ?? "")
            j.field("S", Text.side(o.order.side))
            j.field("o", Text.type(o))
            j.field("f", Text.timeInForce(o))
            j.field("q", decimal: o.order.quantity)
            j.field("p", decimal: Text.price(o))
            j.field("P", decimal: .zero)
            j.field("F", decimal: .zero)
            j.field("g", -1)
            j.field("C", orig)
            j.field("x", exec)
            j.field("X", status)
            j.field("r", "NONE")
            j.key("i")
            j.uint(o.id)
            j.field("l", decimal: fill?.fill.quantity ?? .zero)
            j.field("z", decimal: cumQty ?? o.order.filledQuantity)
            j.field("L", decimal: fill?.fill.price ?? .zero)
            if let fill {
                j.field("n", decimal: fill.fill.fee)
                j.field("N", fill.fill.feeCurrency)
            } else {
                j.field("n", "0")
                j.key("N")
                j.null()
            }
            j.field("T", time(at))
            j.field("t", fill?.tradeID ?? -1)
            j.field("I", executionID)
            j.field("w", working)
            j.field("m", fill?.fill.liquidity == .maker)
            j.field("M", false)
            j.field("O", time(o.createdAt))
            j.field("Z", decimal: cumQuote ?? o.cumulativeQuote)
            j.field("Y", decimal: fill?.quoteQuantity ?? .zero)
            j.field("Q", decimal: .zero)
            j.field("W", time(o.createdAt))
            j.field("V", Text.stp(o.selfTradePrevention))
            if let expiry { j.field("eR", expiry) }
        }
    }

    /// The operation's balance changes: `balanceUpdate` per asset when no order moved them
    /// (a deposit or withdrawal), then one `outboundAccountPosition` with the changed assets.
    private func flushBalances(_ s: BinanceUserStream) {
        guard !s.balanceGroup.isEmpty else { return }
        let group = s.balanceGroup
        s.balanceGroup.removeAll()
        let external = group[0].timestamp != s.lastActivity
        let now = nowTime()
        for b in group {
            let old = s.totals[b.asset] ?? .zero
            s.totals[b.asset] = b.total
            guard external, b.total != old else { continue }
            push(s) { j in
                j.field("e", "balanceUpdate")
                j.field("E", now)
                j.field("a", b.asset)
                j.field("d", decimal: b.total - old)
                j.field("T", time(b.timestamp))
            }
        }
        push(s) { j in
            j.field("e", "outboundAccountPosition")
            j.field("E", now)
            j.field("u", time(group.last?.timestamp ?? 0))
            j.key("B")
            j.beginArray()
            for b in group {
                j.object { j in
                    j.field("a", b.asset)
                    j.field("f", decimal: b.available)
                    j.field("l", decimal: b.frozen)
                }
            }
            j.endArray()
        }
    }

    /// `{"subscriptionId":N,"event":{…}}`; `body` writes the event's members.
    private func push(_ s: BinanceUserStream, _ body: (inout BinanceJSON) -> Void) {
        send(.privateUpdate) { j in
            j.object { j in
                j.field("subscriptionId", s.id)
                j.key("event")
                j.object { body(&$0) }
            }
        }
    }
}
