import HFTCore

/// One private subscription (§5): `orderUpdate` for a pair or `all`, or `assetUpdate`,
/// authorised by a REST `subscribeKey`.
struct LBankPrivateSub {
    enum Channel: String { case orderUpdate, assetUpdate }
    let channel: Channel
    let key: String
    let account: AccountID
    /// nil: every pair (`all`, and always for `assetUpdate`).
    let pair: Symbol?
}

/// `orderUpdate` / `assetUpdate` (§5). The key is checked when subscribing and before every
/// push: once it is expired or destroyed, its subscriptions end with one error naming the key.
extension LBankSession {
    static let keyError = "Invalid subscribeKey: the key is unknown or expired"

    func subscribePrivate(_ r: LBankRequest) {
        guard let key = r.subscribeKey, !key.isEmpty else { return fail("Missing parameter ['subscribeKey']") }
        let channel: LBankPrivateSub.Channel = r.subscribe == "orderUpdate" ? .orderUpdate : .assetUpdate
        var pair: Symbol?
        if channel == .orderUpdate {
            guard let name = r.pair else { return fail("Missing parameter ['pair']") }
            if name != "all" {
                guard let m = context.markets.pair(name) else { return fail("Invalid pair '\(name)'") }
                pair = m.symbol
            }
        }
        guard let entry = context.keys.valid(key, now: context.now(), earlyExpiry: context.earlyKeyExpiry()) else {
            return fail(Self.keyError)
        }
        privateSubs.removeAll { $0.channel == channel && $0.key == key && $0.pair == pair }
        privateSubs.append(LBankPrivateSub(channel: channel, key: key, account: entry.account, pair: pair))
        if accountFeeds[entry.account] == nil {
            accountFeeds[entry.account] = context.exchange.subscribe(.account(entry.account)) { [weak connection] e in
                connection?.enqueue(e)
            }
        }
    }

    /// Removes the matching subscriptions (the key, when given, must match too).
    func unsubscribePrivate(_ r: LBankRequest) {
        let channel: LBankPrivateSub.Channel = r.subscribe == "orderUpdate" ? .orderUpdate : .assetUpdate
        var pair: Symbol?
        if channel == .orderUpdate, let name = r.pair, name != "all" {
            guard let m = context.markets.pair(name) else { return fail("Invalid pair '\(name)'") }
            pair = m.symbol
        }
        privateSubs.removeAll { s in
            s.channel == channel && (channel == .assetUpdate || s.pair == pair) && (r.subscribeKey == nil || s.key == r.subscribeKey)
        }
        dropIdleFeeds()
    }

    private func dropIdleFeeds() {
        for (account, sub) in accountFeeds where !privateSubs.contains(where: { $0.account == account }) {
            context.exchange.unsubscribe(sub)
            accountFeeds[account] = nil
        }
    }

    /// Whether a valid subscription wants this push; subscriptions whose key died are removed
    /// with one error reply each.
    private func wants(_ channel: LBankPrivateSub.Channel, _ account: AccountID, _ symbol: Symbol?) -> Bool {
        let now = context.now(), early = context.earlyKeyExpiry()
        var want = false
        var dead: [String] = []
        for s in privateSubs where s.channel == channel && s.account == account && (s.pair == nil || s.pair == symbol) {
            if context.keys.valid(s.key, now: now, earlyExpiry: early) != nil { want = true } else { dead.append(s.key) }
        }
        if !dead.isEmpty {
            privateSubs.removeAll { dead.contains($0.key) }
            for _ in Set(dead) { fail(Self.keyError) }
            dropIdleFeeds()
        }
        return want
    }

    // MARK: orderUpdate

    func onOrder(_ e: SimOrderEvent) {
        switch e.kind {
        case .new: balanceCause[e.account] = "ORDER_CREATE"
        case .partiallyFilled, .filled: balanceCause[e.account] = "ORDER_DEAL"
        case .canceled, .expired: balanceCause[e.account] = "ORDER_CANCEL"
        case .amended, .rejected: break
        }
        let fills = pendingFills.removeValue(forKey: e.order.id) ?? []
        guard e.kind != .rejected, let market = context.markets.market(e.order.order.symbol),
              wants(.orderUpdate, e.account, market.symbol) else { return }
        let now = context.now()
        if fills.isEmpty {
            sendOrderUpdate(e.order, market, fill: nil, accumulated: e.order.order.filledQuantity,
                            status: Self.status(e.order.order), now: now)
            return
        }
        // One push per fill; the cumulative figures grow fill by fill.
        var later = fills.dropFirst().reduce(FixedDecimal(mantissa: 0, scale: market.quantityScale)) { $0 + $1.fill.quantity }
        for (i, f) in fills.enumerated() {
            let last = i == fills.count - 1
            let acc = e.order.order.filledQuantity - later
            if !last { later -= fills[i + 1].fill.quantity }
            sendOrderUpdate(e.order, market, fill: f, accumulated: acc, status: last ? Self.status(e.order.order) : 1, now: now)
        }
    }

    private func sendOrderUpdate(_ o: SimOrder, _ m: LBankMarket, fill: FillEvent?, accumulated: FixedDecimal, status: Int,
                                 now: Timestamp) {
        let id = context.ids.text(o.id)
        let order = o.order
        let zeroQty = FixedDecimal(mantissa: 0, scale: m.quantityScale)
        let zeroPrice = FixedDecimal(mantissa: 0, scale: m.priceScale)
        let isQuoteBuy = order.type == .market && order.side == .buy
        send(.privateUpdate) { j, _ in
            j.object { j in
                j.key("orderUpdate")
                j.object { j in
                    j.field("accAmt", quoted: accumulated)
                    j.field("amount", quoted: fill?.fill.quantity ?? zeroQty)
                    j.field("avgPrice", quoted: Self.averagePrice(order, m))
                    j.field("symbol", m.pair)
                    j.field("type", Self.typeName(order))
                    j.field("orderAmt", quoted: isQuoteBuy ? o.cumulativeQuote : order.quantity)
                    j.field("orderStatus", status)
                    j.field("orderPrice", quoted: order.price ?? zeroPrice)
                    j.field("price", quoted: fill?.fill.price ?? order.price ?? zeroPrice)
                    if let fill { j.field("role", fill.fill.liquidity == .maker ? "maker" : "taker") }
                    j.field("remainAmt", quoted: Self.remaining(o, m))
                    j.field("updateTime", (fill?.fill.timestamp ?? order.timestamp) / 1_000)
                    j.field("uuid", id)
                    if let fill { j.field("txUuid", String(fill.tradeID)) }
                    j.field("volumePrice", quoted: fill?.quoteQuantity ?? zeroPrice)
                    j.field("customerID", order.clientOrderID ?? "")
                }
                j.field("pair", m.pair)
                j.field("type", "orderUpdate")
                Self.writeTrailer(&j, now)
            }
        }
    }

    /// -1 cancelled, 0 unfilled, 1 partially filled, 2 filled, 3 partially filled then cancelled (§5).
    static func status(_ o: Order) -> Int {
        switch o.status {
        case .filled: 2
        case .canceled, .expired, .rejected: o.filledQuantity.isZero ? -1 : 3
        default: o.filledQuantity.isZero ? 0 : 1
        }
    }

    /// `buy`, `sell_market`, `buy_maker`, `sell_ioc`, … (§8).
    static func typeName(_ o: Order) -> String {
        let side = o.side == .buy ? "buy" : "sell"
        if o.type == .market { return side + "_market" }
        if o.postOnly { return side + "_maker" }
        switch o.timeInForce {
        case .ioc: return side + "_ioc"
        case .fok: return side + "_fok"
        default: return side
        }
    }

    static func averagePrice(_ o: Order, _ m: LBankMarket) -> FixedDecimal {
        guard let avg = o.averagePrice else { return FixedDecimal(mantissa: 0, scale: m.priceScale) }
        return avg.exactlyRescaled(to: m.priceScale) ?? avg
    }

    /// Sell: base left; buy: quote value left at the order price (§5). Zero once final.
    static func remaining(_ o: SimOrder, _ m: LBankMarket) -> FixedDecimal {
        let order = o.order
        let left = order.status.isFinal || order.type == .market
            ? FixedDecimal(mantissa: 0, scale: m.quantityScale) : order.quantity - order.filledQuantity
        guard order.side == .buy else { return left }
        return left * (order.price ?? FixedDecimal(mantissa: 0, scale: m.priceScale))
    }

    // MARK: assetUpdate

    /// One push per balance change, absolute values (§5); `type` from the account's last order event.
    func onBalance(_ e: BalanceEvent) {
        guard wants(.assetUpdate, e.account, nil) else { return }
        let b = e.balance
        let cause = balanceCause[e.account] ?? "DEPOSIT"
        let now = context.now()
        send(.privateUpdate) { j, _ in
            j.object { j in
                j.key("data")
                j.object { j in
                    j.field("asset", quoted: b.total)
                    j.field("assetCode", b.asset.lowercased())
                    j.field("free", quoted: b.available)
                    j.field("freeze", quoted: b.frozen)
                    j.field("time", b.timestamp / 1_000)
                    j.field("type", cause)
                }
                j.field("SERVER", "V2")
                j.field("type", "assetUpdate")
                j.field("TS", LBankTime.string(now))
            }
        }
    }
}
