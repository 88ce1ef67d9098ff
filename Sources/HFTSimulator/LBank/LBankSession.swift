import HFTCore
import NIOCore

/// One LBank WebSocket connection's protocol state, confined to its event loop: requests in,
/// the app-level heartbeat (§2), public and private subscriptions, and the single outbound
/// path where the fault plan is applied. Every server message is one text frame (§1).
final class LBankSession {
    typealias JSON = KrakenJSON

    let context: LBankContext
    let server: ServerSession
    weak var connection: LBankConnection?
    var decider: FaultDecider

    /// Public state per symbol while any public channel needs it.
    var markets: [Symbol: LBankMarketState] = [:]
    /// Private subscriptions (`orderUpdate`, `assetUpdate`) and the exchange feeds behind them.
    var privateSubs: [LBankPrivateSub] = []
    var accountFeeds: [AccountID: SubscriptionID] = [:]
    /// Fills waiting for their order's event (same exchange batch).
    var pendingFills: [SimOrderID: [FillEvent]] = [:]
    /// What the last order event of an account was (names `assetUpdate.type`).
    var balanceCause: [AccountID: String] = [:]

    var outbox = SimOutbox()
    private(set) var isDead = false
    /// Server pings not yet answered: id → sent at.
    private var outstandingPings: [String: NIODeadline] = [:]
    private var timers = SimSessionTimers()
    private var pingCounter: UInt64 = 0

    init(context: LBankContext, server: ServerSession) {
        self.context = context
        self.server = server
        decider = context.exchange.faults.makeDecider(endpoint: "ws")
    }

    var options: LBankOptions { context.options }

    // MARK: Lifecycle

    /// Arms the heartbeat, the connection-age limit and the depth cadence.
    func start() {
        if let every = options.pingInterval {
            timers.ping = repeating(every: .microseconds(every.wholeMicros)) { $0.sendPing() }
        }
        timers.age = scheduleAgeLimit(maxAge: options.maxConnectionAge?.wholeMicros, now: context.now())
        if let every = options.depthRefreshInterval {
            timers.cadence = repeating(every: .microseconds(every.wholeMicros)) { s in
                guard !s.isDead else { return }
                for m in s.markets.values where m.depthLevels != nil { s.sendDepth(m) }
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
        for sub in accountFeeds.values { context.exchange.unsubscribe(sub) }
        accountFeeds.removeAll()
        privateSubs.removeAll()
        timers.cancelAll()
        connection?.close()
    }

    // MARK: Heartbeat (§2)

    /// `{"action":"ping","ping":"<uuid>"}`; the socket closes `pongTimeout` later unless the
    /// client answered with the same id.
    func sendPing() {
        guard !isDead else { return }
        pingCounter &+= 1
        var rng = SystemRandomNumberGenerator()
        let hex = LBankSigner.hex((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }, upper: false)
        let u = Array(hex.utf8)
        let id = [u[0..<8], u[8..<12], u[12..<16], u[16..<20], u[20..<32]]
            .map { String(decoding: $0, as: UTF8.self) }.joined(separator: "-")
        outstandingPings[id] = .now()
        send(.heartbeat) { j, _ in
            j.object { j in
                j.field("action", "ping")
                j.field("ping", id)
            }
        }
        flush()
        after(micros: options.pongTimeout.wholeMicros) { [self] in
            if outstandingPings[id] != nil { close(code: 1000, reason: "ping timeout") }
        }
    }

    // MARK: Inbound

    func receive(_ m: ServerInbound) {
        guard !isDead, m.isData else { return }
        m.withPayload(handle)
        flush()
    }

    private func handle(_ bytes: UnsafeRawBufferPointer) {
        guard let r = LBankRequestDecoder.decode(bytes) else { return fail("Invalid request: not a JSON object with an action") }
        if decider.shouldRejectForRateLimit() { return fail("Too many requests") }
        switch r.action {
        case "ping":
            guard let id = r.ping else { return fail("Missing parameter ['ping']") }
            respond { j in
                j.object { j in
                    j.field("action", "pong")
                    j.field("pong", id)
                }
            }
        case "pong":
            if let id = r.pong { outstandingPings[id] = nil }
        case "subscribe": subscribe(r)
        case "unsubscribe": unsubscribe(r)
        case "request": oneShot(r)
        default: fail("Invalid action '\(r.action)'")
        }
    }

    private func subscribe(_ r: LBankRequest) {
        switch r.subscribe {
        case nil: fail("Missing parameter ['subscribe']")
        case "depth", "trade", "tick", "kbar": subscribePublic(r)
        case "orderUpdate", "assetUpdate": subscribePrivate(r)
        case let s?: fail("Invalid subscribe '\(s)'")
        }
    }

    private func unsubscribe(_ r: LBankRequest) {
        switch r.subscribe {
        case nil: fail("Missing parameter ['subscribe']")
        case "depth", "trade", "tick", "kbar": unsubscribePublic(r)
        case "orderUpdate", "assetUpdate": unsubscribePrivate(r)
        case let s?: fail("Invalid subscribe '\(s)'")
        }
    }

    // MARK: Replies

    /// `{"SERVER":"V2","message":M,"status":"error","TS":…}` (§3).
    func fail(_ message: String) {
        let ts = LBankTime.string(context.now())
        respond { j in
            j.object { j in
                j.field("SERVER", "V2")
                j.field("message", message)
                j.field("status", "error")
                j.field("TS", ts)
            }
        }
    }

    /// A reply to the client, now or after the `delay_ms` fault (pushes may overtake it).
    func respond(_ write: (inout JSON) -> Void) { sendResponse(write) }

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan. LBank has no sequence or
    /// checksum: those faults lose the message (`encode` is never asked to corrupt).
    func send(_ kind: OutboundKind, _ encode: (inout JSON, Bool) -> Void) {
        guard admission(kind) == .send else { return }
        encodeFrame { encode(&$0, false) }
    }

    // MARK: Exchange events

    func process(_ events: [SimEvent]) {
        guard !isDead else { return }
        for e in events {
            switch e {
            case .book(let u): onBook(u)
            case .trade(let t): onTrade(t)
            case .fill(let f): pendingFills[f.orderID, default: []].append(f)
            case .order(let o): onOrder(o)
            case .balance(let b): onBalance(b)
            case .position: break
            }
            if isDead { return }
        }
        // Fills wait for their order event, which may come in a later batch.
        if accountFeeds.isEmpty { pendingFills.removeAll() }
        flushMarkets()
        flush()
    }

    // MARK: Spare batches (SimEventSession)

    private var spare: [SimEvent] = []
    func takeSpareBatch() -> [SimEvent] {
        var b: [SimEvent] = []
        swap(&b, &spare)
        return b
    }
    func returnSpareBatch(_ batch: [SimEvent]) { spare = batch }
}
