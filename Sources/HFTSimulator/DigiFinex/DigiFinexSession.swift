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

    var outbox = SimOutbox()
    private let compressor: DigiFinexCompressor
    private(set) var isDead = false
    private var lastInbound = NIODeadline.now()
    /// `deadline` is the idle timer; `cadence` pushes `all_ticker`.
    var timers = SimSessionTimers()

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
        armIdle(at: lastInbound + TimeAmount.microseconds(options.idleTimeout.wholeMicros))
        timers.age = scheduleAgeLimit(maxAge: options.maxConnectionAge?.wholeMicros, now: context.now())
    }

    /// Stops all work for this connection (idempotent): exchange subscriptions, timers, queue.
    func die() {
        guard !isDead else { return }
        isDead = true
        for m in markets.values { context.exchange.unsubscribe(m.subscription) }
        markets.removeAll()
        if let p = privateState?.subscription { context.exchange.unsubscribe(p) }
        privateState = nil
        timers.cancelAll()
        connection?.close()
    }

    private func armIdle(at deadline: NIODeadline) {
        timers.deadline = server.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in idleCheck() }
    }

    /// Closes after `idleTimeout` without any client frame (§4), else re-arms for the rest.
    private func idleCheck() {
        guard !isDead else { return }
        let due = lastInbound + TimeAmount.microseconds(options.idleTimeout.wholeMicros)
        if NIODeadline.now() >= due { close(code: 1000, reason: "idle timeout") } else { armIdle(at: due) }
    }

    // MARK: Inbound

    func receive(_ m: ServerInbound) {
        guard !isDead else { return }
        lastInbound = .now()
        guard m.isData else { return }
        // Clients send text (§1); a binary frame is read as the same JSON.
        m.withPayload(handle)
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

    /// `{"error":null,"result":…,"id":N}` (§2), after the `delay_ms` fault when set (in
    /// order; pushes may overtake it).
    func respond(_ id: [UInt8]?, _ result: (inout JSON) -> Void) {
        sendResponse { j in
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
        sendResponse { j in
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

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan; `encode` receives `true` when
    /// this message must be corrupted (depth updates: one wrong amount). No sequence numbers on
    /// DigiFinex: a skipped delta is simply lost.
    func send(_ kind: OutboundKind, _ encode: (inout JSON, Bool) -> Void) {
        let verdict = admission(kind)
        guard verdict != .lose else { return }
        encodeFrame { encode(&$0, verdict == .corrupt && kind == .bookUpdate) }
    }

    /// One message as one frame: binary with the configured compression (§1), else text.
    func frame(_ bytes: [UInt8]) {
        if compressor.compression == .none { frameText(bytes) } else { frameBinary(compressor.compress(bytes)) }
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
