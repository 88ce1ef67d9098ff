import HFTCore
import NIOCore

/// What the WS API and the market-stream connections share, confined to the connection's event
/// loop: the single outbound path where the fault plan is applied and frames are batched, the
/// keep-alive (ping every `pingInterval`, close when the pong is `pongTimeout` late, §2), the
/// periodic disconnect (24 h, or the fault plan's `force_disconnect_after_s`) and the time unit.
class BinanceSocket {
    let context: BinanceContext
    let server: ServerSession
    weak var connection: BinanceConnection?
    var decider: FaultDecider
    /// `timeUnit=MICROSECOND` on the URL: every timestamp in and out is µs.
    let microseconds: Bool
    private(set) var isDead = false

    var outbox = SimOutbox()
    /// `deadline` is the pong timer.
    private var timers = SimSessionTimers()
    private var outstandingPing: [UInt8]?

    init(context: BinanceContext, server: ServerSession, endpoint: String) {
        self.context = context
        self.server = server
        decider = context.exchange.faults.makeDecider(endpoint: endpoint)
        microseconds = server.request.queryItems.contains { $0.0 == "timeUnit" && $0.1.uppercased().hasPrefix("MICROSECOND") }
    }

    // MARK: Lifecycle

    /// Arms the keep-alive and the periodic disconnect.
    func start() {
        let every = TimeAmount(context.options.pingInterval)
        if every > .zero {
            timers.ping = server.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { [weak connection] _ in
                connection?.withSession { $0.sendPing() }
            }
        }
        timers.age = scheduleAgeLimit(maxAge: context.options.maxConnectionAge.wholeMicros, now: context.now())
    }

    /// The socket closed.
    func closed() { die() }

    /// Stops all work for this connection (idempotent). Subclasses release their exchange
    /// subscriptions in `released()`.
    func die() {
        guard !isDead else { return }
        isDead = true
        timers.cancelAll()
        released()
        connection?.close()
    }

    /// Called once by `die`.
    func released() {}

    /// Closes with a close frame after sending what is queued.
    func closeNow(code: UInt16 = 1000, reason: String = "") {
        flush()
        die()
        server.close(code: code, reason: reason)
    }

    // MARK: Keep-alive

    private func sendPing() {
        guard !isDead else { return }
        let payload = Array(String(context.nowMillis()).utf8)
        server.ping(payload)
        guard outstandingPing == nil else { return }
        outstandingPing = payload
        timers.deadline = after(micros: context.options.pongTimeout.wholeMicros) { [self] in
            if outstandingPing != nil { closeNow(code: 1000, reason: "pong timeout") }
        }
    }

    // MARK: Inbound

    func receive(_ m: ServerInbound) {
        guard !isDead else { return }
        guard inboundAllowed(m) else { return }
        switch m {
        case .text(let text): handle(text: text)
        case .binary(let bytes): handle(text: String(decoding: bytes, as: UTF8.self))
        case .pong(let payload):
            // Only the pong of our ping keeps the connection alive (§2).
            if let p = outstandingPing, payload == p {
                outstandingPing = nil
                timers.cancelDeadline()
            }
        default: break
        }
        flush()
    }

    /// False when the message breaks an inbound limit (the subclass has closed the socket).
    func inboundAllowed(_ m: ServerInbound) -> Bool { true }

    func handle(text: String) {}

    /// A batch of exchange events, in order.
    func process(_ events: [SimEvent]) {}

    /// The planned-shutdown event in this endpoint's shape (§2).
    func sendServerShutdown() {}

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan (no checksums: a corrupt-checksum
    /// fault sends it as is).
    func send(_ kind: OutboundKind, _ encode: (inout BinanceJSON) -> Void) {
        guard admission(kind) != .lose else { return }
        encodeFrame(encode)
    }

    // MARK: Time

    /// A timestamp (µs) in the connection's unit.
    func time(_ micros: Timestamp) -> Int64 { microseconds ? micros : micros / 1_000 }

    /// Now in the connection's unit.
    func nowTime() -> Int64 { time(context.now()) }

    /// An epoch-ms value (rate-limit `retryAfter`) in the connection's unit.
    func fromMillis(_ ms: Int64) -> Int64 { microseconds ? ms * 1_000 : ms }
}
