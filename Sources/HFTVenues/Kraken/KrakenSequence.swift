/// Gap detection for private channels (kraken.md §5): `sequence` runs from 1 per connection and
/// channel; a jump means a lost message and the channel needs a fresh snapshot.
public struct KrakenSequence: Sendable, Hashable {
    public private(set) var last: Int64?

    public init() {}

    /// Records `sequence`; false when it does not follow the previous one (the first is accepted).
    public mutating func accept(_ sequence: Int64?) -> Bool {
        guard let sequence else { return true }
        defer { last = sequence }
        guard let last else { return true }
        return sequence == last + 1
    }

    /// Forget the count (new connection or resubscribe).
    public mutating func reset() { last = nil }
}
