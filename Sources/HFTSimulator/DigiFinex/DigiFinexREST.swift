import HFTCore

/// REST v3 (§8) under `/v3`: signed order entry, order queries and assets; public time,
/// symbols and order book. Replies are JSON with `code` (0 = success), HTTP 200 errors included.
enum DigiFinexREST {
    typealias JSON = KrakenJSON

    static func routes(_ c: DigiFinexContext) -> [HTTPRoute] {
        [
            HTTPRoute("POST", "/v3/spot/order/new") { signed($0, c, placeOrder) },
            HTTPRoute("POST", "/v3/spot/order/cancel") { signed($0, c, cancelOrders) },
            HTTPRoute("GET", "/v3/spot/order/current") { signed($0, c, openOrders) },
            HTTPRoute("GET", "/v3/spot/order") { signed($0, c, queryOrders) },
            HTTPRoute("GET", "/v3/spot/assets") { signed($0, c, assets) },
            HTTPRoute("GET", "/v3/ping") { _ in ok(c) { $0.field("msg", "pong") } },
            HTTPRoute("GET", "/v3/time") { _ in ok(c) { $0.field("server_time", c.now() / 1_000_000) } },
            HTTPRoute("GET", "/v3/spot/symbols") { _ in symbols(c) },
            HTTPRoute("GET", "/v3/order_book") { orderBook($0, c) },
        ]
    }

    typealias Params = [(String, String)]

    // MARK: Signing

    /// Checks `ACCESS-KEY`, `ACCESS-SIGN` (hex HMAC-SHA256 of the exact query string, body, or
    /// `query&body`) and `ACCESS-TIMESTAMP` (seconds, within the window), then runs `body` with
    /// the account and the parameters (query then body).
    static func signed(_ req: ServerHTTPRequest, _ c: DigiFinexContext,
                       _ body: (ServerHTTPRequest, DigiFinexContext, AccountID, Params) -> ServerHTTPResponse) -> ServerHTTPResponse {
        if c.restRateLimited() { return error(.rateLimited) }
        let ex = c.exchange
        guard let key = req.head.header("ACCESS-KEY"), let account = ex.account(forAPIKey: key),
              let creds = ex.credentials(of: account) else { return error(.invalidAPIKey) }
        let query = req.head.query ?? ""
        let form = req.bodyText
        let payload = query.isEmpty ? form : (form.isEmpty ? query : query + "&" + form)
        guard let sign = req.head.header("ACCESS-SIGN"),
              DigiFinexSigner.same(sign.lowercased(), DigiFinexSigner.restSign(secret: creds.apiSecret, payload: payload))
        else { return error(.signMismatch) }
        guard let tsText = req.head.header("ACCESS-TIMESTAMP"), let ts = Int64(tsText) else { return error(.badTimestamp) }
        let now = c.now()
        let tsMicros = ts * 1_000_000
        guard now - tsMicros <= c.options.restTimestampBehind.wholeMicros + 999_999,
              tsMicros - now <= c.options.restTimestampAhead.wholeMicros else { return error(.badTimestamp) }
        return body(req, c, account, parse(query) + parse(form))
    }

    /// `a=1&b=2` percent-decoded.
    static func parse(_ s: String) -> Params {
        s.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (ServerRequestHead.percentDecode(kv[0]), kv.count > 1 ? ServerRequestHead.percentDecode(kv[1]) : "")
        }
    }

    static func value(_ p: Params, _ name: String) -> String? { p.first { $0.0 == name }?.1 }

    static func decimal(_ text: String?) -> FixedDecimal? {
        guard let text, !text.isEmpty else { return nil }
        return try? FixedDecimal.parse(bytes: Array(text.utf8))
    }

    // MARK: Orders

    /// `symbol`, `type` (buy, sell, buy_market, sell_market), `amount` (quote to spend for
    /// `buy_market`), `price` (limit), `post_only` 0/1 → `{"code":0,"order_id":"…"}`.
    static func placeOrder(_ req: ServerHTTPRequest, _ c: DigiFinexContext, _ account: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let market = value(p, "symbol").flatMap({ c.markets.rest($0) }) else { return error(.wrongSymbol) }
        let side: Side, type: OrderType
        switch value(p, "type") {
        case "buy": (side, type) = (.buy, .limit)
        case "sell": (side, type) = (.sell, .limit)
        case "buy_market": (side, type) = (.buy, .market)
        case "sell_market": (side, type) = (.sell, .market)
        default: return error(.invalidTradeType)
        }
        guard let amount = decimal(value(p, "amount")) else { return error(.invalidPriceOrAmount) }
        let postOnly = value(p, "post_only") == "1"
        var request: OrderRequest
        if type == .limit {
            guard let price = decimal(value(p, "price")) else { return error(.invalidPriceOrAmount) }
            request = .limit(market.symbol, side, quantity: amount, price: price, postOnly: postOnly)
        } else if side == .buy {
            request = OrderRequest(symbol: market.symbol, side: .buy, type: .market, quantity: nil, quoteQuantity: amount,
                                   timeInForce: .ioc, postOnly: postOnly)
        } else {
            request = .market(market.symbol, .sell, quantity: amount)
            request.postOnly = postOnly
        }
        do {
            let r = try c.exchange.placeOrder(account, request)
            let id = c.ids.text(r.order.id)
            return ok(c) { $0.field("order_id", id) }
        } catch {
            return self.error(.reject(error))
        }
    }

    /// `order_id` = comma list → `{"code":0,"date":s,"success":[…],"error":[…]}`.
    static func cancelOrders(_ req: ServerHTTPRequest, _ c: DigiFinexContext, _ account: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let list = value(p, "order_id"), !list.isEmpty else { return error(.orderNotFound) }
        var done: [String] = [], failed: [String] = []
        for text in list.split(separator: ",").map(String.init) {
            if let id = c.ids.id(text), (try? c.exchange.cancelOrder(account, .id(id))) != nil {
                done.append(text)
            } else {
                failed.append(text)
            }
        }
        return ok(c) { j in
            j.field("date", c.now() / 1_000_000)
            j.key("success")
            j.beginArray()
            for s in done { j.string(s) }
            j.endArray()
            j.key("error")
            j.beginArray()
            for s in failed { j.string(s) }
            j.endArray()
        }
    }

    /// `GET /v3/spot/order/current[?symbol=]` → `{"code":0,"data":[order…]}`.
    static func openOrders(_ req: ServerHTTPRequest, _ c: DigiFinexContext, _ account: AccountID, _ p: Params) -> ServerHTTPResponse {
        var symbol: Symbol?
        if let s = value(p, "symbol"), !s.isEmpty {
            guard let m = c.markets.rest(s) else { return error(.wrongSymbol) }
            symbol = m.symbol
        }
        let orders = c.exchange.openOrders(account, symbol: symbol)
        return ok(c) { j in
            j.key("data")
            j.beginArray()
            for o in orders { writeOrder(&j, o, c) }
            j.endArray()
        }
    }

    /// `GET /v3/spot/order?order_id=a,b` → `{"code":0,"data":[order…]}` (20013 when none is known).
    static func queryOrders(_ req: ServerHTTPRequest, _ c: DigiFinexContext, _ account: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let list = value(p, "order_id"), !list.isEmpty else { return error(.orderNotFound) }
        let orders = list.split(separator: ",").compactMap { c.ids.id(String($0)).flatMap { c.exchange.order(account, .id($0)) } }
        guard !orders.isEmpty else { return error(.orderNotFound) }
        return ok(c) { j in
            j.key("data")
            j.beginArray()
            for o in orders { writeOrder(&j, o, c) }
            j.endArray()
        }
    }

    /// An order row of the v3 order queries (numbers bare; times in seconds).
    static func writeOrder(_ j: inout JSON, _ o: SimOrder, _ c: DigiFinexContext) {
        guard let m = c.markets.market(o.order.symbol) else { return }
        let order = o.order
        let zeroPrice = FixedDecimal(mantissa: 0, scale: m.priceScale)
        let byValue = order.type == .market && order.side == .buy
        j.object { j in
            j.field("symbol", m.restName)
            j.field("order_id", c.ids.text(o.id))
            j.field("created_date", o.createdAt / 1_000_000)
            j.field("finished_date", order.status.isFinal ? order.timestamp / 1_000_000 : 0)
            j.field("price", bare: order.price ?? zeroPrice)
            j.field("amount", bare: byValue ? FixedDecimal(mantissa: 0, scale: m.quantityScale) : order.quantity)
            j.field("cash_amount", bare: byValue ? o.cumulativeQuote : FixedDecimal(mantissa: 0, scale: m.priceScale))
            j.field("executed_amount", bare: order.filledQuantity)
            j.field("avg_price", bare: DigiFinexSession.averagePrice(order, m))
            j.field("status", DigiFinexSession.status(order))
            j.field("side", (order.side == .buy ? "buy" : "sell") + (order.type == .market ? "_market" : ""))
            j.field("kind", "spot")
        }
    }

    // MARK: Assets

    /// `{"code":0,"list":[{"currency":"BTC","free":…,"total":…}]}`.
    static func assets(_ req: ServerHTTPRequest, _ c: DigiFinexContext, _ account: AccountID, _ p: Params) -> ServerHTTPResponse {
        let balances = c.exchange.balances(account)
        return ok(c) { j in
            j.key("list")
            j.beginArray()
            for b in balances {
                j.object { j in
                    j.field("currency", b.asset)
                    j.field("free", bare: b.available)
                    j.field("total", bare: b.total)
                }
            }
            j.endArray()
        }
    }

    // MARK: Public

    static func symbols(_ c: DigiFinexContext) -> ServerHTTPResponse {
        ok(c) { j in
            j.key("symbol_list")
            j.beginArray()
            for m in c.markets.all {
                j.object { j in
                    j.field("order_types", "LIMIT,MARKET")
                    j.field("quote_asset", m.symbol.quote)
                    j.field("minimum_value", bare: m.spec.minNotional)
                    j.field("amount_precision", Int(m.quantityScale))
                    j.field("status", "TRADING")
                    j.field("minimum_amount", bare: m.spec.minQuantity)
                    j.field("symbol", m.wsName)
                    j.field("is_allow", 1)
                    j.field("zone", "MAIN")
                    j.field("base_asset", m.symbol.base)
                    j.field("price_precision", Int(m.priceScale))
                }
            }
            j.endArray()
        }
    }

    /// `GET /v3/order_book?symbol=btc_usdt&limit=150` → `{"bids":[[p,q]…],"asks":[…],"date":s,"code":0}`
    /// (best first on both sides; `limit` 1…150, default 10).
    static func orderBook(_ req: ServerHTTPRequest, _ c: DigiFinexContext) -> ServerHTTPResponse {
        let q = parse(req.head.query ?? "")
        guard let m = value(q, "symbol").flatMap({ c.markets.rest($0) }) else { return error(.wrongSymbol) }
        let limit = min(150, max(1, value(q, "limit").flatMap { Int($0) } ?? 10))
        guard let book = try? c.exchange.bookSnapshot(m.symbol, depth: limit) else { return error(.exception) }
        func side(_ j: inout JSON, _ levels: [BookLevel]) {
            j.beginArray()
            for l in levels {
                j.beginArray()
                j.number(l.price)
                j.number(l.quantity)
                j.endArray()
            }
            j.endArray()
        }
        var j = JSON()
        j.object { j in
            j.key("bids")
            side(&j, book.bids)
            j.key("asks")
            side(&j, book.asks)
            j.field("date", c.now() / 1_000_000)
            j.field("code", 0)
        }
        return ServerHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: j.bytes)
    }

    // MARK: Envelopes

    /// `{"code":0,…}`.
    static func ok(_ c: DigiFinexContext, _ fields: (inout JSON) -> Void) -> ServerHTTPResponse {
        var j = JSON()
        j.object { j in
            j.field("code", 0)
            fields(&j)
        }
        return ServerHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: j.bytes)
    }

    /// `{"code":C,"msg":M}` with HTTP 200.
    static func error(_ e: DigiFinexRESTError) -> ServerHTTPResponse {
        var j = JSON()
        j.object { j in
            j.field("code", e.code)
            j.field("msg", e.message)
        }
        return ServerHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: j.bytes)
    }
}
