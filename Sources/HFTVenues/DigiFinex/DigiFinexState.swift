/// Everything the socket's messages touch, confined to the connection's event loop: books
/// (one per symbol, plus the replacement socket's during a recycle), trade filters and
/// watchers, tickers; private pushes go on to `DigiFinexPrivateFeed`.
import HFTCore
import HFTTransport

/// One symbol's book and its watchers.
final class DigiFinexBookSlot {
    var live: DigiFinexBook
    /// Built from the replacement socket during a recycle.
    var standby: DigiFinexBook?
    var sinks: [(stream: EventStream<BookUpdate>, depth: Int)] = []
    /// Invalidated: report `book_resynced` with the next snapshot.
    var resyncing = false

    init(symbol: Symbol) { live = DigiFinexBook(symbol: symbol) }
}

final class DigiFinexTradeSlot {
    var filter = DigiFinexTradeFilter()
    var sinks: [EventStream<Trade>] = []
}

final class DigiFinexState {
    let reporter: DigiFinexReporter
    let ledger: DigiFinexRequestLedger
    let feed: DigiFinexPrivateFeed
    /// Called when the last watcher of a symbol went away (unsubscribe it).
    var onEmpty: (@Sendable (DigiFinexChannel, String) -> Void)?

    var active = 1
    var standbyGeneration: Int?
    var connects: [Int: Int] = [:]
    var books: [String: DigiFinexBookSlot] = [:]
    var trades: [String: DigiFinexTradeSlot] = [:]
    var tickers: [String: [EventStream<Ticker>]] = [:]

    init(reporter: DigiFinexReporter, ledger: DigiFinexRequestLedger, feed: DigiFinexPrivateFeed) {
        self.reporter = reporter
        self.ledger = ledger
        self.feed = feed
    }

    // MARK: Hot path

    @inline(__always)
    func handle(_ m: InboundMessage, generation gen: Int) {
        let decoded: Result<DigiFinexInbound, DigiFinexDecodeError> = m.withBytes { b in
            do throws(DigiFinexDecodeError) { return .success(try DigiFinexDecoder.decode(b)) } catch { return .failure(error) }
        }
        switch decoded {
        case .success(let inbound): route(inbound, generation: gen)
        case .failure(let e): reporter.malformed(e.description, unknown: e.isUnknown)
        }
    }

    func route(_ inbound: DigiFinexInbound, generation gen: Int) {
        switch inbound {
        case .depth(let u):
            guard let slot = books[u.symbol] else { return }
            if gen == active {
                switch slot.live.apply(u, timestamp: WallClock.microseconds()) {
                case .applied(let snapshot):
                    if snapshot && slot.resyncing {
                        slot.resyncing = false
                        reporter.report(.bookResynced, symbol: u.symbol, "snapshot applied")
                    }
                    deliver(slot, native: u.symbol, snapshot: snapshot)
                case .awaitingSnapshot:
                    break
                }
            } else if gen == standbyGeneration {
                slot.standby?.apply(u, timestamp: WallClock.microseconds())
            }
        case .trades(let u):
            guard let slot = trades[u.symbol], let symbol = DigiFinexSymbols.unified(u.symbol) else { return }
            let fresh = slot.filter.fresh(u)
            var finished = false
            for t in fresh {
                let trade = Trade(venue: .digifinex, symbol: symbol, id: String(t.id), price: t.price, quantity: t.amount,
                                  side: t.side, timestamp: t.time)
                for s in slot.sinks where !s.push(trade) { finished = true }
            }
            if finished { prune(slot, native: u.symbol) }
        case .ticker(let list, _):
            guard gen == active else { return }
            for t in list {
                guard let sinks = tickers[t.symbol], let symbol = DigiFinexSymbols.unified(t.symbol) else { continue }
                let ticker = Ticker(venue: .digifinex, symbol: symbol, bid: t.bestBid, bidQuantity: t.bestBidSize, ask: t.bestAsk,
                                    askQuantity: t.bestAskSize, last: t.last, volume24h: t.baseVolume24h,
                                    timestamp: t.timestamp != 0 ? t.timestamp : WallClock.microseconds())
                var finished = false
                for s in sinks where !s.push(ticker) { finished = true }
                if finished {
                    let left = sinks.filter { !$0.isFinished }
                    tickers[t.symbol] = left.isEmpty ? nil : left
                    if left.isEmpty { onEmpty?(.ticker, t.symbol) }
                }
            }
        case .orders(let list):
            for u in list { feed.apply(u) }
        case .balances(let list):
            for u in list { feed.apply(u) }
        case .algoOrders:
            break
        case .response(let r):
            acknowledge(r)
        }
    }

    func deliver(_ slot: DigiFinexBookSlot, native: String, snapshot: Bool) {
        var finished = false
        for s in slot.sinks {
            var book = slot.live.book
            book.truncate(to: s.depth)
            if !s.stream.push(BookUpdate(book: book, isSnapshot: snapshot)) { finished = true }
        }
        guard finished else { return }
        slot.sinks.removeAll { $0.stream.isFinished }
        if slot.sinks.isEmpty {
            books[native] = nil
            onEmpty?(.depth, native)
        }
    }

    func prune(_ slot: DigiFinexTradeSlot, native: String) {
        slot.sinks.removeAll { $0.isFinished }
        if slot.sinks.isEmpty {
            trades[native] = nil
            onEmpty?(.trades, native)
        }
    }

    /// Subscribe acks: `subscribed` per symbol; an error reply goes to `errors`.
    func acknowledge(_ r: DigiFinexResponse) {
        guard let entry = ledger.take(r.id) else {
            if let e = r.error { reporter.venueError(e, context: "request \(r.id)") }
            return
        }
        let what = "\(entry.method) \(entry.params.joined(separator: ","))"
        ledger.acknowledged(entry, ok: r.error == nil)
        if let e = r.error {
            reporter.venueError(e, context: what)
            return
        }
        guard entry.method.hasSuffix(".subscribe") else { return }
        let isSymbols = entry.method.hasPrefix("depth") || entry.method.hasPrefix("trades") || entry.method.hasPrefix("ticker")
            || entry.method.hasPrefix("order")
        if isSymbols && !entry.params.isEmpty {
            for p in entry.params { reporter.report(.subscribed, symbol: p, entry.method) }
        } else {
            reporter.report(.subscribed, what)
        }
    }

    // MARK: Connections

    /// Before the transport authenticates and replays on a new socket of generation `gen`:
    /// the active generation's books become invalid until their next snapshot. True when this
    /// generation connected before (a reconnect).
    func connectionReset(_ gen: Int) -> Bool {
        connects[gen, default: 0] += 1
        if gen == active {
            for (native, slot) in books.sorted(by: { $0.key < $1.key }) where slot.live.hasSnapshot {
                slot.live.invalidate()
                slot.resyncing = true
                reporter.report(.bookInvalid, symbol: native, "connection replaced; waiting for a new snapshot")
            }
        } else if gen > active {
            beginStandby(gen)
        }
        return connects[gen]! > 1
    }

    func beginStandby(_ gen: Int) {
        standbyGeneration = gen
        for slot in books.values { slot.standby = DigiFinexBook(symbol: slot.live.book.symbol) }
    }

    func abortStandby(_ gen: Int) {
        guard standbyGeneration == gen else { return }
        standbyGeneration = nil
        for slot in books.values { slot.standby = nil }
    }

    /// Every book of the replacement socket has its snapshot.
    var standbyComplete: Bool { books.values.allSatisfy { $0.standby?.hasSnapshot ?? true } }

    /// Routes generation `gen`: its books replace the old ones (delivered when they differ).
    func switchTo(_ gen: Int) {
        for (native, slot) in books.sorted(by: { $0.key < $1.key }) {
            guard let next = slot.standby else { continue }
            let old = slot.live
            slot.live = next
            slot.standby = nil
            if !next.hasSnapshot {
                if old.hasSnapshot {
                    slot.resyncing = true
                    reporter.report(.bookInvalid, symbol: native, "recycle: no snapshot yet on the new socket")
                }
            } else if old.book.bids != next.book.bids || old.book.asks != next.book.asks || !old.hasSnapshot {
                if slot.resyncing {
                    slot.resyncing = false
                    reporter.report(.bookResynced, symbol: native, "snapshot applied")
                }
                deliver(slot, native: native, snapshot: true)
            }
        }
        active = gen
        standbyGeneration = nil
    }

    // MARK: Watchers

    /// Adds a book watcher; true when the symbol is new (subscribe it).
    func addBookSink(native: String, symbol: Symbol, stream: EventStream<BookUpdate>, depth: Int) -> Bool {
        if let slot = books[native] {
            slot.sinks.append((stream, depth))
            if slot.live.hasSnapshot {
                var book = slot.live.book
                book.truncate(to: depth)
                stream.push(BookUpdate(book: book, isSnapshot: true))
            }
            return false
        }
        let slot = DigiFinexBookSlot(symbol: symbol)
        if standbyGeneration != nil { slot.standby = DigiFinexBook(symbol: symbol) }
        slot.sinks.append((stream, depth))
        books[native] = slot
        return true
    }

    func addTradeSink(native: String, stream: EventStream<Trade>) -> Bool {
        if let slot = trades[native] { slot.sinks.append(stream); return false }
        let slot = DigiFinexTradeSlot()
        slot.sinks.append(stream)
        trades[native] = slot
        return true
    }

    func addTickerSink(native: String, stream: EventStream<Ticker>) -> Bool {
        let isNew = tickers[native] == nil
        tickers[native, default: []].append(stream)
        return isNew
    }

    func finishAll() {
        for slot in books.values { for s in slot.sinks { s.stream.finish() } }
        for slot in trades.values { for s in slot.sinks { s.finish() } }
        for list in tickers.values { for s in list { s.finish() } }
        books.removeAll()
        trades.removeAll()
        tickers.removeAll()
        feed.finishAll()
    }
}
