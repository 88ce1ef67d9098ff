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

    private var json = JSON(capacity: 1024)
    private var out = ByteBuffer()
    private(set) var isDead = false
    /// Server pings not yet answered: id → sent at.
    private var outstandingPings: [String: NIODeadline] = [:]
    private var pingTask: RepeatedTask?
    private var ageTimer: Scheduled<Void>?
    var depthTask: RepeatedTask?
    private var pingCounter: UInt64 = 0

    private static let flushThreshold = 256 << 10

    init(context: LBankContext, server: ServerSession) {
        self.context = context
        self.server = server
        decider = context.exchange.faults.makeDecider(endpoint: "ws")
    }

    var options: LBankOptions { context.options }

    // MARK: Lifecycle

    /// Arms the heartbeat, the connection-age limit and the depth cadence.
    func start() {
        let loop = server.eventLoop
        if let every = options.pingInterval {
            let t = TimeAmount.microseconds(every.lbMicros)
            pingTask = loop.scheduleRepeatedTask(initialDelay: t, delay: t) { [weak connection] _ in
                connection?.withSession { $0.sendPing() }
            }
        }
        var age: Int64? = options.maxConnectionAge?.lbMicros
        if let deadline = decider.forcedDisconnectDeadline() {
            let d = max(0, deadline - context.now())
            age = min(age ?? d, d)
        }
        if let age {
            ageTimer = loop.assumeIsolated().scheduleTask(in: .microseconds(age)) { [self] in close(code: 1001) }
        }
        if let every = options.depthRefreshInterval {
            let t = TimeAmount.microseconds(every.lbMicros)
            depthTask = loop.scheduleRepeatedTask(initialDelay: t, delay: t) { [weak connection] _ in
                connection?.withSession { s in
                    guard !s.isDead else { return }
                    for m in s.markets.values where m.depthLevels != nil { s.sendDepth(m) }
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
        for sub in accountFeeds.values { context.exchange.unsubscribe(sub) }
        accountFeeds.removeAll()
        privateSubs.removeAll()
        pingTask?.cancel()
        ageTimer?.cancel()
        depthTask?.cancel()
        pingTask = nil
        ageTimer = nil
        depthTask = nil
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
        server.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(options.pongTimeout.lbMicros)) { [self] in
            guard !isDead, outstandingPings[id] != nil else { return }
            close(code: 1000, reason: "ping timeout")
        }
    }

    // MARK: Inbound

    func receive(_ m: ServerInbound) {
        guard !isDead else { return }
        switch m {
        case .text(let text):
            var t = text
            t.withUTF8 { handle(UnsafeRawBufferPointer($0)) }
        case .binary(let bytes):
            bytes.withUnsafeBytes { handle($0) }
        default:
            return
        }
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
        case "depth", "trade", "tick": subscribePublic(r)
        case "orderUpdate", "assetUpdate": subscribePrivate(r)
        case let s?: fail("Invalid subscribe '\(s)'")
        }
    }

    private func unsubscribe(_ r: LBankRequest) {
        switch r.subscribe {
        case nil: fail("Missing parameter ['subscribe']")
        case "depth", "trade", "tick": unsubscribePublic(r)
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
    func respond(_ write: (inout JSON) -> Void) {
        let delay = decider.responseDelay()
        guard delay > .zero else {
            send(.response) { j, _ in write(&j) }
            return
        }
        var j = JSON(capacity: 256)
        write(&j)
        let bytes = j.bytes
        server.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(delay.lbMicros)) { [self] in
            guard admit(.response) else { return }
            frame(bytes)
            flush()
        }
    }

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan.
    func send(_ kind: OutboundKind, _ encode: (inout JSON, Bool) -> Void) {
        guard admit(kind) else { return }
        json.reset()
        encode(&json, false)
        frame(json.bytes)
    }

    /// Whether the next message goes out; drops, stalls, malformed frames and the forced
    /// disconnect happen here. LBank has no sequence or checksum: those faults lose the message.
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
            frame(FaultDecider.malformedFrame)
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

    private func frame(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { ServerFrame.write(opcode: .text, payload: $0, into: &out) }
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
