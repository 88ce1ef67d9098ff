import ArgumentParser
@preconcurrency import Glibc
import HFTKit
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// `hft bench transport`: the loopback server pushes N pre-encoded ~150-byte depth updates as
/// fast as the socket takes them; (a) a discard-only raw NIO client (NIO's frame decoder, the
/// issue's receive limit), (a') a discard-only client with the engine's in-place frame reader
/// (the like-for-like limit), and (b) the full engine path (WebSocketConnection, UTF-8 check,
/// JSONValue decode, delivery with a live consumer) receive them in turn; medians are reported.
struct TransportBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Receive N frames from the loopback server: discard-only consumer vs the full engine path."
    )

    @Option(help: "Frames per run.") var frames: Int = 1_000_000
    @Option(help: "Runs per consumer (the median is reported).") var repeats: Int = 3
    @Option(help: "Engine delivery: conflate (a conflating stream with a live consumer) or callback (the sync callback only).")
    var delivery: String = "conflate"
    @Option(help: "Engine decode: json (root + member lookups) or none (transport cost alone).")
    var decode: String = "json"
    @Option(help: "Which consumers to run: both, discard or engine (for profiling one of them).")
    var consumers: String = "both"

    func run() async throws {
        guard frames > 0, repeats > 0 else { throw ValidationError("--frames and --repeats must be positive") }
        guard ["conflate", "callback"].contains(delivery) else { throw ValidationError("--delivery: conflate or callback") }
        guard ["json", "none"].contains(decode) else { throw ValidationError("--decode: json or none") }
        guard ["both", "discard", "engine"].contains(consumers) else { throw ValidationError("--consumers: both, discard or engine") }
        let server = LoopbackServer(configuration: .init(threads: 1))
        let chunkFrames = 1_000
        let chunk = BenchFrames.chunk(count: chunkFrames)
        let tail = BenchFrames.chunk(count: frames % chunkFrames)
        server.route(WebSocketRoute("/bench", onMessage: { session, m in
            guard case .text(let t) = m, t.hasPrefix("go:"), let n = Int(t.dropFirst(3)) else { return }
            Task {
                try? await session.firehose(chunk, times: n / chunkFrames)
                if n % chunkFrames > 0 { try? await session.firehose(tail, times: 1) }
            }
        }))
        try await server.start()
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = clientGroup.next()
        let url = server.webSocketURL("/bench")
        Output.human("transport bench: \(frames) frames of \(chunk.readableBytes / chunkFrames) B (wire), \(repeats) runs each")

        var discard: [Sample] = []
        var inPlace: [Sample] = []
        var engine: [Sample] = []
        do {
            for i in 0..<repeats {
                let skip = Sample(framesPerSecond: 1, processNanosPerFrame: 0, threadNanosPerFrame: 0)
                let a = consumers == "engine" ? skip : try await DiscardClient.run(port: server.port, frames: frames, loop: loop, inPlace: false)
                let a2 = consumers == "engine" ? skip : try await DiscardClient.run(port: server.port, frames: frames, loop: loop, inPlace: true)
                let b = consumers == "discard" ? skip
                    : try await EngineClient.run(url: url, frames: frames, loop: loop, conflate: delivery != "callback", decode: decode != "none")
                discard.append(a)
                inPlace.append(a2)
                engine.append(b)
                Output.human("run \(i + 1): discard \(Int(a.framesPerSecond)) frames/s (\(Int(a.threadNanosPerFrame)) ns/frame on the client thread), "
                             + "discard in place \(Int(a2.framesPerSecond)) frames/s (\(Int(a2.threadNanosPerFrame)) ns/frame), "
                             + "engine \(Int(b.framesPerSecond)) frames/s (\(Int(b.threadNanosPerFrame)) ns/frame)")
            }
        } catch {
            await server.shutdown()
            try? await clientGroup.shutdownGracefully()
            throw error
        }
        await server.shutdown()
        try await clientGroup.shutdownGracefully()

        let a = Sample.median(discard), a2 = Sample.median(inPlace), b = Sample.median(engine)
        Output.line(ordered: [
            ("type", "bench"), ("bench", "transport"), ("frames", .int(Int64(frames))),
            ("delivery", .string(delivery)), ("decode", .string(decode)),
            ("frame_bytes", .int(Int64(chunk.readableBytes / chunkFrames))), ("runs", .int(Int64(repeats))),
            ("discard_frames_per_s", .int(Int64(a.framesPerSecond))),
            ("discard_cpu_ns_per_frame", .int(Int64(a.processNanosPerFrame))),
            ("discard_client_thread_cpu_ns_per_frame", .int(Int64(a.threadNanosPerFrame))),
            ("discard_in_place_frames_per_s", .int(Int64(a2.framesPerSecond))),
            ("discard_in_place_client_thread_cpu_ns_per_frame", .int(Int64(a2.threadNanosPerFrame))),
            ("engine_frames_per_s", .int(Int64(b.framesPerSecond))),
            ("engine_cpu_ns_per_frame", .int(Int64(b.processNanosPerFrame))),
            ("engine_client_thread_cpu_ns_per_frame", .int(Int64(b.threadNanosPerFrame))),
            ("engine_conflated", .int(Int64(b.conflated))),
            ("ratio", .double((b.framesPerSecond / a.framesPerSecond * 1000).rounded() / 1000)),
            ("ratio_in_place", .double((b.framesPerSecond / a2.framesPerSecond * 1000).rounded() / 1000)),
        ])
    }
}

/// One run's figures. Process CPU (RUSAGE_SELF) includes the in-process server; the client
/// event-loop thread's CPU (RUSAGE_THREAD) is the receive cost alone.
struct Sample {
    var framesPerSecond: Double
    var processNanosPerFrame: Double
    var threadNanosPerFrame: Double
    var conflated: UInt64 = 0

    static func median(_ s: [Sample]) -> Sample {
        func mid(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        return Sample(framesPerSecond: mid(s.map(\.framesPerSecond)),
                      processNanosPerFrame: mid(s.map(\.processNanosPerFrame)),
                      threadNanosPerFrame: mid(s.map(\.threadNanosPerFrame)),
                      conflated: s.map(\.conflated).sorted()[s.count / 2])
    }
}

enum CPU {
    static func nanos(_ who: Int32) -> UInt64 {
        var ru = rusage()
        getrusage(__rusage_who_t(who), &ru)
        let us = (Int64(ru.ru_utime.tv_sec) + Int64(ru.ru_stime.tv_sec)) * 1_000_000
            + Int64(ru.ru_utime.tv_usec) + Int64(ru.ru_stime.tv_usec)
        return UInt64(us) * 1_000
    }

    /// The whole process (STACK pitfall 12: `RUSAGE_SELF.rawValue`).
    static func process() -> UInt64 { nanos(RUSAGE_SELF.rawValue) }

    /// The calling thread (Linux `RUSAGE_THREAD` = 1, not exported by Glibc's module map).
    static func thread() -> UInt64 { nanos(1) }

    static func thread(on loop: any EventLoop) async throws -> UInt64 {
        try await loop.submit { thread() }.get()
    }
}

/// Measures from "go" to the N-th frame.
struct RunClock {
    let start = MonotonicClock.nanoseconds()
    let process = CPU.process()
    let thread: UInt64

    func sample(frames: Int, threadEnd: UInt64) -> Sample {
        let wall = Double(MonotonicClock.nanoseconds() - start)
        let proc = Double(CPU.process() - process)
        let n = Double(frames)
        return Sample(framesPerSecond: n / (wall / 1e9), processNanosPerFrame: proc / n,
                      threadNanosPerFrame: Double(threadEnd - thread) / n)
    }
}

enum BenchFrames {
    /// `count` Binance-style depth updates (~150 B each), pre-encoded as server frames.
    static func chunk(count: Int) -> ByteBuffer {
        ServerFrame.batch((0..<count).map { i in
            let px = 6_679_010 + i % 97
            let cents = px % 100 < 10 ? "0\(px % 100)" : "\(px % 100)"
            let time = 1_700_000_000_000 + Int64(i)
            let head = "{\"e\":\"depthUpdate\",\"E\":\(time),\"T\":\(time - 3),\"s\":\"BTCUSDT\",\"U\":\(157 + i),\"u\":\(160 + i),"
            let bids = "\"b\":[[\"\(px / 100).\(cents)\",\"0.01000000\"]],"
            let asks = "\"a\":[[\"\(px / 100 + 1).\(cents)\",\"1.50000000\"]]}"
            return head + bids + asks
        })
    }
}

// MARK: (a) discard-only

/// A minimal raw NIO WebSocket client whose handler only counts frames: decoded by NIO's
/// `WebSocketFrameDecoder`, or read in place with the engine's `WebSocketFrameHeader`.
enum DiscardClient {
    /// Counts frames: behind NIO's decoder one read is one frame (never unwrapped); in place,
    /// frame headers are read from the raw bytes and payloads skipped, a cut frame kept for the
    /// next read.
    final class Counter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let inPlace: Bool
        private var count = 0
        private var partial: ByteBuffer?
        private let target: Int
        private let done: EventLoopPromise<UInt64>

        init(inPlace: Bool, target: Int, done: EventLoopPromise<UInt64>) {
            self.inPlace = inPlace
            self.target = target
            self.done = done
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard inPlace else { return counted() }
            var bytes = unwrapInboundIn(data)
            if var p = partial {
                partial = nil
                p.writeBuffer(&bytes)
                bytes = p
            }
            while case .frame(let h) = WebSocketFrameHeader.read(bytes, limit: 1 << 20),
                  bytes.readableBytes >= h.headerLength + h.payloadLength {
                bytes.moveReaderIndex(forwardBy: h.headerLength + h.payloadLength)
                counted()
            }
            if bytes.readableBytes > 0 { bytes.discardReadBytes(); partial = bytes }
        }

        private func counted() {
            count += 1
            if count == target { done.succeed(CPU.thread()) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.fail(ChannelError.eof)
            context.fireChannelInactive()
        }
    }

    static func run(port: Int, frames: Int, loop: any EventLoop, inPlace: Bool) async throws -> Sample {
        let done = loop.makePromise(of: UInt64.self)
        let upgraded = loop.makePromise(of: Void.self)
        let install: @Sendable (any Channel, HTTPResponseHead) -> EventLoopFuture<Void> = { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(Counter(inPlace: inPlace, target: frames, done: done))
                upgraded.succeed(())
            }
        }
        let channel = try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader: any NIOHTTPClientProtocolUpgrader = inPlace
                        ? EngineWebSocketUpgrader(upgradePipelineHandler: install)
                        : NIOWebSocketClientUpgrader(maxFrameSize: 1 << 20, automaticErrorHandling: false, upgradePipelineHandler: install)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes, withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "127.0.0.1:\(port)")
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/bench", headers: headers)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        try await upgraded.futureResult.get()

        let clock = RunClock(thread: try await CPU.thread(on: loop))
        let go = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: "go:\(frames)"))
        try await channel.writeAndFlush(go)
        let threadEnd = try await done.futureResult.get()
        let sample = clock.sample(frames: frames, threadEnd: threadEnd)
        try? await channel.close()
        return sample
    }
}

// MARK: (b) full engine path

/// What the engine path extracts per frame (two member lookups via JSONValue).
struct BookTick: Sendable {
    let symbolLength: Int
    let lastUpdateID: Int64
}

enum EngineClient {
    final class State: Sendable {
        let count = Atomic<Int>(0)
        let book: DeliveryBuffer<BookTick>
        init(loop: any EventLoop) { book = DeliveryBuffer(policy: .conflate, wakeLoop: loop) }
    }

    static func run(url: String, frames: Int, loop: any EventLoop, conflate: Bool, decode: Bool) async throws -> Sample {
        let state = State(loop: loop)
        let done = loop.makePromise(of: UInt64.self)
        var config = try WebSocketConfiguration(url: url)
        config.compression = .none
        config.maxMessageSize = 1 << 20
        let connection = try WebSocketConnection(configuration: config, eventLoop: loop) { m in
            let tick: BookTick? = !decode ? BookTick(symbolLength: 0, lastUpdateID: 0) : m.withBytes { bytes in
                // One pass over the members, stopping once both are found (as a venue codec would).
                guard let root = try? JSONValue.root(bytes) else { return nil }
                var symbol = 0
                var last: Int64?
                try? root.forEachMember { name, value in
                    if name.count == 1 && name[0] == UInt8(ascii: "s") { symbol = value.rawBytes.count }
                    if name.count == 1 && name[0] == UInt8(ascii: "u") { last = value.int64; return false }
                    return true
                }
                return last.map { BookTick(symbolLength: symbol, lastUpdateID: $0) }
            }
            if conflate, let tick { state.book.push(tick) }
            if state.count.wrappingAdd(1, ordering: .relaxed).newValue == frames { done.succeed(CPU.thread()) }
        }
        let consumer = Task {
            var last: Int64 = 0
            for await tick in state.book { last = tick.lastUpdateID }
            return last
        }
        connection.start()
        do {
            try await connection.waitUntilReady(timeout: .seconds(10))
            let clock = RunClock(thread: try await CPU.thread(on: loop))
            try await connection.send(text: "go:\(frames)")
            let threadEnd = try await done.futureResult.get()
            var sample = clock.sample(frames: frames, threadEnd: threadEnd)
            sample.conflated = state.book.droppedCount
            await connection.stop()
            state.book.finish()
            _ = await consumer.value
            return sample
        } catch {
            done.fail(error)
            await connection.stop()
            state.book.finish()
            consumer.cancel()
            throw error
        }
    }
}
