import HFTCore
import NIOCore

/// The fault plan's verdict on one outbound message.
enum SimAdmission: Equatable {
    case send
    /// A `corruptChecksum` verdict: the venue corrupts the message, sends it as is, or loses it.
    case corrupt
    /// Not sent (dead connection, skipped sequence, drop, stall, forced disconnect).
    case lose
}

/// The outbound path and close rules the WebSocket front-ends share: frames batched in a
/// `SimOutbox`, the fault plan applied to every message, delayed responses, and closing.
/// Sessions are confined to their connection's event loop, and so is everything here.
protocol SimWireSession: AnyObject {
    var server: ServerSession { get }
    var decider: FaultDecider { get set }
    var isDead: Bool { get }
    var outbox: SimOutbox { get set }
    /// Stops all work for the connection (idempotent).
    func die()
    /// Queues one encoded message as one frame (default: text).
    func frame(_ bytes: [UInt8])
}

extension SimWireSession {
    func frame(_ bytes: [UInt8]) { frameText(bytes) }

    func frameText(_ bytes: [UInt8]) {
        outbox.text(bytes)
        if outbox.isFull { flush() }
    }

    func frameBinary(_ payload: ByteBuffer) {
        outbox.binary(payload)
        if outbox.isFull { flush() }
    }

    /// Writes everything queued as one write.
    func flush() { outbox.flush(to: server) }

    /// Flushes what is queued, then closes with a close frame.
    func close(code: UInt16, reason: String = "") {
        guard !isDead else { return }
        flush()
        die()
        server.close(code: code, reason: reason)
    }

    /// The fault decision for the next message of `kind`; drops, stalls, malformed frames and
    /// the forced disconnect happen here. Skipped sequences lose the message.
    func admission(_ kind: OutboundKind) -> SimAdmission {
        guard !isDead else { return .lose }
        if decider.shouldForceDisconnect() {
            // A plan changed at runtime: the deadline may have passed without the timer.
            close(code: 1001)
            return .lose
        }
        switch decider.onOutboundMessage(kind: kind) {
        case .send: return .send
        case .corruptChecksum: return .corrupt
        case .skipSequence: return .lose
        case .malformed:
            frame(FaultDecider.malformedFrame)
            return .send
        case .dropConnection:
            flush()
            die()
            server.drop()
            return .lose
        case .stall:
            flush()
            die()
            server.stall()
            return .lose
        }
    }

    /// Encodes one message with the scratch writer and queues it (call once admitted).
    func encodeFrame(_ encode: (inout KrakenJSON) -> Void) {
        outbox.json.reset()
        encode(&outbox.json)
        frame(outbox.json.bytes)
    }

    /// A response now, or after the `delay_ms` fault (in order; pushes may overtake it).
    /// Responses are never books, so never corrupted.
    func sendResponse(_ write: (inout KrakenJSON) -> Void) {
        let delay = decider.responseDelay()
        guard delay > .zero else {
            guard admission(.response) != .lose else { return }
            return encodeFrame(write)
        }
        var j = KrakenJSON(capacity: 256)
        write(&j)
        let bytes = j.bytes
        server.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { [self] in
            guard admission(.response) != .lose else { return }
            frame(bytes)
            flush()
        }
    }

    /// Runs `body` on the session's event loop after `micros` µs unless the session died.
    @discardableResult
    func after(micros: Int64, _ body: @escaping () -> Void) -> Scheduled<Void> {
        server.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(micros)) { [self] in
            guard !isDead else { return }
            body()
        }
    }

    /// Closes with 1001 after `maxAge` µs or at the fault plan's forced disconnect, whichever
    /// comes first (nil: neither applies).
    func scheduleAgeLimit(maxAge: Int64?, now: Timestamp) -> Scheduled<Void>? {
        var age = maxAge
        if let deadline = decider.forcedDisconnectDeadline() {
            let d = max(0, deadline - now)
            age = min(age ?? d, d)
        }
        guard let age else { return nil }
        return after(micros: age) { [self] in close(code: 1001) }
    }
}

extension SimWireSession where Self: SimFrontEndSession {
    /// The socket closed: stop everything.
    func closed() { die() }
}

extension SimWireSession where Self: SimFrontEndSession, Self.Handled == Self {
    /// Runs `tick` with the session every `period` (first after one period) until cancelled.
    func repeating(every period: TimeAmount, _ tick: @escaping @Sendable (Self) -> Void) -> RepeatedTask {
        server.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { [weak connection] _ in
            connection?.withSession(tick)
        }
    }
}
