/// One symbol's local book under DigiFinex's `clean` rule (digifinex.md §5): `clean` true
/// replaces the book, false applies absolute sizes (`0` removes); deltas before the first
/// snapshot are ignored. There is no sequence or checksum, so a new connection (or a recycle)
/// always starts from a fresh snapshot.
import HFTCore

public struct DigiFinexBook: Sendable {
    public enum Outcome: Sendable, Equatable {
        case applied(snapshot: Bool)
        /// A delta before any snapshot: ignored.
        case awaitingSnapshot
    }

    public private(set) var book: OrderBook
    public private(set) var hasSnapshot = false

    public init(symbol: Symbol) {
        book = OrderBook(venue: .digifinex, symbol: symbol)
    }

    @discardableResult
    public mutating func apply(_ u: DigiFinexDepthUpdate, timestamp: Timestamp = 0) -> Outcome {
        if u.clean {
            book.replace(bids: u.bids, asks: u.asks)
            hasSnapshot = true
        } else {
            guard hasSnapshot else { return .awaitingSnapshot }
            for l in u.asks { book.apply(.sell, price: l.price, quantity: l.quantity) }
            for l in u.bids { book.apply(.buy, price: l.price, quantity: l.quantity) }
        }
        book.sequence &+= 1
        if timestamp != 0 { book.timestamp = timestamp }
        return .applied(snapshot: u.clean)
    }

    /// Forgets the book until the next snapshot.
    public mutating func invalidate() {
        book.clear()
        hasSnapshot = false
    }
}

/// Drops trades already delivered (digifinex.md §6: the `clean` batch overlaps earlier trades)
/// and returns the rest oldest first. Remembers the last `capacity` ids per symbol.
public struct DigiFinexTradeFilter: Sendable {
    public let capacity: Int
    private var seen: Set<Int64> = []
    private var order: [Int64] = []
    private var head = 0

    public init(capacity: Int = 4_096) { self.capacity = max(16, capacity) }

    /// The trades of `update` not seen before, oldest first (the venue sends newest first).
    public mutating func fresh(_ update: DigiFinexTradesUpdate) -> [DigiFinexTrade] {
        var out: [DigiFinexTrade] = []
        for t in update.trades.reversed() where remember(t.id) { out.append(t) }
        if out.count > 1 && out.first!.time > out.last!.time { out.reverse() }
        return out
    }

    /// True when `id` is new (and now remembered).
    public mutating func remember(_ id: Int64) -> Bool {
        guard seen.insert(id).inserted else { return false }
        if order.count < capacity {
            order.append(id)
        } else {
            seen.remove(order[head])
            order[head] = id
            head = (head + 1) % capacity
        }
        return true
    }
}
