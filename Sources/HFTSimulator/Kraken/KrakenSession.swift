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

    private var json = KrakenJSON()
    private var out = ByteBuffer()
    private(set) var isDead = false
    private var sentData = false
    private var heartbeat: RepeatedTask?
    private var forcedClose: Scheduled<Void>?
    private var spare: [SimEvent] = []

    /// Frames are flushed when this much is pending, and at the end of every batch.
    private static let flushThreshold = 256 << 10
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
        if !isDead, let deadline = decider.forcedDisconnectDeadline() {
            let delay = TimeAmount.microseconds(max(0, deadline - context.now()))
            forcedClose = server.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
                guard !isDead else { return }
                flush()
                die()
                server.close(code: 1001, reason: "")
            }
        }
    }

    /// The socket closed.
    func closed() { die() }

    /// Stops all work for this connection (idempotent): exchange subscriptions, timers, queue.
    func die() {
        guard !isDead else { return }
        isDead = true
        for m in markets.values { context.exchange.unsubscribe(m.subscription) }
        markets.removeAll()
        if let p = privateState { context.exchange.unsubscribe(p.subscription) }
        privateState = nil
        heartbeat?.cancel()
        heartbeat = nil
        forcedClose?.cancel()
        forcedClose = nil
        connection?.close()
    }

    var hasSubscriptions: Bool {
        !markets.isEmpty || instrumentSubscribed || privateState?.executions != nil || privateState?.balances == true
    }

    /// Starts the 1 s heartbeat once there is a subscription (§2).
    func ensureHeartbeat() {
        guard heartbeat == nil, !isDead else { return }
        let c = context.heartbeatInterval.components
        let every = TimeAmount.nanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
        heartbeat = server.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { [weak connection] _ in
            connection?.withSession { $0.heartbeatTick() }
        }
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
            emitResponse(write)
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
        emitResponse(write)
    }

    func fail(_ method: String?, _ reqID: Int64?, _ f: KrakenFailure, _ timeIn: Timestamp) {
        respond(method, reqID, timeIn, error: f.message, symbol: f.symbol)
    }

    /// Sends a response now, or after the `delay_ms` fault (in order; pushes may overtake it).
    private func emitResponse(_ write: (inout KrakenJSON) -> Void) {
        let delay = decider.responseDelay()
        guard delay > .zero else {
            send(.response) { j, _ in write(&j) }
            return
        }
        var j = KrakenJSON(capacity: 256)
        write(&j)
        let bytes = j.bytes
        let c = delay.components
        let amount = TimeAmount.nanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
        server.eventLoop.assumeIsolated().scheduleTask(in: amount) { [self] in
            guard admit(.response).send else { return }
            frame(bytes)
            flush()
        }
    }

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan; `encode` receives `true` when
    /// this message's checksum must be wrong.
    func send(_ kind: OutboundKind, _ encode: (inout KrakenJSON, Bool) -> Void) {
        let (go, corrupt) = admit(kind)
        guard go else { return }
        json.reset()
        encode(&json, corrupt)
        frame(json.bytes)
        if kind != .response { sentData = true }
    }

    /// Applies the fault decision for the next message: whether to send it, whether to
    /// corrupt its checksum. Drops, stalls and malformed frames happen here.
    private func admit(_ kind: OutboundKind) -> (send: Bool, corrupt: Bool) {
        guard !isDead else { return (false, false) }
        if decider.shouldForceDisconnect() {
            // A plan changed at runtime: the deadline may have passed without the timer.
            flush()
            die()
            server.close(code: 1001, reason: "")
            return (false, false)
        }
        switch decider.onOutboundMessage(kind: kind) {
        case .send: return (true, false)
        case .corruptChecksum: return (true, true)
        case .malformed:
            frame(FaultDecider.malformedFrame)
            return (true, false)
        case .skipSequence:
            // Kraken's book has no sequence numbers: the update is lost and the next checksum
            // tells the client.
            return (false, false)
        case .dropConnection:
            flush()
            die()
            server.drop()
            return (false, false)
        case .stall:
            flush()
            die()
            server.stall()
            return (false, false)
        }
    }

    private func frame(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { ServerFrame.write(opcode: .text, payload: $0, into: &out) }
        if out.readableBytes >= Self.flushThreshold { flush() }
    }

    /// Writes everything queued as one write.
    func flush() {
        guard out.readableBytes > 0 else { return }
        server.sendEncoded(out)
        out = ByteBuffer()
        out.reserveCapacity(4096)
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
