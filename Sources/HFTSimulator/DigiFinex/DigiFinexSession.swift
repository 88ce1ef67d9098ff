import HFTCore
import NIOCore

/// One DigiFinex WebSocket connection's protocol state, confined to its event loop: requests
/// in, channel subscriptions, book mirrors, the login, the idle and age timers, and the single
/// outbound path where the fault plan is applied and every message becomes one compressed
/// binary frame. Channels live in the `+Market` and `+Private` extensions.
final class DigiFinexSession {
    typealias JSON = KrakenJSON

    let context: DigiFinexContext
    let server: ServerSession
    weak var connection: DigiFinexConnection?
    var decider: FaultDecider

    /// Public state per symbol while any public channel needs it.
    var markets: [Symbol: DigiFinexMarketState] = [:]
    /// Subscribed symbols per public channel, in subscription order.
    var depthSymbols: [Symbol] = []
    var tradeSymbols: [Symbol] = []
    var tickerSymbols: [Symbol] = []
    var allTicker = false

    /// The login (`server.auth`) and private channels.
    var privateState: DigiFinexPrivateState?

    private var json = JSON(capacity: 1024)
    private let compressor: DigiFinexCompressor
    private var out = ByteBuffer()
    private(set) var isDead = false
    private var lastInbound = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var ageTimer: Scheduled<Void>?
    var allTickerTimer: RepeatedTask?

    /// Frames are flushed when this much is pending, and at the end of every batch.
    private static let flushThreshold = 256 << 10

    init(context: DigiFinexContext, server: ServerSession) {
        self.context = context
        self.server = server
        decider = context.exchange.faults.makeDecider(endpoint: "ws")
        compressor = DigiFinexCompressor(context.options.compression)
    }

    var options: DigiFinexOptions { context.options }

    // MARK: Lifecycle

    /// Arms the idle timer and the connection-age limit (the shorter of the option and the
    /// fault plan's `force_disconnect_after_s`).
    func start() {
        armIdle(at: lastInbound + TimeAmount.microseconds(options.idleTimeout.dfMicros))
        var age: Int64? = options.maxConnectionAge?.dfMicros
        if let deadline = decider.forcedDisconnectDeadline() {
            let d = max(0, deadline - context.now())
            age = min(age ?? d, d)
        }
        if let age {
            ageTimer = server.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(age)) { [self] in
                close(code: 1001)
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
        if let p = privateState?.subscription { context.exchange.unsubscribe(p) }
        privateState = nil
        idleTimer?.cancel()
        ageTimer?.cancel()
        allTickerTimer?.cancel()
        idleTimer = nil
        ageTimer = nil
        allTickerTimer = nil
        connection?.close()
    }

    /// Flushes what is queued, then closes with a close frame.
    func close(code: UInt16, reason: String = "") {
        guard !isDead else { return }
        flush()
        die()
        server.close(code: code, reason: reason)
    }

    private func armIdle(at deadline: NIODeadline) {
        idleTimer = server.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in idleCheck() }
    }

    /// Closes after `idleTimeout` without any client frame (§4), else re-arms for the rest.
    private func idleCheck() {
        guard !isDead else { return }
        let due = lastInbound + TimeAmount.microseconds(options.idleTimeout.dfMicros)
        if NIODeadline.now() >= due { close(code: 1000, reason: "idle timeout") } else { armIdle(at: due) }
    }

    // MARK: Inbound

    func receive(_ m: ServerInbound) {
        guard !isDead else { return }
        lastInbound = .now()
        switch m {
        case .text(let text):
            var t = text
            t.withUTF8 { handle(UnsafeRawBufferPointer($0)) }
        case .binary(let bytes):
            // Clients send text (§1); a binary frame is read as the same JSON.
            bytes.withUnsafeBytes { handle($0) }
        default:
            return
        }
        flush()
    }

    private func handle(_ bytes: UnsafeRawBufferPointer) {
        switch DigiFinexRequestDecoder.decode(bytes) {
        case .failure(let f):
            fail(f.id, f.error)
        case .success(let r):
            if decider.shouldRejectForRateLimit() {
                fail(r.id, .tooQuick)
                return
            }
            dispatch(r)
        }
    }

    private func dispatch(_ r: DigiFinexRequest) {
        switch r.method {
        case "server.ping": respond(r.id) { $0.string("pong") }
        case "server.time": respond(r.id) { [context] in $0.int(context.now() / 1_000_000) }
        case "server.auth": auth(r)
        case "depth.subscribe", "trades.subscribe", "ticker.subscribe": subscribePublic(r)
        case "depth.unsubscribe", "trades.unsubscribe", "ticker.unsubscribe": unsubscribePublic(r)
        case "all_ticker.subscribe": subscribeAllTicker(r)
        case "all_ticker.unsubscribe": unsubscribeAllTicker(r)
        case "order.subscribe", "order_algo.subscribe", "balance.subscribe": subscribePrivate(r)
        case "order.unsubscribe", "order_algo.unsubscribe", "balance.unsubscribe": unsubscribePrivate(r)
        default: fail(r.id, .methodNotFound)
        }
    }

    // MARK: Responses

    /// `{"error":null,"result":…,"id":N}` (§2), after the `delay_ms` fault when set.
    func respond(_ id: [UInt8]?, _ result: (inout JSON) -> Void) {
        emitResponse { j in
            j.object { j in
                j.key("error")
                j.null()
                j.key("result")
                result(&j)
                Self.writeID(&j, id)
            }
        }
    }

    /// `{"error":null,"result":{"status":"success"},"id":N}`.
    func respondSuccess(_ id: [UInt8]?) {
        respond(id) { $0.object { $0.field("status", "success") } }
    }

    /// `{"error":{"code":C,"message":M},"result":null,"id":N}` (§2).
    func fail(_ id: [UInt8]?, _ e: DigiFinexWSError) {
        emitResponse { j in
            j.object { j in
                j.key("error")
                j.object { j in
                    j.field("code", e.code)
                    j.field("message", e.message)
                }
                j.key("result")
                j.null()
                Self.writeID(&j, id)
            }
        }
    }

    private static func writeID(_ j: inout JSON, _ id: [UInt8]?) {
        j.key("id")
        if let id { j.raw(id) } else { j.null() }
    }

    /// Sends a response now, or after the `delay_ms` fault (in order; pushes may overtake it).
    private func emitResponse(_ write: (inout JSON) -> Void) {
        let delay = decider.responseDelay()
        guard delay > .zero else {
            send(.response) { j, _ in write(&j) }
            return
        }
        var j = JSON(capacity: 256)
        write(&j)
        let bytes = j.bytes
        server.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(delay.dfMicros)) { [self] in
            guard admit(.response).send else { return }
            frame(bytes)
            flush()
        }
    }

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan; `encode` receives `true` when
    /// this message must be corrupted (depth updates: one wrong amount).
    func send(_ kind: OutboundKind, _ encode: (inout JSON, Bool) -> Void) {
        let (go, corrupt) = admit(kind)
        guard go else { return }
        json.reset()
        encode(&json, corrupt)
        frame(json.bytes)
    }

    /// The fault decision for the next message: whether to send it and whether to corrupt it.
    /// Drops, stalls, malformed frames and the forced disconnect happen here.
    func admit(_ kind: OutboundKind) -> (send: Bool, corrupt: Bool) {
        guard !isDead else { return (false, false) }
        if decider.shouldForceDisconnect() {
            close(code: 1001)
            return (false, false)
        }
        switch decider.onOutboundMessage(kind: kind) {
        case .send: return (true, false)
        case .corruptChecksum: return (true, kind == .bookUpdate)
        case .malformed:
            frame(FaultDecider.malformedFrame)
            return (true, false)
        case .skipSequence:
            // No sequence numbers on DigiFinex: the delta is simply lost.
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

    /// One message as one frame: binary with the configured compression (§1), else text.
    private func frame(_ bytes: [UInt8]) {
        if compressor.compression == .none {
            bytes.withUnsafeBytes { ServerFrame.write(opcode: .text, payload: $0, into: &out) }
        } else {
            ServerFrame.write(opcode: .binary, payload: compressor.compress(bytes), into: &out)
        }
        if out.readableBytes >= Self.flushThreshold { flush() }
    }

    /// Writes everything queued as one write.
    func flush() {
        guard out.readableBytes > 0 else { return }
        server.sendEncoded(out)
        out = ByteBuffer()
        out.reserveCapacity(4096)
    }

    // MARK: Exchange events

    /// Encodes a batch of exchange events, in order, and writes it.
    func process(_ events: [SimEvent]) {
        guard !isDead else { return }
        for e in events {
            switch e {
            case .book(let u): onBook(u)
            case .trade(let t): onTrade(t)
            case .order(let o): onOrder(o)
            case .balance(let b): onBalance(b)
            case .fill, .position: break
            }
            if isDead { return }
        }
        // Trades (and their ticker) go out with their operation's book update, which always
        // follows them, possibly in a later batch.
        flushBalances()
        flush()
    }
}
