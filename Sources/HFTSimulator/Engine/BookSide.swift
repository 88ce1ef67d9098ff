/// One price level: resting orders in time priority (`orders[head...]`) and their total.
struct PriceLevel: Sendable {
    var price: Int64
    var total: Int64 = 0
    var orders: [OrderRecord] = []
    var head = 0

    init(price: Int64) { self.price = price }

    var isEmpty: Bool { head == orders.count }

    mutating func append(_ o: OrderRecord) {
        orders.append(o)
        total += o.remaining
    }

    /// Removes the first order (the one with priority).
    mutating func popFront() -> OrderRecord {
        let o = orders[head]
        head += 1
        total -= o.remaining
        if head == orders.count {
            orders.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32 && head * 2 >= orders.count {
            orders.removeFirst(head)
            head = 0
        }
        return o
    }

    func index(of id: SimOrderID) -> Int? {
        var i = head
        while i < orders.count {
            if orders[i].id == id { return i }
            i += 1
        }
        return nil
    }

    mutating func remove(at i: Int) -> OrderRecord {
        if i == head { return popFront() }
        let o = orders.remove(at: i)
        total -= o.remaining
        return o
    }
}

/// One side of the book. Levels are sorted worst → best, so the best level is the last one and
/// consuming it is O(1).
struct BookSide: Sendable {
    let isBid: Bool
    var levels: [PriceLevel] = []

    init(isBid: Bool) { self.isBid = isBid }

    var best: PriceLevel? { levels.last }
    var bestPrice: Int64? { levels.last?.price }

    /// Index of `price`, or where it would be inserted.
    func search(_ price: Int64) -> (index: Int, found: Bool) {
        var lo = 0, hi = levels.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let p = levels[mid].price
            if p == price { return (mid, true) }
            // worse prices first: ascending for bids, descending for asks
            if isBid ? (p < price) : (p > price) { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }

    /// The level's index, inserting an empty level if needed.
    mutating func levelIndex(for price: Int64) -> Int {
        let (i, found) = search(price)
        if !found { levels.insert(PriceLevel(price: price), at: i) }
        return i
    }

    func total(at price: Int64) -> Int64 {
        let (i, found) = search(price)
        return found ? levels[i].total : 0
    }

    /// True when a taker at `limit` on the other side can trade with a level at `price`.
    func crosses(_ price: Int64, limit: Int64?) -> Bool {
        guard let limit else { return true }
        return isBid ? price >= limit : price <= limit
    }
}
