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

    var outbox = SimOutbox()
    private(set) var isDead = false
    private var subscribedOnce = false
    private var outstandingPings: Set<String> = []
    private var clientWindow = SimRateWindow(startingAt: Int64(NIODeadline.now().uptimeNanoseconds))
    private var timers = SimSessionTimers()
    private var lastPingValue: Int64 = 0

    init(context: BGEContext, server: ServerSession) {
        self.context = context
        self.server = server
        decider = context.exchange.faults.makeDecider(endpoint: "ws")
    }

    var options: BGEOptions { context.options }

    // MARK: Lifecycle

    /// Arms the heartbeat, the subscribe deadline, the connection-age limit and the book cadence.
    func start() {
        if let every = options.pingInterval {
            timers.ping = repeating(every: .microseconds(every.wholeMicros)) { $0.sendPing() }
        }
        if let limit = options.subscribeTimeout {
            timers.deadline = after(micros: limit.wholeMicros) { [self] in
                if !subscribedOnce { close(code: 1000, reason: "no subscription") }
            }
        }
        timers.age = scheduleAgeLimit(maxAge: options.maxConnectionAge?.wholeMicros, now: context.now())
        if let every = options.bookRefreshInterval {
            timers.cadence = repeating(every: .microseconds(every.wholeMicros)) { s in
                guard !s.isDead else { return }
                for m in s.markets.values {
                    m.bookDue = false
                    s.sendBooks(m)
                }
                s.flush()
            }
        }
    }

    /// Stops all work for this connection (idempotent).
    func die() {
        guard !isDead else { return }
        isDead = true
        for m in markets.values { context.exchange.unsubscribe(m.subscription) }
        markets.removeAll()
        if let f = accountFeed { context.exchange.unsubscribe(f) }
        accountFeed = nil
        timers.cancelAll()
        connection?.close()
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
        after(micros: options.pongTimeout.wholeMicros) { [self] in
            if outstandingPings.contains(id) { close(code: 1000, reason: "pong timeout") }
        }
    }

    // MARK: Inbound

    func receive(_ m: ServerInbound) {
        guard !isDead, m.isData, countClientMessage() else { return }
        m.withPayload(handle)
        flush()
    }

    /// §2: more than `maxClientMessagesPerSecond` frames in a 1 s window (or the plan's
    /// `rate_limit_after`) closes the connection (1008).
    private func countClientMessage() -> Bool {
        let count = clientWindow.count(at: Int64(NIODeadline.now().uptimeNanoseconds), length: 1_000_000_000)
        if count > options.maxClientMessagesPerSecond || decider.shouldRejectForRateLimit() {
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
        timers.cancelDeadline()
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
    func respond(_ write: (inout JSON) -> Void) { sendResponse(write) }

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan; `zip` sends it as one gzip
    /// stream in a binary frame (§1). Sequence gaps and checksum faults lose the message (no
    /// checksum; `seq_id` then shows the gap on the next book push).
    func send(_ kind: OutboundKind, zip: Bool, _ encode: (inout JSON) -> Void) {
        guard admission(kind) == .send else { return }
        guard zip else { return encodeFrame(encode) }
        outbox.json.reset()
        encode(&outbox.json)
        frameBinary(ServerCompression.gzip.compress(ByteBuffer(bytes: outbox.json.bytes)))
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
