import HFTCore
import NIOCore

/// One BGE WebSocket V2 connection's protocol state, confined to its event loop: the flat
/// request envelope (§3), the `{"ping":ts}` heartbeat and the server's close rules (§2), login
/// (§4), public and private subscriptions, and the single outbound path where the fault plan
/// and the `zip` flag (gzip binary frames) are applied.
final class BGESession {
    typealias JSON = KrakenJSON

    let context: BGEContext
    let server: ServerSession
    weak var connection: BGEConnection?
    var decider: FaultDecider

    /// Public state per product while any public channel needs it.
    var markets: [Symbol: BGEMarketState] = [:]
    /// The logged-in account and when it logged in.
    var account: AccountID?
    var loggedInAt: Timestamp = 0
    var accountFeed: SubscriptionID?
    /// Private `assets` subscriptions: product → zip.
    var assetSubs: [Symbol: Bool] = [:]
    /// Private `orders` subscriptions: product (nil = `all`) → zip.
    var orderSubs: [Symbol?: Bool] = [:]

    private var json = JSON(capacity: 1024)
    private var out = ByteBuffer()
    private(set) var isDead = false
    private var subscribedOnce = false
    private var outstandingPings: Set<String> = []
    private var clientWindow: (start: NIODeadline, count: Int) = (.now(), 0)
    private var pingTask: RepeatedTask?
    private var ageTimer: Scheduled<Void>?
    private var subscribeTimer: Scheduled<Void>?
    private var bookTask: RepeatedTask?
    private var lastPingValue: Int64 = 0

    private static let flushThreshold = 256 << 10

    init(context: BGEContext, server: ServerSession) {
        self.context = context
        self.server = server
        decider = context.exchange.faults.makeDecider(endpoint: "ws")
    }

    var options: BGEOptions { context.options }

    // MARK: Lifecycle

    /// Arms the heartbeat, the subscribe deadline, the connection-age limit and the book cadence.
    func start() {
        let loop = server.eventLoop
        if let every = options.pingInterval {
            let t = TimeAmount.microseconds(every.bgeMicros)
            pingTask = loop.scheduleRepeatedTask(initialDelay: t, delay: t) { [weak connection] _ in
                connection?.withSession { $0.sendPing() }
            }
        }
        if let limit = options.subscribeTimeout {
            subscribeTimer = loop.assumeIsolated().scheduleTask(in: .microseconds(limit.bgeMicros)) { [self] in
                if !subscribedOnce { close(code: 1000, reason: "no subscription") }
            }
        }
        var age: Int64? = options.maxConnectionAge?.bgeMicros
        if let deadline = decider.forcedDisconnectDeadline() {
            let d = max(0, deadline - context.now())
            age = min(age ?? d, d)
        }
        if let age {
            ageTimer = loop.assumeIsolated().scheduleTask(in: .microseconds(age)) { [self] in close(code: 1001) }
        }
        if let every = options.bookRefreshInterval {
            let t = TimeAmount.microseconds(every.bgeMicros)
            bookTask = loop.scheduleRepeatedTask(initialDelay: t, delay: t) { [weak connection] _ in
                connection?.withSession { s in
                    guard !s.isDead else { return }
                    for m in s.markets.values { s.sendBooks(m) }
                    s.flush()
                }
            }
        }
    }

    func closed() { die() }

    /// Stops all work for this connection (idempotent).
    func die() {
        guard !isDead else { return }
        isDead = true
        for m in markets.values { context.exchange.unsubscribe(m.subscription) }
        markets.removeAll()
        if let f = accountFeed { context.exchange.unsubscribe(f) }
        accountFeed = nil
        pingTask?.cancel()
        ageTimer?.cancel()
        subscribeTimer?.cancel()
        bookTask?.cancel()
        connection?.close()
    }

    /// Flushes what is queued, then closes with a close frame.
    func close(code: UInt16, reason: String = "") {
        guard !isDead else { return }
        flush()
        die()
        server.close(code: code, reason: reason)
    }

    // MARK: Heartbeat (§2)

    /// `{"ping":<ms>}`; the socket closes `pongTimeout` later unless `{"pong":<same>}` came.
    func sendPing() {
        guard !isDead else { return }
        // Unique even within one millisecond.
        let value = max(context.now() / 1_000, lastPingValue + 1)
        lastPingValue = value
        let id = String(value)
        outstandingPings.insert(id)
        send(.heartbeat, zip: false) { j in j.object { $0.field("ping", value) } }
        flush()
        server.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(options.pongTimeout.bgeMicros)) { [self] in
            guard !isDead, outstandingPings.contains(id) else { return }
            close(code: 1000, reason: "pong timeout")
        }
    }

    // MARK: Inbound

    func receive(_ m: ServerInbound) {
        guard !isDead else { return }
        switch m {
        case .text(let text):
            guard countClientMessage() else { return }
            var t = text
            t.withUTF8 { handle(UnsafeRawBufferPointer($0)) }
        case .binary(let bytes):
            guard countClientMessage() else { return }
            bytes.withUnsafeBytes { handle($0) }
        default:
            return
        }
        flush()
    }

    /// §2: more than `maxClientMessagesPerSecond` frames in a 1 s window (or the plan's
    /// `rate_limit_after`) closes the connection (1008).
    private func countClientMessage() -> Bool {
        let now = NIODeadline.now()
        if now - clientWindow.start >= .seconds(1) { clientWindow = (now, 0) }
        clientWindow.count += 1
        if clientWindow.count > options.maxClientMessagesPerSecond || decider.shouldRejectForRateLimit() {
            close(code: 1008, reason: "too many messages")
            return false
        }
        return true
    }

    private func handle(_ bytes: UnsafeRawBufferPointer) {
        let raw = String(decoding: bytes, as: UTF8.self)
        guard let r = BGERequestDecoder.decode(bytes) else { return fail(event: nil, .invalidRequest, detail: raw) }
        if let pong = r.pong, r.event == nil {
            outstandingPings.remove(pong)
            return
        }
        switch r.event {
        case "login": login(r)
        case "sub", "unsub", "req":
            switch r.biz {
            case "market": marketRequest(r, raw: raw)
            case "exchange": privateRequest(r, raw: raw)
            default: fail(event: r.event, .invalidRequest, detail: raw)
            }
        default: fail(event: r.event, .invalidRequest, detail: raw)
        }
    }

    /// Marks the connection as subscribed (the 30 s rule of §2).
    func didSubscribe() {
        subscribedOnce = true
        subscribeTimer?.cancel()
        subscribeTimer = nil
    }

    // MARK: Replies (§3)

    /// Generic error: `{"event":E,"code":C,"msg":M}`; codes below 1000 as strings (`"400"`),
    /// auth codes as numbers (`40001`), as in the notes' examples.
    func fail(event: String?, _ e: BGEError, detail: String? = nil) {
        let msg = detail.map { e.message + ": " + $0 } ?? e.message
        respond { j in
            j.object { j in
                if let event { j.field("event", event) }
                if e.code < 1_000 { j.field("code", String(e.code)) } else { j.field("code", e.code) }
                j.field("msg", msg)
            }
        }
    }

    /// `{"biz","type","product","ts","code":200|500,"status":"OK"|"FAIL","event","interval"?,"data"?}`.
    func ack(_ r: BGERequest, ok: Bool = true, data: ((inout JSON) -> Void)? = nil) {
        let ts = context.now() / 1_000
        respond { j in
            j.object { j in
                if let biz = r.biz { j.field("biz", biz) }
                if let type = r.type { j.field("type", type) }
                if let product = r.product { j.field("product", product) }
                j.field("ts", ts)
                j.field("code", ok ? 200 : 500)
                j.field("status", ok ? "OK" : "FAIL")
                if let data {
                    j.key("data")
                    data(&j)
                }
                if let event = r.event { j.field("event", event) }
                if let interval = r.interval {
                    j.key("interval")
                    if r.intervalIsNumber, let n = Int64(interval) { j.int(n) } else { j.string(interval) }
                }
            }
        }
    }

    /// A reply to the client (always text), now or after the `delay_ms` fault.
    func respond(_ write: (inout JSON) -> Void) {
        let delay = decider.responseDelay()
        guard delay > .zero else {
            send(.response, zip: false) { write(&$0) }
            return
        }
        var j = JSON(capacity: 256)
        write(&j)
        let bytes = j.bytes
        server.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(delay.bgeMicros)) { [self] in
            guard admit(.response) else { return }
            frame(bytes, zip: false)
            flush()
        }
    }

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan; `zip` sends it as one gzip
    /// stream in a binary frame (§1).
    func send(_ kind: OutboundKind, zip: Bool, _ encode: (inout JSON) -> Void) {
        guard admit(kind) else { return }
        json.reset()
        encode(&json)
        frame(json.bytes, zip: zip)
    }

    /// Whether the next message goes out; drops, stalls, malformed frames and the forced
    /// disconnect happen here. Sequence gaps and checksum faults lose the message (no checksum;
    /// `seq_id` then shows the gap on the next book push).
    func admit(_ kind: OutboundKind) -> Bool {
        guard !isDead else { return false }
        if decider.shouldForceDisconnect() {
            close(code: 1001)
            return false
        }
        switch decider.onOutboundMessage(kind: kind) {
        case .send: return true
        case .corruptChecksum, .skipSequence: return false
        case .malformed:
            frame(FaultDecider.malformedFrame, zip: false)
            return true
        case .dropConnection:
            flush()
            die()
            server.drop()
            return false
        case .stall:
            flush()
            die()
            server.stall()
            return false
        }
    }

    private func frame(_ bytes: [UInt8], zip: Bool) {
        if zip {
            let payload = ServerCompression.gzip.compress(ByteBuffer(bytes: bytes))
            ServerFrame.write(opcode: .binary, payload: payload, into: &out)
        } else {
            bytes.withUnsafeBytes { ServerFrame.write(opcode: .text, payload: $0, into: &out) }
        }
        if out.readableBytes >= Self.flushThreshold { flush() }
    }

    func flush() {
        guard out.readableBytes > 0 else { return }
        server.sendEncoded(out)
        out = ByteBuffer()
        out.reserveCapacity(4096)
    }

    // MARK: Exchange events

    func process(_ events: [SimEvent]) {
        guard !isDead else { return }
        for e in events {
            switch e {
            case .book(let u): onBook(u)
            case .trade(let t): onTrade(t)
            case .fill: break
            case .order(let o): onOrder(o)
            case .balance(let b): onBalance(b)
            case .position: break
            }
            if isDead { return }
        }
        flushMarkets()
        flush()
    }
}
