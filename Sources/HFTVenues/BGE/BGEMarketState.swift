/// Public-channel state: books (each `orderbook` push is a full top-N snapshot and replaces the
/// book, bge.md §5), trade dedupe by id, tickers, with their watchers. Guarded by one lock
/// (written on the connection's event loop, read by watcher registration).
import HFTCore
import Synchronization

struct BGEBookSlot {
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
    }

    private let state = Mutex(State())
    let reporter: BGEReporter
    let candles = CandleSinks()

    /// bge.md §5 (zh page); an older revision spelled the hour `1hour`, read back as well.
    static let candleIntervals = CandleIntervalMap(venue: "BGE", [
        (.oneMinute, "1min"), (.fiveMinutes, "5min"), (.fifteenMinutes, "15min"), (.thirtyMinutes, "30min"),
        (.oneHour, "60min"), (.fourHours, "4hour"), (.oneDay, "1day"), (.oneWeek, "1week"), (.oneMonth, "1mon"),
    ], aliases: ["1hour": .oneHour])

    static func candleKey(_ product: String, _ interval: CandleInterval) -> String { product + ":" + interval.rawValue }

    init(reporter: BGEReporter) { self.reporter = reporter }

    // MARK: Pushes

    func apply(_ p: BGEBookPush) {
        var resynced = false
        let deliveries: [(EventStream<BookUpdate>, BookUpdate)] = state.withLock { s in
            guard var slot = s.books[p.product] else { return [] }
            slot.book.replace(bids: p.bids, asks: p.asks)
            slot.book.sequence &+= 1
            slot.book.timestamp = WallClock.microseconds()
            slot.hasSnapshot = true
            slot.lastSeq = p.seqID ?? slot.lastSeq
            if slot.resyncing { slot.resyncing = false; resynced = true }
            slot.sinks.removeAll { $0.stream.isFinished }
            s.books[p.product] = slot
            return slot.sinks.map { sink in
                var b = slot.book
                b.truncate(to: sink.depth)
                return (sink.stream, BookUpdate(book: b, isSnapshot: true))
            }
        }
        if resynced { reporter.report(.bookResynced, symbol: p.product, "snapshot applied") }
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

    /// A new socket: every book becomes invalid until its next snapshot.
    func invalidateBooks() {
        let invalid: [String] = state.withLock { s in
            var out: [String] = []
            for (product, var slot) in s.books where slot.hasSnapshot {
                slot.book.clear()
                slot.hasSnapshot = false
                slot.resyncing = true
                s.books[product] = slot
                out.append(product)
            }
            return out.sorted()
        }
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
