/// Binance's limits as process-wide buckets (binance.md §3): REQUEST_WEIGHT per IP (shared by
/// REST and the WS API), ORDERS per account (10 s window, also capped by a sliding window log so
/// the whole limit is usable as a burst). Every request takes its cost before it
/// leaves; every response's `rateLimits` tells the buckets what the server counted; a 429/418
/// blocks the bucket it names until `retryAfter`, and a request that would wait longer than
/// `maxWait` behind such a block fails at once with `.rateLimited` instead of queueing (never
/// hammer a venue that said stop).
import HFTCore
import HFTTransport
import Synchronization

/// At most `limit` units in any `window` (sliding, so also in any calendar-aligned window of that
/// length): each caller is given the earliest send time that keeps this true, one slot per unit,
/// in the order it asked.
final class BinanceWindowLog: Sendable {
    private struct State {
        var limit: Int
        var windowNanos: UInt64
        /// The last `limit` slots handed out, ascending.
        var slots: [UInt64] = []
    }
    private let state: Mutex<State>

    init(limit: Int, windowNanos: UInt64) { state = Mutex(State(limit: max(1, limit), windowNanos: windowNanos)) }

    /// The monotonic instant (ns) the caller's `units` may leave; not before `notBefore`.
    func reserve(_ units: Int, now: UInt64, notBefore: UInt64 = 0) -> UInt64 {
        state.withLock { s in
            var t = max(now, notBefore, s.slots.last ?? 0)
            let n = max(0, units)
            guard n > 0 else { return t }
            // All `n` leave at `t`: the slot `limit - n` back must be a window older.
            let back = min(s.slots.count - 1, s.slots.count - s.limit + n - 1)
            if back >= 0 { t = max(t, s.slots[back] + s.windowNanos) }
            s.slots += repeatElement(t, count: min(n, s.limit))
            if s.slots.count > s.limit { s.slots.removeFirst(s.slots.count - s.limit) }
            return t
        }
    }

    func reconfigure(limit: Int, windowNanos: UInt64) {
        state.withLock { s in
            s.limit = max(1, limit)
            s.windowNanos = windowNanos
            if s.slots.count > s.limit { s.slots.removeFirst(s.slots.count - s.limit) }
        }
    }
}

/// One shared bucket with its 429/418 back-off deadline (and, for ORDERS, its window log).
public final class BinanceBucket: Sendable {
    public let limiter: RateLimiter
    let window: BinanceWindowLog?
    private let state: Mutex<(capacity: Double, blockedUntil: UInt64)>

    init(limiter: RateLimiter, capacity: Double, window: BinanceWindowLog? = nil) {
        self.limiter = limiter
        self.window = window
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

    /// Tokens first (FIFO, server feedback, back-off), then the window log's slot.
    func acquire(_ cost: Int) async throws(HFTError) {
        try await limiter.acquire(min(Double(cost), capacity))
        guard let window, cost > 0 else { return }
        let now = MonotonicClock.nanoseconds()
        let at = window.reserve(cost, now: now, notBefore: state.withLock { $0.blockedUntil })
        guard at > now else { return }
        do { try await Task.sleep(for: .nanoseconds(Int64(clamping: at - now))) } catch { throw .cancelled }
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

    private static func bucket(_ key: String, capacity: Double, perSecond: Double, window: BinanceWindowLog? = nil,
                               registry: RateLimiterRegistry) -> BinanceBucket {
        let limiter = registry.limiter(key, capacity: capacity, refillPerSecond: perSecond)
        return buckets.withLock { m in
            if let b = m[key], b.limiter === limiter { return b }
            let b = BinanceBucket(limiter: limiter, capacity: capacity, window: window)
            m[key] = b
            return b
        }
    }

    /// The process-wide buckets `binance:<rest>:weight` and `binance:<account>:orders`.
    public static func shared(rest: String, account: String, options: BinanceClientOptions,
                              registry: RateLimiterRegistry = .shared) -> BinanceLimits {
        let w = windowSafe(limit: options.requestWeightPerMinute, windowSeconds: 60)
        let o = windowed(limit: options.ordersPer10s, windowSeconds: 10)
        return BinanceLimits(weight: bucket("binance:\(rest):weight", capacity: w.capacity, perSecond: w.perSecond, registry: registry),
                             orders: bucket("binance:\(account):orders", capacity: o.capacity, perSecond: o.perSecond,
                                            window: BinanceWindowLog(limit: o.limit, windowNanos: o.windowNanos), registry: registry))
    }

    /// A bucket that never lets more than `limit` units into any window of `windowSeconds`,
    /// whether the venue counts in fixed or sliding windows: burst limit/2, refill limit/2 per window.
    /// (A bucket of `limit` refilled at `limit` per window lets 2×limit through one window.)
    static func windowSafe(limit: Int, windowSeconds: Double) -> (capacity: Double, perSecond: Double) {
        let half = max(1, Double(limit) / 2)
        return (half, half / windowSeconds)
    }

    /// Added to a window-logged limit's window: covers the spread of one-way delays between our
    /// send times and the venue's receive times (the venue counts on arrival).
    static let windowMargin: Double = 1

    /// The whole `limit` as a burst, kept under `limit` per window by a window log of `windowSeconds`
    /// + `windowMargin` (the bucket alone, refilled at `limit` per window, would let 2×limit through).
    static func windowed(limit: Int, windowSeconds: Double)
        -> (capacity: Double, perSecond: Double, limit: Int, windowNanos: UInt64) {
        let l = max(1, limit)
        return (Double(l), Double(l) / windowSeconds, l, UInt64((windowSeconds + windowMargin) * 1e9))
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
            case .requestWeight where l.interval == .minute:
                let shape = Self.windowSafe(limit: l.limit, windowSeconds: seconds)
                weight.reconfigure(capacity: shape.capacity, refillPerSecond: shape.perSecond)
            case .orders where l.interval == .second:
                let shape = Self.windowed(limit: l.limit, windowSeconds: seconds)
                orders.reconfigure(capacity: shape.capacity, refillPerSecond: shape.perSecond)
                orders.window?.reconfigure(limit: shape.limit, windowNanos: shape.windowNanos)
            default: break
            }
        }
    }
}
