import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Synchronization

/// Options for FMex network tests: fast reconnects, short waits, a generous REST limiter.
func fmexTestOptions(_ extra: [String: String] = [:]) throws -> HFTVenues.FMexClientOptions {
    var o = ["reconnect_base_s": "0.02", "reconnect_max_s": "0.2", "request_timeout_s": "5", "rest_limit": "1000", "rest_window_s": "1",
             "auth_timeout_s": "5"]
    for (k, v) in extra { o[k] = v }
    return try HFTVenues.FMexClientOptions(o)
}

let fakeFMexKey = "fake-fmex-key"
let fakeFMexSecret = "fake-fmex-secret"

/// A scripted FMex endpoint (fmex.md as the client reads it): `/v2/ws` greets with `hello`,
/// answers pings, acks subs with `topics` (41002 for unknown symbols), sends a depth snapshot
/// (`depth.l20.x`) on a depth-delta sub; `/v2/user/ws` accepts only a correctly signed query
/// (else HTTP 401); REST orders check the FC-ACCESS signature and push `order.x` on the private socket.
final class FakeFMex: Sendable {
    struct FakeOrder: Sendable {
        var id: Int64
        var symbol: String
        var direction: String
        var type: String
        var price: String
        var quantity: Int
        var unfilled: Int
        var status: String
        var json: String {
            #"{"id":\#(id),"quantity":\#(quantity),"direction":"\#(direction)","features":0,"price":\#(price),"fill_price":\#(unfilled < quantity ? price : "0"),"unfilled_quantity":\#(unfilled),"symbol":"\#(symbol)","margin_currency":"BTC","fee":0,"type":"\#(type)","status":"\#(status)","created_at":1580802204215}"#
        }
    }

    struct State {
        var sessions: [Int: (session: ServerSession, isPrivate: Bool)] = [:]
        var subs: [Int: Set<String>] = [:]
        var received: [(session: Int, isPrivate: Bool, text: String)] = []
        var answerPings = true
        var seq: Int64 = 1_809_245_699
        var orders: [Int64: FakeOrder] = [:]
        var nextOrderID: Int64 = 849_758_102_002
        var orderReplyDelay: Duration = .zero
        var nextOrderError: (status: Int, body: String)?
        var privateConnects = 0
        var privateTimestamps: [String] = []
        var authRejects = 0
        var badSigns = 0
        var restCalls: [String] = []
    }

    let server = LoopbackServer()
    let state = Mutex(State())
    static let signer = try! HFTVenues.FMexSigner(secret: fakeFMexSecret)

    func start() async throws {
        server.route(WebSocketRoute("/v2/ws", onOpen: { [self] s in open(s, isPrivate: false) },
                                    onMessage: { [self] s, m in if let t = m.text { handle(s, t, isPrivate: false) } },
                                    onClose: { [self] s in close(s) }))
        server.route(WebSocketRoute("/v2/user/ws", accept: { [self] head in acceptPrivate(head) },
                                    onOpen: { [self] s in open(s, isPrivate: true) },
                                    onMessage: { [self] s, m in if let t = m.text { handle(s, t, isPrivate: true) } },
                                    onClose: { [self] s in close(s) }))
        server.route(HTTPRoute("GET", "/v2/user/ws") { _ in .json(#"{"status":401,"msg":"wrong API key, signature or timestamp"}"#, status: 401) })
        server.route(HTTPRoute("POST", "/v3/contracts/orders") { [self] req in await newOrder(req) })
        server.route(HTTPRoute("GET", "/v3/contracts/orders/open") { [self] req in
            guard checkSign(req) else { return Self.authError }
            let rows = state.withLock { $0.orders.values.filter { $0.status == "PENDING" || $0.status == "PARTIAL_FILLED" }.sorted { $0.id < $1.id }.map(\.json) }
            return .json(#"{"status":0,"data":{"results":[\#(rows.joined(separator: ","))]}}"#)
        })
        server.route(HTTPRoute("POST", "/v3/contracts/orders/", prefix: true) { [self] req in cancel(req) })
        server.route(HTTPRoute("GET", "/v3/contracts/orders/", prefix: true) { [self] req in
            guard checkSign(req) else { return Self.authError }
            let id = Int64(req.head.path.split(separator: "/").last ?? "") ?? -1
            guard let o = state.withLock({ $0.orders[id] }) else { return .json(#"{"status":1001,"msg":"order not found"}"#, status: 404) }
            return .json(#"{"status":0,"data":\#(o.json)}"#)
        })
        server.route(HTTPRoute("GET", "/v3/contracts/accounts") { [self] req in
            guard checkSign(req) else { return Self.authError }
            return .json(#"{"status":0,"data":{"BTC":[1.5,0.25,0.125]}}"#)
        })
        server.route(HTTPRoute("GET", "/v3/broker/auth/contracts/positions") { [self] req in
            guard checkSign(req) else { return Self.authError }
            return .json(#"{"status":0,"data":{"results":[{"symbol":"BTCUSD_P","quantity":5,"direction":"SHORT","leverage":20,"margin":0.0001,"realized_pnl":0,"entry_price":9300,"liquidation_price":9700,"bankruptcy_price":9750,"updated_at":1580802507384}]}}"#)
        })
        _ = try await server.start()
    }

    var endpoints: HFTVenues.FMexEndpoints {
        HFTVenues.FMexEndpoints(publicWebSocket: server.webSocketURL("/v2/ws"), privateWebSocket: server.webSocketURL("/v2/user/ws"),
                                rest: server.httpURL(""))
    }

    func shutdown() async { await server.shutdown() }

    func received(isPrivate: Bool? = nil) -> [String] {
        state.withLock { $0.received.filter { isPrivate == nil || $0.isPrivate == isPrivate }.map(\.text) }
    }
    func received(matching needle: String) -> [String] { received().filter { $0.contains(needle) } }

    func sessions(isPrivate: Bool) -> [ServerSession] {
        state.withLock { $0.sessions.values.filter { $0.isPrivate == isPrivate }.map(\.session).sorted { $0.id < $1.id } }
    }

    func subscribers(_ topic: String) -> [ServerSession] {
        state.withLock { s in s.sessions.values.map(\.session).filter { s.subs[$0.id]?.contains(topic) == true }.sorted { $0.id < $1.id } }
    }

    // MARK: Pushes

    static let snapshotAsks = "9291.5,48417,9292,477"
    static let snapshotBids = "9291,28800,9290.5,34,9290,20"

    func snapshot(_ symbol: String) -> String {
        let seq = state.withLock { $0.seq }
        return #"{"type":"depth.l20.\#(symbol)","seq":\#(seq),"ts":1580782260172,"asks":[\#(Self.snapshotAsks)],"bids":[\#(Self.snapshotBids)]}"#
    }

    /// A delta chained to the last seq (or with `preSeq` forced, for a gap).
    func delta(_ symbol: String, asks: String, bids: String, preSeq: Int64? = nil) {
        let text: String = state.withLock { s in
            let pre = preSeq ?? s.seq
            s.seq += 11
            return #"{"type":"depth-delta.l20.\#(symbol)","seq":\#(s.seq),"pre_seq":\#(pre),"ts":1580782260238,"asks":[\#(asks)],"bids":[\#(bids)]}"#
        }
        for s in subscribers("depth-delta.L20." + symbol) { s.send(text: text) }
    }

    func sendPublic(_ text: String) { for s in sessions(isPrivate: false) { s.send(text: text) } }
    func sendPrivate(_ text: String) { for s in sessions(isPrivate: true) { s.send(text: text) } }

    func pushOrder(_ o: FakeOrder) {
        let text = #"{"type":"order.\#(o.symbol.lowercased())","ts":1580802204232,"order":\#(o.json)}"#
        for s in subscribers("order." + o.symbol.lowercased()) { s.send(text: text) }
    }

    // MARK: WebSocket

    private func open(_ s: ServerSession, isPrivate: Bool) {
        state.withLock { st in
            st.sessions[s.id] = (s, isPrivate)
            if isPrivate { st.privateConnects += 1 }
        }
        s.send(text: #"{"type":"hello","ts":1523693784042}"#)
    }

    private func close(_ s: ServerSession) {
        state.withLock { st in
            st.sessions[s.id] = nil
            st.subs[s.id] = nil
        }
    }

    private func acceptPrivate(_ head: ServerRequestHead) -> Bool {
        let q = Dictionary(head.queryItems, uniquingKeysWith: { a, _ in a })
        guard let key = q["FC-ACCESS-KEY"], let ts = q["FC-ACCESS-TIMESTAMP"], let sig = q["FC-ACCESS-SIGNATURE"] else { return false }
        let expected = Self.signer.sign("GET" + server.httpURL("/v2/user/ws") + ts)
        let ok = key == fakeFMexKey && sig == expected
        state.withLock { st in
            if ok { st.privateTimestamps.append(ts) } else { st.authRejects += 1 }
        }
        return ok
    }

    private func handle(_ s: ServerSession, _ text: String, isPrivate: Bool) {
        state.withLock { $0.received.append((s.id, isPrivate, text)) }
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let cmd = obj["cmd"] as? String else {
            s.send(text: #"{"status":40000,"msg":"bad request"}"#)
            return
        }
        let id = obj["id"] as? String ?? ""
        let args = obj["args"] as? [Any] ?? []
        switch cmd {
        case "ping":
            guard state.withLock({ $0.answerPings }) else { return }
            let ts = (args.first as? NSNumber)?.int64Value ?? 0
            s.send(text: #"{"id":"\#(id)","type":"ping","ts":\#(ts + 5),"gap":5}"#)
        case "sub", "unsub":
            let topics = args.compactMap { $0 as? String }
            if let bad = topics.first(where: { $0.contains("bad") }) {
                s.send(text: #"{"id":"\#(id)","status":41002,"msg":"invalid sub topic, \#(bad)"}"#)
                return
            }
            if topics.contains(where: { ["account", "order.", "position."].contains(where: $0.hasPrefix) }) && !isPrivate {
                s.send(text: #"{"id":"\#(id)","status":41002,"msg":"invalid sub topic, private topic on public socket"}"#)
                return
            }
            state.withLock { st in
                for t in topics { if cmd == "sub" { st.subs[s.id, default: []].insert(t) } else { st.subs[s.id]?.remove(t) } }
            }
            let list = topics.map { "\"\($0)\"" }.joined(separator: ",")
            s.send(text: #"{"id":"\#(id)","type":"topics","topics":[\#(list)]}"#)
            if cmd == "sub" {
                for t in topics where t.hasPrefix("depth-delta.L20.") { s.send(text: snapshot(String(t.dropFirst("depth-delta.L20.".count)))) }
            }
        default:
            s.send(text: #"{"id":"\#(id)","status":40000,"msg":"unknown cmd"}"#)
        }
    }

    // MARK: REST

    static let authError = ServerHTTPResponse.json(#"{"status":401,"msg":"wrong API key, signature or timestamp"}"#, status: 401)

    func checkSign(_ req: ServerHTTPRequest) -> Bool {
        guard let ts = req.head.header("FC-ACCESS-TIMESTAMP"), let sig = req.head.header("FC-ACCESS-SIGNATURE"),
              req.head.header("FC-ACCESS-KEY") == fakeFMexKey else { state.withLock { $0.badSigns += 1 }; return false }
        var body: [(String, String)] = []
        if !req.body.isEmpty, let obj = (try? JSONSerialization.jsonObject(with: Data(req.body))) as? [String: Any] {
            body = obj.map { k, v in (k, (v as? String) ?? "\(v)") }
        }
        let q = req.head.query.map { "?" + $0.split(separator: "&").map(String.init).sorted().joined(separator: "&") } ?? ""
        let prehash = req.head.method + server.httpURL(req.head.path) + q + ts
            + body.sorted { $0.0 < $1.0 }.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
        let ok = sig == Self.signer.sign(prehash)
        state.withLock { st in
            st.restCalls.append(req.head.method + " " + req.head.path + q)
            if !ok { st.badSigns += 1 }
        }
        return ok
    }

    private func newOrder(_ req: ServerHTTPRequest) async -> ServerHTTPResponse {
        guard checkSign(req) else { return Self.authError }
        let obj = (try? JSONSerialization.jsonObject(with: Data(req.body))) as? [String: Any] ?? [:]
        let (order, error, delay): (FakeOrder, (status: Int, body: String)?, Duration) = state.withLock { s in
            defer { s.nextOrderError = nil }
            let o = FakeOrder(id: s.nextOrderID, symbol: obj["symbol"] as? String ?? "?", direction: obj["direction"] as? String ?? "?",
                              type: obj["type"] as? String ?? "?", price: (obj["price"] as? NSNumber).map { "\($0)" } ?? "0",
                              quantity: (obj["quantity"] as? NSNumber)?.intValue ?? 0, unfilled: (obj["quantity"] as? NSNumber)?.intValue ?? 0,
                              status: "PENDING")
            if s.nextOrderError == nil {
                s.orders[o.id] = o
                s.nextOrderID += 1
            }
            return (o, s.nextOrderError, s.orderReplyDelay)
        }
        if let error { return .json(error.body, status: error.status) }
        pushOrder(order)
        if delay > .zero { try? await Task.sleep(for: delay) }
        return .json(#"{"status":0,"data":\#(order.json)}"#)
    }

    private func cancel(_ req: ServerHTTPRequest) -> ServerHTTPResponse {
        guard checkSign(req) else { return Self.authError }
        let parts = req.head.path.split(separator: "/")
        if req.head.path.hasPrefix("/v3/contracts/orders/cancel") {
            let symbol = req.head.queryItems.first { $0.0 == "symbol" }?.1
            let canceled: [FakeOrder] = state.withLock { s in
                var out: [FakeOrder] = []
                for (id, var o) in s.orders where o.status == "PENDING" && (symbol == nil || o.symbol == symbol) {
                    o.status = "FULLY_CANCELLED"
                    s.orders[id] = o
                    out.append(o)
                }
                return out
            }
            for o in canceled { pushOrder(o) }
            return .json(#"{"status":0,"data":{"count":\#(canceled.count)}}"#)
        }
        guard parts.count == 5, parts[4] == "cancel", let id = Int64(parts[3]) else { return .json(#"{"status":404,"msg":"not found"}"#, status: 404) }
        let o: FakeOrder? = state.withLock { s in
            guard var o = s.orders[id], o.status == "PENDING" else { return nil }
            o.status = "FULLY_CANCELLED"
            s.orders[id] = o
            return o
        }
        guard let o else { return .json(#"{"status":1001,"msg":"order not found or not open"}"#, status: 400) }
        pushOrder(o)
        return .json(#"{"status":0,"data":true}"#)
    }

    /// Fills an order on the venue side (pushed only when a private socket is subscribed).
    func fill(_ id: Int64, push: Bool) {
        let o: FakeOrder? = state.withLock { s in
            guard var o = s.orders[id] else { return nil }
            o.unfilled = 0
            o.status = "FULLY_FILLED"
            s.orders[id] = o
            return o
        }
        if push, let o { pushOrder(o) }
    }
}

/// Polls `condition` every 10 ms until true or `timeout` (then throws).
func fmexEventually(_ what: @autoclosure () -> String, timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw KrakenWaitTimeout(what: what(), seen: "") }
        try await Task.sleep(for: .milliseconds(10))
    }
}
