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

    private var json = BinanceJSON()
    private var out = ByteBuffer()
    private var pinger: RepeatedTask?
    private var pongTimer: Scheduled<Void>?
    private var outstandingPing: [UInt8]?
    private var forcedClose: Scheduled<Void>?

    /// Frames are flushed when this much is pending, and at the end of every batch.
    private static let flushThreshold = 256 << 10

    init(context: BinanceContext, server: ServerSession, endpoint: String) {
        self.context = context
        self.server = server
        decider = context.exchange.faults.makeDecider(endpoint: endpoint)
        microseconds = server.request.queryItems.contains { $0.0 == "timeUnit" && $0.1.uppercased().hasPrefix("MICROSECOND") }
    }

    // MARK: Lifecycle

    /// Arms the keep-alive and the periodic disconnect.
    func start() {
        let every = Self.amount(context.options.pingInterval)
        if every > .zero {
            pinger = server.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { [weak connection] _ in
                connection?.withSession { $0.sendPing() }
            }
        }
        var deadline = context.now() + Self.micros(context.options.maxConnectionAge)
        if let fault = decider.forcedDisconnectDeadline() { deadline = min(deadline, fault) }
        forcedClose = server.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(max(0, deadline - context.now()))) { [self] in
            forceDisconnect()
        }
    }

    /// The socket closed.
    func closed() { die() }

    /// Stops all work for this connection (idempotent). Subclasses release their exchange
    /// subscriptions in `released()`.
    func die() {
        guard !isDead else { return }
        isDead = true
        pinger?.cancel()
        pinger = nil
        pongTimer?.cancel()
        pongTimer = nil
        forcedClose?.cancel()
        forcedClose = nil
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

    private func forceDisconnect() {
        guard !isDead else { return }
        closeNow(code: 1001, reason: "")
    }

    // MARK: Keep-alive

    private func sendPing() {
        guard !isDead else { return }
        let payload = Array(String(context.nowMillis()).utf8)
        server.ping(payload)
        guard outstandingPing == nil else { return }
        outstandingPing = payload
        pongTimer = server.eventLoop.assumeIsolated().scheduleTask(in: Self.amount(context.options.pongTimeout)) { [self] in
            guard !isDead, outstandingPing != nil else { return }
            closeNow(code: 1000, reason: "pong timeout")
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
                pongTimer?.cancel()
                pongTimer = nil
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

    /// Encodes and queues one message through the fault plan.
    func send(_ kind: OutboundKind, _ encode: (inout BinanceJSON) -> Void) {
        guard admit(kind) else { return }
        json.reset()
        encode(&json)
        frame(json.bytes)
    }

    /// A response now, or after the `delay_ms` fault (responses keep their order; pushes may
    /// overtake them).
    func sendResponse(_ encode: (inout BinanceJSON) -> Void) {
        let delay = decider.responseDelay()
        guard delay > .zero else {
            send(.response, encode)
            return
        }
        var j = BinanceJSON(capacity: 256)
        encode(&j)
        let bytes = j.bytes
        server.eventLoop.assumeIsolated().scheduleTask(in: Self.amount(delay)) { [self] in
            guard admit(.response) else { return }
            frame(bytes)
            flush()
        }
    }

    /// Applies the fault decision for the next message; false when it must not be sent
    /// (dropped, stalled, or a skipped sequence).
    func admit(_ kind: OutboundKind) -> Bool {
        guard !isDead else { return false }
        if decider.shouldForceDisconnect() {
            forceDisconnect()
            return false
        }
        switch decider.onOutboundMessage(kind: kind) {
        case .send, .corruptChecksum: return true
        case .malformed:
            frame(FaultDecider.malformedFrame)
            return true
        case .skipSequence: return false
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

    func frame(_ bytes: [UInt8]) {
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

    // MARK: Time

    /// A timestamp (µs) in the connection's unit.
    func time(_ micros: Timestamp) -> Int64 { microseconds ? micros : micros / 1_000 }

    /// Now in the connection's unit.
    func nowTime() -> Int64 { time(context.now()) }

    /// An epoch-ms value (rate-limit `retryAfter`) in the connection's unit.
    func fromMillis(_ ms: Int64) -> Int64 { microseconds ? ms * 1_000 : ms }

    static func amount(_ d: Duration) -> TimeAmount {
        let c = d.components
        return .nanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
    }

    static func micros(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000
    }
}
