import HFTCore
import Synchronization

/// Counts calls in fixed windows (a REST rate limit): the first call of a window starts it.
final class SimCallWindow: Sendable {
    private let window = Mutex(SimRateWindow())

    init() {}

    /// Counts a call at `now` (µs); true when it is over `limit` in its window of `length` µs.
    func over(limit: Int, length: Int64, now: Timestamp) -> Bool {
        window.withLock { $0.count(at: now, length: length) > limit }
    }

    /// The `rate_limit_after` fault for REST calls (plan of endpoint `rest`, else the venue's):
    /// counts a call at `now`; true when the plan refuses it.
    func restFault(_ faults: FaultController, now: Timestamp) -> Bool {
        let plan = faults.effectivePlan(endpoint: "rest", ordinal: 0)
        guard let limit = plan.rateLimitAfterRequests else { return false }
        return over(limit: limit, length: plan.rateLimitWindowMicros, now: now)
    }
}

/// `SimCallWindow` per key (API key, account).
final class SimKeyedCallWindows<Key: Hashable & Sendable>: Sendable {
    private let windows = Mutex<[Key: SimRateWindow]>([:])

    init() {}

    /// Counts a call of `key` at `now` (µs); true when it is over `limit` in its window of `length` µs.
    func over(_ key: Key, limit: Int, length: Int64, now: Timestamp) -> Bool {
        windows.withLock { $0[key, default: SimRateWindow(startingAt: now)].count(at: now, length: length) > limit }
    }
}
