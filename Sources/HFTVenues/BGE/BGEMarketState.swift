/// Public-channel state: books (each `orderbook` push is a full top-N snapshot and replaces the
/// book, bge.md §5; with `book_channel=percent10` each `percent10` push is applied level by level
/// instead), trade dedupe by id, tickers, with their watchers. Guarded by one lock (written on the
/// connection's event loop, read by watcher registration).
import HFTCore
import Synchronization

struct BGEBookSlot: SnapshotBookSlot {
    var book: OrderBook
    var hasSnapshot = false
    /// Invalidated by a reconnect: report `book_resynced` with the next snapshot.
    var resyncing = false
    var lastSeq: Int64?
    var sinks: [(stream: EventStream<BookUpdate>, depth: Int)] = []
}

struct BGETradeSlot {
    var seen: Set<Int64> = []
    var order: [Int64] = []
    var sinks: [EventStream<Trade>] = []

    /// True when `id` is new (and now remembered; the last 4 096 ids are kept).
    mutating func remember(_ id: Int64) -> Bool {
        guard seen.insert(id).inserted else { return false }
        order.append(id)
        if order.count > 4_096 { seen.remove(order.removeFirst()) }
        return true
    }
}

final class BGEMarketState: Sendable {
    struct State {
        var books: [String: BGEBookSlot] = [:]
        var trades: [String: BGETradeSlot] = [:]
        var tickers: [String: [EventStream<Ticker>]] = [:]
        /// `percent10` pushes skipped for a `seq_id` not above the last applied one.
        var skipped = BGESkippedBookPushes()
    }

    private let state = Mutex(State())
    let reporter: BGEReporter
    /// The channel whose pushes build the books; the other one's pushes are ignored.
    let bookChannel: BGEBookChannel
    let candles = CandleSinks()

    /// bge.md §5 (zh page); an older revision spelled the hour `1hour`, read back as well.
    static let candleIntervals = CandleIntervalMap(venue: "BGE", [
        (.oneMinute, "1min"), (.fiveMinutes, "5min"), (.fifteenMinutes, "15min"), (.thirtyMinutes, "30min"),
        (.oneHour, "60min"), (.fourHours, "4hour"), (.oneDay, "1day"), (.oneWeek, "1week"), (.oneMonth, "1mon"),
    ], aliases: ["1hour": .oneHour])

    static func candleKey(_ product: String, _ interval: CandleInterval) -> String { product + ":" + interval.rawValue }

    init(reporter: BGEReporter, bookChannel: BGEBookChannel = .orderbook) {
        self.reporter = reporter
        self.bookChannel = bookChannel
    }

    // MARK: Pushes

    /// An `orderbook` push: replaces the book (ignored when books come from `percent10`).
    func apply(_ p: BGEBookPush) {
        guard bookChannel == .orderbook else { return }
        publish(p.product) { slot in
            slot.book.replace(bids: p.bids, asks: p.asks)
            slot.lastSeq = p.seqID ?? slot.lastSeq
            return .applied
        }
    }

    /// A `percent10` push: each level set or deleted (`BGEBookSlot.applyPercent10`); a stale
    /// `seq_id` is skipped and counted. Ignored unless books come from `percent10`.
    func applyPercent10(_ p: BGEBookPush) {
        guard bookChannel == .percent10 else { return }
        publish(p.product) { $0.applyPercent10(p) }
    }

    /// Runs `change` on the product's slot; when it applied, publishes the book to every watcher.
    /// An `orderbook` update is always a snapshot; a `percent10` one only when it is the first
    /// applied onto the empty book of a (re)subscribe.
    private func publish(_ product: String, _ change: (inout BGEBookSlot) -> BGEBookPushOutcome) {
        var resynced = false
        let deliveries: [(EventStream<BookUpdate>, BookUpdate)] = state.withLock { s in
            guard var slot = s.books[product] else { return [] }
            switch change(&slot) {
            case .applied: break
            case .duplicate: s.skipped.duplicates &+= 1; return []
            case .regression: s.skipped.regressions &+= 1; return []
            }
            let isSnapshot = bookChannel == .orderbook || !slot.hasSnapshot
            slot.book.sequence &+= 1
            slot.book.timestamp = WallClock.microseconds()
            slot.hasSnapshot = true
            if slot.resyncing { slot.resyncing = false; resynced = true }
            slot.sinks.removeAll { $0.stream.isFinished }
            s.books[product] = slot
            return slot.sinks.map { sink in
                var b = slot.book
                b.truncate(to: sink.depth)
                return (sink.stream, BookUpdate(book: b, isSnapshot: isSnapshot))
            }
        }
        if resynced {
            reporter.report(.bookResynced, symbol: product, bookChannel == .orderbook ? "snapshot applied" : "percent10 push applied onto an empty book")
        }
        for (stream, update) in deliveries { stream.push(update) }
    }

    func apply(product: String, fills: [BGEFill]) {
        guard let symbol = BGESymbols.unified(product) else { return }
        let (fresh, sinks): ([BGEFill], [EventStream<Trade>]) = state.withLock { s in
            guard var slot = s.trades[product] else { return ([], []) }
            let fresh = fills.filter { slot.remember($0.id) }.sorted { ($0.time, $0.id) < ($1.time, $1.id) }
            slot.sinks.removeAll { $0.isFinished }
            s.trades[product] = slot
            return (fresh, slot.sinks)
        }
        for f in fresh {
            let t = Trade(venue: .bge, symbol: symbol, id: String(f.id), price: f.price, quantity: f.volume, side: f.side, timestamp: f.time)
            for s in sinks { s.push(t) }
        }
    }

    func apply(product: String, ticker t: BGETicker) {
        guard let symbol = BGESymbols.unified(product) else { return }
        let sinks = state.withLock { $0.tickers[product] ?? [] }
        let ticker = Ticker(venue: .bge, symbol: symbol, last: t.close, volume24h: t.volume, timestamp: WallClock.microseconds())
        for s in sinks { s.push(ticker) }
    }

    func apply(product: String, interval: String, candles list: [BGECandle]) {
        guard let symbol = BGESymbols.unified(product), let i = Self.candleIntervals.unified(interval) else { return }
        let bars = list.sorted { $0.openSeconds < $1.openSeconds }.map { c in
            Candle(venue: .bge, symbol: symbol, interval: i, openTime: c.openSeconds &* 1_000_000, open: c.open, high: c.high,
                   low: c.low, close: c.close, volume: c.volume, quoteVolume: c.quoteVolume, tradeCount: c.count)
        }
        candles.push(Self.candleKey(product, i), bars)
    }

    // MARK: Connection

    /// A new socket: every book becomes invalid until its next snapshot (`percent10`: rebuilt
    /// from empty, any `seq_id` accepted again).
    func invalidateBooks() {
        let invalid = state.withLock { $0.books.invalidateSnapshots() }
        for p in invalid { reporter.report(.bookInvalid, symbol: p, "connection replaced; waiting for a new snapshot") }
    }

    // MARK: Watchers

    /// Adds a book watcher; true when the product is new (subscribe it).
    func addBookSink(product: String, symbol: Symbol, stream: EventStream<BookUpdate>, depth: Int) -> Bool {
        state.withLock { s in
            if var slot = s.books[product] {
                slot.sinks.append((stream, depth))
                s.books[product] = slot
                if slot.hasSnapshot {
                    var b = slot.book
                    b.truncate(to: depth)
                    stream.push(BookUpdate(book: b, isSnapshot: true))
                }
                return false
            }
            var slot = BGEBookSlot(book: OrderBook(venue: .bge, symbol: symbol))
            slot.sinks.append((stream, depth))
            s.books[product] = slot
            return true
        }
    }

    func addTradeSink(product: String, stream: EventStream<Trade>) -> Bool {
        state.withLock { s in
            let isNew = s.trades[product] == nil
            s.trades[product, default: BGETradeSlot()].sinks.append(stream)
            return isNew
        }
    }

    func addTickerSink(product: String, stream: EventStream<Ticker>) -> Bool {
        state.withLock { s in
            let isNew = s.tickers[product] == nil
            s.tickers[product, default: []].append(stream)
            return isNew
        }
    }

    /// `percent10` pushes skipped as duplicates or regressions of `seq_id`.
    var skippedBookPushes: BGESkippedBookPushes { state.withLock { $0.skipped } }

    /// The current book of `product` (nil before its first snapshot).
    func book(_ product: String) -> OrderBook? { state.withLock { s in s.books[product].flatMap { $0.hasSnapshot ? $0.book : nil } } }

    func finishAll() {
        let s = state.withLock { s in defer { s = State() }; return s }
        for slot in s.books.values { for x in slot.sinks { x.stream.finish() } }
        for slot in s.trades.values { for x in slot.sinks { x.finish() } }
        for list in s.tickers.values { for x in list { x.finish() } }
        candles.finishAll()
    }
}
