import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Synchronization
import Testing

let fakeLBankKey = "fake-lbank-key"
let fakeLBankSecret = "fake-lbank-secret"

/// Options for network tests: fast reconnects, short waits.
func lbankTestOptions(_ extra: [String: String] = [:]) throws -> LBankClientOptions {
    var o = ["reconnect_base_s": "0.02", "reconnect_max_s": "0.2", "request_timeout_s": "5", "max_msgs_per_s": "200",
             "subscription_burst": "50", "rest_limit": "1000", "rest_window_s": "1", "order_limit": "1000", "order_window_s": "1",
             "key_retry_s": "0.05"]
    for (k, v) in extra { o[k] = v }
    return try LBankClientOptions(o)
}

/// Polls `condition` until it holds or `timeout` passes.
func lbankEventually(_ what: String, timeout: Duration = .seconds(5), _ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw KrakenWaitTimeout(what: what, seen: "") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A scripted LBank endpoint: text frames; subscribes answered with a snapshot (depth) or
/// nothing (no acks); private subscribes check the subscribeKey against the REST key store;
/// REST v2 key/order/asset calls check the MD5+HMAC signature.
final class FakeLBank: Sendable {
    struct State {
        var received: [(session: Int, text: String)] = []
        var sessions: [Int: ServerSession] = [:]
        var privateSubs: [Int: Set<String>] = [:]
        var keys: Set<String> = []
        var nextKey = 1
        var destroyed: [String] = []
        var refreshes: [String] = []
        var failRefresh = false
        var restCalls: [(path: String, form: [String: String])] = []
        var badSigns = 0
        var nextOrder = 1
        var orderDelay: Duration?
    }

    let server = LoopbackServer()
    let state = Mutex(State())
    static let signer = try! LBankSigner(secret: fakeLBankSecret)

    func start() async throws {
        server.route(WebSocketRoute("/ws/V2/", onOpen: { [self] s in
            state.withLock { $0.sessions[s.id] = s }
        }, onMessage: { [self] s, m in
            guard let text = m.text else { return }
            state.withLock { $0.received.append((s.id, text)) }
            handle(s, text)
        }, onClose: { [self] s in
            state.withLock { $0.sessions[s.id] = nil; $0.privateSubs[s.id] = nil }
        }))
        for path in [LBankEndpoints.Path.getKey, LBankEndpoints.Path.refreshKey, LBankEndpoints.Path.destroyKey,
                     LBankEndpoints.Path.createOrder, LBankEndpoints.Path.cancelOrder, LBankEndpoints.Path.userAssets] {
            server.route(HTTPRoute("POST", path) { [self] req in await rest(path, req) })
        }
        _ = try await server.start()
    }

    var endpoints: LBankEndpoints { LBankEndpoints(webSocket: server.webSocketURL("/ws/V2/"), rest: server.httpURL("/")) }
    func shutdown() async { await server.shutdown() }
    func received() -> [String] { state.withLock { $0.received.map(\.text) } }
    var openSessions: [ServerSession] { state.withLock { $0.sessions.values.sorted { $0.id < $1.id } } }
    func broadcast(_ text: String) { for s in openSessions { s.send(text: text) } }
    var liveKeys: Set<String> { state.withLock { $0.keys } }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    private func handle(_ s: ServerSession, _ text: String) {
        let o = Self.json(text)
        guard (o["action"] as? String) == "subscribe", let channel = o["subscribe"] as? String else { return }
        switch channel {
        case "depth":
            let pair = o["pair"] as? String ?? ""
            s.send(text: Self.depth(pair, asks: [("0.0252", "0.5833"), ("0.025215", "4.377")], bids: [("0.025135", "3.962"), ("0.025134", "3.46")]))
        case "tick":
            s.send(text: #"{"tick":{"high":0.02719761,"vol":497529.7686,"low":0.02603071,"change":2.54,"turnover":13224.0186,"latest":0.02698749},"type":"tick","pair":"\#(o["pair"] as? String ?? "")","SERVER":"V2","TS":"2019-07-01T11:33:55.188"}"#)
        case "orderUpdate", "assetUpdate":
            let key = o["subscribeKey"] as? String ?? ""
            guard state.withLock({ $0.keys.contains(key) }) else {
                s.send(text: #"{"SERVER":"V2","message":"invalid or expired subscribeKey","status":"error","TS":"2024-01-16T08:09:43.314"}"#)
                return
            }
            state.withLock { _ = $0.privateSubs[s.id, default: []].insert(channel) }
        default: break
        }
    }

    static func depth(_ pair: String, asks: [(String, String)], bids: [(String, String)]) -> String {
        func side(_ l: [(String, String)]) -> String { "[" + l.map { "[\($0.0),\($0.1)]" }.joined(separator: ",") + "]" }
        return #"{"depth":{"asks":\#(side(asks)),"bids":\#(side(bids))},"count":100,"type":"depth","pair":"\#(pair)","SERVER":"V2","TS":"2019-06-28T17:49:22.722"}"#
    }

    func pushPrivate(_ channel: String, _ text: String) {
        let targets = state.withLock { s in s.sessions.filter { s.privateSubs[$0.key]?.contains(channel) == true }.map(\.value) }
        for t in targets { t.send(text: text) }
    }

    static func form(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { out[kv[0]] = kv[1].removingPercentEncoding ?? kv[1] }
        }
        return out
    }

    private func rest(_ path: String, _ req: ServerHTTPRequest) async -> ServerHTTPResponse {
        var f = Self.form(req.bodyText)
        state.withLock { $0.restCalls.append((path, f)) }
        let sign = f.removeValue(forKey: "sign") ?? ""
        var params = f.map { ($0.key, $0.value) }
        for h in ["echostr", "signature_method", "timestamp"] { params.append((h, req.head.header(h) ?? "")) }
        guard f["api_key"] == fakeLBankKey, sign == Self.signer.sign(params), (req.head.header("echostr")?.count ?? 0) >= 30 else {
            state.withLock { $0.badSigns += 1 }
            return .json(#"{"result":"false","error_code":10007,"ts":1}"#)
        }
        switch path {
        case LBankEndpoints.Path.getKey:
            let k = state.withLock { s -> String in
                let k = String(format: "%064x", s.nextKey)
                s.nextKey += 1
                s.keys.insert(k)
                return k
            }
            return .json(#"{"result":true,"data":"\#(k)","error_code":0,"ts":1705602277198}"#)
        case LBankEndpoints.Path.refreshKey:
            let key = f["subscribeKey"] ?? ""
            let ok = state.withLock { s -> Bool in
                s.refreshes.append(key)
                return !s.failRefresh && s.keys.contains(key)
            }
            return .json(ok ? #"{"result":"true"}"# : #"{"result":"false","error_code":10025}"#)
        case LBankEndpoints.Path.destroyKey:
            let key = f["subscribeKey"] ?? ""
            state.withLock { s in s.destroyed.append(key); s.keys.remove(key) }
            return .json(#"{"result":"true"}"#)
        case LBankEndpoints.Path.createOrder:
            let (id, delay) = state.withLock { s -> (String, Duration?) in
                defer { s.nextOrder += 1 }
                return ("order-\(s.nextOrder)", s.orderDelay)
            }
            if let delay { try? await Task.sleep(for: delay) }
            let custom = f["custom_id"] ?? ""
            pushPrivate("orderUpdate", #"{"orderUpdate":{"accAmt":"0","amount":"0","avgPrice":"0","symbol":"\#(f["symbol"] ?? "")","type":"\#(f["type"] ?? "")","orderAmt":"\#(f["amount"] ?? "")","orderStatus":0,"orderPrice":"\#(f["price"] ?? "")","price":"\#(f["price"] ?? "")","remainAmt":"\#(f["amount"] ?? "")","updateTime":1561704577786,"uuid":"\#(id)","volumePrice":"0","customerID":"\#(custom)"},"pair":"\#(f["symbol"] ?? "")","type":"orderUpdate","SERVER":"V2","TS":"2019-06-28T14:49:37.816"}"#)
            return .json(#"{"result":true,"data":{"order_id":"\#(id)","symbol":"\#(f["symbol"] ?? "")","custom_id":"\#(custom)"},"error_code":0,"ts":1}"#)
        case LBankEndpoints.Path.cancelOrder:
            return .json(#"{"result":true,"data":{"orderId":"\#(f["orderId"] ?? "")"},"error_code":0,"ts":1}"#)
        case LBankEndpoints.Path.userAssets:
            return .json(#"{"result":true,"data":{"balances":[{"asset":"usdt","free":"1000","locked":"5"}]},"error_code":0,"ts":1}"#)
        default:
            return .json(#"{"result":"false","error_code":10000}"#)
        }
    }
}
