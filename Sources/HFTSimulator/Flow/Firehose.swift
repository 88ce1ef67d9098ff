import HFTCore

/// Pre-generated market data for pushing as fast as a socket takes: a valid evolving L2 book
/// (never crossed, quantities > 0) without a matching engine behind it.
public struct Firehose: Sendable {
    /// The book before the first update; `sequence` = `updates[0].firstSequence - 1`.
    public var snapshot: OrderBook
    public var updates: [SimBookUpdate]
}

/// Generates a firehose for one instrument, seeded and deterministic. Each update changes 1–3
/// levels: resizes, new levels near or away from the spread, removals (the book keeps about
/// `depth` levels a side, so the mid wanders as levels come and go near the touch).
public struct FirehoseGenerator: Sendable {
    public let instrument: InstrumentSpec
    public let venue: Venue
    private var rng: SeededRandom
    private let tick: Int64
    private let lot: Int64
    private let depth: Int
    private let maxLots: Int
    /// Best first.
    private var bidPrices: [Int64] = [], bidQty: [Int64] = []
    private var askPrices: [Int64] = [], askQty: [Int64] = []
    public private(set) var sequence: Int64 = 0
    private var timestamp: Timestamp

    /// - Parameters: `maxQuantity` bounds a level's size; `startMicros` stamps the first update,
    ///   each next one 1 µs later.
    public init(instrument: InstrumentSpec, venue: Venue, seed: UInt64, mid: FixedDecimal, depth: Int = 50,
                maxQuantity: FixedDecimal, startMicros: Timestamp = 1_700_000_000_000_000) {
        self.instrument = instrument
        self.venue = venue
        rng = SeededRandom(seed: seed)
        tick = Int64(ScaledMath.mantissa(instrument.tickSize, at: instrument.priceScale))
        lot = Int64(ScaledMath.mantissa(instrument.lotSize, at: instrument.quantityScale))
        self.depth = max(2, depth)
        maxLots = max(1, Int(ScaledMath.mantissa(maxQuantity, at: instrument.quantityScale) / Int128(lot)))
        timestamp = startMicros
        let m = max(Int64(ScaledMath.mantissa(mid, at: instrument.priceScale)) / tick, Int64(4 * self.depth + 10))
        for k in 0..<self.depth {
            bidPrices.append((m - 1 - Int64(k)) * tick)
            bidQty.append(randomQuantity())
            askPrices.append((m + 1 + Int64(k)) * tick)
            askQty.append(randomQuantity())
        }
    }

    private mutating func randomQuantity() -> Int64 { Int64(1 + rng.below(maxLots)) * lot }

    /// The current book.
    public var book: OrderBook {
        var b = OrderBook(venue: venue, symbol: instrument.symbol)
        b.replace(bids: zip(bidPrices, bidQty).map { BookLevel(price: price($0), quantity: quantity($1)) },
                  asks: zip(askPrices, askQty).map { BookLevel(price: price($0), quantity: quantity($1)) })
        b.sequence = sequence
        b.timestamp = timestamp
        return b
    }

    private func price(_ p: Int64) -> FixedDecimal { FixedDecimal(mantissa: Int128(p), scale: instrument.priceScale) }
    private func quantity(_ q: Int64) -> FixedDecimal { FixedDecimal(mantissa: Int128(q), scale: instrument.quantityScale) }

    /// The next update (already applied to `book`).
    public mutating func next() -> SimBookUpdate {
        var changes: [LevelChange] = []
        let n = 1 + rng.below(3)
        changes.reserveCapacity(n + 1)
        for _ in 0..<n { mutate(&changes) }
        let first = sequence + 1
        sequence += Int64(changes.count)
        timestamp += 1
        return SimBookUpdate(symbol: instrument.symbol, changes: changes, firstSequence: first, lastSequence: sequence,
                          timestamp: timestamp)
    }

    /// A snapshot and `count` updates.
    public mutating func generate(updates count: Int) -> Firehose {
        let snapshot = book
        var updates: [SimBookUpdate] = []
        updates.reserveCapacity(count)
        for _ in 0..<count { updates.append(next()) }
        return Firehose(snapshot: snapshot, updates: updates)
    }

    private mutating func mutate(_ changes: inout [LevelChange]) {
        let isBid = rng.chance(0.5)
        let count = isBid ? bidPrices.count : askPrices.count
        let roll = rng.below(100)
        if roll < 55 || (roll >= 85 && count <= depth / 2) {
            // Resize a level, biased toward the touch.
            let i = min(rng.below(count), rng.below(count))
            let q = randomQuantity()
            if isBid { bidQty[i] = q } else { askQty[i] = q }
            changes.append(LevelChange(side: isBid ? .buy : .sell, price: price(isBid ? bidPrices[i] : askPrices[i]), quantity: quantity(q)))
        } else if roll < 85 {
            insert(isBid: isBid, &changes)
        } else {
            let i = rng.below(count)
            let p = isBid ? bidPrices.remove(at: i) : askPrices.remove(at: i)
            if isBid { bidQty.remove(at: i) } else { askQty.remove(at: i) }
            changes.append(LevelChange(side: isBid ? .buy : .sell, price: price(p), quantity: quantity(0)))
        }
    }

    /// A new level between the opposite touch and the far end of the side; the worst level
    /// falls off when the side grows past `depth + depth / 4`.
    private mutating func insert(isBid: Bool, _ changes: inout [LevelChange]) {
        let opposite = isBid ? askPrices[0] : bidPrices[0]
        let k = Int64(1 + rng.below(depth + depth / 2))
        let p = isBid ? opposite - k * tick : opposite + k * tick
        guard p > 0 else { return }
        var prices = isBid ? bidPrices : askPrices
        var qtys = isBid ? bidQty : askQty
        if isBid { bidPrices = []; bidQty = [] } else { askPrices = []; askQty = [] }
        // best first: bids descending, asks ascending
        var lo = 0, hi = prices.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if isBid ? prices[mid] > p : prices[mid] < p { lo = mid + 1 } else { hi = mid }
        }
        let q = randomQuantity()
        if lo < prices.count && prices[lo] == p {
            qtys[lo] = q
        } else {
            prices.insert(p, at: lo)
            qtys.insert(q, at: lo)
        }
        changes.append(LevelChange(side: isBid ? .buy : .sell, price: price(p), quantity: quantity(q)))
        if prices.count > depth + depth / 4 {
            let worst = prices.removeLast()
            qtys.removeLast()
            changes.append(LevelChange(side: isBid ? .buy : .sell, price: price(worst), quantity: quantity(0)))
        }
        if isBid { bidPrices = prices; bidQty = qtys } else { askPrices = prices; askQty = qtys }
    }
}
