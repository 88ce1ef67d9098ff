/// The public Kraken socket (`ws`): book, trade, ticker and instrument channels.
///
/// Hot path, all on the connection's event loop with no hop and no copy of the frame:
/// frame → `KrakenDecoder` (zero-copy reader) → `KrakenBook.apply` + CRC-32 verify → push into
/// each watcher's `EventStream` (books and tickers conflate, trades drop oldest).
///
/// One subscription per symbol and channel, so a checksum mismatch resubscribes that symbol
/// only (unsubscribe + subscribe at the same depth, paced) while every other stream goes on;
/// `book_invalid` / `book_resynced` report it. Subscriptions are replayed by the transport after
/// a reconnect; the books are invalidated before the replay (in the connect hook), so a book is
/// only ever delivered whole and verified.
import HFTCore
import HFTTransport
import NIOCore
import NIOPosix
import Synchronization

final class KrakenMarketDataSession: Sendable {
    static let endpoint = KrakenDescriptor.wsEndpoint

    let connection: WebSocketConnection
    let loop: any EventLoop
    private let box: NIOLoopBoundBox<KrakenMarketState>
    private let options: KrakenClientOptions
    private let rest: KrakenRestAPI?
    private let reporter: KrakenReporter
    private let instruments: KrakenInstrumentCache
    private let ledger: KrakenRequestLedger
    private let instrumentLoad = Mutex<Task<Void, Never>?>(nil)
    private let eventsTask = Mutex<Task<Void, Never>?>(nil)

    init(url: String, options: KrakenClientOptions, rest: KrakenRestAPI?, reporter: KrakenReporter,
         instruments: KrakenInstrumentCache, eventLoop: (any EventLoop)? = nil) throws(HFTError) {
        let loop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let ledger = KrakenRequestLedger()
        let state = KrakenMarketState(options: options, reporter: reporter, instruments: instruments, ledger: ledger, loop: loop)
        let box = NIOLoopBoundBox.makeBoxSendingValue(state, as: KrakenMarketState.self, eventLoop: loop)
        let hooks = KrakenHooks(onConnect: { _ in
            try await loop.submit { box.value.connectionReset() }.get()
        })
        let connection = try WebSocketConnection(configuration: try options.webSocketConfiguration(url: url), hooks: hooks,
                                                 eventLoop: loop, onMessage: { m in box.value.handle(m) })
        self.connection = connection
        self.loop = loop
        self.box = box
        self.options = options
        self.rest = rest
        self.reporter = reporter
        self.instruments = instruments
        self.ledger = ledger
        loop.execute { box.value.connection = connection }
    }

    /// Starts the socket (idempotent) and the status translation.
    func start() {
        eventsTask.withLock { t in
            guard t == nil else { return }
            let box = self.box, loop = self.loop
            t = reporter.watch(connection, endpoint: Self.endpoint, reportAuthentication: false, extra: { e in
                // Stopped for good (stop(), or Kraken's terminal 1008): end every stream.
                if case .closed = e { loop.execute { box.value.finishAll() } }
            })
        }
        connection.start()
    }

    func stop() async {
        instrumentLoad.withLock { $0?.cancel() }
        await connection.stop()
        try? await loop.submit { [box] in box.value.finishAll() }.get()
        let t = eventsTask.withLock { $0 }
        await t?.value
    }

    var precisionSource: String {
        get async { (try? await loop.submit { [box] in box.value.precisionSource }.get()) ?? "wire" }
    }

    // MARK: Watching

    func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws(HFTError) -> EventStream<BookUpdate> {
        guard depth > 0 else { throw .invalidArgument("Kraken book depth must be positive") }
        guard let wire = KrakenBookDepth.allCases.first(where: { $0.rawValue >= depth }) else {
            throw .invalidArgument("Kraken book depth \(depth) exceeds \(KrakenBookDepth.d1000.rawValue)")
        }
        let native = try KrakenSymbols.native(symbol)
        start()
        await ensureInstruments()
        let stream = EventStream<BookUpdate>(policy: delivery)
        let change = try await onLoop { s in s.addBookSink(native: native, stream: stream, depth: depth, wire: wire) }
        if let change {
            if let old = change.old {
                let unsub = try KrakenRequest.unsubscribe(.book(symbols: [native], depth: old),
                                                          reqID: ledger.next(.unsubscribe, "book", native))
                try await connection.unsubscribe(key: Self.key("book", native), message: .text(unsub.text))
            }
            try await connection.subscribe(bookSubscription(native, change.new))
        }
        return stream
    }

    func watchTrades(_ symbol: Symbol) async throws(HFTError) -> EventStream<Trade> {
        let native = try KrakenSymbols.native(symbol)
        start()
        let stream = EventStream<Trade>(policy: .dropOldest(capacity: 10_000))
        if try await onLoop({ s in s.addTradeSink(native: native, stream: stream) }) {
            let ledger = self.ledger
            try await connection.subscribe(Subscription(key: Self.key("trade", native)) {
                .text(Self.render(.subscribe, .trade(symbols: [native]), ledger.next(.subscribe, "trade", native)))
            })
        }
        return stream
    }

    func watchTicker(_ symbol: Symbol) async throws(HFTError) -> EventStream<Ticker> {
        let native = try KrakenSymbols.native(symbol)
        start()
        let stream = EventStream<Ticker>(policy: .conflate)
        if try await onLoop({ s in s.addTickerSink(native: native, stream: stream) }) {
            let ledger = self.ledger
            try await connection.subscribe(Subscription(key: Self.key("ticker", native)) {
                .text(Self.render(.subscribe, .ticker(symbols: [native]), ledger.next(.subscribe, "ticker", native)))
            })
        }
        return stream
    }

    static func key(_ channel: String, _ native: String) -> String { "\(channel):\(native)" }

    func bookSubscription(_ native: String, _ depth: KrakenBookDepth) -> Subscription {
        let ledger = self.ledger
        return Subscription(key: Self.key("book", native)) {
            .text(Self.render(.subscribe, .book(symbols: [native], depth: depth), ledger.next(.subscribe, "book", native)))
        }
    }

    /// The frame text; the builders only throw for empty symbols and out-of-range ids, which
    /// cannot happen here.
    static func render(_ method: KrakenMethod, _ s: KrakenSubscription, _ id: RequestID) -> String {
        let r = method == .subscribe ? try? KrakenRequest.subscribe(s, reqID: id) : try? KrakenRequest.unsubscribe(s, reqID: id)
        return r?.text ?? ""
    }

    // MARK: Instruments

    /// Loads pair precisions once: the `instrument` channel, else REST AssetPairs, else the
    /// books use the scale of the wire tokens. Bounded by `instrument_timeout_s`.
    func ensureInstruments() async {
        let task = instrumentLoad.withLock { t -> Task<Void, Never> in
            if let t { return t }
            let n = Task { await self.loadInstruments() }
            t = n
            return n
        }
        await task.value
    }

    private func loadInstruments() async {
        let timeout = options.instrumentTimeout > .zero ? options.instrumentTimeout : .seconds(5)
        let promise = loop.makePromise(of: Bool.self)
        let box = self.box
        loop.execute { box.value.awaitInstruments(promise, timeout: timeout) }
        let ledger = self.ledger
        do {
            try await connection.subscribe(Subscription(key: "instrument") {
                .text(Self.render(.subscribe, .instrument(), ledger.next(.subscribe, "instrument", nil)))
            })
        } catch {
            loop.execute { box.value.settleInstruments(false) }
        }
        let viaChannel = (try? await promise.futureResult.get()) ?? false
        if viaChannel { return }
        let unsub = Self.render(.unsubscribe, .instrument(), ledger.next(.unsubscribe, "instrument", nil))
        try? await connection.unsubscribe(key: "instrument", message: .text(unsub))
        guard let rest, !Task.isCancelled else { return }
        let pairs: [KrakenInstrument]
        do {
            pairs = try await withTimeout(timeout) { try await rest.assetPairs() }
        } catch {
            reporter.report(.subscribed, "instrument precision unavailable (\(error)); book checksums use the wire scale")
            return
        }
        _ = try? await onLoop { s in s.mergeInstruments(pairs, source: "rest") }
    }

    private func withTimeout<T: Sendable>(_ d: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: d)
                throw HFTError.noAnswer(requestID: 0, timeoutMicros: UInt64(d.components.seconds) * 1_000_000)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    // MARK: Loop access

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (KrakenMarketState) -> T) async throws(HFTError) -> T {
        let box = self.box
        do { return try await loop.submit { body(box.value) }.get() } catch { throw .notConnected }
    }
}

/// One symbol's book and its watchers.
final class KrakenBookSlot {
    var book: KrakenBook
    var sinks: [(stream: EventStream<BookUpdate>, depth: Int)] = []
    /// Invalidated (mismatch or reconnect): report `book_resynced` with the next verified snapshot.
    var resyncing = false
    /// Bumped by every resync request, so a late retry of an older one is dropped.
    var resyncGeneration = 0

    init(book: KrakenBook) { self.book = book }
}

/// Everything the public socket's messages touch; confined to the connection's event loop.
final class KrakenMarketState {
    let options: KrakenClientOptions
    let reporter: KrakenReporter
    let instrumentCache: KrakenInstrumentCache
    let ledger: KrakenRequestLedger
    let loop: any EventLoop
    weak var connection: WebSocketConnection?

    var books: [String: KrakenBookSlot] = [:]
    var trades: [String: [EventStream<Trade>]] = [:]
    var tickers: [String: [EventStream<Ticker>]] = [:]
    var instruments = KrakenInstruments()
    var precisionSource = "wire"
    var instrumentWaiters: [EventLoopPromise<Bool>] = []
    var system: KrakenSystemState?
    /// Bumped on every (re)connect; scheduled work from an older socket is dropped.
    var epoch = 0
    /// Pacing of resync messages (token bucket, loop-local).
    var tokens: Double
    var refilledAt = MonotonicClock.nanoseconds()

    init(options: KrakenClientOptions, reporter: KrakenReporter, instruments: KrakenInstrumentCache,
         ledger: KrakenRequestLedger, loop: any EventLoop) {
        self.options = options
        self.reporter = reporter
        self.instrumentCache = instruments
        self.ledger = ledger
        self.loop = loop
        self.tokens = Double(max(2, options.subscriptionBurst))
    }

    // MARK: Hot path

    @inline(__always)
    func handle(_ m: InboundMessage) {
        switch KrakenWire.decode(m) {
        case .success(let inbound): route(inbound)
        case .failure(let e):
            switch e {
            case .unknownChannel, .unknownMessage: reporter.malformed(KrakenMarketDataSession.endpoint, e.description, unknown: true)
            default: reporter.malformed(KrakenMarketDataSession.endpoint, e.description)
            }
        }
    }

    func route(_ inbound: KrakenInbound) {
        switch inbound {
        case .book(let message):
            for data in message.data { apply(data, type: message.type) }
        case .trade(let message):
            for d in message.data {
                guard let sinks = trades[d.symbol] else { continue }
                guard let t = try? d.unified() else { reporter.malformed(KrakenMarketDataSession.endpoint, "trade symbol \(d.symbol)"); continue }
                if !push(t, to: sinks) { trades[d.symbol] = prune(sinks, channel: "trade", native: d.symbol) }
            }
        case .ticker(let message):
            for d in message.data {
                guard let sinks = tickers[d.symbol] else { continue }
                guard let t = try? d.unified() else { reporter.malformed(KrakenMarketDataSession.endpoint, "ticker symbol \(d.symbol)"); continue }
                if !push(t, to: sinks) { tickers[d.symbol] = prune(sinks, channel: "ticker", native: d.symbol) }
            }
        case .heartbeat:
            break
        case .status(let s):
            system = s.data.last?.system
        case .instrument(let message):
            instruments.apply(message)
            publishInstruments(source: "instrument")
            if message.type == .snapshot { settleInstruments(true) }
        case .response(let r):
            acknowledge(r)
        case .error(let e):
            reporter.venueError(e, context: KrakenMarketDataSession.endpoint)
        case .executions, .balances:
            reporter.malformed(KrakenMarketDataSession.endpoint, "private channel data on the public socket", unknown: true)
        }
    }

    @inline(__always)
    func apply(_ data: KrakenBookData, type: KrakenPushType) {
        guard let slot = books[data.symbol] else { return }
        switch slot.book.apply(data, type: type) {
        case .applied:
            if slot.resyncing && type == .snapshot {
                slot.resyncing = false
                reporter.report(.bookResynced, symbol: data.symbol, "snapshot verified")
            }
            deliver(slot, native: data.symbol, snapshot: type == .snapshot)
        case .resync(let expected, let computed):
            slot.resyncing = true
            reporter.report(.bookInvalid, symbol: data.symbol,
                            "checksum mismatch (expected \(expected), computed \(computed)); resubscribing \(data.symbol)")
            resubscribe(data.symbol, slot)
        case .awaitingSnapshot:
            break
        }
    }

    @inline(__always)
    func deliver(_ slot: KrakenBookSlot, native: String, snapshot: Bool) {
        var dropped = false
        let full = slot.book.depth.rawValue
        for s in slot.sinks {
            var book = slot.book.book
            if s.depth < full { book.truncate(to: s.depth) }
            if !s.stream.push(BookUpdate(book: book, isSnapshot: snapshot)) { dropped = true }
        }
        if dropped {
            slot.sinks.removeAll { $0.stream.isFinished }
            if slot.sinks.isEmpty { unsubscribeBook(native, slot) }
        }
    }

    @inline(__always)
    func push<T: Sendable>(_ value: T, to sinks: [EventStream<T>]) -> Bool {
        var all = true
        for s in sinks where !s.push(value) { all = false }
        return all
    }

    /// Drops finished watchers; unsubscribes the symbol when none is left.
    func prune<T: Sendable>(_ sinks: [EventStream<T>], channel: String, native: String) -> [EventStream<T>]? {
        let left = sinks.filter { !$0.isFinished }
        guard left.isEmpty else { return left }
        sendUnsubscribe(channel: channel, key: KrakenMarketDataSession.key(channel, native), .unsubscribe(channel, native))
        return nil
    }

    // MARK: Resync

    /// Unsubscribes and resubscribes one symbol's book at its depth, paced; nothing else moves.
    func resubscribe(_ native: String, _ slot: KrakenBookSlot) {
        slot.resyncGeneration += 1
        let generation = slot.resyncGeneration
        let epoch = self.epoch
        let wait = take(2)
        guard wait > 0 else { return sendResync(native, slot) }
        loop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(wait))) { [self] in
            guard self.epoch == epoch, let s = books[native], s === slot, slot.resyncGeneration == generation else { return }
            sendResync(native, slot)
        }
    }

    func sendResync(_ native: String, _ slot: KrakenBookSlot) {
        guard let connection else { return }
        let depth = slot.book.depth
        let unsub = KrakenMarketDataSession.render(.unsubscribe, .book(symbols: [native], depth: depth), ledger.next(.unsubscribe, "book", native))
        let sub = KrakenMarketDataSession.render(.subscribe, .book(symbols: [native], depth: depth), ledger.next(.subscribe, "book", native))
        connection.write(.text(unsub))
        connection.write(.text(sub))
    }

    /// Takes `n` pacing tokens; returns 0 or the nanoseconds to wait for them (then taken).
    func take(_ n: Double) -> UInt64 {
        let now = MonotonicClock.nanoseconds()
        let rate = options.maxMessagesPerSecond
        tokens = min(Double(max(2, options.subscriptionBurst)), tokens + Double(now &- refilledAt) / 1e9 * rate)
        refilledAt = now
        tokens -= n
        if tokens >= 0 { return 0 }
        return UInt64((-tokens / rate) * 1e9)
    }

    /// Before the transport replays the subscriptions on a new socket: every book becomes
    /// invalid until its new snapshot verifies.
    func connectionReset() {
        epoch += 1
        for (native, slot) in books.sorted(by: { $0.key < $1.key }) {
            if slot.book.isValid {
                slot.book.invalidate()
                slot.resyncing = true
                reporter.report(.bookInvalid, symbol: native, "connection replaced; waiting for a new snapshot")
            }
        }
    }

    // MARK: Acks

    func acknowledge(_ r: KrakenResponse) {
        switch r.method {
        case .subscribe, .unsubscribe:
            let entry = ledger.entry(r.reqID)
            ledger.forget(r.reqID)
            if r.success {
                guard r.method == .subscribe, case .subscription(let ack) = r.result else { return }
                reporter.report(.subscribed, symbol: ack.symbol, ack.channel + (ack.depth.map { " depth \($0)" } ?? ""))
                return
            }
            // A failed unsubscribe (or Kraken's "Subscription Not Found" quirk) needs nothing.
            if entry?.kind == .unsubscribe { return }
            let channel = entry?.channel ?? ""
            let native = r.symbol ?? entry?.symbol
            let error = r.error ?? KrakenError("subscribe failed")
            if channel == "instrument" {
                settleInstruments(false)
                return
            }
            if channel == "book", let native, let slot = books[native], slot.resyncing,
               error.kind == .alreadySubscribed || error.kind == .rateLimited {
                // The unsubscribe did not take (or we were too fast): try the resync again shortly.
                let epoch = self.epoch, generation = slot.resyncGeneration
                loop.assumeIsolated().scheduleTask(in: .seconds(1)) { [self] in
                    guard self.epoch == epoch, books[native] === slot, slot.resyncGeneration == generation else { return }
                    resubscribe(native, slot)
                }
                return
            }
            reporter.venueError(error, context: "subscribe \(channel)\(native.map { " \($0)" } ?? "")")
            if error.kind == .alreadySubscribed { return }
            // The venue refused this symbol: end its watchers and forget the subscription.
            guard let native else { return }
            switch channel {
            case "book":
                if let slot = books.removeValue(forKey: native) { for s in slot.sinks { s.stream.finish() } }
                sendUnsubscribe(channel: "book", key: KrakenMarketDataSession.key("book", native), nil)
            case "trade":
                trades.removeValue(forKey: native)?.forEach { $0.finish() }
                sendUnsubscribe(channel: "trade", key: KrakenMarketDataSession.key("trade", native), nil)
            case "ticker":
                tickers.removeValue(forKey: native)?.forEach { $0.finish() }
                sendUnsubscribe(channel: "ticker", key: KrakenMarketDataSession.key("ticker", native), nil)
            default:
                break
            }
        default:
            break
        }
    }

    enum UnsubscribeTarget { case unsubscribe(String, String) }

    /// Forgets the subscription `key` in the transport and, with `target`, tells Kraken.
    func sendUnsubscribe(channel: String, key: String, _ target: UnsubscribeTarget?) {
        guard let connection else { return }
        var text: String?
        if case .unsubscribe(let ch, let native)? = target {
            let s: KrakenSubscription = ch == "trade" ? .trade(symbols: [native]) : .ticker(symbols: [native])
            text = KrakenMarketDataSession.render(.unsubscribe, s, ledger.next(.unsubscribe, channel, native))
        }
        let message = text.map { OutboundMessage.text($0) }
        Task { try? await connection.unsubscribe(key: key, message: message) }
    }

    func unsubscribeBook(_ native: String, _ slot: KrakenBookSlot) {
        books[native] = nil
        guard let connection else { return }
        let text = KrakenMarketDataSession.render(.unsubscribe, .book(symbols: [native], depth: slot.book.depth),
                                                  ledger.next(.unsubscribe, "book", native))
        Task { try? await connection.unsubscribe(key: KrakenMarketDataSession.key("book", native), message: .text(text)) }
    }

    // MARK: Watchers

    struct BookChange: Sendable {
        var new: KrakenBookDepth
        var old: KrakenBookDepth?
    }

    /// Adds a watcher; returns the subscription to send when the symbol is new or needs more depth.
    func addBookSink(native: String, stream: EventStream<BookUpdate>, depth: Int, wire: KrakenBookDepth) -> BookChange? {
        let bookOptions = KrakenBook.Options(verifyChecksum: options.verifyChecksum)
        if let slot = books[native] {
            slot.sinks.append((stream, depth))
            guard wire.rawValue > slot.book.depth.rawValue else {
                // Already flowing: the new watcher starts from the current book when it is valid.
                if slot.book.isValid {
                    var book = slot.book.book
                    book.truncate(to: depth)
                    stream.push(BookUpdate(book: book, isSnapshot: true))
                }
                return nil
            }
            let old = slot.book.depth
            slot.book = KrakenBook(symbol: slot.book.book.symbol, depth: wire, precision: instruments.precision(for: native),
                                   options: bookOptions)
            return BookChange(new: wire, old: old)
        }
        guard let symbol = KrakenSymbols.unified(native) else { return nil }
        let slot = KrakenBookSlot(book: KrakenBook(symbol: symbol, depth: wire, precision: instruments.precision(for: native),
                                                   options: bookOptions))
        slot.sinks.append((stream, depth))
        books[native] = slot
        return BookChange(new: wire, old: nil)
    }

    func addTradeSink(native: String, stream: EventStream<Trade>) -> Bool {
        let isNew = trades[native] == nil
        trades[native, default: []].append(stream)
        return isNew
    }

    func addTickerSink(native: String, stream: EventStream<Ticker>) -> Bool {
        let isNew = tickers[native] == nil
        tickers[native, default: []].append(stream)
        return isNew
    }

    func finishAll() {
        for slot in books.values { for s in slot.sinks { s.stream.finish() } }
        for list in trades.values { for s in list { s.finish() } }
        for list in tickers.values { for s in list { s.finish() } }
        books.removeAll()
        trades.removeAll()
        tickers.removeAll()
        settleInstruments(false)
    }

    // MARK: Instruments

    func awaitInstruments(_ promise: EventLoopPromise<Bool>, timeout: Duration) {
        if !instruments.pairs.isEmpty { promise.succeed(true); return }
        instrumentWaiters.append(promise)
        loop.assumeIsolated().scheduleTask(in: .nanoseconds(KrakenWire.nanos(timeout))) { [self] in
            settleInstruments(false)
        }
    }

    func settleInstruments(_ ok: Bool) {
        let waiters = instrumentWaiters
        instrumentWaiters.removeAll()
        for w in waiters { w.succeed(ok) }
    }

    func mergeInstruments(_ pairs: [KrakenInstrument], source: String) {
        for p in pairs { instruments.insert(p) }
        publishInstruments(source: source)
    }

    func publishInstruments(source: String) {
        precisionSource = source
        instrumentCache.replace(instruments)
        for (native, slot) in books {
            if let p = instruments.precision(for: native), slot.book.precision != p { slot.book.precision = p }
        }
    }
}
