import HFTCore

/// Login (§4) and the private channels (§6, `"biz":"exchange"`): `assets` per product and
/// `orders` per product or `all`, pushed from the logged-in account's exchange events.
extension BGESession {
    // MARK: Login (§4)

    /// `{"event":"login","params":{"type":"api","access_key","access_sign","access_timestamp"}}`.
    func login(_ r: BGERequest) {
        switch BGEAuth.verify(context, key: r.accessKey, sign: r.accessSign, timestamp: r.accessTimestamp,
                              prehash: { $0 }) {
        case .failure(let e):
            fail(event: "login", e)
        case .success(let a):
            if a != account { endPrivate() }
            account = a
            loggedInAt = context.now()
            if accountFeed == nil {
                accountFeed = context.exchange.subscribe(.account(a)) { [weak connection] e in connection?.enqueue(e) }
            }
            let ts = context.now() / 1_000
            respond { j in
                j.object { j in
                    j.field("ts", ts)
                    j.field("code", 200)
                    j.field("status", "OK")
                    j.field("event", "login")
                }
            }
        }
    }

    /// The login is over: every private subscription ends.
    private func endPrivate() {
        assetSubs.removeAll()
        orderSubs.removeAll()
        if let f = accountFeed { context.exchange.unsubscribe(f) }
        accountFeed = nil
        account = nil
    }

    /// The `expire_token_after_s` fault: the login lapses that long after it was made; the
    /// client gets one 40016 error and must log in again (README).
    private func loginLapsed() -> Bool {
        guard account != nil, decider.isTokenExpired(issuedAt: loggedInAt) else { return false }
        endPrivate()
        fail(event: "login", .keyExpired)
        return true
    }

    // MARK: Subscriptions

    func privateRequest(_ r: BGERequest, raw: String) {
        guard let type = r.type, type == "assets" || type == "orders", let name = r.product else {
            return fail(event: r.event, .invalidRequest, detail: raw)
        }
        var market: BGEMarket?
        if name.lowercased() != "all" {
            guard let m = context.markets.product(name) else { return fail(event: r.event, .invalidRequest, detail: raw) }
            market = m
        } else if type == "assets" {
            return fail(event: r.event, .invalidRequest, detail: raw)
        }
        if loginLapsed() { return }
        guard let account else { return fail(event: r.event, .notLoggedIn) }
        switch r.event {
        case "sub":
            didSubscribe()
            if type == "assets" { assetSubs[market!.symbol] = r.zip } else { orderSubs[market?.symbol] = r.zip }
            ack(r)
        case "unsub":
            if type == "assets" { assetSubs[market!.symbol] = nil } else { orderSubs[market?.symbol] = nil }
            ack(r)
        default:  // req: assets of the pair, or open orders
            let ex = context.exchange
            if type == "assets" {
                let m = market!
                let balances = ex.balances(account).filter { $0.asset == m.base || $0.asset == m.quote }
                ack(r) { j in Self.writeAssets(&j, balances) }
            } else {
                let orders = ex.openOrders(account, symbol: market?.symbol)
                ack(r) { [context] j in
                    j.beginArray()
                    for o in orders { BGEOrderJSON.write(&j, o, context.markets) }
                    j.endArray()
                }
            }
        }
    }

    // MARK: Pushes

    func onOrder(_ e: SimOrderEvent) {
        guard e.account == account, !orderSubs.isEmpty, !loginLapsed(),
              let market = context.markets.market(e.order.order.symbol) else { return }
        let targets: [(String, Bool)] = [
            orderSubs[market.symbol].map { (market.product, $0) },
            orderSubs[nil].map { ("all", $0) },
        ].compactMap { $0 }
        for (product, zip) in targets {
            send(.privateUpdate, zip: zip) { [context] j in
                j.object { j in
                    j.field("biz", "exchange")
                    j.field("type", "orders")
                    j.field("product", product)
                    j.key("data")
                    j.beginArray()
                    BGEOrderJSON.write(&j, e.order, context.markets)
                    j.endArray()
                }
            }
        }
    }

    /// One push per subscribed product holding the currency, absolute figures (§6).
    func onBalance(_ e: BalanceEvent) {
        guard e.account == account, !assetSubs.isEmpty, !loginLapsed() else { return }
        for (symbol, zip) in assetSubs.sorted(by: { $0.key.description < $1.key.description }) {
            guard let m = context.markets.market(symbol), e.balance.asset == m.base || e.balance.asset == m.quote else { continue }
            send(.privateUpdate, zip: zip) { j in
                j.object { j in
                    j.field("biz", "exchange")
                    j.field("type", "assets")
                    j.field("product", m.product)
                    j.key("data")
                    Self.writeAssets(&j, [e.balance])
                }
            }
        }
    }

    static func writeAssets(_ j: inout JSON, _ balances: [Balance]) {
        j.beginArray()
        for b in balances {
            j.object { j in
                j.field("currency", b.asset)
                j.field("available", quoted: b.available)
                j.field("hold", quoted: b.frozen)
            }
        }
        j.endArray()
    }
}

/// The order object of the `orders` push and the REST replies (§6).
enum BGEOrderJSON {
    /// `status` (§6): 1 open, 2 partially filled, 3 filled, 5 cancelled (also after partial
    /// fills and for expired IOC/post-only), 6 failed.
    static func status(_ o: Order) -> String {
        switch o.status {
        case .filled: "3"
        case .canceled, .expired: "5"
        case .rejected: "6"
        default: o.filledQuantity.isZero ? "1" : "2"
        }
    }

    static func write(_ j: inout KrakenJSON, _ o: SimOrder, _ markets: BGEMarkets) {
        guard let m = markets.market(o.order.symbol) else { return j.null() }
        let order = o.order
        let zeroPrice = FixedDecimal(mantissa: 0, scale: m.priceScale)
        let zeroQty = FixedDecimal(mantissa: 0, scale: m.quantityScale)
        let quoteBuy = order.type == .market && order.side == .buy
        j.object { j in
            j.field("order_id", BGEOrderIDs.text(o.id))
            j.field("product", m.product)
            j.field("side", order.side == .buy ? "buy" : "sell")
            j.field("price", quoted: order.price ?? zeroPrice)
            j.field("size", quoted: quoteBuy ? zeroQty : order.quantity)
            j.field("filled_amount", quoted: o.cumulativeQuote)
            j.field("funds", quoted: quoteBuy ? o.cumulativeQuote : zeroPrice)
            j.field("filled_size", quoted: order.filledQuantity)
            j.field("type", order.type == .market ? "market" : "limit")
            j.field("status", status(order))
            j.field("client_oid", order.clientOrderID ?? "")
            j.field("created_at", o.createdAt / 1_000)
        }
    }
}
