import HFTCore
import NIOCore
import NIOWebSocket

/// The per-channel WebSocket engine, on the event loop: frame reading, reassembly, UTF-8 check, inflate, control
/// frames, close handshake, keep-alive timers; then routing (server ping → app pong → pending
/// request → user). One instance per socket; state shared across reconnects lives in `ConnectionCore`.
final class WebSocketFrameHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    private let core: ConnectionCore
    private let settings: ConnectionSettings
    private let inflater: PayloadInflater?
    private let serverPing: ServerPingReply?
    private let appPing: AppPing?
    private var context: ChannelHandlerContext?

    // Reassembly.
    private var partial: ByteBuffer?
    private var fragmentKind: InboundMessage.Kind?
    private var fragments: ByteBuffer?

    // Timing: one clock read per socket read.
    private var batchStamp: UInt64 = 0
    private(set) var lastInbound: UInt64 = MonotonicClock.nanoseconds()

    // Keep-alive.
    private var timers: [Slot: Scheduled<Void>] = [:]
    private var protocolPingSeq: UInt64 = 0
    private var protocolPongPending: UInt64?
    private var protocolPingSentAt: UInt64 = 0
    private var appPingSeq: UInt64 = 0
    private var appPingOutstanding = false
    private var appPingSentAt: UInt64 = 0
    private var probeSentAt: UInt64?

    // Closing.
    private(set) var isOpen = false
    private var closeSent = false
    private var finished = false
    private var failed = false
    private var reason: DisconnectReason?
    private let closedPromise: EventLoopPromise<DisconnectReason>
    private var maskState: UInt64

    /// Completes with the reason when the channel is gone.
    var closed: EventLoopFuture<DisconnectReason> { closedPromise.futureResult }

    init(core: ConnectionCore, settings: ConnectionSettings, eventLoop: any EventLoop) {
        self.core = core
        self.settings = settings
        self.inflater = settings.compression == .none ? nil
            : PayloadInflater(mode: settings.compression, limit: settings.maxMessageSize)
        self.serverPing = settings.keepAlive.serverPing
        self.appPing = settings.keepAlive.appPing
        self.closedPromise = eventLoop.makePromise(of: DisconnectReason.self)
        self.maskState = UInt64.random(in: 1...UInt64.max)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        isOpen = context.channel.isActive
        lastInbound = MonotonicClock.nanoseconds()
        startTimers(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        isOpen = false
        for t in timers.values { t.cancel() }
        timers.removeAll()
        let r = reason ?? .connectionLost
        reason = r
        core.channelClosed(self, reason: r)
        closedPromise.succeed(r)
    }

    // MARK: Inbound

    /// Raw bytes after the upgrade: frames are read in place; a frame cut by the end of a read
    /// waits in `partial` for the rest.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }  // the connection is being failed: ignore the rest
        if batchStamp == 0 { batchStamp = MonotonicClock.nanoseconds() }
        var bytes = unwrapInboundIn(data)
        if partial != nil, !completePartial(&bytes, context: context) { return }
        let limit = settings.maxMessageSize
        while !failed {
            switch WebSocketFrameHeader.read(bytes, limit: limit) {
            case .needMore:
                return keepPartial(bytes)
            case .invalid(let why, let oversized):
                if let oversized { return fail(.oversizedMessage(size: oversized, limit: limit), code: .messageTooLarge) }
                return protocolError(why)
            case .frame(let h):
                guard bytes.readableBytes >= h.headerLength + h.payloadLength else { return keepPartial(bytes) }
                bytes.moveReaderIndex(forwardBy: h.headerLength)
                let payload = bytes.readSlice(length: h.payloadLength)!
                frame(h, payload, context: context)
            }
        }
    }

    /// Completes the frame cut by the previous read with just the bytes it still needs (the rest
    /// of this read is then read in place); false when this read did not complete it.
    private func completePartial(_ bytes: inout ByteBuffer, context: ChannelHandlerContext) -> Bool {
        guard var p = partial else { return true }
        partial = nil  // keep `p` uniquely referenced while appending
        let limit = settings.maxMessageSize
        while true {
            switch WebSocketFrameHeader.read(p, limit: limit) {
            case .needMore:
                // The header itself was cut: move one byte at a time (at most 13).
                guard var one = bytes.readSlice(length: 1) else { partial = p; return false }
                p.writeBuffer(&one)
            case .invalid(let why, let oversized):
                if let oversized { fail(.oversizedMessage(size: oversized, limit: limit), code: .messageTooLarge) } else { protocolError(why) }
                return false
            case .frame(let h):
                let need = h.headerLength + h.payloadLength - p.readableBytes
                guard bytes.readableBytes >= need else {
                    p.writeBuffer(&bytes)
                    partial = p
                    return false
                }
                var piece = bytes.readSlice(length: need)!
                p.writeBuffer(&piece)
                p.moveReaderIndex(forwardBy: h.headerLength)
                frame(h, p.readSlice(length: h.payloadLength)!, context: context)
                return !failed
            }
        }
    }

    private func keepPartial(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        var rest = bytes
        rest.discardReadBytes()
        partial = rest
    }

    @inline(__always)
    private func frame(_ h: WebSocketFrameHeader, _ payload: ByteBuffer, context: ChannelHandlerContext) {
        switch h.opcode {
        case .text, .binary:
            guard fragmentKind == nil else { return protocolError("new message inside a fragmented one") }
            let kind: InboundMessage.Kind = h.opcode == .text ? .text : .binary
            if h.fin {
                message(kind, payload)
            } else {
                fragmentKind = kind
                var buf = fragments ?? context.channel.allocator.buffer(capacity: payload.readableBytes * 2)
                buf.clear()
                var d = payload
                buf.writeBuffer(&d)
                fragments = buf
            }
        case .continuation:
            guard let kind = fragmentKind, var buf = fragments else { return protocolError("continuation without a message") }
            fragments = nil  // keep `buf` uniquely referenced while appending
            guard buf.readableBytes + payload.readableBytes <= settings.maxMessageSize else {
                return fail(.oversizedMessage(size: buf.readableBytes + payload.readableBytes, limit: settings.maxMessageSize),
                            code: .messageTooLarge)
            }
            var d = payload
            buf.writeBuffer(&d)
            if h.fin {
                fragmentKind = nil
                message(kind, buf)
                buf.clear()
            }
            fragments = buf
        case .ping:
            write(WebSocketFrame(fin: true, opcode: .pong, maskKey: nextMask(), data: payload), flush: true)
        case .pong:
            protocolPongPending = nil
        case .close:
            receivedClose(payload)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lastInbound = batchStamp != 0 ? batchStamp : MonotonicClock.nanoseconds()
        batchStamp = 0
        context.fireChannelReadComplete()
    }

    /// One complete data message.
    @inline(__always)
    private func message(_ kind: InboundMessage.Kind, _ payload: ByteBuffer) {
        var data = payload
        if kind == .text {
            if settings.validateUTF8 && !data.withUnsafeReadableBytes({ UTF8Validation.isValid($0) }) {
                core.emit(.error(.invalidUTF8))
                return
            }
        } else if let inflater {
            do {
                data = try inflater.inflate(data)
            } catch {
                if case .oversizedMessage = error { return fail(error, code: .messageTooLarge) }
                core.emit(.error(error))
                return
            }
        }
        route(InboundMessage(kind: kind, data: data, receivedAt: batchStamp))
    }

    @inline(__always)
    private func route(_ m: InboundMessage) {
        if let serverPing, let reply = m.withBytes(serverPing.reply) {
            core.messageWindow?.charge()
            sendText(reply)
            return
        }
        if appPingOutstanding, let appPing, m.withBytes(appPing.isPong) {
            appPingOutstanding = false
            return
        }
        if core.tracker.hasPending, let id = m.withBytes({ core.hooks.responseID($0) }), core.tracker.complete(id: id, message: m) {
            return
        }
        core.deliver(m)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is IOError {
            // Reset or broken pipe: the peer is gone, which is a lost connection, not a bug.
            if reason == nil { reason = .connectionLost }
        } else {
            let mapped = TransportErrors.map(error)
            if reason == nil { reason = .failed(mapped) }
            core.emit(.error(mapped))
        }
        context.close(promise: nil)
    }

    // MARK: Outbound

    func sendText(_ text: String, promise: EventLoopPromise<Void>? = nil) {
        guard let context, isOpen, !closeSent else { promise?.fail(HFTError.notConnected); return }
        let buf = context.channel.allocator.buffer(string: text)
        write(WebSocketFrame(fin: true, opcode: .text, maskKey: nextMask(), data: buf), flush: true, promise: promise)
    }

    func send(_ m: OutboundMessage, promise: EventLoopPromise<Void>?) {
        switch m {
        case .text(let s): sendText(s, promise: promise)
        case .binary(let bytes):
            guard let context, isOpen, !closeSent else { promise?.fail(HFTError.notConnected); return }
            let buf = context.channel.allocator.buffer(bytes: bytes)
            write(WebSocketFrame(fin: true, opcode: .binary, maskKey: nextMask(), data: buf), flush: true, promise: promise)
        }
    }

    func sendProtocolPing() {
        guard let context, isOpen, !closeSent else { return }
        protocolPingSeq &+= 1
        var buf = context.channel.allocator.buffer(capacity: 8)
        buf.writeInteger(protocolPingSeq)
        if protocolPongPending == nil {
            protocolPongPending = protocolPingSeq
            protocolPingSentAt = MonotonicClock.nanoseconds()
        }
        write(WebSocketFrame(fin: true, opcode: .ping, maskKey: nextMask(), data: buf), flush: true)
    }

    private func sendAppPing() {
        guard let appPing else { return }
        appPingSeq &+= 1
        appPingOutstanding = true
        appPingSentAt = MonotonicClock.nanoseconds()
        core.messageWindow?.charge()
        sendText(appPing.makePing(RequestIDGenerator.next()))
    }

    private func write(_ frame: WebSocketFrame, flush: Bool, promise: EventLoopPromise<Void>? = nil) {
        guard let context else { promise?.fail(HFTError.notConnected); return }
        if flush { context.writeAndFlush(wrapOutboundOut(frame), promise: promise) }
        else { context.write(wrapOutboundOut(frame), promise: promise) }
    }

    /// Client frames must be masked; the key only defeats proxy cache poisoning, so a cheap
    /// xorshift is enough.
    private func nextMask() -> WebSocketMaskingKey {
        maskState ^= maskState << 13
        maskState ^= maskState >> 7
        maskState ^= maskState << 17
        let v = UInt32(truncatingIfNeeded: maskState)
        return WebSocketMaskingKey([UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)])!
    }

    // MARK: Closing

    /// Starts the close handshake; the socket is closed when the peer answers or after `closeTimeout`.
    func close(code: WebSocketErrorCode, text: String = "", reason r: DisconnectReason) {
        guard let context, isOpen else { return }
        if reason == nil { reason = r }
        guard !closeSent else { return }
        closeSent = true
        var buf = context.channel.allocator.buffer(capacity: 2 + text.utf8.count)
        buf.write(webSocketErrorCode: code)
        buf.writeString(String(decoding: text.utf8.prefix(123), as: UTF8.self))  // control frames ≤ 125 bytes
        write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: nextMask(), data: buf), flush: true)
        timers[.close] = context.eventLoop.assumeIsolated().scheduleTask(in: settings.closeTimeout.timeAmount) { [self] in
            self.context?.close(promise: nil)
        }
    }

    private func receivedClose(_ payload: ByteBuffer) {
        guard let context else { return }
        var data = payload
        var code: UInt16?
        var text = ""
        if data.readableBytes == 1 { return protocolError("close frame with a 1-byte payload") }
        if data.readableBytes >= 2 {
            code = data.readInteger(as: UInt16.self)
            text = data.readString(length: data.readableBytes) ?? ""
        }
        if reason == nil { reason = .closedByPeer(code: code, reason: text) }
        if !closeSent {
            closeSent = true
            var buf = context.channel.allocator.buffer(capacity: 2)
            if let code { buf.writeInteger(code) }
            let echo = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: nextMask(), data: buf)
            context.writeAndFlush(wrapOutboundOut(echo)).assumeIsolated().whenComplete { [self] _ in
                self.context?.close(promise: nil)
            }
        } else {
            context.close(promise: nil)
        }
    }

    /// Fails the connection: report, send a close frame with `code`, close the socket.
    private func fail(_ error: HFTError, code: WebSocketErrorCode) {
        guard let context, isOpen, !failed else { return }
        failed = true
        core.emit(.error(error))
        if reason == nil { reason = .failed(error) }
        fragmentKind = nil
        fragments = nil
        partial = nil
        if !closeSent {
            closeSent = true
            var buf = context.channel.allocator.buffer(capacity: 2)
            buf.write(webSocketErrorCode: code)
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: nextMask(), data: buf)
            context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { [self] _ in
                self.context?.close(promise: nil)
            }
        } else {
            context.close(promise: nil)
        }
    }

    private func protocolError(_ what: String) {
        fail(.malformedFrame(what), code: .protocolError)
    }

    // MARK: Keep-alive

    private enum Slot: Hashable { case protocolPing, protocolPong, appPing, appPong, stall, age, close }

    private func startTimers(context: ChannelHandlerContext) {
        let ka = settings.keepAlive
        if let every = ka.protocolPingInterval {
            repeatEvery(every, slot: .protocolPing) { [self] in
                let now = MonotonicClock.nanoseconds()
                if protocolPongPending != nil {
                    if now - protocolPingSentAt >= UInt64(ka.protocolPongTimeout.nanoseconds) {
                        fail(.stalled(seconds: ka.protocolPongTimeout.seconds), code: .goingAway)
                    }
                    return
                }
                sendProtocolPing()
                let seq = protocolPingSeq
                after(ka.protocolPongTimeout, slot: .protocolPong) { [self] in
                    if protocolPongPending == seq { fail(.stalled(seconds: ka.protocolPongTimeout.seconds), code: .goingAway) }
                }
            }
        }
        if let app = appPing {
            repeatEvery(app.interval, slot: .appPing) { [self] in
                if appPingOutstanding {
                    if MonotonicClock.nanoseconds() - appPingSentAt >= UInt64(app.timeout.nanoseconds) {
                        fail(.stalled(seconds: app.timeout.seconds), code: .goingAway)
                    }
                    return
                }
                sendAppPing()
                let seq = appPingSeq
                after(app.timeout, slot: .appPong) { [self] in
                    if appPingOutstanding && appPingSeq == seq { fail(.stalled(seconds: app.timeout.seconds), code: .goingAway) }
                }
            }
        }
        if let stall = ka.stall {
            let tick = Duration.nanoseconds(max(1_000_000, min(stall.silence.nanoseconds, stall.probeTimeout.nanoseconds) / 4))
            repeatEvery(tick, slot: .stall) { [self] in checkStall(stall) }
        }
        if let age = settings.maxConnectionAge {
            after(age, slot: .age) { [self] in close(code: .normalClosure, reason: .requested("maximum connection age reached")) }
        }
    }

    private func checkStall(_ stall: StallDetection) {
        let now = MonotonicClock.nanoseconds()
        if let sent = probeSentAt {
            if lastInbound > sent { probeSentAt = nil; return }
            if now - sent >= UInt64(stall.probeTimeout.nanoseconds) {
                fail(.stalled(seconds: Double(now - lastInbound) / 1e9), code: .goingAway)
            }
            return
        }
        guard now > lastInbound, now - lastInbound >= UInt64(stall.silence.nanoseconds) else { return }
        probeSentAt = now
        switch stall.probe {
        case .protocolPing: sendProtocolPing()
        case .appPing: if appPing != nil { sendAppPing() } else { sendProtocolPing() }
        }
    }

    private func repeatEvery(_ interval: Duration, slot: Slot, _ body: @escaping () -> Void) {
        after(interval, slot: slot) { [self] in
            body()
            if isOpen { repeatEvery(interval, slot: slot, body) }
        }
    }

    private func after(_ delay: Duration, slot: Slot, _ body: @escaping () -> Void) {
        guard let context, isOpen else { return }
        timers[slot] = context.eventLoop.assumeIsolated().scheduleTask(in: delay.timeAmount) { [self] in
            timers[slot] = nil
            guard isOpen else { return }
            body()
        }
    }
}
