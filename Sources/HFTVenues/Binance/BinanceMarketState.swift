/// Everything the market streams touch, confined to the session's event loop (no locks): one
/// `BinanceDepthSync` per book with its watchers and snapshot fetches, trade and ticker watchers
/// with the last id delivered, and which connection (generation) each book reads from.
import HFTCore
import HFTTransport
import NIOCore

/// One symbol's book and its watchers.
final class BinanceBookSlot {
    var sync: BinanceDepthSync
    let unified: Symbol
    var sinks: [(stream: EventStream<BookUpdate>, depth: Int)] = []
    /// Invalidated (gap or reconnect): report `book_resynced` with the next snapshot.
    var resyncing = false
    /// A book was delivered since the last (re)start: losing sync now invalidates it.
    var live = false
    /// Bumped by every snapshot request and reset, so a late snapshot of an older one is dropped.
    var fetchGeneration = 0
    var fetching = false
    /// The connection generation whose events the book follows.
    var primary: Int
    /// During a rotation: the replacement's generation and its events that did not continue the
    /// book yet (they do once the old connection catches up).
    var candidate: Int?
    var pending: [BinanceDepthUpdate] = []

    init(sync: BinanceDepthSync, unified: Symbol, primary: Int) {
        self.sync = sync
        self.unified = unified
        self.primary = primary
    }
}

/// One symbol's trade watchers, the last trade id delivered, and the rotation hand-over.
final class BinanceTradeSlot {
    var sinks: [EventStream<Trade>] = []
    var last: Int64 = -1
    var primary = -1
    var candidate: Int?
    var pending: [BinanceTrade] = []
}

final class BinanceMarketState {
    let options: BinanceClientOptions
    let reporter: BinanceReporter
    let rest: BinanceRestAPI
    let loop: any EventLoop
    weak var session: BinanceMarketDataSession?

    var books: [String: BinanceBookSlot] = [:]
    var trades: [String: BinanceTradeSlot] = [:]
    var tickers: [String: (sinks: [EventStream<Ticker>], last: Int64)] = [:]
    /// Connects seen per generation: the first one of a connection changes nothing (a new shard or
    /// a rotation's replacement); later ones are reconnects that invalidate the books on it.
    var connects: [Int: Int] = [:]
    /// Generations of connections that have carried the books (newest wins for new books).
    var latestGen = 0
    var controlIDs: [RequestID: String] = [:]
    static let endpoint = BinanceMarketDataSession.endpoint
    static let maxPending = 10_000

    init(options: BinanceClientOptions, reporter: BinanceReporter, rest: BinanceRestAPI, loop: any EventLoop) {
        self.options = options
        self.reporter = reporter
        self.rest = rest
        self.loop = loop
    }

    // MARK: Hot path

    @inline(__always)
    func handle(_ m: InboundMessage, gen: Int) {
        switch BinanceWire.decode(m, .milliseconds) {
        case .success(let inbound): route(inbound, gen: gen)
        case .failure(let e): reporter.malformed(Self.endpoint, e)
        }
    }

    func route(_ inbound: BinanceInbound, gen: Int) {
        switch inbound {
        case .market(let event, _):
            switch event {
            case .depthUpdate(let u): depth(u, gen: gen)
            case .trade(let t): trade(t, gen: gen)
            case .bookTicker(let t): ticker(t)
            case .aggTrade, .partialDepth: break
            }
        case .streamReply(let r):
            let stream = r.id.requestID.flatMap { controlIDs.removeValue(forKey: $0) }
            if let e = r.error {
                reporter.venueError(e, context: "stream control\(stream.map { " \($0)" } ?? "")")
            } else if let stream {
                reporter.report(.subscribed, symbol: BinanceStream(name: stream).flatMap { rest.symbols.unified($0.symbol) }, stream)
            }
        case .serverShutdown:
            reporter.report(.reconnecting, "\(Self.endpoint): serverShutdown; rotating now")
            session?.rotate(gen: gen, reason: "serverShutdown")
        case .response, .userData:
            reporter.malformed(Self.endpoint, "WS API frame on a stream connection", unknown: true)
        }
    }

    /// Trades follow one connection like books; a rotation's replacement holds its trades back
    /// until the old one has delivered the one before (trade ids are consecutive per symbol).
    func trade(_ t: BinanceTrade, gen: Int) {
        guard let slot = trades[t.symbol] else { return }
        if slot.primary < 0 { slot.primary = gen }
        if gen == slot.primary {
            deliver(t, slot)
            guard slot.candidate != nil else { return }
            slot.pending.removeAll { $0.tradeID <= slot.last }
            if let head = slot.pending.first, head.tradeID == slot.last + 1 {
                let pending = slot.pending
                slot.primary = slot.candidate!
                slot.candidate = nil
                slot.pending = []
                for p in pending { deliver(p, slot) }
            }
        } else if gen == slot.candidate {
            if t.tradeID <= slot.last {
                // The replacement is at or behind what was delivered: it takes over now.
                slot.primary = gen
                slot.candidate = nil
                slot.pending = []
            } else if t.tradeID == slot.last + 1 {
                slot.primary = gen
                slot.candidate = nil
                let pending = slot.pending
                slot.pending = []
                deliver(t, slot)
                for p in pending { deliver(p, slot) }
            } else if slot.pending.count < Self.maxPending {
                slot.pending.append(t)
            }
        }
    }

    func deliver(_ t: BinanceTrade, _ slot: BinanceTradeSlot) {
        guard t.tradeID > slot.last else { return }
        slot.last = t.tradeID
        guard let u = try? t.unified(symbols: rest.symbols) else { return reporter.malformed(Self.endpoint, "trade symbol \(t.symbol)") }
        var dropped = false
        for s in slot.sinks where !s.push(u) { dropped = true }
        if dropped { slot.sinks.removeAll { $0.isFinished } }
    }

    func ticker(_ t: BinanceBookTicker) {
        guard var entry = tickers[t.symbol], t.updateID > entry.last else { return }
        entry.last = t.updateID
        guard let u = try? t.unified(symbols: rest.symbols) else { return reporter.malformed(Self.endpoint, "ticker symbol \(t.symbol)") }
        var dropped = false
        for s in entry.sinks where !s.push(u) { dropped = true }
        if dropped { entry.sinks.removeAll { $0.isFinished } }
        tickers[t.symbol] = entry
    }

    // MARK: Books

    @inline(__always)
    func depth(_ e: BinanceDepthUpdate, gen: Int) {
        guard let slot = books[e.symbol] else { return }
        if slot.primary < 0 { slot.primary = gen }
        // An event the book already has (a connection's overlap, or a replay): nothing to do.
        let have = slot.sync.isSynced && e.finalUpdateID <= slot.sync.updateID
        if gen == slot.primary {
            if have { return }
            outcome(slot.sync.apply(e), slot)
            if slot.candidate != nil { drainCandidate(slot) }
            return
        }
        guard gen == slot.candidate, slot.sync.isSynced else { return }
        // The replacement's event. At or behind the book: from here on it delivers every later
        // event, so it takes over now (the old one's are dropped). Continuing the book: take over
        // and apply. Ahead: hold it until the old connection catches up.
        if have {
            slot.primary = gen
            slot.candidate = nil
            slot.pending = []
            return
        }
        if e.firstUpdateID <= slot.sync.updateID + 1 {
            switchToCandidate(slot, first: e)
        } else if slot.pending.count < Self.maxPending {
            slot.pending.append(e)
        }
    }

    /// The old connection caught up with the replacement's buffered events: move over.
    func drainCandidate(_ slot: BinanceBookSlot) {
        guard slot.sync.isSynced else { return }
        let id = slot.sync.updateID
        slot.pending.removeAll { $0.finalUpdateID <= id }
        if let head = slot.pending.first, head.firstUpdateID <= id + 1 {
            let rest = slot.pending.dropFirst()
            slot.pending = []
            switchToCandidate(slot, first: head)
            for e in rest { outcome(slot.sync.apply(e), slot) }
        }
    }

    func switchToCandidate(_ slot: BinanceBookSlot, first: BinanceDepthUpdate) {
        guard let c = slot.candidate else { return }
        slot.primary = c
        slot.candidate = nil
        slot.pending = []
        outcome(slot.sync.apply(first), slot)
    }

    func outcome(_ o: BinanceDepthSync.Outcome, _ slot: BinanceBookSlot) {
        switch o {
        case .applied(let snapshot):
            if snapshot && slot.resyncing {
                slot.resyncing = false
                reporter.report(.bookResynced, symbol: slot.unified, "snapshot \(slot.sync.updateID) bridged the stream")
            }
            deliver(slot, snapshot: snapshot)
        case .buffered(let fetch):
            if fetch { fetchSnapshot(slot) }
        case .snapshotTooOld(let id, let firstU):
            if slot.live {
                // The delivered snapshot was not bridged by the stream: it is invalid too.
                slot.live = false
                slot.resyncing = true
                reporter.report(.bookInvalid, symbol: slot.unified,
                                "gap right after the snapshot (at \(id), next event starts at \(firstU)); fetching a snapshot of \(slot.sync.symbol)")
            }
            fetchSnapshot(slot, after: options.snapshotRetry)
        case .resync(let bookID, let firstU):
            slot.live = false
            slot.resyncing = true
            reporter.report(.bookInvalid, symbol: slot.unified,
                            "gap: book at \(bookID), next event starts at \(firstU); fetching a snapshot of \(slot.sync.symbol)")
            fetchSnapshot(slot)
        case .stale, .ignored:
            break
        }
    }

    @inline(__always)
    func deliver(_ slot: BinanceBookSlot, snapshot: Bool) {
        slot.live = true
        var dropped = false
        let book = slot.sync.book
        for s in slot.sinks {
            var b = book
            if b.bids.count > s.depth || b.asks.count > s.depth { b.truncate(to: s.depth) }
            if !s.stream.push(BookUpdate(book: b, isSnapshot: snapshot)) { dropped = true }
        }
        if dropped { slot.sinks.removeAll { $0.stream.isFinished } }
    }

    /// Fetches this symbol's snapshot (weight-paced by the REST API), now or after `delay`.
    func fetchSnapshot(_ slot: BinanceBookSlot, after delay: Duration = .zero) {
        slot.fetchGeneration += 1
        let generation = slot.fetchGeneration
        slot.fetching = true
        let rest = self.rest, native = slot.sync.symbol, loop = self.loop
        let bound = NIOLoopBound(self, eventLoop: loop)
        Task {
            if delay > .zero { try? await Task.sleep(for: delay) }
            let result: Result<BinanceDepthSnapshot, HFTError>
            do throws(HFTError) { result = .success(try await rest.depth(symbol: native)) } catch { result = .failure(error) }
            loop.execute { bound.value.snapshotArrived(native, generation, result) }
        }
    }

    func snapshotArrived(_ native: String, _ generation: Int, _ result: Result<BinanceDepthSnapshot, HFTError>) {
        guard let slot = books[native], slot.fetchGeneration == generation else { return }
        slot.fetching = false
        switch result {
        case .success(let snapshot):
            outcome(slot.sync.applySnapshot(snapshot, timestamp: WallClock.microseconds()), slot)
        case .failure(let error):
            var wait = Duration.seconds(1)
            if case .rateLimited(let after?) = error {
                wait = .microseconds(Int64(min(after, 600_000_000)))
                reporter.report(.rateLimited, symbol: slot.unified, "depth snapshot: \(error)")
            }
            reporter.report(.bookInvalid, symbol: slot.unified, "snapshot failed (\(error)); retrying in \(wait)")
            slot.resyncing = true
            fetchSnapshot(slot, after: wait)
        }
    }

    // MARK: Connections

    /// In the connect hook, before the subscriptions are replayed.
    func connected(gen: Int) {
        connects[gen, default: 0] += 1
        latestGen = max(latestGen, gen)
        guard connects[gen]! > 1 else { return }
        for (_, slot) in books.sorted(by: { $0.key < $1.key }) where slot.primary == gen {
            let wasSynced = slot.sync.isSynced
            slot.live = false
            slot.sync.reset()
            slot.fetchGeneration += 1
            slot.fetching = false
            if wasSynced {
                slot.resyncing = true
                reporter.report(.bookInvalid, symbol: slot.unified, "connection replaced; waiting for a new snapshot")
            }
        }
    }

    func connectionClosed(gen: Int) { connects[gen] = nil }

    func controlSent(_ id: RequestID, stream: String) {
        if controlIDs.count > 4_096 { controlIDs.removeAll() }
        controlIDs[id] = stream
    }

    func beginRotation(from old: Int, to new: Int, streams: Set<String>) {
        latestGen = max(latestGen, new)
        for (native, t) in trades where t.primary == old && streams.contains(BinanceStream.trade(native).name) {
            t.candidate = new
            t.pending = []
        }
        for slot in books.values where slot.primary < 0 && streams.contains(BinanceStream.depth(slot.sync.symbol).name) {
            slot.primary = new
        }
        for slot in books.values where slot.primary == old && streams.contains(BinanceStream.depth(slot.sync.symbol).name) {
            if slot.sync.isSynced {
                slot.candidate = new
                slot.pending = []
            } else {
                // Not in sync anyway: start over on the replacement.
                slot.live = false
                slot.primary = new
                slot.sync.reset()
                slot.fetchGeneration += 1
                slot.fetching = false
            }
        }
    }

    func handedOver(to new: Int, streams: Set<String>) -> Bool {
        books.values.allSatisfy { $0.candidate != new } && trades.values.allSatisfy { $0.candidate != new }
    }

    /// The old connection is closing: every book still on it moves to the replacement; buffered
    /// replacement events that do not continue the book are a real gap (resync that symbol).
    func finishRotation(from old: Int, to new: Int, streams: Set<String>) {
        for slot in books.values where slot.primary == old && streams.contains(BinanceStream.depth(slot.sync.symbol).name) {
            let pending = slot.pending
            slot.candidate = nil
            slot.pending = []
            slot.primary = new
            for e in pending { outcome(slot.sync.apply(e), slot) }
        }
        for (native, t) in trades where t.primary == old && streams.contains(BinanceStream.trade(native).name) {
            let pending = t.pending
            t.candidate = nil
            t.pending = []
            t.primary = new
            for p in pending { trade(p, gen: new) }
        }
    }

    // MARK: Watchers

    /// Adds a watcher; true when the symbol's stream must be subscribed.
    func addBookSink(native: String, unified: Symbol, stream: EventStream<BookUpdate>, depth: Int) -> Bool {
        if let slot = books[native] {
            slot.sinks.append((stream, depth))
            if slot.sync.isSynced {
                var b = slot.sync.book
                b.truncate(to: depth)
                stream.push(BookUpdate(book: b, isSnapshot: true))
            }
            return false
        }
        // The first connection that delivers one of its events becomes the book's source.
        let slot = BinanceBookSlot(sync: BinanceDepthSync(symbol: native, unified: unified), unified: unified, primary: -1)
        slot.sinks.append((stream, depth))
        books[native] = slot
        return true
    }

    func addTradeSink(native: String, stream: EventStream<Trade>) -> Bool {
        if let slot = trades[native] { slot.sinks.append(stream); return false }
        let slot = BinanceTradeSlot()
        slot.sinks.append(stream)
        trades[native] = slot
        return true
    }

    func addTickerSink(native: String, stream: EventStream<Ticker>) -> Bool {
        if tickers[native] != nil { tickers[native]!.sinks.append(stream); return false }
        tickers[native] = ([stream], -1)
        return true
    }

    func finishAll() {
        for slot in books.values { for s in slot.sinks { s.stream.finish() } }
        for t in trades.values { for s in t.sinks { s.finish() } }
        for t in tickers.values { for s in t.sinks { s.finish() } }
        books.removeAll()
        trades.removeAll()
        tickers.removeAll()
    }
}
