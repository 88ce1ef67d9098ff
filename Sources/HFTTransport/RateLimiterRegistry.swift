import HFTCore
import Synchronization

/// Process-wide rate limiters keyed by scope (`"kraken:conn:1"`, `"binance:account"`…), so every
/// connection of a venue shares the same buckets.
public final class RateLimiterRegistry: Sendable {
    public static let shared = RateLimiterRegistry()

    public let clock: any NanoClock
    private let limiters = Mutex<[String: RateLimiter]>([:])

    public init(clock: any NanoClock = SystemNanoClock()) { self.clock = clock }

    /// The limiter for `key`, created with this shape the first time.
    public func limiter(_ key: String, capacity: Double, refillPerSecond: Double) -> RateLimiter {
        limiters.withLock { map in
            if let l = map[key] { return l }
            let l = RateLimiter(capacity: capacity, refillPerSecond: refillPerSecond, clock: clock)
            map[key] = l
            return l
        }
    }

    /// The window-limited bucket for `key` (see `RateLimiter.init(windowLimit:per:)`), created on
    /// first use; later callers share it.
    public func limiter(_ key: String, windowLimit limit: Double, per window: Duration) -> RateLimiter {
        limiters.withLock { map in
            if let l = map[key] { return l }
            let l = RateLimiter(windowLimit: limit, per: window, clock: clock)
            map[key] = l
            return l
        }
    }

    /// The limiter for `key`, if one was created.
    public func limiter(_ key: String) -> RateLimiter? { limiters.withLock { $0[key] } }

    /// Waits for `cost` tokens of `key`'s bucket; a key without a bucket is not limited.
    public func acquire(_ key: String, cost: Double = 1) async throws(HFTError) {
        guard let l = limiter(key) else { return }
        try await l.acquire(cost)
    }

    public func remove(_ key: String) { _ = limiters.withLock { $0.removeValue(forKey: key) } }

    public var keys: [String] { limiters.withLock { Array($0.keys).sorted() } }
}
