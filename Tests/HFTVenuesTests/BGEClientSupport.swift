import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Synchronization

/// Options for network tests: fast reconnects, short waits (pacing left at its defaults unless given).
func bgeTestOptions(_ extra: [String: String] = [:]) throws -> BGEClientOptions {
    var o = ["reconnect_base_s": "0.02", "reconnect_max_s": "0.2", "request_timeout_s": "5", "rest_limit": "1000", "rest_window_s": "1"]
    for (k, v) in extra { o[k] = v }
    return try BGEClientOptions(o)
}

let fakeBGEKey = "fake-bge-key"
let fakeBGESecret = "fake-bge-secret"

/// A scripted BGE V2 endpoint: acks echo the request, `login` checks the Base64 HMAC of the
/// timestamp, private subs need a login (401 otherwise), an orderbook sub gets a snapshot;
/// pushes go out as gzip binary frames when `gzip` is set. REST `/hk/v1/orders` checks the
/// signature over `ts + METHOD + /hk/v1/orders + body` and pushes the order on `orders`.
final class FakeBGE: Sendable {
    struct State {
        var sessions: [Int: ServerSession] = [:]
        var received: [(session: Int, at: ContinuousClock.Instant, text: String)] = []
        var authed: Set<Int> = []
        var subs: [Int: Set<String>] = [:]   // "type:product"
        var gzip = false
        var loginCount = 0
        var restCalls: [(method: String, path: String, body: String)] = []
        var nextOrderError: (status: Int, body: String)?
        var orderReplyDelay: Duration = .zero
    }

    let server = LoopbackServer()
    let state = Mutex(State())
    static let signer = try! BGESigner(secret: fakeBGESecret)

    func start() async throws {
        server.route(WebSocketRoute("/v2/ws", onOpen: { [self] session in
            state.withLock { $0.sessions[session.id] = session }
        }, onMessage: { [self] session, m in
            guard let text = m.text else { return }
            state.withLock { $0.received.append((session.id, .now, text)) }
            handle(session, text)
        }, onClose: { [self] session in
            state.withLock { s in
                s.sessions[session.id] = nil
                s.subs[session.id] = nil
                s.authed.remove(session.id)
            }
        }))
        server.route(HTTPRoute("POST", "/hk/v1/orders") { [self] req in await newOrder(req) })
        server.route(HTTPRoute("DELETE", "/hk/v1/orders/", prefix: true) { [self] req in
            guard checkSign(req) else { return Self.authError }
            state.withLock { $0.restCalls.append(("DELETE", req.head.path, "")) }
            return .json("{}")
        })
        server.route(HTTPRoute("GET", "/hk/v1/accounts") { [self] req in
            guard checkSign(req) else { return Self.authError }
            return .json(#"[{"currency":"USDT","available":"1000","hold":"5"},{"currency":"BTC","available":"2","hold":"0"}]"#)
        })
        _ = try await server.start()
    }

    var endpoints: BGEEndpoints { BGEEndpoints(webSocket: server.webSocketURL("/v2/ws"), rest: server.httpURL("/hk")) }

    func shutdown() async { await server.shutdown() }

    func received() -> [String] { state.withLock { $0.received.map(\.text) } }
    func received(matching needle: String) -> [(session: Int, at: ContinuousClock.Instant, text: String)] {
        state.withLock { $0.received.filter { $0.text.contains(needle) } }
    }
    /// When each client frame arrived.
    func receivedTimes() -> [ContinuousClock.Instant] { state.withLock { $0.received.map(\.at) } }
    var openSessions: [ServerSession] { state.withLock { $0.sessions.values.sorted { $0.id < $1.id } } }

    /// A data push, gzip-compressed binary when `gzip` is on.
    func push(_ session: ServerSession, _ text: String) {
        if state.withLock({ $0.gzip }) { session.send(binary: Array(text.utf8), compression: .gzip) } else { session.send(text: text) }
    }

    func sendText(_ text: String) { for s in openSessions { s.send(text: text) } }

    func subscribers(_ key: String) -> [ServerSession] {
        state.withLock { s in s.sessions.values.filter { s.subs[$0.id]?.contains(key) == true }.sorted { $0.id < $1.id } }
    }

    static func book(_ product: String, bids: [(String, String)], asks: [(String, String)]) -> String {
        func l(_ x: [(String, String)]) -> String { x.map { #"["\#($0.0)","\#($0.1)"]"# }.joined(separator: ",") }
        return #"{"id":"1","biz":"market","type":"orderbook","data":{"seq_id":1,"bids":[\#(l(bids))],"asks":[\#(l(asks))]},"product":"\#(product)","interval":"0"}"#
    }

    func publishBook(_ product: String, bids: [(String, String)], asks: [(String, String)]) {
        for s in subscribers("orderbook:" + product) { push(s, Self.book(product, bids: bids, asks: asks)) }
    }

    // MARK: WebSocket

    private func handle(_ session: ServerSession, _ text: String) {
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let event = obj["event"] as? String else { return }
        switch event {
        case "login":
            let p = obj["params"] as? [String: Any] ?? [:]
            let ts = (p["access_timestamp"] as? NSNumber)?.int64Value ?? 0
            let good = p["access_key"] as? String == fakeBGEKey && p["access_sign"] as? String == Self.signer.loginSign(milliseconds: ts)
            state.withLock { s in
                s.loginCount += 1
                if good { s.authed.insert(session.id) }
            }
            session.send(text: good ? #"{"ts":1690364037503,"code":200,"status":"OK","event":"login"}"#
                                    : #"{"event":"login","code":40010,"msg":"API verification failed"}"#)
        case "sub", "unsub":
            guard let type = obj["type"] as? String, let product = obj["product"] as? String, let biz = obj["biz"] as? String else {
                session.send(text: #"{"event":"\#(event)","code":"400","msg":"Invalid request"}"#)
                return
            }
            if product == "BAD_PAIR" {
                session.send(text: #"{"event":"sub","code":"400","msg":"Invalid request: unknown product"}"#)
                return
            }
            if biz == "exchange" && !state.withLock({ $0.authed.contains(session.id) }) {
                session.send(text: #"{"event":"sub","code":401,"msg":"not logged in"}"#)
                return
            }
            let key = type + ":" + product
            state.withLock { s in
                if event == "sub" { s.subs[session.id, default: []].insert(key) } else { s.subs[session.id]?.remove(key) }
            }
            session.send(text: #"{"biz":"\#(biz)","type":"\#(type)","ts":1666851880448,"code":200,"status":"OK","event":"\#(event)","product":"\#(product)"}"#)
            if event == "sub" && type == "orderbook" {
                push(session, Self.book(product, bids: [("3.7366", "0.66"), ("3.6866", "0.98")], asks: [("3.9966", "0.9")]))
            }
        default:
            break
        }
    }

    // MARK: REST

    static let authError = ServerHTTPResponse.json(#"{"code":40010,"message":"API verification failed"}"#, status: 401)

    func checkSign(_ req: ServerHTTPRequest) -> Bool {
        guard let ts = req.head.header("ACCESS-TIMESTAMP"), let sign = req.head.header("ACCESS-SIGN"),
              req.head.header("ACCESS-KEY") == fakeBGEKey else { return false }
        let query = req.head.query.map { "?" + $0 } ?? ""
        return sign == Self.signer.sign(ts + req.head.method + req.head.path + query + req.bodyText)
    }

    private func newOrder(_ req: ServerHTTPRequest) async -> ServerHTTPResponse {
        guard checkSign(req) else { return Self.authError }
        let (error, delay) = state.withLock { s in
            s.restCalls.append(("POST", req.head.path, req.bodyText))
            defer { s.nextOrderError = nil }
            return (s.nextOrderError, s.orderReplyDelay)
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        if let error { return .json(error.body, status: error.status) }
        let obj = (try? JSONSerialization.jsonObject(with: Data(req.body))) as? [String: Any] ?? [:]
        let product = obj["product"] as? String ?? "?"
        let cl = obj["client_oid"] as? String ?? ""
        let push = #"{"biz":"exchange","type":"orders","product":"\#(product)","data":[{"order_id":"129149436110880967","product":"\#(product)","side":"\#(obj["side"] as? String ?? "buy")","price":"\#(obj["price"] as? String ?? "0")","size":"\#(obj["size"] as? String ?? "0")","filled_amount":"0","funds":"0","filled_size":"0","type":"limit","status":"1","client_oid":"\#(cl)"}]}"#
        for s in subscribers("orders:" + product) { self.push(s, push) }
        return .json(#"{"order_id":129149436110880967,"client_oid":"\#(cl)"}"#)
    }
}
