/// One price level: the price and the total quantity resting there.
public struct BookLevel: Sendable, Hashable {
    public var price: FixedDecimal
    public var quantity: FixedDecimal
    public init(price: FixedDecimal, quantity: FixedDecimal) {
        self.price = price
        self.quantity = quantity
    }
}

/// A local L2 order book: bids sorted high → low, asks low → high.
///
/// Levels are kept in sorted arrays (binary search, contiguous memory): for the depths venues
/// publish (10 … 5000) that beats trees on every operation a feed handler does.
public struct OrderBook: Sendable, Hashable {
    public var venue: Venue
    public var symbol: Symbol
    @usableFromInline var _bids: [BookLevel] = []
    @usableFromInline var _asks: [BookLevel] = []
    /// Bids, best (highest) first.
    public var bids: [BookLevel] { _bids }
    /// Asks, best (lowest) first.
    public var asks: [BookLevel] { _asks }
    /// The venue's sequence number or update id of the last applied message, when it has one.
    public var sequence: Int64 = 0
    public var timestamp: Timestamp = 0

    public init(venue: Venue, symbol: Symbol) {
        self.venue = venue
        self.symbol = symbol
    }

    public var bestBid: BookLevel? { bids.first }
    public var bestAsk: BookLevel? { asks.first }

    /// True when the best bid is at or above the best ask.
    public var isCrossed: Bool {
        guard let b = bids.first, let a = asks.first else { return false }
        return b.price >= a.price
    }

    public var isEmpty: Bool { bids.isEmpty && asks.isEmpty }

    /// `(bestBid + bestAsk) / 2` at one more fraction digit than the prices.
    public var mid: FixedDecimal? {
        guard let b = bids.first?.price, let a = asks.first?.price else { return nil }
        let s = max(a.scale, b.scale)
        return (a + b).divided(by: FixedDecimal(2), scale: s + 1)
    }

    public var spread: FixedDecimal? {
        guard let b = bids.first?.price, let a = asks.first?.price else { return nil }
        return a - b
    }

    /// Empties both sides.
    public mutating func clear() {
        _bids.removeAll(keepingCapacity: true)
        _asks.removeAll(keepingCapacity: true)
    }

    /// Sets a level's quantity; a zero quantity deletes the level (deleting a missing level is a no-op).
    @inlinable
    public mutating func apply(_ side: Side, price: FixedDecimal, quantity: FixedDecimal) {
        if side == .buy {
            OrderBook.apply(&_bids, price: price, quantity: quantity, descending: true)
        } else {
            OrderBook.apply(&_asks, price: price, quantity: quantity, descending: false)
        }
    }

    /// Replaces both sides with already-valid levels, sorting them.
    public mutating func replace(bids newBids: [BookLevel], asks newAsks: [BookLevel]) {
        _bids = newBids.filter { !$0.quantity.isZero }.sorted { $0.price > $1.price }
        _asks = newAsks.filter { !$0.quantity.isZero }.sorted { $0.price < $1.price }
    }

    /// Keeps the best `depth` levels on each side.
    public mutating func truncate(to depth: Int) {
        if _bids.count > depth { _bids.removeSubrange(depth...) }
        if _asks.count > depth { _asks.removeSubrange(depth...) }
    }

    /// The best `n` levels of each side.
    public func top(_ n: Int) -> (bids: ArraySlice<BookLevel>, asks: ArraySlice<BookLevel>) {
        (bids.prefix(n), asks.prefix(n))
    }

    /// The quantity at `price` on `side`, or nil.
    public func quantity(_ side: Side, at price: FixedDecimal) -> FixedDecimal? {
        let levels = side == .buy ? bids : asks
        let (i, found) = OrderBook.search(levels, price, descending: side == .buy)
        return found ? levels[i].quantity : nil
    }

    @usableFromInline
    static func apply(_ levels: inout [BookLevel], price: FixedDecimal, quantity: FixedDecimal, descending: Bool) {
        let (i, found) = search(levels, price, descending: descending)
        if found {
            if quantity.isZero { levels.remove(at: i) } else { levels[i].quantity = quantity; levels[i].price = price }
        } else if !quantity.isZero {
            levels.insert(BookLevel(price: price, quantity: quantity), at: i)
        }
    }

    /// Binary search: the index of `price`, or where it would be inserted.
    @usableFromInline
    static func search(_ levels: [BookLevel], _ price: FixedDecimal, descending: Bool) -> (Int, Bool) {
        var lo = 0, hi = levels.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let p = levels[mid].price
            if p == price { return (mid, true) }
            if descending ? (p > price) : (p < price) { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }
}
