/// What a stream does when its consumer is slower than the producer.
public enum BackpressurePolicy: Sendable, Equatable {
    /// Keep only the latest element (books, tickers); replaced elements count as dropped.
    case conflate
    /// Keep at most `capacity` elements, dropping the oldest (public trades).
    case dropOldest(capacity: Int)
    /// Keep everything (private orders, fills, balances); raise an alarm past `alarmThreshold`.
    case neverDrop(alarmThreshold: Int)
}
