import HFTCore
import NIOCore

/// One Kraken WebSocket connection's protocol state, confined to its event loop: requests in,
/// subscriptions, book mirrors and private-channel sequences, and the single outbound path on
/// which the fault plan is applied and frames are batched. Channel logic lives in the
/// `+Market`, `+Private` and `+Orders` extensions.
final class KrakenSession {
    let context: KrakenContext
    let endpoint: KrakenEndpoint
    let server: ServerSession
    weak var connection: KrakenConnection?
    var decider: FaultDecider
    let connectionID: UInt64

    /// Public channels per symbol.
    var markets: [Symbol: KrakenMarketState] = [:]
    var instrumentSubscribed = false
    var privateState: KrakenPrivateState?

    // Scratch buffers reused across book updates.
    var bidChanges: [KrakenBookMirror.Level] = []
    var askChanges: [KrakenBookMirror.Level] = []
    var bidEntries: [KrakenBookMirror.Level] = []
    var askEntries: [KrakenBookMirror.Level] = []
    var windows: [(bid: Int64?, ask: Int64?)] = []

    var outbox = SimOutbox()
    private(set) var isDead = false
    private var sentData = false
    /// `ping` is the heartbeat; `age` the forced disconnect.
    private var timers = SimSessionTimers()
    private var spare: [SimEvent] = []

    private static let checksumCorruption: UInt32 = 0xA5A5_5A5A

    init(context: KrakenContext, endpoint: KrakenEndpoint, server: ServerSession) {
        self.context = context
        self.endpoint = endpoint
        self.server = server
        decider = context.exchange.faults.makeDecider(endpoint: endpoint.rawValue)
        var rng = SystemRandomNumberGenerator()
        connectionID = rng.next()
    }

    // MARK: Lifecycle

    /// Pushes the status message and arms the forced-disconnect fault.
    func start() {
        send(.other) { j, _ in
            j.object { j in
                j.field("channel", "status")
                j.field("type", "update")
                j.key("data")
                j.beginArray()
                j.object { j in
                    j.field("api_version", "v2")
                    j.key("connection_id")
                    j.uint(connectionID)
                    j.field("system", "online")
                    j.field("version", "2.0.0")
                }
                j.endArray()
            }
        }
        flush()
        if !isDead { timers.age = scheduleAgeLimit(maxAge: nil, now: context.now()) }
    }

    /// Stops all work for this connection (idempotent): exchange subscriptions, timers, queue.
    func die() {
        guard !isDead else { return }
        isDead = true
        for m in markets.values { context.exchange.unsubscribe(m.subscription) }
        markets.removeAll()
        if let p = privateState { context.exchange.unsubscribe(p.subscription) }
        privateState = nil
        timers.cancelAll()
        connection?.close()
    }

    var hasSubscriptions: Bool {
        !markets.isEmpty || instrumentSubscribed || privateState?.executions != nil || privateState?.balances == true
    }

    /// Starts the 1 s heartbeat once there is a subscription (§2).
    func ensureHeartbeat() {
        guard timers.ping == nil, !isDead else { return }
        timers.ping = repeating(every: TimeAmount(context.heartbeatInterval)) { $0.heartbeatTick() }
    }

    private func heartbeatTick() {
        guard !isDead else { return }
        if hasSubscriptions && !sentData {
            send(.heartbeat) { j, _ in j.object { $0.field("channel", "heartbeat") } }
            flush()
        }
        sentData = false
    }

    // MARK: Inbound

    func receive(_ m: ServerInbound) {
        guard !isDead else { return }
        switch m {
        case .text(let text):
            handle(text)
        case .binary:
            let now = context.now()
            guard !rateLimited() else { return }
            fail(nil, nil, KrakenFailure(KrakenError.invalidArguments), now)
        default:
            return
        }
        flush()
    }

    private func handle(_ text: String) {
        let timeIn = context.now()
        guard !rateLimited() else { return }
        var t = text
        let inbound = t.withUTF8 { KrakenRequestDecoder.decode(UnsafeRawBufferPointer($0)) }
        switch inbound.request {
        case .failure(let f):
            fail(inbound.method, inbound.reqID, f, timeIn)
        case .success(let r):
            dispatch(r, method: inbound.method ?? "", reqID: inbound.reqID, timeIn: timeIn)
        }
    }

    private func dispatch(_ r: KrakenRequest, method: String, reqID: Int64?, timeIn: Timestamp) {
        switch r {
        case .ping:
            let write: (inout KrakenJSON) -> Void = { [context] j in
                j.object { j in
                    j.field("method", "pong")
                    if let reqID { j.field("req_id", reqID) }
                    j.field("time_in", time: timeIn)
                    j.field("time_out", time: context.now())
                }
            }
            sendResponse(write)
        case .subscribe(let p): subscribe(p, reqID: reqID, timeIn: timeIn)
        case .unsubscribe(let p): unsubscribe(p, reqID: reqID, timeIn: timeIn)
        case .addOrder(let o, let token): addOrder(o, token: token, reqID: reqID, timeIn: timeIn)
        case .batchAdd(let symbol, let orders, let validate, let token):
            batchAdd(symbol: symbol, orders: orders, validate: validate, token: token, reqID: reqID, timeIn: timeIn)
        case .amendOrder(let p): amendOrder(p, reqID: reqID, timeIn: timeIn)
        case .editOrder(let p): editOrder(p, reqID: reqID, timeIn: timeIn)
        case .cancelOrder(let p): cancelOrder(p, reqID: reqID, timeIn: timeIn)
        case .cancelAll(let token): cancelAll(token: token, reqID: reqID, timeIn: timeIn)
        case .cancelAfter(let timeout, let token): cancelAfter(timeout, token: token, reqID: reqID, timeIn: timeIn)
        case .batchCancel(let orders, let ids, let token):
            batchCancel(orders: orders, clientIDs: ids, token: token, reqID: reqID, timeIn: timeIn)
        }
    }

    /// The `rate_limit_after` fault: Kraken's `{"Error":"Exceeded msg rate"}` (§2), then a close.
    private func rateLimited() -> Bool {
        guard decider.shouldRejectForRateLimit() else { return false }
        send(.response) { j, _ in j.object { $0.field("Error", KrakenError.messageRate) } }
        // Closes even when that reply hit a drop or stall fault.
        flush()
        die()
        server.close(code: 1000, reason: KrakenError.messageRate)
        return true
    }

    // MARK: Responses

    /// A reply (§4). Keys are alphabetical, as Kraken writes them: `error`, `method`,
    /// `orders_cancelled`, `req_id`, `result`, `success`, `symbol`, `time_in`, `time_out`.
    func respond(_ method: String?, _ reqID: Int64?, _ timeIn: Timestamp, error: String? = nil, symbol: String? = nil,
                 ordersCancelled: Int? = nil, result: ((inout KrakenJSON) -> Void)? = nil) {
        let context = self.context
        func write(_ j: inout KrakenJSON) {
            j.beginObject()
            if let error { j.field("error", error) }
            if let method { j.field("method", method) }
            if let ordersCancelled { j.field("orders_cancelled", ordersCancelled) }
            if let reqID { j.field("req_id", reqID) }
            if let result {
                j.key("result")
                result(&j)
            }
            j.field("success", error == nil)
            if let symbol { j.field("symbol", symbol) }
            j.field("time_in", time: timeIn)
            j.field("time_out", time: context.now())
            j.endObject()
        }
        sendResponse(write)
    }

    func fail(_ method: String?, _ reqID: Int64?, _ f: KrakenFailure, _ timeIn: Timestamp) {
        respond(method, reqID, timeIn, error: f.message, symbol: f.symbol)
    }

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan; `encode` receives `true` when
    /// this message's checksum must be wrong. Kraken's book has no sequence numbers: a skipped
    /// update is lost and the next checksum tells the client.
    func send(_ kind: OutboundKind, _ encode: (inout KrakenJSON, Bool) -> Void) {
        let verdict = admission(kind)
        guard verdict != .lose else { return }
        encodeFrame { encode(&$0, verdict == .corrupt) }
        if kind != .response { sentData = true }
    }

    /// A book checksum as sent: wrong on purpose when `corrupt`.
    static func checksum(_ value: UInt32, corrupt: Bool) -> UInt64 {
        UInt64(corrupt ? value ^ checksumCorruption : value)
    }

    // MARK: Exchange events

    func takeSpareBatch() -> [SimEvent] {
        var b: [SimEvent] = []
        swap(&b, &spare)
        return b
    }

    func returnSpareBatch(_ b: [SimEvent]) { spare = b }

    /// Encodes a batch of exchange events, in order, and writes it.
    func process(_ events: [SimEvent]) {
        guard !isDead else { return }
        for e in events {
            switch e {
            case .book(let u): onBook(u)
            case .trade(let t): onTrade(t)
            case .order(let o): onOrder(o)
            case .fill(let f): onFill(f)
            case .balance(let b): onBalance(b)
            case .position: break
            }
            if isDead { return }
        }
        flush()
    }
}
