/// Public-channel state (fmex.md §5): books from a depth snapshot then deltas chained by
/// `pre_seq` (a break asks for a resubscribe, `onGap`), full-snapshot books when configured,
/// trades newer than the last id, tickers; with their watchers. One lock; written on the public
/// connection's event loop.
import HFTCore
import Synchronization

struct FMexBookSlot: SnapshotBookSlot {
    var book: OrderBook
    /// Levels kept per side (the topic's level count).
    var levels: Int
    var topic: FMexTopic
    var hasSnapshot = false
    /// Invalidated (reconnect or gap): report `book_resynced` with the next snapshot.
    var resyncing = false
    var lastSeq: Int64?
    var sinks: [(stream: EventStream<BookUpdate>, depth: Int)] = []
}

final class FMexMarketState: Sendable {
    struct State {
        var books: [String: FMexBookSlot] = [:]
        var trades: [String: (lastID: Int64?, sinks: [EventStream<Trade>])] = [:]
        var tickers: [String: [EventStream<Ticker>]] = [:]
        var gaps: UInt64 = 0
    }

    private let state = Mutex(State())
    let reporter: FMexReporter
    let candles = CandleSinks()

    /// fmex.md §5 (case-sensitive).
    static let candleIntervals = CandleIntervalMap(venue: "FMex", [
        (.oneMinute, "M1"), (.threeMinutes, "M3"), (.fiveMinutes, "M5"), (.fifteenMinutes, "M15"), (.thirtyMinutes, "M30"),
        (.oneHour, "H1"), (.fourHours, "H4"), (.sixHours, "H6"), (.oneDay, "D1"), (.oneWeek, "W1"), (.oneMonth, "MN"),
    ])

    func apply(_ c: FMexCandle) {
        guard let symbol = FMexSymbols.unified(c.symbol), let i = Self.candleIntervals.unified(c.resolution) else { return }
        let bar = Candle(venue: .fmex, symbol: symbol, interval: i, openTime: c.openSeconds &* 1_000_000, open: c.open, high: c.high,
                         low: c.low, close: c.close, volume: c.baseVolume, quoteVolume: c.quoteVolume, tradeCount: c.count)
        candles.push(FMexTopic.candle(c.resolution, c.symbol).name, [bar])
    }
    /// Called (on the event loop) with the depth topic to resubscribe after a sequence break.
    let onGap: @Sendable (FMexTopic) -> Void

    init(reporter: FMexReporter, onGap: @escaping @Sendable (FMexTopic) -> Void) {
        self.reporter = reporter
        self.onGap = onGap
    }

    // MARK: Pushes

    func apply(_ d: FMexDepth) {
        enum Outcome { case ignored, applied(resynced: Bool), gap(FMexTopic, expected: Int64?, got: Int64?) }
        var deliveries: [(EventStream<BookUpdate>, BookUpdate)] = []
        let outcome: Outcome = state.withLock { s in
            guard var slot = s.books[d.symbol] else { return .ignored }
            if d.isDelta {
                guard slot.hasSnapshot else { return .ignored }   // waiting for the (re)subscription's snapshot
                guard let last = slot.lastSeq, d.preSeq == last else {
                    slot.book.clear()
                    slot.hasSnapshot = false
                    slot.resyncing = true
                    let expected = slot.lastSeq
                    s.books[d.symbol] = slot
                    s.gaps &+= 1
                    return .gap(slot.topic, expected: expected, got: d.preSeq)
                }
                for l in d.bids { slot.book.apply(.buy, price: l.price, quantity: l.quantity) }
                for l in d.asks { slot.book.apply(.sell, price: l.price, quantity: l.quantity) }
            } else {
                slot.book.replace(bids: d.bids, asks: d.asks)
            }
            if slot.levels > 0 { slot.book.truncate(to: slot.levels) }
            slot.lastSeq = d.seq ?? slot.lastSeq
            slot.book.sequence = d.seq ?? (slot.book.sequence &+ 1)
            slot.book.timestamp = d.ts.map { $0 &* 1000 } ?? WallClock.microseconds()
            let wasSnapshot = !d.isDelta
            var resynced = false
            if wasSnapshot {
                slot.hasSnapshot = true
                if slot.resyncing { slot.resyncing = false; resynced = true }
            }
            slot.sinks.removeAll { $0.stream.isFinished }
            s.books[d.symbol] = slot
            deliveries = slot.sinks.map { sink in
                var b = slot.book
                b.truncate(to: sink.depth)
                return (sink.stream, BookUpdate(book: b, isSnapshot: wasSnapshot))
            }
            return .applied(resynced: resynced)
        }
        switch outcome {
        case .ignored: return
        case .gap(let topic, let expected, let got):
            reporter.report(.bookInvalid, symbol: d.symbol,
                            "sequence break: pre_seq \(got.map(String.init) ?? "none") after seq \(expected.map(String.init) ?? "none"); resubscribing")
            onGap(topic)
        case .applied(let resynced):
            if resynced { reporter.report(.bookResynced, symbol: d.symbol, "snapshot applied") }
            for (stream, update) in deliveries { stream.push(update) }
        }
    }

    func apply(_ t: FMexTrade) {
        guard let symbol = FMexSymbols.unified(t.symbol) else { return }
        let sinks: [EventStream<Trade>] = state.withLock { s in
            guard var slot = s.trades[t.symbol] else { return [] }
            if let last = slot.lastID, t.id <= last { return [] }
            slot.lastID = t.id
            slot.sinks.removeAll { $0.isFinished }
            s.trades[t.symbol] = slot
            return slot.sinks
        }
        guard !sinks.isEmpty else { return }
        let trade = Trade(venue: .fmex, symbol: symbol, id: String(t.id), price: t.price, quantity: t.amount, side: t.side,
                          timestamp: t.ts &* 1000)
        for s in sinks { s.push(trade) }
    }

    func apply(_ t: FMexTicker) {
        guard let symbol = FMexSymbols.unified(t.symbol) else { return }
        let sinks = state.withLock { $0.tickers[t.symbol] ?? [] }
        let ticker = Ticker(venue: .fmex, symbol: symbol, bid: t.bid, bidQuantity: t.bidQuantity, ask: t.ask, askQuantity: t.askQuantity,
                            last: t.last, volume24h: t.volume24h, timestamp: WallClock.microseconds())
        for s in sinks { s.push(ticker) }
    }

    // MARK: Connection

    /// A new socket: every book becomes invalid until its next snapshot.
    func invalidateBooks() {
        let invalid = state.withLock { $0.books.invalidateSnapshots() }
        for p in invalid { reporter.report(.bookInvalid, symbol: p, "connection replaced; waiting for a new snapshot") }
    }

    // MARK: Watchers

    /// Adds a book watcher; the topic to subscribe when the symbol is new.
    func addBookSink(symbol: String, unified: Symbol, topic: FMexTopic, levels: Int, stream: EventStream<BookUpdate>,
                     depth: Int) -> FMexTopic? {
        state.withLock { s in
            if var slot = s.books[symbol] {
                slot.sinks.append((stream, depth))
                s.books[symbol] = slot
                if slot.hasSnapshot {
                    var b = slot.book
                    b.truncate(to: depth)
                    stream.push(BookUpdate(book: b, isSnapshot: true))
                }
                return nil
            }
            var slot = FMexBookSlot(book: OrderBook(venue: .fmex, symbol: unified), levels: levels, topic: topic)
            slot.sinks.append((stream, depth))
            s.books[symbol] = slot
            return topic
        }
    }

    func addTradeSink(symbol: String, stream: EventStream<Trade>) -> Bool {
        state.withLock { s in
            let isNew = s.trades[symbol] == nil
            s.trades[symbol, default: (nil, [])].sinks.append(stream)
            return isNew
        }
    }

    func addTickerSink(symbol: String, stream: EventStream<Ticker>) -> Bool {
        state.withLock { s in
            let isNew = s.tickers[symbol] == nil
            s.tickers[symbol, default: []].append(stream)
            return isNew
        }
    }

    func book(_ symbol: String) -> OrderBook? { state.withLock { s in s.books[symbol].flatMap { $0.hasSnapshot ? $0.book : nil } } }
    var gapCount: UInt64 { state.withLock { $0.gaps } }

    func finishAll() {
        let s = state.withLock { s in defer { s = State() }; return s }
        for slot in s.books.values { for x in slot.sinks { x.stream.finish() } }
        for slot in s.trades.values { for x in slot.sinks { x.finish() } }
        candles.finishAll()
        for list in s.tickers.values { for x in list { x.finish() } }
    }
}
