/// Counts events in fixed windows: the first event after a window has run out starts the next.
/// A value: the owner confines or locks it.
struct SimRateWindow {
    private var start: Int64
    private var count = 0

    /// A window that starts at `start` (in the unit the caller counts time in).
    init(startingAt start: Int64 = 0) { self.start = start }

    /// Counts one event at `now`; how many its window of `length` holds, this one included.
    mutating func count(at now: Int64, length: Int64) -> Int {
        if now - start >= length {
            start = now
            count = 0
        }
        count += 1
        return count
    }
}
