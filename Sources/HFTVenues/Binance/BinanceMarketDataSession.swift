/// Binance market streams (binance.md §9, §10): combined-stream connections (`/stream?streams=…`,
/// later streams added with SUBSCRIBE, paced below 5 messages/s), at most
/// `max_streams_per_connection` streams each (another connection — a shard — takes the rest).
///
/// Books: `<s>@depth@100ms` into one `BinanceDepthSync` per symbol, synced with REST snapshots
/// exactly as the notes describe; a gap resyncs that symbol only (new snapshot, paced by the
/// shared REQUEST_WEIGHT bucket), reported as `book_invalid` then `book_resynced`.
/// Trades (`@trade`) and tickers (`@bookTicker`) are passed on, duplicates dropped by id.
///
/// Rotation (before the 24 h cut, and at once on `serverShutdown`): a replacement connection is
/// opened first with the same streams; each book moves to it when one of its events continues the
/// book (`U ≤ id + 1`), events of the other connection that overlap are dropped; then the old one
/// closes. No gap, no resync.
import HFTCore
import HFTTransport
import NIOCore
import NIOPosix
import Synchronization

final class BinanceMarketDataSession: Sendable {
    static let endpoint = BinanceEndpoints.streamsName

    let loop: any EventLoop
    private let box: NIOLoopBoundBox<BinanceMarketState>
    private let options: BinanceClientOptions
    private let endpoints: BinanceEndpoints
    let rest: BinanceRestAPI
    private let reporter: BinanceReporter
    private let shards = Mutex<[BinanceStreamShard]>([])
    private let nextGen = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    init(endpoints: BinanceEndpoints, options: BinanceClientOptions, rest: BinanceRestAPI, reporter: BinanceReporter,
         eventLoop: (any EventLoop)? = nil) {
        let loop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        self.loop = loop
        self.options = options
        self.endpoints = endpoints
        self.rest = rest
        self.reporter = reporter
        let state = BinanceMarketState(options: options, reporter: reporter, rest: rest, loop: loop)
        box = NIOLoopBoundBox.makeBoxSendingValue(state, as: BinanceMarketState.self, eventLoop: loop)
        let box = self.box
        loop.execute { box.value.session = self }
    }

    func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let all = shards.withLock { s in defer { s.removeAll() }; return s }
        for s in all { await s.stop() }
        try? await loop.submit { [box] in box.value.finishAll() }.get()
    }

    // MARK: Watching

    func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws(HFTError) -> EventStream<BookUpdate> {
        guard depth > 0 else { throw .invalidArgument("Binance book depth must be positive") }
        let native = try rest.symbols.native(symbol)
        let stream = EventStream<BookUpdate>(policy: delivery)
        let isNew = try await onLoop { s in s.addBookSink(native: native, unified: symbol, stream: stream, depth: depth) }
        if isNew { try await add(BinanceStream.depth(native, speed: .ms100)) }
        return stream
    }

    func watchTrades(_ symbol: Symbol) async throws(HFTError) -> EventStream<Trade> {
        let native = try rest.symbols.native(symbol)
        let stream = EventStream<Trade>(policy: .dropOldest(capacity: 10_000))
        if try await onLoop({ s in s.addTradeSink(native: native, stream: stream) }) { try await add(.trade(native)) }
        return stream
    }

    func watchTicker(_ symbol: Symbol) async throws(HFTError) -> EventStream<Ticker> {
        let native = try rest.symbols.native(symbol)
        let stream = EventStream<Ticker>(policy: .conflate)
        if try await onLoop({ s in s.addTickerSink(native: native, stream: stream) }) { try await add(.bookTicker(native)) }
        return stream
    }

    /// Streams per connection, in shard order.
    var streamCounts: [Int] { shards.withLock { $0.map(\.streamCount) } }

    // MARK: Shards

    /// Puts `stream` on the first connection with room, opening one when none has.
    private func add(_ stream: BinanceStream) async throws(HFTError) {
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        try stream.validate()
        let name = stream.name
        let max = options.maxStreamsPerConnection
        enum Step { case existing(BinanceStreamShard), created(BinanceStreamShard) }
        let step: Step = shards.withLock { all in
            if let s = all.first(where: { $0.reserve(name, max: max) }) { return .existing(s) }
            let s = BinanceStreamShard(index: all.count, firstStream: name, session: self)
            all.append(s)
            return .created(s)
        }
        switch step {
        case .existing(let shard): try await shard.subscribe(name)
        case .created(let shard): try await shard.open()
        }
    }

    func makeGen() -> Int { nextGen.wrappingAdd(1, ordering: .relaxed).newValue }

    /// A connection for `gen` carrying `streams`: as many as fit go in the URL, the rest are
    /// SUBSCRIBE messages replayed (paced) after every connect.
    func makeConnection(gen: Int, streams: [String]) throws(HFTError) -> WebSocketConnection {
        let inURL = Array(streams.prefix(Self.streamsInURL))
        let url = endpoints.combinedStreamURL(inURL)
        let box = self.box, loop = self.loop
        let hooks = BinanceHooks(onConnect: { _ in
            try await loop.submit { box.value.connected(gen: gen) }.get()
        })
        let config = try options.webSocketConfiguration(url: url, subscriptionsPerSecond: options.streamControlPerSecond)
        let connection = try WebSocketConnection(configuration: config, hooks: hooks, eventLoop: loop,
                                                 onMessage: { m in box.value.handle(m, gen: gen) })
        for name in streams.dropFirst(inURL.count) {
            let sub = subscription(name)
            Task { try? await connection.subscribe(sub) }
        }
        return connection
    }

    /// Streams named in the connection URL (the rest are SUBSCRIBE messages).
    static let streamsInURL = 200

    func subscription(_ name: String) -> Subscription {
        let box = self.box, loop = self.loop
        return Subscription(key: name) {
            let id = BinanceWire.nextID()
            loop.execute { box.value.controlSent(id, stream: name) }
            return .text((try? BinanceStreamControl.subscribe([name], id: id))?.text ?? "")
        }
    }

    func watch(_ connection: WebSocketConnection, gen: Int) -> Task<Void, Never> {
        let box = self.box, loop = self.loop
        return reporter.watch(connection, endpoint: Self.endpoint, reportAuthentication: false) { e in
            if case .closed = e { loop.execute { box.value.connectionClosed(gen: gen) } }
        }
    }

    /// A `serverShutdown` (or the age limit) on `gen`: rotate the shard that owns it.
    func rotate(gen: Int, reason: String) {
        guard let shard = shards.withLock({ $0.first { $0.currentGen == gen } }) else { return }
        shard.startRotation(reason: reason)
    }

    var isStopped: Bool { stopped.load(ordering: .acquiring) }
    var rotationInterval: Duration { options.rotationInterval }

    // MARK: Rotation steps (called by the shards)

    func beginRotation(from old: Int, to new: Int, streams: Set<String>) async {
        _ = try? await onLoop { s in s.beginRotation(from: old, to: new, streams: streams) }
    }

    /// Waits (bounded by `rotation_overlap_s`) until every book of `streams` reads from `new`.
    func awaitHandover(to new: Int, streams: Set<String>) async -> Bool {
        let deadline = ContinuousClock.now + (options.rotationOverlap > .zero ? options.rotationOverlap : .seconds(10))
        while ContinuousClock.now < deadline {
            if (try? await onLoop({ s in s.handedOver(to: new, streams: streams) })) == true { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func finishRotation(from old: Int, to new: Int, streams: Set<String>) async {
        _ = try? await onLoop { s in s.finishRotation(from: old, to: new, streams: streams) }
    }

    func report(_ event: VenueStatus.Event, _ detail: String) { reporter.report(event, detail) }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (BinanceMarketState) -> T) async throws(HFTError) -> T {
        let box = self.box
        do { return try await loop.submit { body(box.value) }.get() } catch { throw .notConnected }
    }
}

/// One market-data connection slot: its streams, the current connection and its rotation.
final class BinanceStreamShard: Sendable {
    private struct State {
        var streams: [String]
        var current: (gen: Int, connection: WebSocketConnection, events: Task<Void, Never>)?
        var rotating = false
        var timer: Task<Void, Never>?
        var stopped = false
    }

    let index: Int
    private let state: Mutex<State>
    /// Strong: the session drops its shards in `stop()`, which breaks the cycle.
    private let session: BinanceMarketDataSession

    init(index: Int, firstStream: String, session: BinanceMarketDataSession) {
        self.index = index
        self.session = session
        state = Mutex(State(streams: [firstStream]))
    }

    var streamCount: Int { state.withLock { $0.streams.count } }
    var currentGen: Int? { state.withLock { $0.current?.gen } }

    /// Takes `name` when there is room (or it is here already).
    func reserve(_ name: String, max: Int) -> Bool {
        state.withLock { s in
            if s.streams.contains(name) { return true }
            guard s.streams.count < max else { return false }
            s.streams.append(name)
            return true
        }
    }

    /// First connection of this shard.
    func open() async throws(HFTError) {
        let gen = session.makeGen()
        let streams = state.withLock { $0.streams }
        let connection = try session.makeConnection(gen: gen, streams: streams)
        install(gen: gen, connection: connection, events: session.watch(connection, gen: gen))
        connection.start()
    }

    func subscribe(_ name: String) async throws(HFTError) {
        guard let c = state.withLock({ $0.current?.connection }) else { return }
        try await c.subscribe(session.subscription(name))
    }

    private func install(gen: Int, connection: WebSocketConnection, events: Task<Void, Never>) {
        let interval = session.rotationInterval
        let timer = Task { [weak self] in
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            self?.startRotation(reason: "age \(interval)")
        }
        state.withLock { s in
            s.timer?.cancel()
            s.current = (gen, connection, events)
            s.timer = timer
        }
    }

    func startRotation(reason: String) {
        let go = state.withLock { s -> Bool in
            guard !s.rotating, !s.stopped, s.current != nil else { return false }
            s.rotating = true
            return true
        }
        guard go else { return }
        Task { await rotate(reason: reason) }
    }

    /// Opens the replacement, waits for it and for every book to move over, then closes the old one.
    private func rotate(reason: String) async {
        defer { state.withLock { $0.rotating = false } }
        guard let old = state.withLock({ $0.current }), !session.isStopped else { return }
        let streams = state.withLock { $0.streams }
        let gen = session.makeGen()
        session.report(.reconnecting, "\(BinanceMarketDataSession.endpoint)#\(index): rotating (\(reason)); replacement opened first")
        let next: WebSocketConnection
        do { next = try session.makeConnection(gen: gen, streams: streams) } catch { return }
        let set = Set(streams)
        await session.beginRotation(from: old.gen, to: gen, streams: set)
        let events = session.watch(next, gen: gen)
        next.start()
        do {
            try await next.waitUntilReady(timeout: .seconds(30))
        } catch {
            // The old connection goes on; try again later.
            await next.stop()
            events.cancel()
            await session.finishRotation(from: gen, to: old.gen, streams: set)
            Task { [weak self] in
                try? await Task.sleep(for: .seconds(5))
                self?.startRotation(reason: "retry after: \(error)")
            }
            return
        }
        let clean = await session.awaitHandover(to: gen, streams: set)
        install(gen: gen, connection: next, events: events)
        await session.finishRotation(from: old.gen, to: gen, streams: set)
        session.report(.connected, "\(BinanceMarketDataSession.endpoint)#\(index): rotation done\(clean ? "" : " (overlap timed out)")")
        old.events.cancel()
        await old.connection.stop()
        if state.withLock({ $0.stopped }) { await next.stop() }
    }

    func stop() async {
        let cur = state.withLock { s -> (WebSocketConnection, Task<Void, Never>)? in
            s.stopped = true
            s.timer?.cancel()
            return s.current.map { ($0.connection, $0.events) }
        }
        if let (c, events) = cur {
            await c.stop()
            await events.value
        }
    }
}
