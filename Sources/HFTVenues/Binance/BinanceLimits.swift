/// Binance's limits as process-wide buckets (binance.md §3): REQUEST_WEIGHT per IP (shared by
/// REST and the WS API), ORDERS per account (10 s window); each the whole limit usable as a burst
/// and never more than the limit in any sliding window. Every request takes its cost before it
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

    /// The venue's rule: `limit` per `window` (+ `BinanceLimits.windowMargin`).
    func reconfigure(limit: Int, windowSeconds: Double) {
        let shape = BinanceLimits.windowed(limit: limit, windowSeconds: windowSeconds)
        limiter.reconfigure(windowLimit: shape.limit, per: shape.window)
        state.withLock { $0.capacity = shape.limit }
    }

    /// FIFO, server feedback, back-off and the sliding window, all in the limiter.
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

    private static func bucket(_ key: String, limit: Int, windowSeconds: Double, registry: RateLimiterRegistry) -> BinanceBucket {
        let shape = windowed(limit: limit, windowSeconds: windowSeconds)
        let limiter = registry.limiter(key, windowLimit: shape.limit, per: shape.window)
        return buckets.withLock { m in
            if let b = m[key], b.limiter === limiter { return b }
            let b = BinanceBucket(limiter: limiter, capacity: shape.limit)
            m[key] = b
            return b
        }
    }

    /// The process-wide buckets for a REST endpoint (weight) and an account (orders).
    public static func shared(rest: String, account: String, options: BinanceClientOptions,
                              registry: RateLimiterRegistry = .shared) -> BinanceLimits {
        BinanceLimits(weight: bucket("binance:\(rest):weight", limit: options.requestWeightPerMinute, windowSeconds: 60, registry: registry),
                      orders: bucket("binance:\(account):orders", limit: options.ordersPer10s, windowSeconds: 10, registry: registry))
    }

    /// Added to a limit's window: covers the spread of one-way delays between our send times and
    /// the venue's receive times (the venue counts on arrival).
    static let windowMargin: Double = 1

    /// The whole `limit` usable as a burst, and never more than `limit` in any sliding window of
    /// `windowSeconds + windowMargin` (so also in any fixed, calendar-aligned window).
    static func windowed(limit: Int, windowSeconds: Double) -> (limit: Double, window: Duration) {
        (Double(max(1, limit)), .nanoseconds(Int64((windowSeconds + windowMargin) * 1e9)))
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
            let seconds = Double(l.windowMillis) / 1000
            switch l.type {
            case .requestWeight where l.interval == .minute: weight.reconfigure(limit: l.limit, windowSeconds: seconds)
            case .orders where l.interval == .second: orders.reconfigure(limit: l.limit, windowSeconds: seconds)
            default: break
            }
        }
    }
}
