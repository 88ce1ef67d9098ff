import NIOCore
import Synchronization

/// One accepted WebSocket connection, as seen by a simulated venue or a test. Every method is
/// safe from any thread (work hops to the session's event loop) and keeps call order.
public final class ServerSession: Sendable {
    public let id: Int
    public let request: ServerRequestHead
    public let remoteAddress: String?
    public let eventLoop: any EventLoop
    /// Everything the client sent (data, pings, pongs, close), in order; one consumer.
    public let inbound: AsyncStream<ServerInbound>

    private let continuation: AsyncStream<ServerInbound>.Continuation
    private let handler: NIOLoopBound<ServerSessionHandler>
    private let log = Mutex(Log())
    private let closedPromise: EventLoopPromise<Void>

    private struct Log {
        var messages: [ServerInbound] = []
        var pings = 0
        var closed = false
    }

    init(id: Int, request: ServerRequestHead, remoteAddress: String?, handler: ServerSessionHandler, eventLoop: any EventLoop) {
        self.id = id
        self.request = request
        self.remoteAddress = remoteAddress
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
        (inbound, continuation) = AsyncStream.makeStream(of: ServerInbound.self)
        closedPromise = eventLoop.makePromise(of: Void.self)
    }

    // MARK: Sending

    /// A text frame, or with compression a binary frame holding the compressed text.
    public func send(text: String, compression: ServerCompression = .none) {
        if compression == .none {
            sendEncoded(ServerFrame.text(text))
        } else {
            send(binary: compression.compress(text))
        }
    }

    public func send(binary: ByteBuffer) {
        var out = ByteBuffer()
        ServerFrame.write(opcode: .binary, payload: binary, into: &out)
        sendEncoded(out)
    }

    public func send(binary: [UInt8], compression: ServerCompression = .none) {
        send(binary: compression.compress(ByteBuffer(bytes: binary)))
    }

    /// Pre-encoded frames (see `ServerFrame`), written and flushed as one write.
    public func sendEncoded(_ frames: ByteBuffer) {
        onLoop { $0.writeFrames(frames) }
    }

    /// Writes `chunk` (pre-encoded frames) `times` times as fast as the socket takes it, flushing
    /// once per writable burst and pausing while the channel is not writable (bounded memory).
    /// Returns when the last byte was handed to the socket.
    public func firehose(_ chunk: ByteBuffer, times: Int) async throws {
        let promise = eventLoop.makePromise(of: Void.self)
        onLoop { $0.firehose(chunk, times: times, promise: promise) }
        try await promise.futureResult.get()
    }

    /// `text` split into frames of `fragmentSize` bytes (text + continuations).
    public func sendFragmented(text: String, fragmentSize: Int) {
        let bytes = Array(text.utf8)
        var out = ByteBuffer()
        var i = 0
        repeat {
            let end = min(bytes.count, i + max(1, fragmentSize))
            bytes[i..<end].withUnsafeBytes {
                ServerFrame.write(opcode: i == 0 ? .text : .continuation, payload: $0, fin: end == bytes.count, into: &out)
            }
            i = end
        } while i < bytes.count
        sendEncoded(out)
    }

    /// A text frame whose payload is not UTF-8.
    public func sendInvalidUTF8() {
        var out = ByteBuffer()
        let bad: [UInt8] = [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]  // {"a":"\xC3("}
        bad.withUnsafeBytes { ServerFrame.write(opcode: .text, payload: $0, into: &out) }
        sendEncoded(out)
    }

    public func sendMalformed(_ kind: ServerFrame.Malformed) {
        sendEncoded(ServerFrame.malformed(kind))
    }

    public func ping(_ payload: [UInt8] = []) {
        var out = ByteBuffer()
        payload.withUnsafeBytes { ServerFrame.write(opcode: .ping, payload: $0, into: &out) }
        sendEncoded(out)
    }

    // MARK: Scripted behaviour

    /// Close handshake with `code`; the socket closes when the client answers (or after 2 s).
    public func close(code: UInt16 = 1000, reason: String = "") {
        onLoop { $0.close(code: code, reason: reason) }
    }

    /// Closes the socket without a close frame; with `reset`, sends a TCP RST.
    public func drop(reset: Bool = false) {
        onLoop { $0.drop(reset: reset) }
    }

    /// Stops reading and sending (pings go unanswered, sends are discarded) but keeps the socket.
    public func stall() { onLoop { $0.setStalled(true) } }
    public func resume() { onLoop { $0.setStalled(false) } }

    /// Whether protocol pings get a pong (default true).
    public func setAnswersPings(_ on: Bool) { onLoop { $0.answersPings = on } }

    /// Delays every later `send…` (not `firehose`) by `delay`, keeping their order.
    public func setResponseDelay(_ delay: Duration) {
        let ns = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        onLoop { $0.delay = .nanoseconds(ns) }
    }

    // MARK: Observation

    /// Data messages (text and binary) received so far.
    public var receivedMessages: [ServerInbound] { log.withLock { $0.messages } }
    /// Text messages received so far.
    public var receivedTexts: [String] { receivedMessages.compactMap(\.text) }
    public var pingCount: Int { log.withLock { $0.pings } }
    public var isClosed: Bool { log.withLock { $0.closed } }

    /// Returns when the socket is closed.
    public func waitClosed() async {
        try? await closedPromise.futureResult.get()
    }

    // MARK: Internal

    func record(_ m: ServerInbound) {
        log.withLock { l in
            switch m {
            case .text, .binary: l.messages.append(m)
            case .ping: l.pings += 1
            default: break
            }
        }
        continuation.yield(m)
    }

    func didClose() {
        log.withLock { $0.closed = true }
        continuation.finish()
        closedPromise.succeed(())
    }

    private func onLoop(_ body: @escaping @Sendable (ServerSessionHandler) -> Void) {
        if eventLoop.inEventLoop { body(handler.value) } else {
            eventLoop.execute { [handler] in body(handler.value) }
        }
    }
}
