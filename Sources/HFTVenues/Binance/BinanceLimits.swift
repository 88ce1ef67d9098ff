/// Binance's limits as process-wide buckets (binance.md §3): REQUEST_WEIGHT per IP (shared by
/// REST and the WS API), ORDERS per account (10 s window). Every request takes its cost before it
/// leaves; every response's `rateLimits` tells the buckets what the server counted; a 429/418
/// blocks the bucket it names until `retryAfter`, and a request that would wait longer than
/// `maxWait` behind such a block fails at once with `.rateLimited` instead of queueing (never
/// hammer a venue that said stop).
import HFTCore
import HFTTransport
import Synchronization

/// One shared bucket with its 429/418 back-off deadline.
public final class BinanceBucket: Sendable {
    public let limiter: RateLimiter
    private let state: Mutex<(capacity: Double, blockedUntil: UInt64)>

    init(limiter: RateLimiter, capacity: Double) {
        self.limiter = limiter
        state = Mutex((capacity, 0))
    }

    var capacity: Double { state.withLock { $0.capacity } }

    /// Nanoseconds of back-off left (0 when none).
    public var blockedNanos: UInt64 {
        let now = MonotonicClock.nanoseconds()
        let b = state.withLock { $0.blockedUntil }
        return b > now ? b - now : 0
    }

    func block(nanos: UInt64) {
        limiter.block(forNanos: nanos)
        let until = MonotonicClock.nanoseconds() + nanos
        state.withLock { $0.blockedUntil = max($0.blockedUntil, until) }
    }

    func reconfigure(capacity: Double, refillPerSecond: Double) {
        limiter.reconfigure(capacity: capacity, refillPerSecond: refillPerSecond)
        state.withLock { $0.capacity = capacity }
    }

    func acquire(_ cost: Int) async throws(HFTError) {
        try await limiter.acquire(min(Double(cost), capacity))
    }
}

public final class BinanceLimits: Sendable {
    /// REQUEST_WEIGHT, per IP: keyed by the REST endpoint, shared by REST and the WS API.
    public let weight: BinanceBucket
    /// ORDERS (10 s window), per account.
    public let orders: BinanceBucket

    init(weight: BinanceBucket, orders: BinanceBucket) {
        self.weight = weight
        self.orders = orders
    }

    private static let buckets = Mutex<[String: BinanceBucket]>([:])

    private static func bucket(_ key: String, capacity: Double, perSecond: Double, registry: RateLimiterRegistry) -> BinanceBucket {
        let limiter = registry.limiter(key, capacity: capacity, refillPerSecond: perSecond)
        return buckets.withLock { m in
            if let b = m[key], b.limiter === limiter { return b }
            let b = BinanceBucket(limiter: limiter, capacity: capacity)
            m[key] = b
            return b
        }
    }

    /// The process-wide buckets `binance:<rest>:weight` and `binance:<account>:orders`.
    public static func shared(rest: String, account: String, options: BinanceClientOptions,
                              registry: RateLimiterRegistry = .shared) -> BinanceLimits {
        let w = windowSafe(limit: options.requestWeightPerMinute, windowSeconds: 60)
        let o = windowSafe(limit: options.ordersPer10s, windowSeconds: 10)
        return BinanceLimits(weight: bucket("binance:\(rest):weight", capacity: w.capacity, perSecond: w.perSecond, registry: registry),
                             orders: bucket("binance:\(account):orders", capacity: o.capacity, perSecond: o.perSecond, registry: registry))
    }

    /// A bucket that never lets more than `limit` units into any window of `windowSeconds`,
    /// whether the venue counts in fixed or sliding windows: burst limit/2, refill limit/2 per window.
    /// (A bucket of `limit` refilled at `limit` per window lets 2×limit through one window.)
    static func windowSafe(limit: Int, windowSeconds: Double) -> (capacity: Double, perSecond: Double) {
        let half = max(1, Double(limit) / 2)
        return (half, half / windowSeconds)
    }

    /// Waits for `weight` then `orders` units; fails at once when a back-off outlasts `maxWait`.
    public func charge(weight w: Int, orders n: Int = 0, maxWait: Duration) async throws(HFTError) {
        let worst = max(w > 0 ? weight.blockedNanos : 0, n > 0 ? orders.blockedNanos : 0)
        if worst > UInt64(max(0, BinanceWire.nanos(maxWait))) { throw .rateLimited(retryAfterMicros: worst / 1_000) }
        if w > 0 { try await weight.acquire(w) }
        if n > 0 { try await orders.acquire(n) }
    }

    /// Feeds a response's counters to the buckets.
    public func observe(_ limits: [BinanceRateLimit]) {
        for l in limits {
            switch l.type {
            case .requestWeight where l.interval == .minute: l.report(to: weight.limiter)
            case .orders where l.interval == .second: l.report(to: orders.limiter)
            default: break
            }
        }
    }

    /// A 429/418: blocks the bucket the error concerns (`-1015` → orders, else weight) until
    /// `retryAfter` (1 s when the venue named no time).
    public func backOff(code: Int, retryAfterMicros: UInt64?) {
        let nanos = max(1, retryAfterMicros ?? 1_000_000) * 1_000
        if code == -1015 { orders.block(nanos: nanos) } else { weight.block(nanos: nanos) }
    }

    /// Published limits (exchangeInfo) reshape the buckets.
    public func configure(_ published: [BinanceRateLimit]) {
        for l in published {
            let shape = Self.windowSafe(limit: l.limit, windowSeconds: Double(l.windowMillis) / 1000)
            switch l.type {
            case .requestWeight where l.interval == .minute: weight.reconfigure(capacity: shape.capacity, refillPerSecond: shape.perSecond)
            case .orders where l.interval == .second: orders.reconfigure(capacity: shape.capacity, refillPerSecond: shape.perSecond)
            default: break
            }
        }
    }
}
