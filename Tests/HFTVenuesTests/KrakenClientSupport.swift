import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Synchronization
import Testing

struct KrakenWaitTimeout: Error, CustomStringConvertible {
    let what: String
    let seen: String
    var description: String { "timed out waiting for \(what); seen: \(seen)" }
}

/// Collects values and lets a test await a condition over them, with a deadline (no blind sleeps).
final class KrakenRecorder<T: Sendable>: Sendable {
    private struct Waiter {
        let predicate: @Sendable ([T]) -> Bool
        let continuation: CheckedContinuation<[T], any Error>
    }
    private struct State {
        var items: [T] = []
        var waiters: [Int: Waiter] = [:]
        var next = 0
    }
    private let state = Mutex(State())

    func append(_ value: T) {
        let ready: [(CheckedContinuation<[T], any Error>, [T])] = state.withLock { s in
            s.items.append(value)
            var out: [(CheckedContinuation<[T], any Error>, [T])] = []
            for (id, w) in s.waiters where w.predicate(s.items) {
                out.append((w.continuation, s.items))
                s.waiters[id] = nil
            }
            return out
        }
        for (c, items) in ready { c.resume(returning: items) }
    }

    var items: [T] { state.withLock { $0.items } }
    var count: Int { state.withLock { $0.items.count } }

    @discardableResult
    func wait(_ what: String, timeout: Duration = .seconds(20), until predicate: @escaping @Sendable ([T]) -> Bool) async throws -> [T] {
        let id = state.withLock { s -> Int in s.next += 1; return s.next }
        let timer = Task {
            try await Task.sleep(for: timeout)
            let c = self.state.withLock { s in s.waiters.removeValue(forKey: id) }
            c?.continuation.resume(throwing: KrakenWaitTimeout(what: what, seen: "\(self.items.suffix(30))"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { c in
            let now: [T]? = state.withLock { s in
                if predicate(s.items) { return s.items }
                s.waiters[id] = Waiter(predicate: predicate, continuation: c)
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }

    /// Drains `stream` into this recorder until it finishes.
    @discardableResult
    func drain(_ stream: DeliveryBuffer<T>) -> Task<Void, Never> {
        Task { for await v in stream { self.append(v) } }
    }
}

extension KrakenRecorder where T == VenueStatus {
    func wait(_ event: VenueStatus.Event, symbol: Symbol? = nil, count n: Int = 1, detail: String? = nil,
              timeout: Duration = .seconds(20)) async throws {
        try await wait("\(n)× \(event.rawValue) \(symbol.map { "\($0)" } ?? "")", timeout: timeout) { items in
            items.filter { $0.event == event && (symbol == nil || $0.symbol == symbol)
                && (detail == nil || $0.detail.contains(detail!)) }.count >= n
        }
    }

    func count(_ event: VenueStatus.Event, symbol: Symbol? = nil) -> Int {
        items.filter { $0.event == event && (symbol == nil || $0.symbol == symbol) }.count
    }
}

/// Runs `body` or fails after `timeout`.
func krakenWithin<T: Sendable>(_ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw KrakenWaitTimeout(what: what, seen: "")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Options for tests: fast reconnects, short waits.
func krakenTestOptions(_ extra: [String: String] = [:]) throws -> KrakenClientOptions {
    var o = ["reconnect_base_s": "0.02", "reconnect_max_s": "0.2", "instrument_timeout_s": "20", "request_timeout_s": "5",
             "max_msgs_per_s": "200", "subscription_burst": "50", "order_burst": "200", "ready_wait_s": "5",
             "reconcile_timeout_s": "5"]
    for (k, v) in extra { o[k] = v }
    return try KrakenClientOptions(o)
}

/// A scripted Kraken v2 endpoint for the network layer's own tests (the real protocol checks run
/// against the simulator): status on connect, per-symbol book/trade/ticker subscriptions with
/// snapshots and checksummed updates the test publishes, an instrument channel, a token REST
/// call, executions/balances, and add/amend/cancel/cancel_all replies. Faults are switched on
/// by the test: corrupt a checksum, refuse a token, drop the socket around an order.
final class FakeKraken: Sendable {
    struct Order: Sendable {
        var id: String
        var cl: String?
        var symbol: String
        var side: String
        var qty: String
        var price: String
    }

    struct State {
        var tokenCalls = 0
        var validTokens: Set<String> = []
        var books: [String: OrderBook] = [:]
        var bookSubs: [String: Set<Int>] = [:]
        var tradeSubs: [String: Set<Int>] = [:]
        var execSubs: Set<Int> = []
        var execSeq: [Int: Int] = [:]
        var balanceSubs: Set<Int> = []
        var open: [String: Order] = [:]
        var nextOrder = 1
        var corruptNext: [String: Int] = [:]
        /// Next add_order: 1 = place it, then drop without replying; 2 = drop before placing.
        var dropOnAdd = 0
        var received: [(session: Int, path: String, text: String)] = []
        var sessions: [Int: ServerSession] = [:]
        var instrumentChannel = true
    }

    let server = LoopbackServer()
    let state = Mutex(State())
    static let precision: [String: KrakenPrecision] = ["BTC/USD": KrakenPrecision(price: 1, qty: 8),
                                                       "ETH/USD": KrakenPrecision(price: 2, qty: 8)]

    init() {
        state.withLock { s in
            var btc = OrderBook(venue: .kraken, symbol: "BTC/USD")
            for (p, q) in [("45283.5", "0.10000000"), ("45283.4", "1.54582015"), ("45282.0", "0.50000000")] { btc.apply(.buy, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
            for (p, q) in [("45285.2", "0.00100000"), ("45286.4", "1.54571953"), ("45290.0", "2.00000000")] { btc.apply(.sell, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
            var eth = OrderBook(venue: .kraken, symbol: "ETH/USD")
            for (p, q) in [("3000.10", "1.00000000"), ("2999.95", "2.50000000")] { eth.apply(.buy, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
            for (p, q) in [("3000.50", "0.70000000"), ("3001.00", "4.00000000")] { eth.apply(.sell, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
            s.books = ["BTC/USD": btc, "ETH/USD": eth]
        }
    }

    func start() async throws {
        server.route(HTTPRoute("POST", KrakenEndpoints.Path.getWebSocketsToken) { [self] req in
            guard req.head.header("API-Key") == "fake-key", req.head.header("API-Sign") != nil, req.bodyText.hasPrefix("nonce=") else {
                return .json(#"{"error":["EAPI:Invalid key"]}"#)
            }
            let token = state.withLock { s -> String in
                s.tokenCalls += 1
                let t = "fake-token-\(s.tokenCalls)-secretish"
                s.validTokens.insert(t)
                return t
            }
            return .json(#"{"error":[],"result":{"token":"\#(token)","expires":900}}"#)
        })
        server.route(HTTPRoute("GET", KrakenEndpoints.Path.assetPairs) { _ in
            .json(#"{"error":[],"result":{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","pair_decimals":1,"lot_decimals":8},"XETHZUSD":{"altname":"ETHUSD","wsname":"ETH/USD","pair_decimals":2,"lot_decimals":8}}}"#)
        })
        for path in ["/pub", "/priv"] {
            server.route(WebSocketRoute(path, onOpen: { [self] session in
                state.withLock { $0.sessions[session.id] = session }
                session.send(text: #"{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":\#(session.id),"system":"online","version":"2.0.0"}]}"#)
            }, onMessage: { [self] session, m in
                guard let text = m.text else { return }
                state.withLock { $0.received.append((session.id, path, text)) }
                handle(session, text)
            }, onClose: { [self] session in
                state.withLock { s in
                    s.sessions[session.id] = nil
                    for k in s.bookSubs.keys { s.bookSubs[k]?.remove(session.id) }
                    for k in s.tradeSubs.keys { s.tradeSubs[k]?.remove(session.id) }
                    s.execSubs.remove(session.id)
                    s.balanceSubs.remove(session.id)
                }
            }))
        }
        try await server.start()
    }

    var endpoints: KrakenEndpoints {
        KrakenEndpoints(publicWebSocket: server.webSocketURL("/pub"), privateWebSocket: server.webSocketURL("/priv"),
                        rest: server.httpURL("").trimmingCharacters(in: CharacterSet(charactersIn: "/")))
    }

    func shutdown() async { await server.shutdown() }

    func received(_ path: String) -> [String] { state.withLock { $0.received.filter { $0.path == path }.map(\.text) } }
    var tokenCalls: Int { state.withLock { $0.tokenCalls } }
    func invalidateTokens() { state.withLock { $0.validTokens.removeAll() } }
    func sessions(_ path: String) -> [ServerSession] {
        state.withLock { $0.sessions.values.filter { $0.request.path == path }.sorted { $0.id < $1.id } }
    }

    // MARK: Dispatch

    private func handle(_ session: ServerSession, _ text: String) {
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let method = obj["method"] as? String else { return }
        let reqID = (obj["req_id"] as? NSNumber)?.int64Value ?? 0
        let params = obj["params"] as? [String: Any] ?? [:]
        switch method {
        case "ping":
            session.send(text: #"{"method":"pong","req_id":\#(reqID),"time_in":"2024-01-01T00:00:00.000000Z","time_out":"2024-01-01T00:00:00.000010Z"}"#)
        case "subscribe", "unsubscribe":
            subscription(session, method, params, reqID)
        case "add_order":
            addOrder(session, params, reqID)
        case "amend_order":
            amendOrder(session, params, reqID)
        case "cancel_order":
            cancelOrder(session, params, reqID)
        case "cancel_all":
            guard checkToken(session, method, params, reqID) else { return }
            let gone = state.withLock { s -> [Order] in defer { s.open.removeAll() }; return Array(s.open.values) }
            reply(session, method, reqID, #"{"count":\#(gone.count)}"#)
            for o in gone { pushExec(#"{"exec_type":"canceled","order_id":"\#(o.id)","order_status":"canceled","timestamp":"2024-01-01T00:00:00.000000Z"}"#) }
        default:
            session.send(text: #"{"error":"EGeneral:Invalid arguments","method":"\#(method)","req_id":\#(reqID),"success":false}"#)
        }
    }

    private func reply(_ session: ServerSession, _ method: String, _ reqID: Int64, _ result: String) {
        session.send(text: #"{"method":"\#(method)","req_id":\#(reqID),"result":\#(result),"success":true,"time_in":"2024-01-01T00:00:00.000000Z","time_out":"2024-01-01T00:00:00.000050Z"}"#)
    }

    private func fail(_ session: ServerSession, _ method: String, _ reqID: Int64, _ error: String, symbol: String? = nil) {
        let sym = symbol.map { #","symbol":"\#($0)""# } ?? ""
        session.send(text: #"{"error":"\#(error)","method":"\#(method)","req_id":\#(reqID),"success":false\#(sym),"time_in":"2024-01-01T00:00:00.000000Z","time_out":"2024-01-01T00:00:00.000050Z"}"#)
    }

    private func checkToken(_ session: ServerSession, _ method: String, _ params: [String: Any], _ reqID: Int64) -> Bool {
        let token = params["token"] as? String ?? ""
        guard state.withLock({ $0.validTokens.contains(token) }) else {
            fail(session, method, reqID, "EAPI:Invalid token")
            return false
        }
        return true
    }

    private func subscription(_ session: ServerSession, _ method: String, _ params: [String: Any], _ reqID: Int64) {
        let channel = params["channel"] as? String ?? ""
        let symbols = params["symbol"] as? [String] ?? []
        let sub = method == "subscribe"
        switch channel {
        case "instrument":
            guard state.withLock({ $0.instrumentChannel }) else { return fail(session, method, reqID, "Subscription name invalid") }
            reply(session, method, reqID, #"{"channel":"instrument","snapshot":true}"#)
            if sub {
                session.send(text: #"{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled","precision":10}],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","price_precision":1,"qty_precision":8,"price_increment":0.1,"qty_increment":0.00000001,"qty_min":0.0001},{"symbol":"ETH/USD","base":"ETH","quote":"USD","status":"online","price_precision":2,"qty_precision":8,"price_increment":0.01,"qty_increment":0.00000001,"qty_min":0.002}]}}"#)
            }
        case "book":
            let depth = (params["depth"] as? NSNumber)?.intValue ?? 10
            for sym in symbols {
                guard state.withLock({ $0.books[sym] != nil }) else {
                    fail(session, method, reqID, "Currency pair not supported \(sym)", symbol: sym); continue
                }
                state.withLock { s in
                    if sub { s.bookSubs[sym, default: []].insert(session.id) } else { s.bookSubs[sym]?.remove(session.id) }
                }
                reply(session, method, reqID, #"{"channel":"book","depth":\#(depth),"snapshot":true,"symbol":"\#(sym)"}"#)
                if sub { session.send(text: bookFrame(sym, type: "snapshot", bids: nil, asks: nil)) }
            }
        case "trade", "ticker":
            for sym in symbols {
                if channel == "trade" {
                    state.withLock { s in
                        if sub { s.tradeSubs[sym, default: []].insert(session.id) } else { s.tradeSubs[sym]?.remove(session.id) }
                    }
                }
                reply(session, method, reqID, #"{"channel":"\#(channel)","symbol":"\#(sym)"}"#)
                if sub && channel == "ticker" {
                    session.send(text: #"{"channel":"ticker","type":"snapshot","data":[{"symbol":"\#(sym)","bid":45283.5,"bid_qty":0.10000000,"ask":45285.2,"ask_qty":0.00100000,"last":45284.0,"volume":12.5,"vwap":45000.1,"low":44000.0,"high":46000.0,"change":100.0,"change_pct":0.22}]}"#)
                }
            }
        case "executions":
            guard checkToken(session, method, params, reqID) else { return }
            state.withLock { s in
                if sub { s.execSubs.insert(session.id); s.execSeq[session.id] = 0 } else { s.execSubs.remove(session.id) }
            }
            reply(session, method, reqID, #"{"channel":"executions","maxratecount":125,"snap_orders":true,"snap_trades":false}"#)
            if sub {
                let (seq, rows) = state.withLock { s -> (Int, [String]) in
                    s.execSeq[session.id, default: 0] += 1
                    return (s.execSeq[session.id]!, s.open.values.sorted { $0.id < $1.id }.map { o in
                        #"{"exec_type":"new","order_id":"\#(o.id)"\#(o.cl.map { #","cl_ord_id":"\#($0)""# } ?? ""),"symbol":"\#(o.symbol)","side":"\#(o.side)","order_type":"limit","order_qty":\#(o.qty),"limit_price":\#(o.price),"order_status":"new","time_in_force":"GTC","timestamp":"2024-01-01T00:00:00.000000Z"}"#
                    })
                }
                session.send(text: #"{"channel":"executions","type":"snapshot","sequence":\#(seq),"data":[\#(rows.joined(separator: ","))]}"#)
            }
        case "balances":
            guard checkToken(session, method, params, reqID) else { return }
            state.withLock { s in if sub { s.balanceSubs.insert(session.id) } else { s.balanceSubs.remove(session.id) } }
            reply(session, method, reqID, #"{"channel":"balances","snapshot":true}"#)
            if sub {
                session.send(text: #"{"channel":"balances","type":"snapshot","sequence":1,"data":[{"asset":"BTC","asset_class":"currency","balance":10.0,"wallets":[{"type":"spot","id":"main","balance":10.0}]},{"asset":"USD","asset_class":"currency","balance":1000000.0,"wallets":[{"type":"spot","id":"main","balance":1000000.0}]}]}"#)
            }
        default:
            fail(session, method, reqID, "Subscription name invalid")
        }
    }

    // MARK: Orders

    private func addOrder(_ session: ServerSession, _ params: [String: Any], _ reqID: Int64) {
        guard checkToken(session, "add_order", params, reqID) else { return }
        let symbol = params["symbol"] as? String ?? ""
        let side = params["side"] as? String ?? ""
        let qty = (params["order_qty"] as? NSNumber).map { "\($0)" } ?? "0"
        let price = (params["limit_price"] as? NSNumber).map { "\($0)" } ?? "0"
        let cl = params["cl_ord_id"] as? String
        let postOnly = params["post_only"] as? Bool ?? false
        let drop = state.withLock { s -> Int in defer { s.dropOnAdd = 0 }; return s.dropOnAdd }
        if drop == 2 { return session.drop() }
        if postOnly, let best = state.withLock({ $0.books[symbol] }), let p = FixedDecimal(price) {
            let takes = side == "buy" ? best.bestAsk.map { p >= $0.price } ?? false : best.bestBid.map { p <= $0.price } ?? false
            if takes { return fail(session, "add_order", reqID, "EOrder:Post only order") }
        }
        let order = state.withLock { s -> Order in
            let id = String(format: "OFAKE%01d-AAAAA-%06d", s.nextOrder % 10, s.nextOrder)
            s.nextOrder += 1
            let o = Order(id: id, cl: cl, symbol: symbol, side: side, qty: qty, price: price)
            s.open[id] = o
            return o
        }
        if drop == 1 { return session.drop() }
        reply(session, "add_order", reqID, #"{"order_id":"\#(order.id)"\#(cl.map { #","cl_ord_id":"\#($0)""# } ?? "")}"#)
        let clField = cl.map { #","cl_ord_id":"\#($0)""# } ?? ""
        pushExec(#"{"exec_type":"pending_new","order_id":"\#(order.id)"\#(clField),"symbol":"\#(symbol)","side":"\#(side)","order_type":"limit","order_qty":\#(qty),"limit_price":\#(price),"order_status":"pending_new","time_in_force":"GTC","timestamp":"2024-01-01T00:00:00.000000Z"}"#)
        pushExec(#"{"exec_type":"new","order_id":"\#(order.id)","order_status":"new","timestamp":"2024-01-01T00:00:00.000001Z"}"#)
    }

    private func amendOrder(_ session: ServerSession, _ params: [String: Any], _ reqID: Int64) {
        guard checkToken(session, "amend_order", params, reqID) else { return }
        let id = params["order_id"] as? String ?? ""
        let found = state.withLock { s -> Bool in
            guard var o = s.open[id] else { return false }
            if let q = params["order_qty"] as? NSNumber { o.qty = "\(q)" }
            if let p = params["limit_price"] as? NSNumber { o.price = "\(p)" }
            s.open[id] = o
            return true
        }
        guard found else { return fail(session, "amend_order", reqID, "EOrder:Unknown order") }
        reply(session, "amend_order", reqID, #"{"amend_id":"AMEND-1","order_id":"\#(id)"}"#)
        pushExec(#"{"exec_type":"amended","order_id":"\#(id)","order_status":"new","timestamp":"2024-01-01T00:00:00.000002Z"}"#)
    }

    private func cancelOrder(_ session: ServerSession, _ params: [String: Any], _ reqID: Int64) {
        guard checkToken(session, "cancel_order", params, reqID) else { return }
        for id in params["order_id"] as? [String] ?? [] {
            let existed = state.withLock { $0.open.removeValue(forKey: id) != nil }
            if existed {
                reply(session, "cancel_order", reqID, #"{"order_id":"\#(id)"}"#)
                pushExec(#"{"exec_type":"canceled","order_id":"\#(id)","order_status":"canceled","reason":"User requested","timestamp":"2024-01-01T00:00:00.000003Z"}"#)
            } else {
                fail(session, "cancel_order", reqID, "EOrder:Invalid order")
            }
        }
    }

    private func pushExec(_ row: String) {
        let targets = state.withLock { s -> [(ServerSession, Int)] in
            s.execSubs.compactMap { id in
                guard let session = s.sessions[id] else { return nil }
                s.execSeq[id, default: 0] += 1
                return (session, s.execSeq[id]!)
            }
        }
        for (session, seq) in targets {
            session.send(text: #"{"channel":"executions","type":"update","sequence":\#(seq),"data":[\#(row)]}"#)
        }
    }

    // MARK: Market data the test publishes

    /// Sets levels on the server's book and pushes one update (checksum corrupted when asked).
    func publishBook(_ symbol: String, bids: [(String, String)] = [], asks: [(String, String)] = [], corrupt: Bool = false) {
        let (text, targets) = state.withLock { s -> (String, [ServerSession]) in
            var book = s.books[symbol]!
            for (p, q) in bids { book.apply(.buy, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
            for (p, q) in asks { book.apply(.sell, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!) }
            book.truncate(to: 10)
            s.books[symbol] = book
            var checksum = KrakenBookChecksum.compute(book, precision: Self.precision[symbol])
            if corrupt { checksum ^= 0xDEAD }
            let t = Self.frame(symbol, type: "update", bids: bids, asks: asks, checksum: checksum)
            return (t, (s.bookSubs[symbol] ?? []).compactMap { s.sessions[$0] })
        }
        for session in targets { session.send(text: text) }
    }

    func publishTrade(_ symbol: String, id: Int, price: String, qty: String) {
        let targets = state.withLock { s in (s.tradeSubs[symbol] ?? []).compactMap { s.sessions[$0] } }
        for session in targets {
            session.send(text: #"{"channel":"trade","type":"update","data":[{"symbol":"\#(symbol)","side":"buy","price":\#(price),"qty":\#(qty),"ord_type":"market","trade_id":\#(id),"timestamp":"2024-01-01T00:00:01.000000Z"}]}"#)
        }
    }

    /// A frame that is not JSON, to every public session.
    func sendGarbage() {
        for s in sessions("/pub") { s.send(text: "{not json") }
    }

    private func bookFrame(_ symbol: String, type: String, bids: [(String, String)]?, asks: [(String, String)]?) -> String {
        state.withLock { s in
            let book = s.books[symbol]!
            let checksum = KrakenBookChecksum.compute(book, precision: Self.precision[symbol])
            return Self.frame(symbol, type: type, bids: bids ?? book.bids.map { ($0.price.description, $0.quantity.description) },
                              asks: asks ?? book.asks.map { ($0.price.description, $0.quantity.description) }, checksum: checksum)
        }
    }

    static func frame(_ symbol: String, type: String, bids: [(String, String)], asks: [(String, String)], checksum: UInt32) -> String {
        func levels(_ l: [(String, String)]) -> String { l.map { #"{"price":\#($0.0),"qty":\#($0.1)}"# }.joined(separator: ",") }
        let ts = type == "update" ? #","timestamp":"2024-01-01T00:00:00.000000Z""# : ""
        return #"{"channel":"book","type":"\#(type)","data":[{"symbol":"\#(symbol)","bids":[\#(levels(bids))],"asks":[\#(levels(asks))],"checksum":\#(checksum)\#(ts)}]}"#
    }
}

/// A valid base64 secret for the fake (it does not check signatures, only their presence).
let fakeKrakenCredentials = try! KrakenCredentials(apiKey: "fake-key", secret: "c2ltLXNlY3JldC0x")
