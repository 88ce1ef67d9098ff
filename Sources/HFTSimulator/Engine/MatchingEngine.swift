import HFTCore

/// One symbol's limit order book with price-time priority, and its public counters.
/// Matching itself is in `MatchingEngine+Match.swift`.
struct MatchingEngine: Sendable {
    let inst: InstrumentRuntime
    var bids = BookSide(isBid: true)
    var asks = BookSide(isBid: false)
    /// Open order → where it rests.
    var locator: [SimOrderID: (side: Side, price: Int64)] = [:]
    /// Last book sequence number used (each level change takes one).
    var sequence: Int64 = 0
    var lastTradeID: Int64 = 0
    var lastPrice: Int64?
    var volume: Int128 = 0
    var recentTrades = TradeRing(capacity: 1_000)
    /// Levels touched by the current operation with their total before it.
    private var touched: [(side: Side, price: Int64, before: Int64)] = []

    init(inst: InstrumentRuntime) { self.inst = inst }

    @inline(__always)
    func book(_ side: Side) -> BookSide { side == .buy ? bids : asks }

    @inline(__always)
    mutating func withBook<R>(_ side: Side, _ body: (inout BookSide) -> R) -> R {
        side == .buy ? body(&bids) : body(&asks)
    }

    /// Remembers a level's total before the operation changes it.
    mutating func touch(_ side: Side, _ price: Int64) {
        for t in touched where t.side == side && t.price == price { return }
        touched.append((side, price, book(side).total(at: price)))
    }

    /// Adds an order at the back of its level.
    mutating func rest(_ o: OrderRecord) {
        touch(o.side, o.price)
        withBook(o.side) { b in
            let i = b.levelIndex(for: o.price)
            b.levels[i].append(o)
        }
        locator[o.id] = (o.side, o.price)
    }

    /// Takes an open order out of the book.
    mutating func remove(_ id: SimOrderID) -> OrderRecord? {
        guard let loc = locator.removeValue(forKey: id) else { return nil }
        touch(loc.side, loc.price)
        return withBook(loc.side) { b -> OrderRecord? in
            let (li, found) = b.search(loc.price)
            guard found, let oi = b.levels[li].index(of: id) else { return nil }
            let o = b.levels[li].remove(at: oi)
            if b.levels[li].isEmpty { b.levels.remove(at: li) }
            return o
        }
    }

    func order(_ id: SimOrderID) -> OrderRecord? {
        guard let loc = locator[id] else { return nil }
        let b = book(loc.side)
        let (li, found) = b.search(loc.price)
        guard found, let oi = b.levels[li].index(of: id) else { return nil }
        return b.levels[li].orders[oi]
    }

    /// Changes a resting order in place (same price, smaller quantity: priority kept).
    mutating func updateInPlace(_ o: OrderRecord) {
        guard let loc = locator[o.id] else { return }
        touch(loc.side, loc.price)
        withBook(loc.side) { b in
            let (li, found) = b.search(loc.price)
            guard found, let oi = b.levels[li].index(of: o.id) else { return }
            b.levels[li].total += o.remaining - b.levels[li].orders[oi].remaining
            b.levels[li].orders[oi] = o
        }
    }

    /// True when a limit order at `price` on `side` would trade on arrival.
    func wouldCross(_ side: Side, price: Int64) -> Bool {
        let other = book(side.opposite)
        guard let best = other.bestPrice else { return false }
        return other.crosses(best, limit: price)
    }

    /// The coalesced level changes of the operation, numbered; nil when the book did not change.
    mutating func flushBookUpdate(now: Timestamp) -> SimBookUpdate? {
        guard !touched.isEmpty else { return nil }
        defer { touched.removeAll(keepingCapacity: true) }
        var changes: [LevelChange] = []
        changes.reserveCapacity(touched.count)
        for t in touched {
            let after = book(t.side).total(at: t.price)
            if after != t.before {
                changes.append(LevelChange(side: t.side, price: inst.price(t.price), quantity: inst.quantity(after)))
            }
        }
        guard !changes.isEmpty else { return nil }
        let first = sequence + 1
        sequence += Int64(changes.count)
        return SimBookUpdate(symbol: inst.spec.symbol, changes: changes, firstSequence: first, lastSequence: sequence, timestamp: now)
    }

    /// The best `depth` levels per side, best first.
    func levels(_ side: Side, depth: Int) -> [BookLevel] {
        let b = book(side)
        var out: [BookLevel] = []
        out.reserveCapacity(min(depth, b.levels.count))
        var i = b.levels.count - 1
        while i >= 0 && out.count < depth {
            out.append(BookLevel(price: inst.price(b.levels[i].price), quantity: inst.quantity(b.levels[i].total)))
            i -= 1
        }
        return out
    }
}

/// The last trades of a symbol (for trade snapshots and `req trade` queries).
struct TradeRing: Sendable {
    let capacity: Int
    private var items: [TradeEvent] = []
    private var next = 0

    init(capacity: Int) { self.capacity = capacity }

    mutating func append(_ t: TradeEvent) {
        if items.count < capacity { items.append(t) } else { items[next] = t }
        next = (next + 1) % capacity
    }

    /// Newest last.
    func last(_ n: Int) -> [TradeEvent] {
        let ordered = items.count < capacity ? items : Array(items[next...] + items[..<next])
        return Array(ordered.suffix(n))
    }
}
