import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Synchronization

/// Options for Binance client tests: fast reconnects, short waits, fast control pacing.
func binanceTestOptions(_ extra: [String: String] = [:]) throws -> BinanceClientOptions {
    var o = ["reconnect_base_s": "0.02", "reconnect_max_s": "0.2", "request_timeout_s": "5", "stream_control_per_s": "4",
             "ready_wait_s": "5", "reconcile_timeout_s": "5", "snapshot_retry_s": "0.05", "max_rate_limit_wait_s": "5", "rotation_overlap_s": "3"]
    for (k, v) in extra { o[k] = v }
    return try BinanceClientOptions(o)
}

/// A scripted Binance Spot endpoint for the network layer's own tests (the protocol checks run
/// against the simulator): REST depth/exchangeInfo/time, combined streams with per-symbol diff
/// depth (`U`/`u` the test controls, gaps on request), trades, bookTicker, `serverShutdown`; the
/// WS API with logon, user-data subscription, order.place/cancel/amend/cancelReplace/status,
/// openOrders.cancelAll, executionReport/outboundAccountPosition pushes, and faults: 429/418
/// replies with `retryAfter`, a dropped socket around an order.
final class FakeBinance: Sendable {
    struct Order: Sendable {
        var id: Int64
        var cl: String
        var symbol: String
        var side: String
        var type: String
        var qty: String
        var price: String
        var status = "NEW"
    }

    struct State {
        var books: [String: (id: Int64, bids: [(String, String)], asks: [(String, String)])] = [:]
        var depthCalls: [String: Int] = [:]
        var streamSubs: [Int: Set<String>] = [:]
        var sessions: [Int: ServerSession] = [:]
        var received: [(session: Int, path: String, text: String, at: UInt64)] = []
        var loggedOn: Set<Int> = []
        var open: [Int64: Order] = [:]
        var all: [Int64: Order] = [:]
        var nextOrder: Int64 = 1000
        var execID: Int64 = 1
        var userData: Set<Int> = []
        /// Next order.place: 1 = place it, then drop without replying; 2 = drop before placing.
        var dropOnPlace = 0
        /// Next request of this method gets this (status, code, retryAfter ms from now).
        var rateLimitNext: (method: String, status: Int, code: Int, afterMillis: Int64)?
        /// Next depth REST call answers 429 with this Retry-After (seconds).
        var depthRateLimit: Int?
        var sentTexts: [String] = []
    }

    let server = LoopbackServer()
    let state = Mutex(State())
    static let apiKey = BinanceTestSupport.apiKey

    init() {
        state.withLock { s in
            s.books["BTCUSDT"] = (100, [("45283.50", "0.10000000"), ("45283.40", "1.50000000")], [("45285.20", "0.00100000"), ("45286.40", "1.54571953")])
            s.books["ETHUSDT"] = (500, [("3000.10", "1.0000"), ("2999.95", "2.5000")], [("3000.50", "0.7000"), ("3001.00", "4.0000")])
        }
    }

    func start() async throws {
        server.route(HTTPRoute("GET", BinanceEndpoints.Path.depth) { [self] req in
            let symbol = req.head.queryItems.first { $0.0 == "symbol" }?.1 ?? ""
            let out = state.withLock { s -> ServerHTTPResponse in
                s.depthCalls[symbol, default: 0] += 1
                if let retry = s.depthRateLimit {
                    s.depthRateLimit = nil
                    return .json(#"{"code":-1003,"msg":"Too many requests."}"#, status: 429, headers: [("Retry-After", "\(retry)")])
                }
                guard let b = s.books[symbol] else { return .json(#"{"code":-1121,"msg":"Invalid symbol."}"#, status: 400) }
                return .json(#"{"lastUpdateId":\#(b.id),"bids":\#(Self.levels(b.bids)),"asks":\#(Self.levels(b.asks))}"#,
                             headers: [("X-MBX-USED-WEIGHT-1M", "250")])
            }
            return out
        })
        server.route(HTTPRoute("GET", BinanceEndpoints.Path.exchangeInfo) { _ in
            .json(#"{"timezone":"UTC","serverTime":1700000000000,"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50}],"symbols":[{"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","baseAssetPrecision":8,"quoteAssetPrecision":8,"orderTypes":["LIMIT","LIMIT_MAKER","MARKET"],"filters":[{"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},{"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"}]},{"symbol":"ETHUSDT","status":"TRADING","baseAsset":"ETH","quoteAsset":"USDT","filters":[]}]}"#)
        })
        server.route(HTTPRoute("GET", BinanceEndpoints.Path.time) { _ in .json(#"{"serverTime":\#(WallClock.milliseconds())}"#) })
        server.route(WebSocketRoute("/stream", onOpen: { [self] session in
            let streams = (session.request.queryItems.first { $0.0 == "streams" }?.1 ?? "").split(separator: "/").map(String.init)
            state.withLock { s in
                s.sessions[session.id] = session
                s.streamSubs[session.id] = Set(streams)
            }
            for name in streams { announce(name, to: session) }
        }, onMessage: { [self] session, m in
            guard let text = m.text else { return }
            record(session, "/stream", text)
            guard let obj = Self.object(text), let method = obj["method"] as? String else { return }
            let id = (obj["id"] as? NSNumber)?.int64Value ?? 0
            let params = obj["params"] as? [String] ?? []
            if method == "SUBSCRIBE" {
                state.withLock { s in s.streamSubs[session.id, default: []].formUnion(params) }
                session.send(text: #"{"result":null,"id":\#(id)}"#)
                for name in params { announce(name, to: session) }
            } else {
                session.send(text: #"{"result":null,"id":\#(id)}"#)
            }
        }, onClose: { [self] session in
            state.withLock { s in
                s.sessions[session.id] = nil
                s.streamSubs[session.id] = nil
            }
        }))
        server.route(WebSocketRoute("/ws-api/v3", onOpen: { [self] session in
            state.withLock { $0.sessions[session.id] = session }
        }, onMessage: { [self] session, m in
            guard let text = m.text else { return }
            record(session, "/ws-api/v3", text)
            handle(session, text)
        }, onClose: { [self] session in
            state.withLock { s in
                s.sessions[session.id] = nil
                s.userData.remove(session.id)
            }
        }))
        _ = try await server.start()
    }

    var endpoints: BinanceEndpoints {
        var rest = server.httpURL("")
        while rest.hasSuffix("/") { rest.removeLast() }
        return BinanceEndpoints(webSocketAPI: server.webSocketURL("/ws-api/v3"), streams: server.webSocketURL("/"), rest: rest)
    }

    func shutdown() async { await server.shutdown() }

    private func record(_ session: ServerSession, _ path: String, _ text: String) {
        state.withLock { $0.received.append((session.id, path, text, MonotonicClock.nanoseconds())) }
    }

    func received(_ path: String) -> [String] { state.withLock { $0.received.filter { $0.path == path }.map(\.text) } }
    func receivedAt(_ path: String, containing: String) -> [UInt64] {
        state.withLock { $0.received.filter { $0.path == path && $0.text.contains(containing) }.map(\.at) }
    }
    func depthCalls(_ symbol: String) -> Int { state.withLock { $0.depthCalls[symbol] ?? 0 } }
    func sessions(_ path: String) -> [ServerSession] {
        state.withLock { $0.sessions.values.filter { $0.request.path == path && !$0.isClosed }.sorted { $0.id < $1.id } }
    }

    // MARK: Streams

    /// A new depth subscriber gets one event at once (so its book can start syncing).
    private func announce(_ name: String, to session: ServerSession) {
        guard name.hasSuffix("@depth@100ms") else { return }
        let symbol = String(name.prefix { $0 != "@" }).uppercased()
        // Numbered and sent under the lock, so concurrent publishers cannot reorder ids; and sent
        // off the server's event loop, since a send from the loop would overtake sends queued to it.
        Task { self.announceNow(symbol, name) }
    }

    private func announceNow(_ symbol: String, _ name: String) {
        state.withLock { s in
            guard var b = s.books[symbol] else { return }
            b.id += 1
            s.books[symbol] = b
            Self.broadcast(&s, name, Self.depthFrame(symbol, first: b.id, last: b.id, bids: [], asks: []))
        }
    }

    /// Applies levels and sends one `depthUpdate`; `gap` skips an update id (as if one was lost).
    func publishDepth(_ symbol: String, bids: [(String, String)] = [], asks: [(String, String)] = [], gap: Bool = false) {
        state.withLock { s in
            guard var b = s.books[symbol] else { return }
            for (p, q) in bids { b.bids.removeAll { $0.0 == p }; if q != "0" { b.bids.append((p, q)) } }
            for (p, q) in asks { b.asks.removeAll { $0.0 == p }; if q != "0" { b.asks.append((p, q)) } }
            b.bids.sort { Decimal(string: $0.0)! > Decimal(string: $1.0)! }
            b.asks.sort { Decimal(string: $0.0)! < Decimal(string: $1.0)! }
            let first = b.id + (gap ? 2 : 1)
            b.id = first + 1
            s.books[symbol] = b
            Self.broadcast(&s, symbol.lowercased() + "@depth@100ms", Self.depthFrame(symbol, first: first, last: b.id, bids: bids, asks: asks))
        }
    }

    func publishTrade(_ symbol: String, id: Int64, price: String, qty: String, buyerIsMaker: Bool = false) {
        let data = #"{"e":"trade","E":1700000000000,"s":"\#(symbol)","t":\#(id),"p":"\#(price)","q":"\#(qty)","T":1700000000000,"m":\#(buyerIsMaker),"M":true}"#
        broadcast(symbol.lowercased() + "@trade", data)
    }

    func publishTicker(_ symbol: String, u: Int64, bid: String, ask: String) {
        let data = #"{"u":\#(u),"s":"\#(symbol)","b":"\#(bid)","B":"1.00000000","a":"\#(ask)","A":"2.00000000"}"#
        broadcast(symbol.lowercased() + "@bookTicker", data)
    }

    private static func broadcast(_ s: inout State, _ stream: String, _ data: String) {
        for t in s.streamSubs.filter({ $0.value.contains(stream) }).compactMap({ s.sessions[$0.key] }) {
            t.send(text: #"{"stream":"\#(stream)","data":\#(data)}"#)
        }
    }

    private func broadcast(_ stream: String, _ data: String) {
        let targets = state.withLock { s in s.streamSubs.filter { $0.value.contains(stream) }.compactMap { s.sessions[$0.key] } }
        for t in targets { t.send(text: #"{"stream":"\#(stream)","data":\#(data)}"#) }
    }

    func sendStreamShutdown() {
        for s in sessions("/stream") { s.send(text: #"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}"#) }
    }

    func sendGarbage() { for s in sessions("/stream") { s.send(text: "{not json") } }

    static func depthFrame(_ symbol: String, first: Int64, last: Int64, bids: [(String, String)], asks: [(String, String)]) -> String {
        #"{"e":"depthUpdate","E":1700000000000,"s":"\#(symbol)","U":\#(first),"u":\#(last),"b":\#(levels(bids)),"a":\#(levels(asks))}"#
    }

    static func levels(_ l: [(String, String)]) -> String { "[" + l.map { #"["\#($0.0)","\#($0.1)"]"# }.joined(separator: ",") + "]" }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    // MARK: WS API

    static let limits = #"[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":10},{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":1}]"#

    private func reply(_ session: ServerSession, _ id: Int64, _ result: String) {
        session.send(text: #"{"id":\#(id),"status":200,"result":\#(result),"rateLimits":\#(Self.limits)}"#)
    }

    private func fail(_ session: ServerSession, _ id: Int64, status: Int, code: Int, msg: String, data: String? = nil) {
        let d = data.map { #","data":\#($0)"# } ?? ""
        session.send(text: #"{"id":\#(id),"status":\#(status),"error":{"code":\#(code),"msg":"\#(msg)"\#(d)},"rateLimits":\#(Self.limits)}"#)
    }

    private func handle(_ session: ServerSession, _ text: String) {
        guard let obj = Self.object(text), let method = obj["method"] as? String else { return }
        let id = (obj["id"] as? NSNumber)?.int64Value ?? 0
        let p = obj["params"] as? [String: Any] ?? [:]
        if let rl = state.withLock({ s -> (method: String, status: Int, code: Int, afterMillis: Int64)? in
            guard let r = s.rateLimitNext, r.method == method else { return nil }
            s.rateLimitNext = nil
            return r
        }) {
            let now = WallClock.milliseconds()
            return fail(session, id, status: rl.status, code: rl.code, msg: "Too many requests; current limit is 6000 request weight per 1 MINUTE.",
                        data: #"{"serverTime":\#(now),"retryAfter":\#(now + rl.afterMillis)}"#)
        }
        let signedOK = p["signature"] != nil || state.withLock { $0.loggedOn.contains(session.id) }
        switch method {
        case "ping": reply(session, id, "{}")
        case "time": reply(session, id, #"{"serverTime":\#(WallClock.milliseconds())}"#)
        case "session.logon":
            guard p["apiKey"] as? String == Self.apiKey, p["signature"] != nil, p["timestamp"] != nil else {
                return fail(session, id, status: 401, code: -1022, msg: "Signature for this request is not valid.")
            }
            state.withLock { _ = $0.loggedOn.insert(session.id) }
            reply(session, id, #"{"apiKey":"\#(Self.apiKey)","authorizedSince":1,"connectedSince":1,"returnRateLimits":true,"serverTime":1,"userDataStream":false}"#)
        case "userDataStream.subscribe", "userDataStream.subscribe.signature":
            guard method == "userDataStream.subscribe.signature" ? p["signature"] != nil : state.withLock({ $0.loggedOn.contains(session.id) }) else {
                return fail(session, id, status: 400, code: -2015, msg: "Invalid API-key, IP, or permissions for action.")
            }
            state.withLock { _ = $0.userData.insert(session.id) }
            reply(session, id, #"{"subscriptionId":0}"#)
        case "order.place":
            guard signedOK else { return fail(session, id, status: 400, code: -1022, msg: "Signature for this request is not valid.") }
            place(session, id, p)
        case "order.cancel":
            guard signedOK else { return fail(session, id, status: 400, code: -1022, msg: "Signature for this request is not valid.") }
            cancel(session, id, p)
        case "order.amend.keepPriority":
            amend(session, id, p)
        case "order.cancelReplace":
            cancelReplace(session, id, p)
        case "order.status":
            guard let o = find(p, "orderId", "origClientOrderId") else { return fail(session, id, status: 400, code: -2013, msg: "Order does not exist.") }
            reply(session, id, Self.report(o))
        case "openOrders.status":
            let rows = state.withLock { s in s.open.values.filter { $0.symbol == p["symbol"] as? String }.sorted { $0.id < $1.id } }
            reply(session, id, "[" + rows.map(Self.report).joined(separator: ",") + "]")
        case "openOrders.cancelAll":
            let gone = state.withLock { s -> [Order] in
                let g = s.open.values.filter { $0.symbol == p["symbol"] as? String }
                for o in g { s.open[o.id] = nil; s.all[o.id]?.status = "CANCELED" }
                return g.map { var o = $0; o.status = "CANCELED"; return o }
            }
            guard !gone.isEmpty else { return fail(session, id, status: 400, code: -2011, msg: "Unknown order sent.") }
            reply(session, id, "[" + gone.map(Self.report).joined(separator: ",") + "]")
            for o in gone { pushExec(o, x: "CANCELED") }
        default:
            fail(session, id, status: 400, code: -1100, msg: "Illegal characters found in parameter 'method'.")
        }
    }

    private func find(_ p: [String: Any], _ idName: String, _ clName: String) -> Order? {
        state.withLock { s in
            if let i = (p[idName] as? NSNumber)?.int64Value { return s.all[i] }
            if let c = p[clName] as? String { return s.all.values.first { $0.cl == c } }
            return nil
        }
    }

    private func place(_ session: ServerSession, _ id: Int64, _ p: [String: Any]) {
        let drop = state.withLock { s -> Int in defer { s.dropOnPlace = 0 }; return s.dropOnPlace }
        if drop == 2 { return session.drop() }
        let type = p["type"] as? String ?? ""
        let price = p["price"] as? String ?? "0"
        let symbol = p["symbol"] as? String ?? ""
        if type == "LIMIT_MAKER", let ask = state.withLock({ $0.books[symbol]?.asks.first?.0 }), p["side"] as? String == "BUY",
           Decimal(string: price)! >= Decimal(string: ask)! {
            return fail(session, id, status: 400, code: -2010, msg: "Order would immediately match and take.")
        }
        let o = state.withLock { s -> Order in
            s.nextOrder += 1
            let o = Order(id: s.nextOrder, cl: p["newClientOrderId"] as? String ?? "auto\(s.nextOrder)", symbol: symbol,
                          side: p["side"] as? String ?? "", type: type, qty: p["quantity"] as? String ?? "", price: price)
            s.open[o.id] = o
            s.all[o.id] = o
            return o
        }
        pushExec(o, x: "NEW")
        if drop == 1 { return session.drop() }
        reply(session, id, Self.report(o, transact: true))
    }

    private func cancel(_ session: ServerSession, _ id: Int64, _ p: [String: Any]) {
        guard var o = find(p, "orderId", "origClientOrderId"), o.status == "NEW" else {
            return fail(session, id, status: 400, code: -2011, msg: "Unknown order sent.")
        }
        o.status = "CANCELED"
        state.withLock { s in s.open[o.id] = nil; s.all[o.id] = o }
        reply(session, id, Self.report(o, transact: true))
        pushExec(o, x: "CANCELED")
    }

    private func amend(_ session: ServerSession, _ id: Int64, _ p: [String: Any]) {
        guard var o = find(p, "orderId", "origClientOrderId"), o.status == "NEW", let q = p["newQty"] as? String else {
            return fail(session, id, status: 400, code: -2011, msg: "Unknown order sent.")
        }
        guard Decimal(string: q)! < Decimal(string: o.qty)! else {
            return fail(session, id, status: 400, code: -2038, msg: "Order amend (quantity increase) is not supported.")
        }
        o.qty = q
        state.withLock { s in s.open[o.id] = o; s.all[o.id] = o }
        reply(session, id, #"{"transactTime":1700000000000,"executionId":\#(state.withLock { $0.execID }),"amendedOrder":{"symbol":"\#(o.symbol)","orderId":\#(o.id),"orderListId":-1,"origClientOrderId":"\#(o.cl)","clientOrderId":"\#(o.cl)","price":"\#(o.price)","qty":"\#(o.qty)","executedQty":"0.00000000","preventedQty":"0.00000000","quoteOrderQty":"0.00000000","cumulativeQuoteQty":"0.00000000","status":"NEW","timeInForce":"GTC","type":"\#(o.type)","side":"\#(o.side)","workingTime":1700000000000,"selfTradePreventionMode":"NONE"}}"#)
        pushExec(o, x: "REPLACED")
    }

    private func cancelReplace(_ session: ServerSession, _ id: Int64, _ p: [String: Any]) {
        guard var old = find(p, "cancelOrderId", "cancelOrigClientOrderId"), old.status == "NEW" else {
            return fail(session, id, status: 400, code: -2022, msg: "Order cancel-replace failed.",
                        data: #"{"cancelResult":"FAILURE","newOrderResult":"NOT_ATTEMPTED","cancelResponse":{"code":-2011,"msg":"Unknown order sent."},"newOrderResponse":null}"#)
        }
        old.status = "CANCELED"
        let new = state.withLock { s -> Order in
            s.open[old.id] = nil
            s.all[old.id] = old
            s.nextOrder += 1
            let o = Order(id: s.nextOrder, cl: p["newClientOrderId"] as? String ?? "auto", symbol: old.symbol, side: p["side"] as? String ?? "",
                          type: p["type"] as? String ?? "", qty: p["quantity"] as? String ?? "", price: p["price"] as? String ?? "")
            s.open[o.id] = o
            s.all[o.id] = o
            return o
        }
        reply(session, id, #"{"cancelResult":"SUCCESS","newOrderResult":"SUCCESS","cancelResponse":\#(Self.report(old, transact: true)),"newOrderResponse":\#(Self.report(new, transact: true))}"#)
        pushExec(old, x: "CANCELED")
        pushExec(new, x: "NEW")
    }

    static func report(_ o: Order) -> String { report(o, transact: false) }

    static func report(_ o: Order, transact: Bool) -> String {
        let time = transact ? #""transactTime":1700000000000"# : #""time":1700000000000,"updateTime":1700000000000,"isWorking":true"#
        return #"{"symbol":"\#(o.symbol)","orderId":\#(o.id),"orderListId":-1,"clientOrderId":"\#(o.cl)",\#(time),"price":"\#(o.price)","origQty":"\#(o.qty)","executedQty":"0.00000000","origQuoteOrderQty":"0.00000000","cummulativeQuoteQty":"0.00000000","status":"\#(o.status)","timeInForce":"GTC","type":"\#(o.type)","side":"\#(o.side)","workingTime":1700000000000,"selfTradePreventionMode":"NONE"}"#
    }

    /// executionReport (+ outboundAccountPosition) to every user-data subscriber.
    func pushExec(_ o: Order, x: String) {
        let (targets, exec) = state.withLock { s -> ([ServerSession], Int64) in
            s.execID += 1
            return (s.userData.compactMap { s.sessions[$0] }, s.execID)
        }
        let report = #"{"subscriptionId":0,"event":{"e":"executionReport","E":1700000000000,"s":"\#(o.symbol)","c":"\#(o.cl)","S":"\#(o.side)","o":"\#(o.type)","f":"GTC","q":"\#(o.qty)","p":"\#(o.price)","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"\#(x)","X":"\#(o.status)","r":"NONE","i":\#(o.id),"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0","N":null,"T":1700000000000,"t":-1,"I":\#(exec),"w":true,"m":false,"M":false,"O":1700000000000,"Z":"0.00000000","Y":"0.00000000","Q":"0.00000000","W":1700000000000,"V":"NONE"}}"#
        let balance = #"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1700000000000,"u":1700000000000,"B":[{"a":"USDT","f":"99000.00000000","l":"1000.00000000"}]}}"#
        for t in targets {
            t.send(text: report)
            t.send(text: balance)
        }
    }

    func sendAPIShutdown() {
        for s in sessions("/ws-api/v3") { s.send(text: #"{"event":{"e":"serverShutdown","E":1770123456789}}"#) }
    }

    func terminateUserData() {
        for s in sessions("/ws-api/v3") { s.send(text: #"{"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1728973001334}}"#) }
    }
}
