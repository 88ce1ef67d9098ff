import HFTCore

/// Private channels (§8): `executions` and `balances`, authorised by the REST token, each
/// with its own `sequence` starting at 1.
extension KrakenSession {
    /// The account of a valid token (marks it used), or nil: unknown, unused for 900 s, or
    /// expired by the `expire_token_after_s` fault.
    func authorize(_ token: String?) -> AccountID? {
        guard let token, let rec = context.auth.use(token, now: context.now()),
              !decider.isTokenExpired(issuedAt: rec.issuedAt) else { return nil }
        return rec.account
    }

    // MARK: Subscribe

    func subscribePrivate(_ p: KrakenSubscribeParams, reqID: Int64?, timeIn: Timestamp) {
        guard endpoint == .authenticated else {
            fail("subscribe", reqID, KrakenFailure(KrakenError.permissionDenied), timeIn)
            return
        }
        guard let account = authorize(p.token) else {
            fail("subscribe", reqID, KrakenFailure(KrakenError.invalidToken), timeIn)
            return
        }
        let st: KrakenPrivateState
        if let existing = privateState {
            guard existing.account == account else {
                fail("subscribe", reqID, KrakenFailure(KrakenError.invalidArguments), timeIn)
                return
            }
            st = existing
        } else {
            guard !isDead else { return }
            let sub = context.exchange.subscribe(.account(account)) { [weak connection] e in connection?.enqueue(e) }
            st = KrakenPrivateState(account: account, subscription: sub)
            privateState = st
        }
        if p.channel == "executions" {
            guard st.executions == nil else {
                fail("subscribe", reqID, KrakenFailure(KrakenError.alreadySubscribed), timeIn)
                return
            }
            let o = KrakenPrivateState.ExecutionOptions(snapOrders: p.snapOrders ?? true, snapTrades: p.snapTrades ?? false,
                                                        orderStatus: p.orderStatus ?? true, rateCounter: p.rateCounter ?? false)
            st.executions = o
            st.executionsSequence = 0
            let cap = context.rateCounter.tier.cap
            respond("subscribe", reqID, timeIn) { j in
                j.object { j in
                    j.field("channel", "executions")
                    j.field("maxratecount", cap)
                    j.field("snap_orders", o.snapOrders)
                    j.field("snap_trades", o.snapTrades)
                }
            }
            // Past fills are not kept by the engine: `snap_trades` adds none.
            if o.snapOrders || o.snapTrades {
                let open = o.snapOrders ? context.exchange.openOrders(account) : []
                sendExecutions(st, snapshot: true) { j in
                    for order in open {
                        KrakenExecutions.full(&j, order, execType: .new, status: KrakenExecutions.status(order.order.status),
                                              userref: context.userref(of: order.id), pair: context.markets.pair(order.order.symbol))
                    }
                }
            }
        } else {
            guard !st.balances else {
                fail("subscribe", reqID, KrakenFailure(KrakenError.alreadySubscribed), timeIn)
                return
            }
            st.balances = true
            st.balancesSequence = 0
            let balances = context.exchange.balances(account)
            st.totals = Dictionary(uniqueKeysWithValues: balances.map { ($0.asset, $0.total) })
            let snapshot = p.snapshot ?? true
            respond("subscribe", reqID, timeIn) { j in
                j.object { j in
                    j.field("channel", "balances")
                    j.field("snapshot", snapshot)
                }
            }
            if snapshot {
                sendBalances(st, snapshot: true) { j in
                    for b in balances {
                        j.object { j in
                            j.field("asset", b.asset)
                            j.field("asset_class", "currency")
                            j.field("balance", number: b.total)
                            j.key("wallets")
                            j.beginArray()
                            j.object { j in
                                j.field("type", "spot")
                                j.field("id", "main")
                                j.field("balance", number: b.total)
                            }
                            j.endArray()
                        }
                    }
                }
            }
        }
    }

    func unsubscribePrivate(_ p: KrakenSubscribeParams, reqID: Int64?, timeIn: Timestamp) {
        guard endpoint == .authenticated else {
            fail("unsubscribe", reqID, KrakenFailure(KrakenError.permissionDenied), timeIn)
            return
        }
        guard authorize(p.token) != nil else {
            fail("unsubscribe", reqID, KrakenFailure(KrakenError.invalidToken), timeIn)
            return
        }
        let executions = p.channel == "executions"
        guard let st = privateState, executions ? st.executions != nil : st.balances else {
            fail("subscribe", reqID, KrakenFailure(KrakenError.subscriptionNotFound), timeIn)
            return
        }
        if executions {
            st.executions = nil
            st.pendingFills.removeAll()
        } else {
            st.balances = false
        }
        let channel = p.channel
        respond("unsubscribe", reqID, timeIn) { $0.object { $0.field("channel", channel) } }
        if st.isIdle {
            context.exchange.unsubscribe(st.subscription)
            privateState = nil
        }
    }

    // MARK: Events

    func onOrder(_ e: SimOrderEvent) {
        guard let st = privateState, e.account == st.account else { return }
        st.beginOperationIfNeeded()
        let o = e.order
        switch e.kind {
        case .filled, .canceled, .expired, .rejected: context.rateCounter.forget(o.id)
        default: break
        }
        guard let opts = st.executions else { return }
        let pair = context.markets.pair(o.order.symbol)
        let userref = context.userref(of: o.id)
        if let fills = st.pendingFills.removeValue(forKey: o.id) { sendFills(fills, o, st, pair: pair, userref: userref) }
        switch e.kind {
        case .new:
            if opts.orderStatus {
                sendExecutions(st) { KrakenExecutions.full(&$0, o, execType: .pendingNew, status: "pending_new", userref: userref, pair: pair) }
                sendExecutions(st) {
                    KrakenExecutions.change(&$0, o, execType: .new, status: "new", reason: nil, userref: userref, pair: pair,
                                            timestamp: o.order.timestamp)
                }
            } else {
                sendExecutions(st) { KrakenExecutions.full(&$0, o, execType: .new, status: "new", userref: userref, pair: pair) }
            }
        case .filled:
            sendExecutions(st) {
                KrakenExecutions.change(&$0, o, execType: .filled, status: "filled", reason: nil, userref: userref, pair: pair,
                                        timestamp: o.order.timestamp)
            }
        case .canceled, .expired:
            let reason = KrakenExecutions.reason(o.endReason)
            sendExecutions(st) {
                KrakenExecutions.change(&$0, o, execType: .canceled, status: "canceled", reason: reason, userref: userref,
                                        pair: pair, timestamp: o.order.timestamp)
            }
        case .amended:
            sendExecutions(st) {
                KrakenExecutions.change(&$0, o, execType: .amended, status: KrakenExecutions.status(o.order.status),
                                        reason: "User requested", userref: userref, pair: pair, timestamp: o.order.timestamp)
            }
        case .partiallyFilled, .rejected:
            break
        }
    }

    func onFill(_ f: FillEvent) {
        guard let st = privateState, f.account == st.account else { return }
        st.beginOperationIfNeeded()
        if st.executions != nil { st.pendingFills[f.orderID, default: []].append(f) }
        st.feesSinceBalance[f.fill.feeCurrency, default: .zero] += f.fill.fee
        st.lastExecID = KrakenIDs.execution(symbolIndex: context.markets.pair(f.fill.symbol)?.index ?? 0, tradeID: f.tradeID,
                                            maker: f.fill.liquidity == .maker)
    }

    /// A ledger entry when an asset's total changed (holds for open orders change none).
    func onBalance(_ e: BalanceEvent) {
        guard let st = privateState, e.account == st.account else { return }
        st.inBalanceGroup = true
        guard st.balances else { return }
        let asset = e.balance.asset
        let total = e.balance.total
        let old = st.totals[asset] ?? .zero
        guard total != old else { return }
        st.totals[asset] = total
        let fee = st.feesSinceBalance.removeValue(forKey: asset) ?? .zero
        let amount = total - old + fee
        let trade = st.lastExecID != nil
        let kind = trade ? "trade" : (amount.isNegative ? "withdrawal" : "deposit")
        let refID = st.lastExecID ?? KrakenIDs.ledger(context.nextSerial())
        let ledgerID = KrakenIDs.ledger(context.nextSerial())
        let time = e.balance.timestamp
        sendBalances(st, snapshot: false) { j in
            j.object { j in
                j.field("ledger_id", ledgerID)
                j.field("ref_id", refID)
                j.field("timestamp", time: time)
                j.field("type", kind)
                j.field("subtype", "")
                j.field("category", kind)
                j.field("asset", asset)
                j.field("asset_class", "currency")
                j.field("amount", number: amount)
                j.field("fee", number: fee)
                j.field("balance", number: total)
                j.field("wallet_type", "spot")
                j.field("wallet_id", "main")
            }
        }
    }

    /// `trade` entries for fills, each with the order's cumulative state right after it
    /// (worked back from the state after the last one).
    private func sendFills(_ fills: [FillEvent], _ o: SimOrder, _ st: KrakenPrivateState, pair: KrakenPair?, userref: Int64?) {
        var cumQty = o.order.filledQuantity, cumCost = o.cumulativeQuote
        var rows: [(FillEvent, FixedDecimal, FixedDecimal)] = []
        for f in fills.reversed() {
            rows.append((f, cumQty, cumCost))
            cumQty -= f.fill.quantity
            cumCost -= f.quoteQuantity
        }
        for (i, (f, q, c)) in rows.reversed().enumerated() {
            let final = i == rows.count - 1 && o.order.status == .filled
            sendExecutions(st) { KrakenExecutions.trade(&$0, f, o, cumQty: q, cumCost: c, final: final, userref: userref, pair: pair) }
        }
    }

    // MARK: Frames

    /// `{"channel":"executions","type":…,"sequence":N,"data":[…]}`; `rows` writes the entries.
    func sendExecutions(_ st: KrakenPrivateState, snapshot: Bool = false, _ rows: (inout KrakenJSON) -> Void) {
        st.executionsSequence += 1
        let seq = st.executionsSequence
        send(.privateUpdate) { j, _ in
            j.object { j in
                j.field("channel", "executions")
                j.field("type", snapshot ? "snapshot" : "update")
                j.field("sequence", seq)
                j.key("data")
                j.beginArray()
                rows(&j)
                j.endArray()
            }
        }
    }

    func sendBalances(_ st: KrakenPrivateState, snapshot: Bool, _ rows: (inout KrakenJSON) -> Void) {
        st.balancesSequence += 1
        let seq = st.balancesSequence
        send(.privateUpdate) { j, _ in
            j.object { j in
                j.field("channel", "balances")
                j.field("type", snapshot ? "snapshot" : "update")
                j.field("sequence", seq)
                j.key("data")
                j.beginArray()
                rows(&j)
                j.endArray()
            }
        }
    }
}
