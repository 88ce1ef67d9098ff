#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import NIOWebSocket

/// Writes raw bytes below the WebSocket encoder, so the server can send pre-encoded and
/// malformed frames.
final class RawFrameWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }
}

/// The server side of one WebSocket: records inbound messages, answers pings and close, and
/// performs the session's scripted writes. Confined to the channel's event loop.
final class ServerSessionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame

    private struct Job {
        let chunk: ByteBuffer
        var remaining: Int
        let promise: EventLoopPromise<Void>
    }

    let route: WebSocketRoute
    private let raw: RawFrameWriter
    var session: ServerSession?
    var answersPings = true
    var delay: TimeAmount = .zero
    private var stalled = false
    private var closeSent = false
    private var fragmentOpcode: WebSocketOpcode?
    private var fragments = ByteBuffer()
    private var jobs = CircularBuffer<Job>()

    init(route: WebSocketRoute, raw: RawFrameWriter) {
        self.route = route
        self.raw = raw
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            if frame.fin {
                deliver(frame.opcode, frame.unmaskedData)
            } else {
                fragmentOpcode = frame.opcode
                fragments.clear()
                var d = frame.unmaskedData
                fragments.writeBuffer(&d)
            }
        case .continuation:
            guard let op = fragmentOpcode else { return }
            var d = frame.unmaskedData
            fragments.writeBuffer(&d)
            if frame.fin {
                fragmentOpcode = nil
                deliver(op, fragments)
            }
        case .ping:
            let payload = frame.unmaskedData
            notify(.ping(Array(buffer: payload)))
            if answersPings && !stalled {
                var out = ByteBuffer()
                ServerFrame.write(opcode: .pong, payload: payload, into: &out)
                writeNow(out)
            }
        case .pong:
            notify(.pong(Array(buffer: frame.unmaskedData)))
        case .connectionClose:
            var d = frame.unmaskedData
            let code = d.readableBytes >= 2 ? d.readInteger(as: UInt16.self) : nil
            let reason = d.readString(length: d.readableBytes) ?? ""
            notify(.close(code: code, reason: reason))
            if !closeSent {
                closeSent = true
                raw.context?.writeAndFlush(NIOAny(ServerFrame.close(code: code)), promise: nil)
            }
            context.close(promise: nil)
        default:
            context.close(promise: nil)
        }
    }

    private func deliver(_ opcode: WebSocketOpcode, _ data: ByteBuffer) {
        notify(opcode == .text ? .text(String(buffer: data)) : .binary(Array(buffer: data)))
    }

    private func notify(_ m: ServerInbound) {
        guard let session else { return }
        session.record(m)
        route.onMessage(session, m)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        while let job = jobs.popFirst() { job.promise.fail(ChannelError.ioOnClosedChannel) }
        if let session {
            self.session = nil
            session.didClose()
            route.onClose(session)
        }
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Outbound

    func writeFrames(_ frames: ByteBuffer) {
        guard !stalled else { return }
        if delay > .zero, let loop = raw.context?.eventLoop {
            loop.assumeIsolated().scheduleTask(in: delay) { [self] in
                if !stalled { writeNow(frames) }
            }
        } else {
            writeNow(frames)
        }
    }

    private func writeNow(_ frames: ByteBuffer) {
        raw.context?.writeAndFlush(NIOAny(frames), promise: nil)
    }

    func firehose(_ chunk: ByteBuffer, times: Int, promise: EventLoopPromise<Void>) {
        guard raw.context != nil, times > 0 else {
            if raw.context == nil { promise.fail(ChannelError.ioOnClosedChannel) } else { promise.succeed(()) }
            return
        }
        jobs.append(Job(chunk: chunk, remaining: times, promise: promise))
        if jobs.count == 1 { pump() }
    }

    private func pump() {
        guard let ctx = raw.context else { return }
        let channel = ctx.channel
        var wrote = false
        while var job = jobs.first {
            while job.remaining > 0 && channel.isWritable {
                job.remaining -= 1
                ctx.write(NIOAny(job.chunk), promise: job.remaining == 0 ? job.promise : nil)
                wrote = true
            }
            if job.remaining > 0 {
                jobs[jobs.startIndex] = job
                break
            }
            jobs.removeFirst()
        }
        if wrote { ctx.flush() }
    }

    func close(code: UInt16, reason: String) {
        guard let ctx = raw.context, !closeSent else { return }
        closeSent = true
        ctx.writeAndFlush(NIOAny(ServerFrame.close(code: code, reason: reason)), promise: nil)
        let channel = ctx.channel
        ctx.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }

    func drop(reset: Bool) {
        guard let ctx = raw.context else { return }
        if reset, let socket = ctx.channel as? any SocketOptionProvider {
            let channel = ctx.channel
            socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        ctx.close(promise: nil)
    }

    func setStalled(_ on: Bool) {
        guard let ctx = raw.context else { return }
        stalled = on
        _ = ctx.channel.setOption(ChannelOptions.autoRead, value: !on)
        if !on { ctx.read() }
    }
}
