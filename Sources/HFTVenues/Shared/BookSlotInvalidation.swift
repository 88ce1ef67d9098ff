/// Per-symbol book state that a new socket invalidates until the symbol's next snapshot.
import HFTCore

protocol SnapshotBookSlot {
    var book: OrderBook { get set }
    var hasSnapshot: Bool { get set }
    /// Report `book_resynced` with the next snapshot.
    var resyncing: Bool { get set }
    var lastSeq: Int64? { get set }
}

extension Dictionary where Key == String, Value: SnapshotBookSlot {
    /// Clears every book that had a snapshot, marks it resyncing and forgets its sequence;
    /// returns those symbols, sorted (for the `book_invalid` reports).
    mutating func invalidateSnapshots() -> [String] {
        var out: [String] = []
        for (symbol, var slot) in self where slot.hasSnapshot {
            slot.book.clear()
            slot.hasSnapshot = false
            slot.resyncing = true
            slot.lastSeq = nil
            self[symbol] = slot
            out.append(symbol)
        }
        return out.sorted()
    }
}
