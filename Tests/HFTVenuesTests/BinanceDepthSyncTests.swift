import HFTCore
import Testing
@testable import HFTVenues

@Suite struct BinanceDepthSyncTests {
    static func event(_ first: Int64, _ last: Int64, bids: [(FixedDecimal, FixedDecimal)] = [], asks: [(FixedDecimal, FixedDecimal)] = [],
                      symbol: String = "BNBBTC") -> BinanceDepthUpdate {
        BinanceDepthUpdate(eventTime: last * 1000, symbol: symbol, firstUpdateID: first, finalUpdateID: last,
                           bids: bids.map { BookLevel(price: $0.0, quantity: $0.1) }, asks: asks.map { BookLevel(price: $0.0, quantity: $0.1) })
    }

    static func snapshot(_ id: Int64, bids: [(FixedDecimal, FixedDecimal)] = [("0.0024", "10")],
                         asks: [(FixedDecimal, FixedDecimal)] = [("0.0026", "100")]) -> BinanceDepthSnapshot {
        BinanceDepthSnapshot(lastUpdateID: id, bids: bids.map { BookLevel(price: $0.0, quantity: $0.1) },
                             asks: asks.map { BookLevel(price: $0.0, quantity: $0.1) })
    }

    func sync(_ options: BinanceDepthSync.Options = .init()) -> BinanceDepthSync {
        BinanceDepthSync(symbol: "BNBBTC", unified: "BNB/BTC", options: options)
    }

    /// binance.md §10, step by step: buffer, snapshot, drop `u ≤ lastUpdateId`, bridge, continue.
    @Test func documentedProcedure() {
        var s = sync()
        #expect(s.apply(Self.event(151, 155, bids: [("0.0020", "1")])) == .buffered(fetchSnapshot: true))
        #expect(s.apply(Self.event(156, 160, bids: [("0.0024", "11")])) == .buffered(fetchSnapshot: false))
        #expect(s.apply(Self.event(161, 163, asks: [("0.0026", "0"), ("0.0027", "5")])) == .buffered(fetchSnapshot: false))
        #expect(s.bufferedCount == 3 && !s.isSynced)
        // Snapshot 158 lies inside [156; 160]: 151–155 is dropped, 156–160 bridges, 161–163 follows.
        #expect(s.applySnapshot(Self.snapshot(158)) == .applied(snapshot: true))
        #expect(s.isSynced && s.updateID == 163 && s.book.sequence == 163 && s.bufferedCount == 0)
        #expect(s.book.bids == [BookLevel(price: "0.0024", quantity: "11")])  // 0.0020 came from a dropped event
        #expect(s.book.asks == [BookLevel(price: "0.0027", quantity: "5")])   // qty 0 removed 0.0026
        #expect(s.book.timestamp == 163_000)
        // Live events: contiguous applies; removing an absent level is fine.
        #expect(s.apply(Self.event(164, 170, bids: [("0.0019", "0"), ("0.0025", "2")])) == .applied(snapshot: false))
        #expect(s.book.bestBid == BookLevel(price: "0.0025", quantity: "2") && s.updateID == 170)
        // Stale (u < id) is ignored.
        #expect(s.apply(Self.event(150, 169, bids: [("0.0001", "1")])) == .stale)
        #expect(s.book.bids.count == 2)
        // Another symbol's event never touches this book.
        #expect(s.apply(Self.event(171, 171, symbol: "ETHBTC")) == .ignored)
    }

    @Test func exactlyContiguousSnapshotBridges() {
        // U == lastUpdateId + 1 is accepted (the gap rule, not the docs' "inside [U; u]").
        var s = sync()
        _ = s.apply(Self.event(101, 105, bids: [("1", "1")]))
        #expect(s.applySnapshot(Self.snapshot(100, bids: [], asks: [])) == .applied(snapshot: true))
        #expect(s.updateID == 105 && s.book.bids.count == 1)
    }

    @Test func snapshotTooOldKeepsTheBuffer() {
        var s = sync()
        _ = s.apply(Self.event(200, 205))
        _ = s.apply(Self.event(206, 210))
        #expect(s.applySnapshot(Self.snapshot(150)) == .snapshotTooOld(lastUpdateID: 150, firstU: 200))
        #expect(!s.isSynced && s.bufferedCount == 2 && s.book.isEmpty)
        #expect(s.apply(Self.event(211, 215)) == .buffered(fetchSnapshot: false))
        #expect(s.applySnapshot(Self.snapshot(207)) == .applied(snapshot: true))
        #expect(s.updateID == 215)
    }

    @Test func snapshotWithNothingBufferedWaitsForTheBridge() {
        var s = sync()
        #expect(s.applySnapshot(Self.snapshot(300)) == .applied(snapshot: true))
        #expect(s.apply(Self.event(290, 300)) == .stale)          // u ≤ lastUpdateId before the bridge
        #expect(s.apply(Self.event(299, 302, bids: [("0.0024", "3")])) == .applied(snapshot: false))
        #expect(s.book.bestBid?.quantity == "3")
        // And when the first live event is beyond the snapshot, the snapshot is too old.
        var t = sync()
        _ = t.applySnapshot(Self.snapshot(300))
        #expect(t.apply(Self.event(305, 306)) == .snapshotTooOld(lastUpdateID: 300, firstU: 305))
        #expect(!t.isSynced && t.bufferedCount == 1)
        #expect(t.applySnapshot(Self.snapshot(305)) == .applied(snapshot: true) && t.updateID == 306)
    }

    @Test func gapTriggersResyncThatRestartsCleanly() {
        var s = sync()
        _ = s.apply(Self.event(10, 12))
        _ = s.applySnapshot(Self.snapshot(11))
        #expect(s.apply(Self.event(13, 15)) == .applied(snapshot: false))
        // 16…17 lost: U = 18 > id + 1 = 16.
        #expect(s.apply(Self.event(18, 20, bids: [("9", "9")])) == .resync(bookID: 15, firstU: 18))
        #expect(!s.isSynced && s.book.isEmpty && s.resyncCount == 1 && s.bufferedCount == 1)
        // Buffering continues from the gap event; no second fetch is asked for.
        #expect(s.apply(Self.event(21, 22)) == .buffered(fetchSnapshot: false))
        // A snapshot from before the gap event is too old; a fresh one resyncs.
        #expect(s.applySnapshot(Self.snapshot(15)) == .snapshotTooOld(lastUpdateID: 15, firstU: 18))
        #expect(s.applySnapshot(Self.snapshot(19, bids: [], asks: [])) == .applied(snapshot: true))
        #expect(s.isSynced && s.updateID == 22 && s.book.bestBid == BookLevel(price: "9", quantity: "9"))
        // A late duplicate snapshot is ignored once synced.
        #expect(s.applySnapshot(Self.snapshot(30)) == .ignored)
    }

    @Test func gapInsideTheBufferKeepsTheRest() {
        var s = sync()
        for e in [Self.event(1, 2), Self.event(3, 4), Self.event(7, 8), Self.event(9, 9)] { _ = s.apply(e) }
        #expect(s.applySnapshot(Self.snapshot(2)) == .resync(bookID: 4, firstU: 7))
        #expect(!s.isSynced && s.bufferedCount == 2)
        #expect(s.applySnapshot(Self.snapshot(7)) == .applied(snapshot: true) && s.updateID == 9)
    }

    @Test func overlapsFollowTheNotesUnlessStrict() {
        // U ≤ id < u after the bridge: the notes apply it (gap only when U > id + 1).
        var lenient = sync()
        _ = lenient.applySnapshot(Self.snapshot(10))
        _ = lenient.apply(Self.event(10, 12))
        #expect(lenient.apply(Self.event(12, 14)) == .applied(snapshot: false))
        #expect(lenient.apply(Self.event(14, 14)) == .applied(snapshot: false))  // u == id: re-applied, harmless
        var strict = sync(.init(strictContinuity: true))
        _ = strict.applySnapshot(Self.snapshot(10))
        _ = strict.apply(Self.event(10, 12))
        #expect(strict.apply(Self.event(13, 14)) == .applied(snapshot: false))
        #expect(strict.apply(Self.event(14, 16)) == .resync(bookID: 14, firstU: 14))
    }

    @Test func deliveryTruncationAndReset() {
        var s = sync(.init(deliveryDepth: 2))
        let bids: [(FixedDecimal, FixedDecimal)] = [("5", "1"), ("4", "1"), ("3", "1")]
        let asks: [(FixedDecimal, FixedDecimal)] = [("6", "1"), ("7", "1"), ("8", "1")]
        _ = s.applySnapshot(Self.snapshot(1, bids: bids, asks: asks), timestamp: 99)
        #expect(s.book.bids.count == 3 && s.deliveredBook.bids.map(\.price) == ["5", "4"] && s.deliveredBook.asks.map(\.price) == ["6", "7"])
        #expect(s.deliveredBook.sequence == 1 && s.deliveredBook.timestamp == 99)
        // Levels beyond the delivered depth are still maintained.
        _ = s.apply(Self.event(2, 2, bids: [("5", "0"), ("4", "0")]))
        #expect(s.deliveredBook.bids.map(\.price) == ["3"])
        s.reset()
        #expect(!s.isSynced && s.book.isEmpty && s.updateID == 0)
        #expect(s.apply(Self.event(50, 51)) == .buffered(fetchSnapshot: true))
    }

    @Test func bufferIsBounded() {
        var s = sync(.init(maxBuffered: 3))
        for i in Int64(1)...5 { _ = s.apply(Self.event(i, i)) }
        #expect(s.bufferedCount == 3 && s.droppedFromBuffer == 2)
        // Oldest dropped: a snapshot at 1 no longer bridges (first remaining U = 3).
        #expect(s.applySnapshot(Self.snapshot(1)) == .snapshotTooOld(lastUpdateID: 1, firstU: 3))
        #expect(s.applySnapshot(Self.snapshot(2)) == .applied(snapshot: true) && s.updateID == 5)
    }

    // MARK: Property test

    /// The exchange side of the model: every update id changes one level; events aggregate
    /// runs of ids and carry the final quantity of each level they touch.
    struct Exchange {
        var bids: [FixedDecimal: FixedDecimal] = [:]
        var asks: [FixedDecimal: FixedDecimal] = [:]
        var history: [Int64: ([FixedDecimal: FixedDecimal], [FixedDecimal: FixedDecimal])] = [0: ([:], [:])]
        var id: Int64 = 0

        mutating func nextEvent(_ rng: inout SeededRandom) -> BinanceDepthUpdate {
            let first = id + 1
            var touchedBids: Set<FixedDecimal> = [], touchedAsks: Set<FixedDecimal> = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                id += 1
                let bid = Bool.random(using: &rng)
                let price = FixedDecimal(mantissa: Int128(bid ? Int.random(in: 80...99, using: &rng) : Int.random(in: 101...120, using: &rng)), scale: 1)
                let qty = Int.random(in: 0...3, using: &rng) == 0 ? FixedDecimal(mantissa: 0, scale: 3)
                                                                   : FixedDecimal(mantissa: Int128(Int.random(in: 1...5000, using: &rng)), scale: 3)
                if bid { bids[price] = qty.isZero ? nil : qty; touchedBids.insert(price) }
                else { asks[price] = qty.isZero ? nil : qty; touchedAsks.insert(price) }
                history[id] = (bids, asks)
            }
            func levels(_ touched: Set<FixedDecimal>, _ side: [FixedDecimal: FixedDecimal]) -> [BookLevel] {
                touched.sorted().map { BookLevel(price: $0, quantity: side[$0] ?? FixedDecimal(mantissa: 0, scale: 3)) }
            }
            return BinanceDepthUpdate(eventTime: id, symbol: "BNBBTC", firstUpdateID: first, finalUpdateID: id,
                                      bids: levels(touchedBids, bids), asks: levels(touchedAsks, asks))
        }

        func snapshot(at id: Int64) -> BinanceDepthSnapshot {
            let (b, a) = history[id]!
            return BinanceDepthSnapshot(lastUpdateID: id, bids: b.map { BookLevel(price: $0.key, quantity: $0.value) },
                                        asks: a.map { BookLevel(price: $0.key, quantity: $0.value) })
        }

        func matches(_ book: OrderBook, at id: Int64) -> Bool {
            let (b, a) = history[id]!
            return book.bids == b.sorted { $0.key > $1.key }.map { BookLevel(price: $0.key, quantity: $0.value) }
                && book.asks == a.sorted { $0.key < $1.key }.map { BookLevel(price: $0.key, quantity: $0.value) }
        }
    }

    /// Random streams with lost, duplicated and stale events and snapshots arriving late or
    /// too old: whenever the sync says it applied something, its book equals the exchange's
    /// book at the sync's update id (so no gap ever goes unnoticed), and a clean stream ends
    /// synced at the last id without a single resync.
    @Test(arguments: [false, true]) func matchesTheReferenceModel(strict: Bool) async {
        for seed in UInt64(1)...60 {
            await Task.yield()      // CPU-bound: leave the cooperative threads to socket tests
            var rng = SeededRandom(seed: seed &* 7919 &+ (strict ? 1 : 0))
            var exchange = Exchange()
            var s = sync(.init(strictContinuity: strict))
            var pendingSnapshotIn: Int?  // events until the requested snapshot arrives
            var lastDelivered: BinanceDepthUpdate?
            let faulty = seed % 3 != 0
            for step in 0..<400 {
                let e = exchange.nextEvent(&rng)
                let roll = Int.random(in: 0..<100, using: &rng)
                var deliveries: [BinanceDepthUpdate] = []
                if faulty && roll < 4 {
                    deliveries = []                                          // lost
                } else if faulty && roll < 8, let d = lastDelivered {
                    deliveries = [e, d]                                      // duplicate of an older one after
                } else {
                    deliveries = [e]
                }
                for d in deliveries {
                    let outcome = s.apply(d)
                    switch outcome {
                    case .buffered(let fetch):
                        if fetch { #expect(pendingSnapshotIn == nil); pendingSnapshotIn = Int.random(in: 0...3, using: &rng) }
                    case .applied:
                        let same = exchange.matches(s.book, at: s.updateID)
                        #expect(same, "seed \(seed) step \(step)")
                    case .snapshotTooOld, .resync:
                        pendingSnapshotIn = Int.random(in: 0...3, using: &rng)
                    case .stale, .ignored:
                        break
                    }
                    if d == e { lastDelivered = e }
                }
                if let n = pendingSnapshotIn {
                    if n > 0 { pendingSnapshotIn = n - 1; continue }
                    pendingSnapshotIn = nil
                    // Usually the current book; sometimes one from before the buffered events.
                    let at = faulty && Int.random(in: 0..<5, using: &rng) == 0 ? max(0, exchange.id - Int64.random(in: 5...40, using: &rng)) : exchange.id
                    switch s.applySnapshot(exchange.snapshot(at: at)) {
                    case .applied:
                        let same = exchange.matches(s.book, at: s.updateID)
                        #expect(same, "seed \(seed) snapshot at \(at)")
                    case .snapshotTooOld, .resync:
                        pendingSnapshotIn = Int.random(in: 0...3, using: &rng)
                    case .ignored:
                        Issue.record("snapshot delivered while synced (seed \(seed))")
                    default:
                        Issue.record("unexpected snapshot outcome (seed \(seed))")
                    }
                }
            }
            if !faulty {
                // Drain: deliver the pending snapshot if any, then one more event.
                if pendingSnapshotIn != nil { _ = s.applySnapshot(exchange.snapshot(at: exchange.id)) }
                _ = s.apply(exchange.nextEvent(&rng))
                #expect(s.isSynced && s.updateID == exchange.id && s.resyncCount == 0, "seed \(seed)")
                let same = exchange.matches(s.book, at: exchange.id)
                #expect(same, "seed \(seed)")
            }
        }
    }
}
