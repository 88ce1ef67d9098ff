import HFTCore

/// REST (§7): signed order entry, cancels, order queries, balances and positions, plus the
/// FCoin server time. Success `{"status":0,"data":…}`; errors with the HTTP status of §4 and
/// `{"status":<http>,"msg":M}` (README).
enum FMexREST {
    typealias JSON = KrakenJSON

    static func routes(_ c: FMexContext) -> [HTTPRoute] {
        ["GET", "POST", "DELETE", "PUT"].map { method in HTTPRoute(method, "/", prefix: true) { handle($0, c) } }
    }

    enum Call {
        case serverTime, accounts, positions, openOrders, place, cancelAll
        case order(Substring), cancel(Substring)
    }

    /// The call a path names, and whether `method` is its method (nil: unknown path → 404).
    static func route(_ method: String, _ parts: [Substring]) -> (Call, Bool)? {
        switch parts.count {
        case 3 where parts == ["v2", "public", "server-time"]: return (.serverTime, method == "GET")
        case 3 where parts == ["v3", "contracts", "accounts"]: return (.accounts, method == "GET")
        case 3 where parts == ["v3", "contracts", "orders"]: return (.place, method == "POST")
        case 4 where parts[0...2] == ["v3", "contracts", "orders"]:
            switch parts[3] {
            case "open": return (.openOrders, method == "GET")
            case "cancel": return (.cancelAll, method == "POST")
            default: return (.order(parts[3]), method == "GET")
            }
        case 5 where parts[0...2] == ["v3", "contracts", "orders"] && parts[4] == "cancel": return (.cancel(parts[3]), method == "POST")
        case 5 where parts == ["v3", "broker", "auth", "contracts", "positions"]: return (.positions, method == "GET")
        default: return nil
        }
    }

    static func handle(_ req: ServerHTTPRequest, _ c: FMexContext) -> ServerHTTPResponse {
        let method = req.head.method, path = req.head.path
        // A refused private upgrade lands here (§2: HTTP 401).
        if path == FMexSimulator.userPath || path == FMexSimulator.userPath + "/" { return error(.unauthorized) }
        let parts = path.split(separator: "/")
        guard let (call, methodOK) = route(method, parts) else { return error(.notFound) }
        guard methodOK else { return error(.methodNotAllowed) }
        if case .serverTime = call {
            let now = c.nowMillis()
            return ok { $0.int(now) }
        }
        let query = req.head.query ?? ""
        var bodyForm = ""
        if method == "POST" {
            guard let form = FMexSigner.bodyForm(req.body) else { return error(.notJSON) }
            bodyForm = form
        }
        guard let account = FMexAuth.verify(
            c, key: req.head.header("FC-ACCESS-KEY"), signature: req.head.header("FC-ACCESS-SIGNATURE"),
            timestamp: req.head.header("FC-ACCESS-TIMESTAMP"), method: method, hostHeader: req.head.header("Host"),
            path: path, query: query, body: bodyForm) else { return error(.unauthorized) }
        if c.restRateLimited(account) { return error(.rateLimited) }
        let ex = c.exchange
        switch call {
        case .serverTime:
            return error(.notFound)
        case .accounts:
            let margin = ex.positions(account).reduce(FixedDecimal.zero) { $0 + $1.margin }
            let balances = ex.balances(account).filter { b in c.markets.all.contains { $0.settle == b.asset } }
            return ok { j in
                j.object { j in
                    for b in balances {
                        var frozen = b.frozen - margin
                        if frozen < .zero { frozen = .zero }
                        j.key(b.asset)
                        j.beginArray()
                        j.number(b.available)
                        j.number(frozen)
                        j.number(margin)
                        j.endArray()
                    }
                }
            }
        case .positions:
            let taker = ex.fees(of: account)?.taker ?? .zero
            let positions = ex.positions(account)
            return ok { j in
                j.beginArray()
                for p in positions {
                    if let m = c.markets.market(p.symbol) { FMexJSON.position(&j, p, m, takerFeeRate: taker) }
                }
                j.endArray()
            }
        case .openOrders:
            var symbol: Symbol?
            if let name = req.head.queryItems.first(where: { $0.0 == "symbol" })?.1 {
                guard let m = c.markets.named(name) else { return error(.badParameter("unknown symbol")) }
                symbol = m.symbol
            }
            return orders(c, ex.openOrders(account, symbol: symbol))
        case .order(let text):
            guard let id = FMexOrderIDs.id(text), let o = ex.order(account, .id(id)),
                  let m = c.markets.market(o.order.symbol) else { return error(.reject(.unknownOrder)) }
            return ok { FMexJSON.order(&$0, o, m) }
        case .cancel(let text):
            guard let id = FMexOrderIDs.id(text) else { return error(.reject(.unknownOrder)) }
            do {
                let o = try ex.cancelOrder(account, .id(id))
                guard let m = c.markets.market(o.order.symbol) else { return error(.reject(.unknownOrder)) }
                return ok { FMexJSON.order(&$0, o, m) }
            } catch { return self.error(.reject(error)) }
        case .cancelAll:
            var symbol: Symbol?
            if let name = req.head.queryItems.first(where: { $0.0 == "symbol" })?.1 {
                guard let m = c.markets.named(name) else { return error(.badParameter("unknown symbol")) }
                symbol = m.symbol
            }
            do { return orders(c, try ex.cancelAllOrders(account, symbol: symbol)) } catch { return self.error(.reject(error)) }
        case .place:
            switch decodeOrder(c, req.body) {
            case .failure(let e): return error(e)
            case .success(let (request, m)):
                do {
                    let r = try ex.placeOrder(account, request)
                    return ok { FMexJSON.order(&$0, r.order, m) }
                } catch { return self.error(.reject(error)) }
            }
        }
    }

    static func orders(_ c: FMexContext, _ list: [SimOrder]) -> ServerHTTPResponse {
        ok { j in
            j.beginArray()
            for o in list { if let m = c.markets.market(o.order.symbol) { FMexJSON.order(&j, o, m) } }
            j.endArray()
        }
    }

    // MARK: New order (§7)

    /// `symbol`, `type` LIMIT/MARKET, `direction` LONG/SHORT, `price` (limit), `quantity`
    /// (integer ≥ 1), string flags `fill_or_kill`/`immediate_or_cancel`/`post_only`; enums
    /// case-insensitive (§8). `hidden`, `reduce_only` and `source` are accepted and ignored;
    /// trigger (stop) orders are refused (README).
    static func decodeOrder(_ c: FMexContext, _ body: [UInt8]) -> Result<(OrderRequest, FMexMarket), FMexError> {
        body.withUnsafeBytes { raw -> Result<(OrderRequest, FMexMarket), FMexError> in
            guard let root = try? JSONValue.parse(raw), root.kind == .object else { return .failure(.notJSON) }
            func text(_ n: String) -> String? {
                guard let v = (try? root.member(n)) ?? nil, v.kind == .string || v.kind == .number || v.kind == .bool else { return nil }
                return v.text.flatMap { $0.isEmpty ? nil : $0 }
            }
            func decimal(_ n: String) -> FixedDecimal? { text(n).flatMap { try? FixedDecimal.parse(bytes: Array($0.utf8)) } }
            func flag(_ n: String) -> Bool { text(n)?.lowercased() == "true" }
            guard let name = text("symbol") else { return .failure(.badParameter("symbol")) }
            guard let m = c.markets.named(name) else { return .failure(.badParameter("unknown symbol \(name)")) }
            let side: Side
            switch text("direction")?.uppercased() {
            case "LONG": side = .buy
            case "SHORT": side = .sell
            default: return .failure(.badParameter("direction"))
            }
            guard let q = decimal("quantity"), q >= FixedDecimal(1), q.isMultiple(of: FixedDecimal(1)) else {
                return .failure(.badParameter("quantity"))
            }
            if let t = decimal("trigger_on"), !t.isZero { return .failure(.badParameter("trigger orders are not supported")) }
            var request: OrderRequest
            switch text("type")?.uppercased() {
            case "LIMIT":
                guard let price = decimal("price") else { return .failure(.badParameter("price")) }
                request = .limit(m.symbol, side, quantity: q, price: price)
                if flag("fill_or_kill") { request.timeInForce = .fok }
                if flag("immediate_or_cancel") { request.timeInForce = .ioc }
                request.postOnly = flag("post_only")
            case "MARKET":
                request = .market(m.symbol, side, quantity: q)
            default:
                return .failure(.badParameter("type"))
            }
            return .success((request, m))
        }
    }

    // MARK: Envelopes

    static func error(_ e: FMexError) -> ServerHTTPResponse {
        var j = JSON()
        j.object { j in
            j.field("status", e.status)
            j.field("msg", e.message)
        }
        return ServerHTTPResponse(status: e.http, headers: [("Content-Type", "application/json")], body: j.bytes)
    }

    static func ok(_ data: (inout JSON) -> Void) -> ServerHTTPResponse {
        var j = JSON()
        j.object { j in
            j.field("status", 0)
            j.key("data")
            data(&j)
        }
        return ServerHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: j.bytes)
    }
}
