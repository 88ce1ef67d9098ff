import HFTCore
@testable import HFTSimulator
import NIOCore
import NIOPosix
import Synchronization
import Testing

// A tiny client for the Kraken simulator's wire contract, on raw NIO sockets: it writes the
// HTTP upgrade and masked frames itself and parses server frames byte by byte, so nothing of
// HFTTransport or the Kraken client codec is involved.

struct KrakenWaitTimeout: Error, CustomStringConvertible {
    let what: String
    let seen: String
    var description: String { "timed out waiting for \(what); seen: \(seen)" }
}

/// Values recorded from callbacks; tests await conditions over them with a deadline.
final class KrakenRecorder<T: Sendable>: Sendable {
    private struct Waiter {
        let predicate: @Sendable ([T]) -> Bool
        let continuation: CheckedContinuation<[T], any Error>
    }
    private struct State {
        var items: [T] = []
        var waiters: [Int: Waiter] = [:]
        var next = 0
    }
    private let state = Mutex(State())

    func append(_ value: T) {
        let ready: [(CheckedContinuation<[T], any Error>, [T])] = state.withLock { s in
            s.items.append(value)
            var out: [(CheckedContinuation<[T], any Error>, [T])] = []
            for (id, w) in s.waiters where w.predicate(s.items) {
                out.append((w.continuation, s.items))
                s.waiters[id] = nil
            }
            return out
        }
        for (c, items) in ready { c.resume(returning: items) }
    }

    var items: [T] { state.withLock { $0.items } }

    @discardableResult
    func wait(_ what: String, timeout: Duration = .seconds(20), until predicate: @escaping @Sendable ([T]) -> Bool) async throws -> [T] {
        let id = state.withLock { s -> Int in s.next += 1; return s.next }
        let timer = Task {
            try await Task.sleep(for: timeout)
            let w = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            w?.continuation.resume(throwing: KrakenWaitTimeout(what: what, seen: "\(self.items.suffix(12))"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { c in
            let now: [T]? = state.withLock { s in
                if predicate(s.items) { return s.items }
                s.waiters[id] = Waiter(predicate: predicate, continuation: c)
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }
}

/// `ws://host:port/path` or `http://host:port[/path]` → parts.
func splitURL(_ url: String) -> (host: String, port: Int, path: String) {
    let rest = url.split(separator: "://", maxSplits: 1)[1]
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    let hostPort = rest[..<slash].split(separator: ":")
    let path = slash == rest.endIndex ? "/" : String(rest[slash...])
    return (String(hostPort[0]), Int(hostPort[1])!, path)
}

// MARK: WebSocket

/// A WebSocket client connection: texts received in order, and lifecycle events
/// (`close:<code>` when a close frame arrives, `closed` when the socket closes).
final class RawWebSocket: Sendable {
    let channel: any Channel
    let texts: KrakenRecorder<String>
    let events: KrakenRecorder<String>
    /// How many texts `next` has handed out.
    private let cursor = Mutex(0)

    private init(channel: any Channel, texts: KrakenRecorder<String>, events: KrakenRecorder<String>) {
        self.channel = channel
        self.texts = texts
        self.events = events
    }

    static func connect(_ url: String) async throws -> RawWebSocket {
        let (host, port, path) = splitURL(url)
        let handshake = KrakenRecorder<Bool>()
        let texts = KrakenRecorder<String>()
        let events = KrakenRecorder<String>()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(
                        RawWebSocketHandler(host: host, port: port, path: path, handshake: handshake, texts: texts, events: events))
                }
            }
            .connect(host: host, port: port).get()
        try await handshake.wait("upgrade", timeout: .seconds(5)) { !$0.isEmpty }
        guard handshake.items.first == true else { throw KrakenWaitTimeout(what: "101 Switching Protocols", seen: "refused") }
        return RawWebSocket(channel: channel, texts: texts, events: events)
    }

    /// Texts already handed out by `next`.
    var consumed: Int { cursor.withLock { $0 } }

    func send(_ text: String) {
        channel.writeAndFlush(Self.maskedFrame(opcode: 0x1, Array(text.utf8)), promise: nil)
    }

    /// Sends a close frame; the server answers and closes.
    func close() {
        channel.writeAndFlush(Self.maskedFrame(opcode: 0x8, [0x03, 0xE8]), promise: nil)
    }

    func disconnect() async { try? await channel.close() }

    /// The next text after those already taken by `next`.
    func next(timeout: Duration = .seconds(20)) async throws -> String {
        let i = cursor.withLock { c -> Int in defer { c += 1 }; return c }
        return try await texts.wait("message #\(i + 1)", timeout: timeout) { $0.count > i }[i]
    }

    /// The next text matching `predicate` (skipping others, e.g. heartbeats).
    func next(timeout: Duration = .seconds(20), where predicate: @escaping @Sendable (TJ) -> Bool) async throws -> TJ {
        let start = cursor.withLock { $0 }
        let all = try await texts.wait("a matching message", timeout: timeout) { items in
            items.dropFirst(start).contains { predicate(TJ.parse($0)) }
        }
        let i = all.indices.dropFirst(start).first { predicate(TJ.parse(all[$0])) }!
        cursor.withLock { $0 = i + 1 }
        return TJ.parse(all[i])
    }

    /// Texts received so far that match, parsed.
    func received(where predicate: (TJ) -> Bool) -> [TJ] { texts.items.map(TJ.parse).filter(predicate) }

    func waitClosed(timeout: Duration = .seconds(20)) async throws {
        try await events.wait("socket closed", timeout: timeout) { $0.contains("closed") }
    }

    static func maskedFrame(opcode: UInt8, _ payload: [UInt8]) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeInteger(0x80 | opcode)
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        if payload.count < 126 {
            out.writeInteger(UInt8(0x80 | payload.count))
        } else if payload.count <= 0xFFFF {
            out.writeInteger(UInt8(0x80 | 126))
            out.writeInteger(UInt16(payload.count))
        } else {
            out.writeInteger(UInt8(0x80 | 127))
            out.writeInteger(UInt64(payload.count))
        }
        out.writeBytes(mask)
        out.writeBytes(payload.enumerated().map { $0.element ^ mask[$0.offset % 4] })
        return out
    }
}

/// Writes the upgrade request, checks the 101, then parses server frames (unmasked).
final class RawWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let host: String, port: Int, path: String
    let handshake: KrakenRecorder<Bool>
    let texts: KrakenRecorder<String>
    let events: KrakenRecorder<String>
    private var buffer = ByteBuffer()
    private var upgraded = false
    private var fragments: [UInt8] = []

    init(host: String, port: Int, path: String, handshake: KrakenRecorder<Bool>, texts: KrakenRecorder<String>,
         events: KrakenRecorder<String>) {
        self.host = host
        self.port = port
        self.path = path
        self.handshake = handshake
        self.texts = texts
        self.events = events
    }

    func channelActive(context: ChannelHandlerContext) {
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var b = unwrapInboundIn(data)
        buffer.writeBuffer(&b)
        if !upgraded {
            let bytes = Array(buffer.readableBytesView)
            guard let end = bytes.indices.dropLast(3).first(where: {
                bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
            }) else { return }
            let head = String(decoding: bytes[..<end], as: UTF8.self)
            buffer.moveReaderIndex(forwardBy: end + 4)
            upgraded = true
            handshake.append(head.hasPrefix("HTTP/1.1 101"))
        }
        parseFrames(context: context)
    }

    private func parseFrames(context: ChannelHandlerContext) {
        while buffer.readableBytes >= 2 {
            let view = buffer.readableBytesView
            let b0 = view[view.startIndex], b1 = view[view.startIndex + 1]
            var header = 2
            var length = Int(b1 & 0x7F)
            if length == 126 {
                guard buffer.readableBytes >= 4 else { return }
                length = Int(buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self)!)
                header = 4
            } else if length == 127 {
                guard buffer.readableBytes >= 10 else { return }
                length = Int(buffer.getInteger(at: buffer.readerIndex + 2, as: UInt64.self)!)
                header = 10
            }
            if b1 & 0x80 != 0 { header += 4 }  // a masked server frame (a fault): payload kept as is
            guard buffer.readableBytes >= header + length else { return }
            buffer.moveReaderIndex(forwardBy: header)
            let payload = buffer.readBytes(length: length)!
            let fin = b0 & 0x80 != 0
            switch b0 & 0x0F {
            case 0x1, 0x0:
                fragments.append(contentsOf: payload)
                if fin {
                    texts.append(String(decoding: fragments, as: UTF8.self))
                    fragments.removeAll()
                }
            case 0x2:
                // Binary frames: each one zlib (DigiFinex) or gzip (BGE) stream, recorded as its text.
                events.append("binary")
                texts.append(payload.starts(with: [0x1F, 0x8B]) ? gzipFrameText(payload) : zlibFrameText(payload))
            case 0x8:
                let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : 0
                events.append("close:\(code)")
                // Answer the close handshake; the server then closes the socket.
                context.writeAndFlush(wrapOutboundOut(RawWebSocket.maskedFrame(opcode: 0x8, Array(payload.prefix(2)))), promise: nil)
            case 0x9:
                context.writeAndFlush(wrapOutboundOut(RawWebSocket.maskedFrame(opcode: 0xA, payload)), promise: nil)
            default:
                events.append("opcode:\(b0 & 0x0F)")
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !upgraded { handshake.append(false) }
        events.append("closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

// MARK: HTTP

/// One HTTP/1.1 request with `Connection: close`; returns the status and the body.
func rawHTTP(_ method: String, _ url: String, headers: [(String, String)] = [], body: String = "") async throws -> (status: Int, body: String) {
    let (host, port, path) = splitURL(url)
    let received = KrakenRecorder<[UInt8]>()
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { ch in
            ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(RawHTTPHandler(received: received)) }
        }
        .connect(host: host, port: port).get()
    var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
    for (k, v) in headers { request += "\(k): \(v)\r\n" }
    request += "\r\n" + body
    try await channel.writeAndFlush(ByteBuffer(string: request))
    let all = try await received.wait("HTTP response", timeout: .seconds(10)) { $0.contains([]) }
    let bytes = all.dropLast().flatMap { $0 }
    let text = String(decoding: bytes, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw KrakenWaitTimeout(what: "HTTP head", seen: text) }
    let status = Int(text.split(separator: " ")[1]) ?? 0
    return (status, String(text[split.upperBound...]))
}

/// Collects response bytes; an empty chunk marks the end.
final class RawHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let received: KrakenRecorder<[UInt8]>
    init(received: KrakenRecorder<[UInt8]>) { self.received = received }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let b = unwrapInboundIn(data)
        if b.readableBytes > 0 { received.append(Array(b.readableBytesView)) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        received.append([])
        context.fireChannelInactive()
    }
}

// MARK: JSON

/// A parsed JSON value that keeps key order and numbers as their raw text (trailing zeros
/// matter for Kraken's checksum).
indirect enum TJ: Sendable, CustomStringConvertible {
    case object([(String, TJ)])
    case array([TJ])
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case invalid(String)

    static func parse(_ text: String) -> TJ {
        var t = text
        return t.withUTF8 { buf in
            guard let v = try? JSONValue.parse(UnsafeRawBufferPointer(buf)) else { return .invalid(text) }
            return convert(v)
        }
    }

    private static func convert(_ v: JSONValue) -> TJ {
        switch v.kind {
        case .object:
            var members: [(String, TJ)] = []
            try? v.forEachMember { name, value in
                members.append((JSONValue.unescape(name), convert(value)))
                return true
            }
            return .object(members)
        case .array:
            var items: [TJ] = []
            try? v.forEachElement { items.append(convert($0)); return true }
            return .array(items)
        case .string: return .string(v.string ?? "")
        case .number: return .number(v.text ?? "")
        case .bool: return .bool(v.bool ?? false)
        case .null: return .null
        }
    }

    subscript(_ key: String) -> TJ {
        if case .object(let m) = self { return m.first { $0.0 == key }?.1 ?? .null }
        return .null
    }

    subscript(_ i: Int) -> TJ {
        if case .array(let a) = self, a.indices.contains(i) { return a[i] }
        return .null
    }

    var keys: [String] { if case .object(let m) = self { m.map(\.0) } else { [] } }
    var array: [TJ] { if case .array(let a) = self { a } else { [] } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    /// A number's raw token.
    var raw: String? { if case .number(let n) = self { n } else { nil } }
    var int: Int64? { raw.flatMap { Int64($0) } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var isNull: Bool { if case .null = self { true } else { false } }

    var description: String {
        switch self {
        case .object(let m): "{" + m.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        case .array(let a): "[" + a.map(\.description).joined(separator: ",") + "]"
        case .string(let s): "\"\(s)\""
        case .number(let n): n
        case .bool(let b): "\(b)"
        case .null: "null"
        case .invalid(let t): "<invalid \(t)>"
        }
    }

    var channel: String? { self["channel"].string }
    var method: String? { self["method"].string }
}

// MARK: Kraken book checksum, computed independently

/// The CRC-32 of zlib, bit by bit (independent of `HFTCore.CRC32`).
func referenceCRC32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
    }
    return c ^ 0xFFFF_FFFF
}

/// vectors.md K3's rule on the raw tokens: remove `.`, strip leading zeros; asks then bids.
func checksumInput(asks: [(String, String)], bids: [(String, String)]) -> String {
    func field(_ s: String) -> String {
        let digits = s.filter { $0 != "." }
        let stripped = digits.drop { $0 == "0" }
        return stripped.isEmpty ? "0" : String(stripped)
    }
    return (asks.prefix(10) + bids.prefix(10)).map { field($0.0) + field($0.1) }.joined()
}

/// A client-side book built from the raw messages, as the notes tell a client to do.
struct TestBook: Sendable {
    /// Price → (price text, quantity text).
    var bids: [FixedDecimal: (String, String)] = [:]
    var asks: [FixedDecimal: (String, String)] = [:]
    let depth: Int

    init(depth: Int) { self.depth = depth }

    var sortedBids: [(String, String)] { bids.sorted { $0.key > $1.key }.map(\.value) }
    var sortedAsks: [(String, String)] { asks.sorted { $0.key < $1.key }.map(\.value) }

    var checksum: UInt32 { referenceCRC32(Array(checksumInput(asks: sortedAsks, bids: sortedBids).utf8)) }

    /// Applies a snapshot or update entry, then truncates to the depth (§5.1).
    mutating func apply(_ data: TJ, snapshot: Bool) {
        if snapshot { bids = [:]; asks = [:] }
        func set(_ side: inout [FixedDecimal: (String, String)], _ l: TJ) {
            let p = l["price"].raw!, q = l["qty"].raw!
            let key = FixedDecimal(p)!
            side[key] = FixedDecimal(q)!.isZero ? nil : (p, q)
        }
        for l in data["bids"].array { set(&bids, l) }
        for l in data["asks"].array { set(&asks, l) }
        if bids.count > depth { for k in bids.keys.sorted(by: >).dropFirst(depth) { bids[k] = nil } }
        if asks.count > depth { for k in asks.keys.sorted().dropFirst(depth) { asks[k] = nil } }
    }

    /// Applies every book message in `texts`; returns the book and whether every checksum matched.
    static func replay(_ texts: [String], symbol: String, depth: Int) -> (book: TestBook, checksumsOK: Bool, messages: Int) {
        var book = TestBook(depth: depth)
        var ok = true
        var n = 0
        for t in texts {
            let m = TJ.parse(t)
            guard m.channel == "book", m["data"][0]["symbol"].string == symbol else { continue }
            book.apply(m["data"][0], snapshot: m["type"].string == "snapshot")
            if UInt32(m["data"][0]["checksum"].int ?? -1) != book.checksum { ok = false }
            n += 1
        }
        return (book, ok, n)
    }
}

/// The exchange's own top levels as text, for comparison with a client book.
func exchangeTop(_ ex: SimulatedExchange, _ symbol: Symbol, depth: Int) throws -> (bids: [(String, String)], asks: [(String, String)]) {
    let b = try ex.bookSnapshot(symbol, depth: depth)
    return (b.bids.map { ($0.price.description, $0.quantity.description) }, b.asks.map { ($0.price.description, $0.quantity.description) })
}

func same(_ a: [(String, String)], _ b: [(String, String)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}

// MARK: Harness

/// A Kraken simulator on ephemeral ports over a quiet exchange (no flow).
struct KrakenHarness: Sendable {
    let exchange: SimulatedExchange
    let clock: ManualClock?
    let simulator: KrakenSimulator
    let endpoints: [String: String]

    static func start(manualClock: Bool = false, options: KrakenSimulator.Options = .init()) async throws -> KrakenHarness {
        let clock = manualClock ? ManualClock(startMicros: WallClock.microseconds(), autoAdvanceMicros: 1) : nil
        let config = ExchangeConfig(
            venue: .kraken,
            assets: [AssetSpec("BTC", scale: 8), AssetSpec("ETH", scale: 8), AssetSpec("USD", scale: 8)],
            instruments: [InstrumentSpec(symbol: "BTC/USD", priceScale: 1, quantityScale: 8, minQuantity: "0.0001", minNotional: "0.5"),
                          InstrumentSpec(symbol: "ETH/USD", priceScale: 2, quantityScale: 8, minQuantity: "0.002")],
            rules: MatchingRules(postOnly: .reject, amend: .kraken, defaultSelfTradePrevention: .cancelTaker),
            fees: FeeSchedule(maker: "0.0016", taker: "0.0026"),
            accounts: [1, 2, 3].map {
                AccountSetup(credentials: .simDefault($0), label: "k\($0)", balances: ["BTC": "100", "ETH": "1000", "USD": "10000000"])
            })
        let exchange: SimulatedExchange
        if let clock { exchange = try SimulatedExchange(config: config, clock: clock) } else { exchange = try SimulatedExchange(config: config) }
        let simulator = KrakenSimulator(exchange: exchange, options: options)
        let endpoints = try await simulator.start(host: "127.0.0.1", port: 0)
        return KrakenHarness(exchange: exchange, clock: clock, simulator: simulator, endpoints: endpoints)
    }

    func connect(_ endpoint: String = "ws") async throws -> RawWebSocket {
        let ws = try await RawWebSocket.connect(endpoints[endpoint]!)
        _ = try await ws.next(where: { $0.channel == "status" })
        return ws
    }

    /// A token for `sim-key-N` through the signed REST call.
    func token(_ n: Int = 1, nonce: UInt64 = UInt64(WallClock.microseconds())) async throws -> String {
        let creds = SimCredentials.simDefault(n)
        let body = "nonce=\(nonce)"
        let sign = referenceSign(path: KrakenREST.tokenPath, nonce: "\(nonce)", postData: body, secret: creds.apiSecret)
        let r = try await rawHTTP("POST", endpoints["rest"]! + KrakenREST.tokenPath,
                                  headers: [("API-Key", creds.apiKey), ("API-Sign", sign),
                                            ("Content-Type", "application/x-www-form-urlencoded")], body: body)
        guard let token = TJ.parse(r.body)["result"]["token"].string else { throw KrakenWaitTimeout(what: "token", seen: r.body) }
        return token
    }

    func stop() async { await simulator.shutdown() }
}

let btcUSD: Symbol = "BTC/USD"

/// Runs `body` against a fresh simulator and always shuts it down.
func withKraken(manualClock: Bool = false, options: KrakenSimulator.Options = .init(),
                _ body: (KrakenHarness) async throws -> Void) async throws {
    let h = try await KrakenHarness.start(manualClock: manualClock, options: options)
    do { try await body(h) } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}

/// Client-side books for several symbols, fed message by message.
struct BookFollower {
    var books: [String: TestBook]
    var checksumsOK = true
    var messages = 0

    init(_ depths: [String: Int]) { books = depths.mapValues { TestBook(depth: $0) } }

    mutating func feed(_ m: TJ) {
        guard m.channel == "book", let s = m["data"][0]["symbol"].string, var b = books[s] else { return }
        b.apply(m["data"][0], snapshot: m["type"].string == "snapshot")
        if UInt32(m["data"][0]["checksum"].int ?? -1) != b.checksum { checksumsOK = false }
        books[s] = b
        messages += 1
    }

    /// Reads `ws` (from its cursor) until every book equals the expected top levels.
    mutating func follow(_ ws: RawWebSocket, expected: [String: (bids: [(String, String)], asks: [(String, String)])],
                         timeout: Duration = .seconds(30)) async throws {
        func done() -> Bool {
            expected.allSatisfy { s, e in books[s].map { same($0.sortedBids, e.bids) && same($0.sortedAsks, e.asks) } ?? false }
        }
        while !done() { feed(TJ.parse(try await ws.next(timeout: timeout))) }
    }
}
