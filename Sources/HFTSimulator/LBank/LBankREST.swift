import HFTCore

/// REST (§5, §6, §8): the signed `subscribeKey` lifecycle, order entry and queries, assets;
/// public server time. Every path is served with or without a doubled leading slash.
enum LBankREST {
    typealias JSON = KrakenJSON
    typealias Params = [(String, String)]
    typealias Handler = @Sendable (LBankContext, AccountID, Params) -> ServerHTTPResponse

    static func routes(_ c: LBankContext) -> [HTTPRoute] {
        [
            HTTPRoute("POST", "/", prefix: true) { dispatch($0, c) },
            HTTPRoute("GET", "/", prefix: true) { dispatch($0, c) },
        ]
    }

    static let signedCalls: [String: Handler] = [
        "/v2/subscribe/get_key.do": { c, a, _ in createKey(c, a, v1: false) },
        "/v1/subscribe/get_key.do": { c, a, _ in createKey(c, a, v1: true) },
        "/v2/subscribe/refresh_key.do": refreshKey,
        "/v1/subscribe/refresh_key.do": refreshKey,
        "/v2/subscribe/destroy_key.do": destroyKey,
        "/v1/subscribe/destroy_key.do": destroyKey,
        "/v2/supplement/create_order.do": createOrder,
        "/v2/supplement/cancel_order.do": cancelOrder,
        "/v2/supplement/cancel_order_by_symbol.do": cancelBySymbol,
        "/v2/supplement/orders_info.do": orderInfo,
        "/v2/supplement/orders_info_no_deal.do": openOrders,
        "/v2/supplement/user_info_account.do": account,
    ]

    static func dispatch(_ req: ServerHTTPRequest, _ c: LBankContext) -> ServerHTTPResponse {
        var path = req.head.path
        while path.hasPrefix("//") { path.removeFirst() }
        if path == "/v2/timestamp.do" {
            let now = c.now() / 1_000
            return ok(c) { $0.int(now) }
        }
        guard let handler = signedCalls[path] else { return .notFound }
        guard req.head.method == "POST" else { return error(c, .invalidParameter) }
        return signed(req, c, handler)
    }

    // MARK: Signing (§6)

    /// Checks the parameters and headers, then runs `body` with the account and the endpoint
    /// parameters (query then form body, without `sign`).
    static func signed(_ req: ServerHTTPRequest, _ c: LBankContext, _ body: Handler) -> ServerHTTPResponse {
        if c.restRateLimited() { return error(c, .rateLimited) }
        var params = parse(req.head.query ?? "") + parse(req.bodyText)
        guard let apiKey = value(params, "api_key"), let sign = value(params, "sign") else {
            return error(c, .missingParameter)
        }
        // The three header values take part in the signature; accepted in the body too.
        for name in ["echostr", "signature_method", "timestamp"] where value(params, name) == nil {
            if let h = req.head.header(name) { params.append((name, h)) }
        }
        guard let echostr = value(params, "echostr"), (30...40).contains(echostr.utf8.count),
              echostr.utf8.allSatisfy({ $0 < 128 && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber) })
        else { return error(c, .badEchostr) }
        guard let tsText = value(params, "timestamp"), let ts = Int64(tsText) else { return error(c, .badTimestamp) }
        let now = c.now() / 1_000
        let behind = value(params, "window").flatMap { Int64($0) } ?? c.options.restTimestampBehind.wholeMicros / 1_000
        guard now - ts <= behind, ts - now <= c.options.restTimestampAhead.wholeMicros / 1_000 else {
            return error(c, .badTimestamp)
        }
        let ex = c.exchange
        guard let account = ex.account(forAPIKey: apiKey), let creds = ex.credentials(of: account) else {
            return error(c, .unknownKey)
        }
        // HmacSHA256 only; RSA keys are not issued by the simulator.
        guard value(params, "signature_method") == "HmacSHA256",
              DigiFinexSigner.same(sign.lowercased(), LBankSigner.sign(secret: creds.apiSecret, params: params))
        else { return error(c, .badSign) }
        let endpoint = params.filter { !["sign", "api_key", "echostr", "signature_method", "timestamp"].contains($0.0) }
        return body(c, account, endpoint)
    }

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

    // MARK: subscribeKey (§5)

    /// v2: `{"result":true,"data":"<64 hex>","error_code":0,"ts":…}`; v1: `{"result":"true","subscribeKey":…}`.
    static func createKey(_ c: LBankContext, _ a: AccountID, v1: Bool) -> ServerHTTPResponse {
        let key = c.keys.create(a, now: c.now())
        if v1 { return json { $0.field("result", "true"); $0.field("subscribeKey", key) } }
        return ok(c) { $0.string(key) }
    }

    /// `{"result":"true"}` (a string, §5); an unknown, expired or foreign key fails.
    static func refreshKey(_ c: LBankContext, _ a: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let key = value(p, "subscribeKey") else { return error(c, .missingParameter) }
        guard c.keys.refresh(key, account: a, now: c.now(), earlyExpiry: c.earlyKeyExpiry()) else {
            return error(c, .badSubscribeKey)
        }
        return json { $0.field("result", "true") }
    }

    static func destroyKey(_ c: LBankContext, _ a: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let key = value(p, "subscribeKey") else { return error(c, .missingParameter) }
        guard c.keys.destroy(key, account: a) else { return error(c, .badSubscribeKey) }
        return json { $0.field("result", "true") }
    }

    // MARK: Orders (§8)

    /// `symbol`, `type`, `price`, `amount` (buy_market: `price` = quote to spend), `custom_id` →
    /// `data: {order_id, symbol, custom_id}`.
    static func createOrder(_ c: LBankContext, _ a: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let name = value(p, "symbol") else { return error(c, .missingParameter) }
        guard let m = c.markets.pair(name) else { return error(c, .badPair) }
        guard let type = value(p, "type") else { return error(c, .missingParameter) }
        let parts = type.split(separator: "_", maxSplits: 1).map(String.init)
        let side: Side
        switch parts.first {
        case "buy": side = .buy
        case "sell": side = .sell
        default: return error(c, .badOrderType)
        }
        let suffix = parts.count > 1 ? parts[1] : ""
        guard ["", "market", "maker", "ioc", "fok"].contains(suffix) else { return error(c, .badOrderType) }
        let clientID = value(p, "custom_id").flatMap { $0.isEmpty ? nil : $0 }
        var request: OrderRequest
        if suffix == "market" {
            if side == .buy {
                guard let quote = decimal(value(p, "price")) else { return error(c, .missingParameter) }
                request = OrderRequest(symbol: m.symbol, side: .buy, type: .market, quantity: nil, quoteQuantity: quote,
                                       timeInForce: .ioc)
            } else {
                guard let qty = decimal(value(p, "amount")) else { return error(c, .missingParameter) }
                request = .market(m.symbol, .sell, quantity: qty)
            }
        } else {
            guard let qty = decimal(value(p, "amount")), let price = decimal(value(p, "price")) else {
                return error(c, .missingParameter)
            }
            request = .limit(m.symbol, side, quantity: qty, price: price, postOnly: suffix == "maker")
            if suffix == "ioc" { request.timeInForce = .ioc }
            if suffix == "fok" { request.timeInForce = .fok }
        }
        request.clientOrderID = clientID
        do {
            let r = try c.exchange.placeOrder(a, request)
            let id = c.ids.text(r.order.id)
            return ok(c) { j in
                j.object { j in
                    j.field("order_id", id)
                    j.field("symbol", m.pair)
                    if let clientID { j.field("custom_id", clientID) }
                }
            }
        } catch {
            return self.error(c, .reject(error))
        }
    }

    /// The order named by `orderId` (our uuid) or `origClientOrderId` (`custom_id`).
    private static func reference(_ c: LBankContext, _ p: Params) -> OrderRef? {
        if let id = value(p, "orderId") { return c.ids.id(id).map { .id($0) } }
        if let cid = value(p, "origClientOrderId"), !cid.isEmpty { return .clientID(cid) }
        return nil
    }

    /// `symbol`, `orderId` | `origClientOrderId` → `data: order row`.
    static func cancelOrder(_ c: LBankContext, _ a: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let name = value(p, "symbol") else { return error(c, .missingParameter) }
        guard let m = c.markets.pair(name) else { return error(c, .badPair) }
        guard let ref = reference(c, p) else { return error(c, .orderNotFound) }
        do {
            let o = try c.exchange.cancelOrder(a, ref, symbol: m.symbol)
            return ok(c) { writeOrder(&$0, o, c) }
        } catch {
            return self.error(c, .reject(error))
        }
    }

    /// `symbol` → `data: [order rows]` of what was cancelled.
    static func cancelBySymbol(_ c: LBankContext, _ a: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let name = value(p, "symbol") else { return error(c, .missingParameter) }
        guard let m = c.markets.pair(name) else { return error(c, .badPair) }
        do {
            let orders = try c.exchange.cancelAllOrders(a, symbol: m.symbol)
            return ok(c) { j in
                j.beginArray()
                for o in orders { writeOrder(&j, o, c) }
                j.endArray()
            }
        } catch {
            return self.error(c, .reject(error))
        }
    }

    /// `symbol`, `orderId` | `origClientOrderId` → `data: order row` (open or finished).
    static func orderInfo(_ c: LBankContext, _ a: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let name = value(p, "symbol") else { return error(c, .missingParameter) }
        guard let m = c.markets.pair(name) else { return error(c, .badPair) }
        guard let ref = reference(c, p), let o = c.exchange.order(a, ref), o.order.symbol == m.symbol else {
            return error(c, .orderNotFound)
        }
        return ok(c) { writeOrder(&$0, o, c) }
    }

    /// `symbol`, `current_page`, `page_length` (1…200) →
    /// `data: {total, page_length, current_page, orders: [rows]}`.
    static func openOrders(_ c: LBankContext, _ a: AccountID, _ p: Params) -> ServerHTTPResponse {
        guard let name = value(p, "symbol") else { return error(c, .missingParameter) }
        guard let m = c.markets.pair(name) else { return error(c, .badPair) }
        let page = max(1, value(p, "current_page").flatMap { Int($0) } ?? 1)
        let length = min(200, max(1, value(p, "page_length").flatMap { Int($0) } ?? 100))
        let all = c.exchange.openOrders(a, symbol: m.symbol)
        let slice = all.dropFirst((page - 1) * length).prefix(length)
        return ok(c) { j in
            j.object { j in
                j.field("total", all.count)
                j.field("page_length", length)
                j.field("current_page", page)
                j.key("orders")
                j.beginArray()
                for o in slice { writeOrder(&j, o, c) }
                j.endArray()
            }
        }
    }

    /// An order row: decimals as strings, `status` as in `orderUpdate` (§5), times in ms.
    static func writeOrder(_ j: inout JSON, _ o: SimOrder, _ c: LBankContext) {
        guard let m = c.markets.market(o.order.symbol) else { return j.null() }
        let order = o.order
        let zeroPrice = FixedDecimal(mantissa: 0, scale: m.priceScale)
        let quoteBuy = order.type == .market && order.side == .buy
        j.object { j in
            j.field("symbol", m.pair)
            j.field("orderId", c.ids.text(o.id))
            j.field("clientOrderId", order.clientOrderID ?? "")
            j.field("price", quoted: order.price ?? zeroPrice)
            j.field("origQty", quoted: quoteBuy ? FixedDecimal(mantissa: 0, scale: m.quantityScale) : order.quantity)
            j.field("origQuoteOrderQty", quoted: quoteBuy ? o.cumulativeQuote : zeroPrice)
            j.field("executedQty", quoted: order.filledQuantity)
            j.field("cummulativeQuoteQty", quoted: o.cumulativeQuote)
            j.field("avgPrice", quoted: LBankSession.averagePrice(order, m))
            j.field("status", LBankSession.status(order))
            j.field("type", LBankSession.typeName(order))
            j.field("time", o.createdAt / 1_000)
            j.field("updateTime", order.timestamp / 1_000)
        }
    }

    // MARK: Assets

    /// `data: {makerCommission, takerCommission, canTrade, canWithdraw, canDeposit,
    /// balances: [{asset, free, locked}]}` — fetch it before relying on `assetUpdate` (§5).
    static func account(_ c: LBankContext, _ a: AccountID, _ p: Params) -> ServerHTTPResponse {
        let balances = c.exchange.balances(a)
        let fees = c.exchange.fees(of: a)
        return ok(c) { j in
            j.object { j in
                j.field("makerCommission", quoted: fees?.maker ?? .zero)
                j.field("takerCommission", quoted: fees?.taker ?? .zero)
                j.field("canTrade", true)
                j.field("canWithdraw", false)
                j.field("canDeposit", false)
                j.key("balances")
                j.beginArray()
                for b in balances {
                    j.object { j in
                        j.field("asset", b.asset.lowercased())
                        j.field("free", quoted: b.available)
                        j.field("locked", quoted: b.frozen)
                    }
                }
                j.endArray()
            }
        }
    }

    // MARK: Envelopes (§6)

    /// `{"result":true,"data":…,"error_code":0,"ts":ms}`.
    static func ok(_ c: LBankContext, _ data: (inout JSON) -> Void) -> ServerHTTPResponse {
        let ts = c.now() / 1_000
        return json { j in
            j.field("result", true)
            j.key("data")
            data(&j)
            j.field("error_code", 0)
            j.field("ts", ts)
        }
    }

    /// `{"result":"false","error_code":C,"msg":M,"ts":ms}`, HTTP 200.
    static func error(_ c: LBankContext, _ e: LBankRESTError) -> ServerHTTPResponse {
        let ts = c.now() / 1_000
        return json { j in
            j.field("result", "false")
            j.field("error_code", e.code)
            j.field("msg", e.message)
            j.field("ts", ts)
        }
    }

    static func json(_ fields: (inout JSON) -> Void) -> ServerHTTPResponse {
        var j = JSON()
        j.object { fields(&$0) }
        return ServerHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: j.bytes)
    }
}
