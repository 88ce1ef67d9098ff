import HFTCore

/// The login of one connection (`server.auth`, §3) and its private channels.
final class DigiFinexPrivateState {
    let account: AccountID
    /// When `server.auth` succeeded (the `expire_token_after_s` fault counts from here).
    let authenticatedAt: Timestamp
    /// The exchange subscription to the account's events, while a private channel is on.
    var subscription: SubscriptionID?
    /// Subscribed symbols of `order.update` (nil: off; empty: every symbol).
    var orderSymbols: Set<Symbol>?
    var orderAlgoSymbols: Set<Symbol>?
    /// Subscribed currencies of `balance.update` (nil: off; empty: every currency).
    var currencies: Set<String>?
    /// Latest balance per currency of the batch being processed, in first-seen order.
    var pendingBalances: [Balance] = []

    init(account: AccountID, authenticatedAt: Timestamp) {
        self.account = account
        self.authenticatedAt = authenticatedAt
    }

    var isIdle: Bool { orderSymbols == nil && orderAlgoSymbols == nil && currencies == nil }
}

/// `server.auth`, `order.*`, `order_algo.*`, `balance.*` (§3, §5).
extension DigiFinexSession {
    // MARK: Auth

    /// `params: [api_key, ts_ms, base64(HMAC-SHA256(secret, ts))]`. A new login replaces the
    /// previous one (and its private channels).
    func auth(_ r: DigiFinexRequest) {
        guard r.params.count == 3, let ts = Int64(r.params[1]) else { return fail(r.id, .invalidArgument) }
        let ex = context.exchange
        guard let account = ex.account(forAPIKey: r.params[0]), let creds = ex.credentials(of: account),
              abs(context.now() / 1_000 - ts) <= options.authClockSkew.wholeMicros / 1_000,
              DigiFinexSigner.same(r.params[2], DigiFinexSigner.webSocketSign(secret: creds.apiSecret, timestamp: r.params[1]))
        else { return fail(r.id, .authFailed) }
        logout()
        privateState = DigiFinexPrivateState(account: account, authenticatedAt: context.now())
        respondSuccess(r.id)
    }

    /// Forgets the login and stops the private channels.
    func logout() {
        if let sub = privateState?.subscription { context.exchange.unsubscribe(sub) }
        privateState = nil
    }

    /// The login, or nil (after logging out) when the `expire_token_after_s` fault has expired it.
    private func login() -> DigiFinexPrivateState? {
        guard let p = privateState else { return nil }
        if decider.isTokenExpired(issuedAt: p.authenticatedAt) {
            logout()
            return nil
        }
        return p
    }

    // MARK: Subscribe

    func subscribePrivate(_ r: DigiFinexRequest) {
        guard let p = login() else { return fail(r.id, .requireAuth) }
        let channel = r.method.prefix { $0 != "." }
        if channel == "balance" {
            var list = Set<String>()
            for c in r.params {
                guard context.markets.asset(c) != nil else { return fail(r.id, .invalidArgument) }
                list.insert(c)
            }
            p.currencies = options.subscribeMode == .add && !list.isEmpty ? (p.currencies ?? []).union(list) : list
        } else {
            var list = Set<Symbol>()
            for name in r.params {
                guard let m = context.markets.ws(name) else { return fail(r.id, .invalidArgument) }
                list.insert(m.symbol)
            }
            let old = channel == "order" ? p.orderSymbols : p.orderAlgoSymbols
            let new = options.subscribeMode == .add && !list.isEmpty ? (old ?? []).union(list) : list
            if channel == "order" { p.orderSymbols = new } else { p.orderAlgoSymbols = new }
        }
        if p.subscription == nil {
            p.subscription = context.exchange.subscribe(.account(p.account)) { [weak connection] e in connection?.enqueue(e) }
        }
        respondSuccess(r.id)
    }

    /// `[]` drops the whole channel, a list only those symbols or currencies.
    func unsubscribePrivate(_ r: DigiFinexRequest) {
        guard let p = login() else { return fail(r.id, .requireAuth) }
        let channel = r.method.prefix { $0 != "." }
        if channel == "balance" {
            p.currencies = r.params.isEmpty ? nil : p.currencies.map { $0.subtracting(r.params) }
        } else {
            var drop = Set<Symbol>()
            for name in r.params {
                guard let m = context.markets.ws(name) else { return fail(r.id, .invalidArgument) }
                drop.insert(m.symbol)
            }
            let old = channel == "order" ? p.orderSymbols : p.orderAlgoSymbols
            let new = drop.isEmpty ? nil : old.map { $0.subtracting(drop) }
            if channel == "order" { p.orderSymbols = new } else { p.orderAlgoSymbols = new }
        }
        if p.isIdle, let sub = p.subscription {
            context.exchange.unsubscribe(sub)
            p.subscription = nil
        }
        respondSuccess(r.id)
    }

    // MARK: Pushes

    /// `order.update` with the order's state after the event (§5). Rejected orders never
    /// existed for the client (REST refused them).
    func onOrder(_ e: SimOrderEvent) {
        guard let p = privateState, e.account == p.account, let symbols = p.orderSymbols, e.kind != .rejected,
              symbols.isEmpty || symbols.contains(e.order.order.symbol), login() != nil,
              let market = context.markets.market(e.order.order.symbol) else { return }
        let o = e.order
        let id = context.ids.text(o.id)
        send(.privateUpdate) { j, _ in
            j.object { j in
                j.field("method", "order.update")
                j.key("params")
                j.beginArray()
                Self.writeOrder(&j, o, id: id, market: market)
                j.endArray()
                j.key("id")
                j.null()
            }
        }
    }

    /// Fields in the documented (alphabetical) order.
    static func writeOrder(_ j: inout JSON, _ o: SimOrder, id: String, market: DigiFinexMarket) {
        let order = o.order
        let byValue = order.type == .market && order.side == .buy
        let zeroPrice = FixedDecimal(mantissa: 0, scale: market.priceScale)
        j.object { j in
            j.field("amount", quoted: byValue ? FixedDecimal(mantissa: 0, scale: market.quantityScale) : order.quantity)
            j.field("filled", quoted: order.filledQuantity)
            j.field("id", id)
            j.field("mode", 1)
            j.field("notional", quoted: o.cumulativeQuote)
            j.field("price", quoted: order.price ?? zeroPrice)
            j.field("price_avg", quoted: averagePrice(order, market))
            j.field("side", order.side == .buy ? "buy" : "sell")
            j.field("status", status(order))
            j.field("symbol", market.wsName)
            j.field("timestamp", order.timestamp / 1_000)
            j.field("type", order.type == .market ? "market" : "limit")
        }
    }

    /// The average fill price at the pair's price scale when exact, else with the digits it needs.
    static func averagePrice(_ o: Order, _ m: DigiFinexMarket) -> FixedDecimal {
        guard let avg = o.averagePrice else { return FixedDecimal(mantissa: 0, scale: m.priceScale) }
        return avg.exactlyRescaled(to: m.priceScale) ?? avg
    }

    /// 0 unfilled, 1 partially filled, 2 filled, 3 canceled unfilled, 4 canceled partially filled.
    static func status(_ o: Order) -> Int {
        switch o.status {
        case .filled: 2
        case .canceled, .expired, .rejected: o.filledQuantity.isZero ? 3 : 4
        default: o.filledQuantity.isZero ? 0 : 1
        }
    }

    func onBalance(_ e: BalanceEvent) {
        guard let p = privateState, e.account == p.account, let currencies = p.currencies,
              currencies.isEmpty || currencies.contains(e.balance.asset) else { return }
        if let i = p.pendingBalances.firstIndex(where: { $0.asset == e.balance.asset }) {
            p.pendingBalances[i] = e.balance
        } else {
            p.pendingBalances.append(e.balance)
        }
    }

    /// One `balance.update` per event batch with the absolute values of the currencies that
    /// changed (§5: free, total, used).
    func flushBalances() {
        guard let p = privateState, !p.pendingBalances.isEmpty else { return }
        let rows = p.pendingBalances
        p.pendingBalances.removeAll()
        guard login() != nil else { return }
        send(.privateUpdate) { j, _ in
            j.object { j in
                j.field("method", "balance.update")
                j.key("params")
                j.beginArray()
                for b in rows {
                    j.object { j in
                        j.field("currency", b.asset)
                        j.field("free", quoted: b.available)
                        j.field("total", quoted: b.total)
                        j.field("used", quoted: b.frozen)
                    }
                }
                j.endArray()
                j.key("id")
                j.null()
            }
        }
    }
}
