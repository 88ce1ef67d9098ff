import HFTCore

/// REST (§8) under `/hk` (served with or without it): signed order entry, cancels, order
/// queries and balances. Success bodies are the bare objects; errors are HTTP 400/401/429
/// with `{"code":C,"message":M}`.
enum BGEREST {
    typealias JSON = KrakenJSON
    static let basePath = "/hk"

    static func routes(_ c: BGEContext) -> [HTTPRoute] {
        ["GET", "POST", "DELETE"].map { method in HTTPRoute(method, "/", prefix: true) { handle($0, c) } }
    }

    static func handle(_ req: ServerHTTPRequest, _ c: BGEContext) -> ServerHTTPResponse {
        let full = req.head.path
        let path = full.hasPrefix(basePath + "/") ? String(full.dropFirst(basePath.count)) : full
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "v1", parts[1] == "orders" || parts[1] == "accounts" else { return .notFound }
        let method = req.head.method
        let known: Bool = switch (method, parts.count, parts[1]) {
        case ("GET", 2, "accounts"), ("POST", 2, "orders"), ("GET", 2...4, "orders"), ("DELETE", 2...4, "orders"): true
        default: false
        }
        guard known else { return .notFound }
        // Signature (§8): the path as sent, or without `/hk` (README).
        let query = req.head.query ?? ""
        let body = method == "POST" ? req.bodyText : ""
        let key = req.head.header("ACCESS-KEY")
        let auth = BGEAuth.verify(
            c, key: key, sign: req.head.header("ACCESS-SIGN"), timestamp: req.head.header("ACCESS-TIMESTAMP"),
            prehash: { BGESigner.prehash(timestamp: $0, method: method, path: full, query: query, body: body) },
            alternatePrehash: { BGESigner.prehash(timestamp: $0, method: method, path: path, query: query, body: body) })
        let account: AccountID
        switch auth {
        case .failure(let e): return error(e)
        case .success(let a): account = a
        }
        if c.restRateLimited(key: key ?? "") { return error(.rateLimited) }
        let params = req.head.queryItems
        func q(_ n: String) -> String? { params.first { $0.0 == n }?.1 }
        switch (method, parts.count) {
        case ("GET", _) where parts[1] == "accounts":
            let balances = c.exchange.balances(account)
            return json { BGESession.writeAssets(&$0, balances) }
        case ("POST", _):
            return place(c, account, req.body)
        case ("DELETE", 2):
            guard let name = q("product") else { return error(.badParameter) }
            guard let m = c.markets.product(name) else { return error(.badProduct) }
            do {
                let orders = try c.exchange.cancelAllOrders(account, symbol: m.symbol)
                return json { j in
                    j.beginArray()
                    for o in orders { j.uint(BGEOrderIDs.number(o.id)) }
                    j.endArray()
                }
            } catch { return self.error(.reject(error)) }
        case (_, 3), (_, 4):
            let ref: OrderRef
            if parts.count == 4 {
                guard parts[2] == "single" else { return .notFound }
                ref = .clientID(ServerRequestHead.percentDecode(Substring(parts[3])))
            } else {
                guard let id = BGEOrderIDs.id(parts[2]) else { return error(.noData) }
                ref = .id(id)
            }
            if method == "GET" {
                guard let o = c.exchange.order(account, ref) else { return error(.noData) }
                return json { BGEOrderJSON.write(&$0, o, c.markets) }
            }
            do {
                let o = try c.exchange.cancelOrder(account, ref)
                return json { j in
                    j.object { j in
                        j.key("order_id")
                        j.uint(BGEOrderIDs.number(o.id))
                        j.field("client_oid", o.order.clientOrderID ?? "")
                    }
                }
            } catch { return self.error(.reject(error)) }
        default:  // GET /v1/orders?product=…: open orders
            var symbol: Symbol?
            if let name = q("product") {
                guard let m = c.markets.product(name) else { return error(.badProduct) }
                symbol = m.symbol
            }
            let orders = c.exchange.openOrders(account, symbol: symbol)
            return json { j in
                j.beginArray()
                for o in orders { BGEOrderJSON.write(&j, o, c.markets) }
                j.endArray()
            }
        }
    }

    // MARK: New order

    /// `{"product","side","type","price","size","funds","client_oid","stp","time_in_force"}` →
    /// `{"order_id":<number>,"client_oid":…}`.
    static func place(_ c: BGEContext, _ account: AccountID, _ body: [UInt8]) -> ServerHTTPResponse {
        guard let req = decodeOrder(c, body) else { return error(.badParameter) }
        switch req {
        case .failure(let e): return error(e)
        case .success(let request):
            do {
                let r = try c.exchange.placeOrder(account, request)
                let cid = request.clientOrderID ?? ""
                return json { j in
                    j.object { j in
                        j.key("order_id")
                        j.uint(BGEOrderIDs.number(r.order.id))
                        j.field("client_oid", cid)
                    }
                }
            } catch {
                return self.error(.reject(error))
            }
        }
    }

    static func decodeOrder(_ c: BGEContext, _ body: [UInt8]) -> Result<OrderRequest, BGEError>? {
        body.withUnsafeBytes { raw -> Result<OrderRequest, BGEError>? in
            guard let root = try? JSONValue.parse(raw), root.kind == .object else { return nil }
            func text(_ n: String) -> String? {
                guard let v = (try? root.member(n)) ?? nil, v.kind == .string || v.kind == .number else { return nil }
                return v.text.flatMap { $0.isEmpty ? nil : $0 }
            }
            func decimal(_ n: String) -> FixedDecimal? {
                guard let t = text(n) else { return nil }
                return try? FixedDecimal.parse(bytes: Array(t.utf8))
            }
            guard let name = text("product") else { return .failure(.badParameter) }
            guard let m = c.markets.product(name) else { return .failure(.badProduct) }
            let side: Side
            switch text("side") {
            case "buy": side = .buy
            case "sell": side = .sell
            default: return .failure(.badParameter)
            }
            var request: OrderRequest
            switch text("type") ?? "limit" {
            case "limit":
                guard let price = decimal("price"), let size = decimal("size") else { return .failure(.badParameter) }
                request = .limit(m.symbol, side, quantity: size, price: price)
                switch text("time_in_force")?.uppercased() ?? "GTC" {
                case "GTC": break
                case "IOC": request.timeInForce = .ioc
                case "FOK": request.timeInForce = .fok
                case "PO", "POST_ONLY": request.postOnly = true
                default: return .failure(.badParameter)
                }
            case "market":
                if side == .buy {
                    guard let funds = decimal("funds") else { return .failure(.badParameter) }
                    request = OrderRequest(symbol: m.symbol, side: .buy, type: .market, quantity: nil, quoteQuantity: funds,
                                           timeInForce: .ioc)
                } else {
                    guard let size = decimal("size") else { return .failure(.badParameter) }
                    request = .market(m.symbol, .sell, quantity: size)
                }
            default:
                return .failure(.badParameter)
            }
            request.clientOrderID = text("client_oid")
            switch text("stp") {
            case nil: break
            case "dc": request.selfTradePrevention = .cancelTaker  // "decrease and cancel": no engine equivalent (README)
            case "co": request.selfTradePrevention = .cancelMaker
            case "cn": request.selfTradePrevention = .cancelTaker
            case "cb": request.selfTradePrevention = .cancelBoth
            default: return .failure(.badParameter)
            }
            return .success(request)
        }
    }

    // MARK: Envelopes

    static func error(_ e: BGEError) -> ServerHTTPResponse {
        var j = JSON()
        j.object { j in
            j.field("code", e.code)
            j.field("message", e.message)
        }
        return ServerHTTPResponse(status: e.http, headers: [("Content-Type", "application/json")], body: j.bytes)
    }

    static func json(_ write: (inout JSON) -> Void) -> ServerHTTPResponse {
        var j = JSON()
        write(&j)
        return ServerHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: j.bytes)
    }
}
