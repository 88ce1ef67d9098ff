/// Which channel builds the local books (`book_channel` knob): `orderbook` (each push a full
/// top-N snapshot, the default) or `percent10` (depth within ±10 % of mid, bge.md §5, read as
/// deltas: each level set, quantity `0` removes, from an empty book at every (re)subscribe).
import HFTCore

public enum BGEBookChannel: String, Sendable, Hashable, CaseIterable {
    case orderbook, percent10
}

/// `percent10` pushes skipped for their `seq_id`: equal to the last applied one (the venue
/// repeats an unchanged book every ≤ 500 ms, and one `seq_id` may come on several connections)
/// or below it (a regression).
public struct BGESkippedBookPushes: Sendable, Hashable {
    public var duplicates: UInt64 = 0
    public var regressions: UInt64 = 0
    public var total: UInt64 { duplicates &+ regressions }
}

enum BGEBookPushOutcome {
    case applied, duplicate, regression
}

extension BGEBookSlot {
    /// Applies one `percent10` push onto the book (quantity 0 deletes the level). A push whose
    /// `seq_id` is not above the last applied one leaves the book untouched. Gaps are accepted
    /// (the notes do not say `seq_id` is contiguous).
    mutating func applyPercent10(_ p: BGEBookPush) -> BGEBookPushOutcome {
        if let seq = p.seqID, let last = lastSeq, seq <= last { return seq == last ? .duplicate : .regression }
        for l in p.bids { book.apply(.buy, price: l.price, quantity: l.quantity) }
        for l in p.asks { book.apply(.sell, price: l.price, quantity: l.quantity) }
        lastSeq = p.seqID ?? lastSeq
        return .applied
    }
}
