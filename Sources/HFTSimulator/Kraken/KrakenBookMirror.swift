import HFTCore

/// One symbol's whole L2 book as one connection has streamed it, in integer ticks and lots,
/// with Kraken's CRC32 over the top 10 (§6). From it the front-end derives, for each subscribed
/// depth, what an update must carry so that a client that applies it and truncates to the depth
/// holds exactly the top `depth` levels: changes inside the window, deletions of levels the
/// client holds, and levels that move into the window from below (Kraken sends no deletions
/// for levels pushed out; the client's truncation drops them).
struct KrakenBookMirror {
    /// `key` orders levels from worst to best on both sides: bids use the price in ticks,
    /// asks its negation. Arrays are sorted by `key`, so the best level is the last one and
    /// changes near the touch move few elements.
    struct Level: Sendable, Equatable {
        var key: Int64
        var qty: Int64
    }

    private(set) var bids: [Level] = []
    private(set) var asks: [Level] = []
    /// The last engine book sequence applied.
    var sequence: Int64
    let priceScale: UInt8
    let quantityScale: UInt8
    private(set) var checksum: UInt32 = 0
    private var text: [UInt8] = []

    init(_ book: OrderBook, priceScale: UInt8, quantityScale: UInt8) {
        self.priceScale = priceScale
        self.quantityScale = quantityScale
        sequence = book.sequence
        text.reserveCapacity(512)
        bids = book.bids.reversed().map { Level(key: Self.ticks($0.price, priceScale), qty: Self.ticks($0.quantity, quantityScale)) }
        asks = book.asks.reversed().map { Level(key: -Self.ticks($0.price, priceScale), qty: Self.ticks($0.quantity, quantityScale)) }
        recomputeChecksum()
    }

    static func ticks(_ d: FixedDecimal, _ scale: UInt8) -> Int64 {
        Int64(d.scale == scale ? d.mantissa : d.rescaled(to: scale).mantissa)
    }

    static func key(_ side: Side, ticks: Int64) -> Int64 { side == .buy ? ticks : -ticks }
    static func price(_ side: Side, key: Int64) -> Int64 { side == .buy ? key : -key }

    func levels(_ side: Side) -> [Level] { side == .buy ? bids : asks }

    /// The best level (rank 0) of a side.
    func best(_ side: Side) -> Level? { levels(side).last }

    /// The key of the `depth`-th best level, or nil when the side has fewer levels (then the
    /// whole side is inside a `depth` window).
    func boundary(_ side: Side, depth: Int) -> Int64? {
        let l = levels(side)
        return l.count >= depth ? l[l.count - depth].key : nil
    }

    /// 0 for the best level; nil when no level has this key.
    func rank(_ side: Side, key: Int64) -> Int? {
        let l = levels(side)
        let (i, found) = Self.search(l, key)
        return found ? l.count - 1 - i : nil
    }

    /// Sets a level's quantity (0 deletes it).
    mutating func set(_ side: Side, key: Int64, qty: Int64) {
        if side == .buy { Self.set(&bids, key, qty) } else { Self.set(&asks, key, qty) }
    }

    /// Applies an engine book update newer than `sequence` (checksum not recomputed); false
    /// when it is not newer and was ignored.
    mutating func apply(_ u: SimBookUpdate) -> Bool {
        guard u.lastSequence > sequence else { return false }
        for c in u.changes {
            set(c.side, key: Self.key(c.side, ticks: Self.ticks(c.price, priceScale)), qty: Self.ticks(c.quantity, quantityScale))
        }
        sequence = u.lastSequence
        return true
    }

    /// The entries a `depth` subscription's update carries for `side`, given the side's window
    /// boundary before the change (`boundary(side, depth:)` taken before applying) and the
    /// changes (already applied, each key once).
    func updateEntries(_ side: Side, depth: Int, oldBoundary: Int64?, changes: [Level], into out: inout [Level]) {
        for c in changes {
            if c.qty > 0 {
                if let r = rank(side, key: c.key), r < depth { out.append(c) }
            } else if oldBoundary.map({ c.key >= $0 }) ?? true {
                out.append(c)  // the client holds it: delete
            }
        }
        // Unchanged levels that entered the window from below the old boundary.
        guard let b = oldBoundary else { return }
        let l = levels(side)
        var i = max(0, l.count - depth)
        while i < l.count, l[i].key < b {
            let k = l[i].key
            if !changes.contains(where: { $0.key == k }) { out.append(l[i]) }
            i += 1
        }
    }

    /// True when a change at `key` can alter the checksum (it lies within the old top 10).
    func touchesTop10(_ side: Side, key: Int64, oldBoundary10: Int64?) -> Bool {
        oldBoundary10.map { key >= $0 } ?? true
    }

    /// CRC32 over the top 10 asks then the top 10 bids, each level as its price digits and
    /// quantity digits at the pair's precision without the point and leading zeros (§6).
    mutating func recomputeChecksum() {
        text.removeAll(keepingCapacity: true)
        var r = 0
        while r < 10 && r < asks.count {
            let l = asks[asks.count - 1 - r]
            Self.appendDigits(-l.key, &text)
            Self.appendDigits(l.qty, &text)
            r += 1
        }
        r = 0
        while r < 10 && r < bids.count {
            let l = bids[bids.count - 1 - r]
            Self.appendDigits(l.key, &text)
            Self.appendDigits(l.qty, &text)
            r += 1
        }
        checksum = CRC32.checksum(text)
    }

    // MARK: Internal

    /// Lower bound of `key` in ascending `levels`.
    static func search(_ levels: [Level], _ key: Int64) -> (Int, Bool) {
        var lo = 0, hi = levels.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if levels[mid].key < key { lo = mid + 1 } else { hi = mid }
        }
        return (lo, lo < levels.count && levels[lo].key == key)
    }

    private static func set(_ levels: inout [Level], _ key: Int64, _ qty: Int64) {
        let (i, found) = search(levels, key)
        if found {
            if qty == 0 { levels.remove(at: i) } else { levels[i].qty = qty }
        } else if qty != 0 {
            levels.insert(Level(key: key, qty: qty), at: i)
        }
    }

    /// Decimal digits of a positive integer (no leading zeros).
    private static func appendDigits(_ value: Int64, _ out: inout [UInt8]) {
        var v = value.magnitude
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { raw in
            var n = 0
            repeat {
                raw[n] = UInt8(truncatingIfNeeded: 48 &+ v % 10)
                v /= 10
                n += 1
            } while v != 0
            while n > 0 { n -= 1; out.append(raw[n]) }
        }
    }
}
