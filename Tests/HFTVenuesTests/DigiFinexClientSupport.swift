import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import NIOCore
import Synchronization
import Testing

/// Options for network tests: fast reconnects, short waits.
func digiFinexTestOptions(_ extra: [String: String] = [:]) throws -> DigiFinexClientOptions {
    var o = ["reconnect_base_s": "0.02", "reconnect_max_s": "0.2", "request_timeout_s": "5", "max_msgs_per_s": "200",
             "subscription_burst": "50", "rest_limit": "1000", "rest_window_s": "1", "reconcile_timeout_s": "5",
             "recycle_interval_s": "0", "recycle_snapshot_wait_s": "3"]
    for (k, v) in extra { o[k] = v }
    return try DigiFinexClientOptions(o)
}

let fakeDigiFinexKey = "fake-df-key"
let fakeDigiFinexSecret = "fake-df-secret"

/// A scripted DigiFinex endpoint for the network layer's tests: every server message goes out
/// as a zlib binary frame (as the venue sends them); subscribes replace the channel's symbol
/// list per session (ViaBTC behaviour) and push a `clean` snapshot / batch; `server.auth` checks
/// the Base64 HMAC; REST v3 order new/cancel/current/query/assets check the hex signature.
final class FakeDigiFinex: Sendable {
    struct Order: Sendable {
        var id: String
        var symbol: String  // BTC_USDT
        var side: String
        var amount: String
        var price: String
        var status: Int
    }

    struct State {
        var books: [String: OrderBook] = [:]
        var trades: [String: [(id: Int, price: String)]] = [:]
        var subs: [Int: [String: [String]]] = [:]   // session → method prefix → list
        var authed: Set<Int> = []
        var sessions: [Int: ServerSession] = [:]
        var received: [(session: Int, text: String)] = []
        var orders: [String: Order] = [:]
        var nextOrder = 1
        /// Next order/new: place it, then answer only after this delay.
        var delayNextOrderReply: Duration?
        var restCalls: [(method: String, path: String, payload: String)] = []
        var deltaBeforeSnapshot = false
        var badSigns = 0
    }

    let server = LoopbackServer()
    let state = Mutex(State())
    static let signer = try! DigiFinexSigner(secret: fakeDigiFinexSecret)

    init() {
        state.withLock { s in
            var btc = OrderBook(venue: .digifinex, symbol: "BTC/USDT")
            for (p, q) in [("11697.89", "0.2184"), ("11697.13", "7.0356"), ("11696.79", "0.2149")] { btc.apply(.buy, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
            for (p, q) in [("11699.57", "0.1029"), ("11700.24", "0.8716"), ("11702.01", "0.001")] { btc.apply(.sell, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
            var eth = OrderBook(venue: .digifinex, symbol: "ETH/USDT")
            eth.apply(.buy, price: "3000.10", quantity: "1.5")
            eth.apply(.sell, price: "3000.50", quantity: "0.7")
            s.books = ["BTC_USDT": btc, "ETH_USDT": eth]
            s.trades = ["BTC_USDT": [(3, "11698.00"), (2, "11697.50"), (1, "11697.00")], "ETH_USDT": [(11, "3000.20")]]
        }
    }

    func start() async throws {
        server.route(WebSocketRoute("/ws/v1/", onOpen: { [self] session in
            state.withLock { $0.sessions[session.id] = session }
        }, onMessage: { [self] session, m in
            guard let text = m.text else { return }
            state.withLock { $0.received.append((session.id, text)) }
            handle(session, text)
        }, onClose: { [self] session in
            state.withLock { s in
                s.sessions[session.id] = nil
                s.subs[session.id] = nil
                s.authed.remove(session.id)
            }
        }))
        server.route(HTTPRoute("POST", "/v3/spot/order/new") { [self] req in await newOrder(req) })
        server.route(HTTPRoute("POST", "/v3/spot/order/cancel") { [self] req in cancel(req) })
        server.route(HTTPRoute("GET", "/v3/spot/order/current") { [self] req in query(req, openOnly: true) })
        server.route(HTTPRoute("GET", "/v3/spot/order") { [self] req in query(req, openOnly: false) })
        server.route(HTTPRoute("GET", "/v3/spot/assets") { [self] req in
            guard checkSign(req) else { return .json(#"{"code":10003}"#) }
            return .json(#"{"code":0,"list":[{"currency":"USDT","free":"1000000","total":"1000000"},{"currency":"BTC","free":"10","total":"10"},{"currency":"XRP","free":"0","total":"0"}]}"#)
        })
        _ = try await server.start()
    }

    var endpoints: DigiFinexEndpoints {
        DigiFinexEndpoints(webSocket: server.webSocketURL("/ws/v1/"), rest: server.httpURL("/v3"))
    }

    func shutdown() async { await server.shutdown() }

    func received() -> [String] { state.withLock { $0.received.map(\.text) } }
    func received(session: Int) -> [String] { state.withLock { $0.received.filter { $0.session == session }.map(\.text) } }
    var openSessions: [ServerSession] { state.withLock { $0.sessions.values.sorted { $0.id < $1.id } } }
    func subscriptions(_ session: Int, _ channel: String) -> [String] { state.withLock { $0.subs[session]?[channel] ?? [] } }

    private func send(_ session: ServerSession, _ text: String) { session.send(text: text, compression: .zlib) }

    // MARK: WebSocket

    private func handle(_ session: ServerSession, _ text: String) {
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let method = obj["method"] as? String else { return }
        let id = (obj["id"] as? NSNumber)?.int64Value ?? 0
        let params = obj["params"] as? [String] ?? []
        let ok = #"{"error":null,"result":{"status":"success"},"id":\#(id)}"#
        switch method {
        case "server.ping":
            send(session, #"{"error":null,"result":"pong","id":\#(id)}"#)
        case "server.auth":
            let good = params.count == 3 && params[0] == fakeDigiFinexKey && params[2] == Self.signer.webSocketSign(timestamp: params[1])
            if good { state.withLock { _ = $0.authed.insert(session.id) } }
            send(session, good ? ok : #"{"error":{"code":1,"message":"invalid argument"},"result":null,"id":\#(id)}"#)
        default:
            let parts = method.split(separator: ".").map(String.init)
            guard parts.count == 2 else { return }
            let channel = parts[0]
            if ["order", "balance"].contains(channel) && !state.withLock({ $0.authed.contains(session.id) }) {
                send(session, #"{"error":{"code":6,"message":"require auth"},"result":null,"id":\#(id)}"#)
                return
            }
            let subscribe = parts[1] == "subscribe"
            state.withLock { $0.subs[session.id, default: [:]][channel] = subscribe ? params : [] }
            send(session, ok)
            guard subscribe else { return }
            for symbol in params {
                switch channel {
                case "depth":
                    if state.withLock({ $0.deltaBeforeSnapshot }) {
                        send(session, Self.depth(symbol, clean: false, asks: [("1.00", "1")], bids: []))
                    }
                    send(session, depthSnapshot(symbol))
                case "trades":
                    let list = state.withLock { $0.trades[symbol] ?? [] }
                    send(session, Self.trades(symbol, clean: true, list))
                case "ticker":
                    send(session, #"{"method":"ticker.update","params":[{"symbol":"\#(symbol)","last":"4000","best_bid":"3375","best_bid_size":"0.003","best_ask":"4000","best_ask_size":"108.2542","base_volume_24h":"11.4","timestamp":1586762545336}],"id":null}"#)
                default:
                    break
                }
            }
        }
    }

    func depthSnapshot(_ symbol: String) -> String {
        state.withLock { s in
            let b = s.books[symbol]!
            // Asks highest first, as the venue may send them.
            return Self.depth(symbol, clean: true, asks: b.asks.reversed().map { ($0.price.description, $0.quantity.description) },
                              bids: b.bids.map { ($0.price.description, $0.quantity.description) })
        }
    }

    static func depth(_ symbol: String, clean: Bool, asks: [(String, String)], bids: [(String, String)]) -> String {
        func l(_ x: [(String, String)]) -> String { x.map { #"["\#($0.0)","\#($0.1)"]"# }.joined(separator: ",") }
        return #"{"method":"depth.update","params":[\#(clean),{"asks":[\#(l(asks))],"bids":[\#(l(bids))]},"\#(symbol)"],"id":null}"#
    }

    static func trades(_ symbol: String, clean: Bool, _ list: [(id: Int, price: String)]) -> String {
        let rows = list.map { #"{"id":\#($0.id),"time":1523339279.761838,"price":"\#($0.price)","amount":"0.010","type":"buy"}"# }
        return #"{"method":"trades.update","params":[\#(clean),[\#(rows.joined(separator: ","))],"\#(symbol)"],"id":null}"#
    }

    /// Sessions subscribed to `channel` with `symbol`.
    func subscribers(_ channel: String, _ symbol: String) -> [ServerSession] {
        state.withLock { s in s.sessions.values.filter { s.subs[$0.id]?[channel]?.contains(symbol) == true }.sorted { $0.id < $1.id } }
    }

    /// Applies levels to the server book and pushes one delta.
    func publishDepth(_ symbol: String, asks: [(String, String)] = [], bids: [(String, String)] = []) {
        state.withLock { s in
            for (p, q) in asks { s.books[symbol]!.apply(.sell, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
            for (p, q) in bids { s.books[symbol]!.apply(.buy, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
        }
        let text = Self.depth(symbol, clean: false, asks: asks, bids: bids)
        for session in subscribers("depth", symbol) { send(session, text) }
    }

    /// A new trade (newest first in the server's list) pushed as a `clean=false` update.
    func publishTrade(_ symbol: String, id: Int, price: String) {
        state.withLock { $0.trades[symbol, default: []].insert((id, price), at: 0) }
        let text = Self.trades(symbol, clean: false, [(id, price)])
        for session in subscribers("trades", symbol) { send(session, text) }
    }

    /// Re-sends the `clean` batch of recent trades (overlapping what was delivered).
    func republishTradeBatch(_ symbol: String) {
        let list = state.withLock { Array(($0.trades[symbol] ?? []).prefix(3)) }
        for session in subscribers("trades", symbol) { send(session, Self.trades(symbol, clean: true, list)) }
    }

    func sendRaw(_ bytes: [UInt8]) { for s in openSessions { s.send(binary: bytes) } }

    // MARK: REST

    private func checkSign(_ req: ServerHTTPRequest) -> Bool {
        let payload = [req.head.query ?? "", req.bodyText].filter { !$0.isEmpty }.joined(separator: "&")
        state.withLock { $0.restCalls.append((req.head.method, req.head.path, payload)) }
        let good = req.head.header("ACCESS-KEY") == fakeDigiFinexKey && req.head.header("ACCESS-TIMESTAMP") != nil
            && req.head.header("ACCESS-SIGN") == Self.signer.restSign(payload: payload)
        if !good { state.withLock { $0.badSigns += 1 } }
        return good
    }

    static func form(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { out[kv[0]] = kv[1].removingPercentEncoding ?? kv[1] }
        }
        return out
    }

    private func newOrder(_ req: ServerHTTPRequest) async -> ServerHTTPResponse {
        guard checkSign(req) else { return .json(#"{"code":10003}"#) }
        let f = Self.form(req.bodyText)
        guard let symbol = f["symbol"]?.uppercased(), state.withLock({ $0.books[symbol] != nil }) else { return .json(#"{"code":20019}"#) }
        let (order, delay) = state.withLock { s -> (Order, Duration?) in
            let id = String(format: "%032x", s.nextOrder)
            s.nextOrder += 1
            let o = Order(id: id, symbol: symbol, side: f["type"] ?? "buy", amount: f["amount"] ?? "0", price: f["price"] ?? "0", status: 0)
            s.orders[id] = o
            defer { s.delayNextOrderReply = nil }
            return (o, s.delayNextOrderReply)
        }
        pushOrder(order)
        pushBalance(order)
        if let delay { try? await Task.sleep(for: delay) }
        return .json(#"{"code":0,"order_id":"\#(order.id)"}"#)
    }

    private func cancel(_ req: ServerHTTPRequest) -> ServerHTTPResponse {
        guard checkSign(req) else { return .json(#"{"code":10003}"#) }
        let ids = (Self.form(req.bodyText)["order_id"] ?? "").split(separator: ",").map(String.init)
        var ok: [String] = [], bad: [String] = []
        for id in ids {
            let o = state.withLock { s -> Order? in
                guard var o = s.orders[id], o.status == 0 else { return nil }
                o.status = 3
                s.orders[id] = o
                return o
            }
            if let o { ok.append(id); pushOrder(o) } else { bad.append(id) }
        }
        if ok.isEmpty && ids.count == 1 { return .json(#"{"code":20013}"#) }
        func list(_ l: [String]) -> String { l.map { #""\#($0)""# }.joined(separator: ",") }
        return .json(#"{"code":0,"date":1589872188,"success":[\#(list(ok))],"error":[\#(list(bad))]}"#)
    }

    private func query(_ req: ServerHTTPRequest, openOnly: Bool) -> ServerHTTPResponse {
        guard checkSign(req) else { return .json(#"{"code":10003}"#) }
        let q = Self.form(req.head.query ?? "")
        let ids = q["order_id"].map { Set($0.split(separator: ",").map(String.init)) }
        let rows = state.withLock { s in
            s.orders.values.filter { o in
                (!openOnly || o.status == 0) && (ids == nil || ids!.contains(o.id)) && (q["symbol"] == nil || q["symbol"]!.uppercased() == o.symbol)
            }.sorted { $0.id < $1.id }
        }.map { o in
            #"{"symbol":"\#(o.symbol)","order_id":"\#(o.id)","created_date":1562303547,"finished_date":0,"price":\#(o.price),"avg_price":0,"amount":\#(o.amount),"cash_amount":0,"executed_amount":0,"status":\#(o.status),"type":"\#(o.side)","kind":"spot"}"#
        }
        return .json(#"{"code":0,"data":[\#(rows.joined(separator: ","))]}"#)
    }

    private func pushOrder(_ o: Order) {
        let text = #"{"method":"order.update","params":[{"amount":"\#(o.amount)","filled":"0","id":"\#(o.id)","mode":1,"notional":"0","price":"\#(o.price)","price_avg":"0","side":"\#(o.side)","status":\#(o.status),"symbol":"\#(o.symbol)","timestamp":1589272547000,"type":"limit"}],"id":null}"#
        for session in subscribers("order", o.symbol) { send(session, text) }
    }

    private func pushBalance(_ o: Order) {
        let text = #"{"method":"balance.update","params":[{"currency":"USDT","free":"999000","total":"1000000","used":"1000"}],"id":null}"#
        for session in subscribers("balance", "USDT") { send(session, text) }
    }
}
