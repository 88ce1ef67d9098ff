import HFTCore
import NIOCore
import Synchronization

/// At most `limit` units granted in any sliding `window` (venues count per window; a bucket alone,
/// refilled at `limit` per window, lets up to 2×limit into one window).
public struct WindowLimit: Sendable, Hashable {
    public var limit: Double
    public var window: Duration

    public init(limit: Double, per window: Duration) {
        self.limit = limit
        self.window = window
    }

    var nanos: UInt64 { UInt64(max(0, window.nanoseconds)) }
}

/// A token bucket with a strict FIFO queue: `acquire` suspends until the tokens are there, and
/// callers leave in the order they called, even when a later caller needs fewer tokens. With a
/// `WindowLimit`, a grant also waits until the sliding window has room.
public final class RateLimiter: Sendable {
    private struct Waiter {
        let id: UInt64
        let cost: Double
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var capacity: Double
        var refillPerNano: Double
        var tokens: Double
        var lastRefill: UInt64
        var blockedUntil: UInt64 = 0
        var queue = CircularBuffer<Waiter>()
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
        var draining = false
        var granted: UInt64 = 0
        var queued: UInt64 = 0
        var window: WindowLimit?
        /// Grants still inside the window, oldest first, and their summed cost.
        var log = CircularBuffer<(at: UInt64, cost: Double)>()
        var logged: Double = 0

        mutating func refill(_ now: UInt64) {
            if now > lastRefill {
                tokens = min(capacity, tokens + Double(now - lastRefill) * refillPerNano)
                lastRefill = now
            }
            if let w = window {
                let span = w.nanos
                while let first = log.first, first.at &+ span <= now {
                    logged -= first.cost
                    log.removeFirst()
                }
                if log.isEmpty { logged = 0 }
            }
        }

        /// Whether `cost` may leave now (after `refill(now)`).
        func canGrant(_ cost: Double, _ now: UInt64) -> Bool {
            guard now >= blockedUntil, tokens >= cost else { return false }
            guard let w = window else { return true }
            return logged + cost <= w.limit
        }

        mutating func grant(_ cost: Double, _ now: UInt64) {
            tokens -= cost
            granted &+= 1
            if window != nil {
                log.append((now, cost))
                logged += cost
            }
        }

        /// When the window will have room for `cost` (`now` when it has).
        func windowRoomAt(_ cost: Double, _ now: UInt64) -> UInt64 {
            guard let w = window, logged + cost > w.limit else { return now }
            var freed = 0.0
            for entry in log {
                freed += entry.cost
                if logged - freed + cost <= w.limit { return entry.at &+ w.nanos }
            }
            return now &+ w.nanos
        }

        /// The most one acquisition may ask for.
        var largestCost: Double { min(capacity, window?.limit ?? .infinity) }
    }

    public let clock: any NanoClock
    private let state: Mutex<State>

    /// `capacity` tokens (the burst), refilled continuously at `refillPerSecond`; starts full.
    /// `window`, when given, also caps the units granted in any sliding window.
    public init(capacity: Double, refillPerSecond: Double, window: WindowLimit? = nil, clock: any NanoClock = SystemNanoClock()) {
        self.clock = clock
        state = Mutex(State(capacity: capacity, refillPerNano: refillPerSecond / 1e9, tokens: capacity,
                            lastRefill: clock.now(), window: window))
    }

    /// The whole `limit` usable as a burst, refilled at `limit` per `window`, and never more than
    /// `limit` in any sliding `window`: the shape of a venue's "N per window" rule.
    public convenience init(windowLimit limit: Double, per window: Duration, clock: any NanoClock = SystemNanoClock()) {
        let seconds = Double(window.nanoseconds) / 1e9
        self.init(capacity: limit, refillPerSecond: seconds > 0 ? limit / seconds : limit,
                  window: WindowLimit(limit: limit, per: window), clock: clock)
    }

    /// Waits for `cost` tokens, in FIFO order. Throws `.invalidArgument` when `cost` exceeds the
    /// capacity and `.cancelled` when the task is cancelled while waiting.
    public func acquire(_ cost: Double = 1) async throws(HFTError) {
        let now = clock.now()
        let (immediate, id): (Bool, UInt64) = state.withLock { s in
            s.refill(now)
            if s.queue.isEmpty && s.canGrant(cost, now) {
                s.grant(cost, now)
                return (true, 0)
            }
            s.nextID &+= 1
            s.queued &+= 1
            return (false, s.nextID)
        }
        if immediate { return }
        guard cost <= state.withLock({ $0.largestCost }) else {
            throw .invalidArgument("cost \(cost) exceeds the bucket's capacity")
        }
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    let startDrainer: Bool? = state.withLock { s in
                        if s.cancelled.remove(id) != nil { return nil }
                        s.queue.append(Waiter(id: id, cost: cost, continuation: c))
                        if s.draining { return false }
                        s.draining = true
                        return true
                    }
                    switch startDrainer {
                    case nil: c.resume(throwing: HFTError.cancelled)
                    case true?: Task { await self.drain() }
                    case false?: break
                    }
                }
            } onCancel: {
                let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                    if let i = s.queue.firstIndex(where: { $0.id == id }) {
                        return s.queue.remove(at: i).continuation
                    }
                    s.cancelled.insert(id)
                    return nil
                }
                c?.resume(throwing: HFTError.cancelled)
            }
        } catch {
            throw TransportErrors.map(error)
        }
    }

    /// Hands out tokens to the head of the queue as they refill; one drainer at a time.
    private func drain() async {
        while true {
            let now = clock.now()
            var wake: [CheckedContinuation<Void, any Error>] = []
            let next: UInt64? = state.withLock { s in
                s.refill(now)
                while let head = s.queue.first, s.canGrant(head.cost, now) {
                    s.grant(head.cost, now)
                    wake.append(s.queue.removeFirst().continuation)
                }
                guard let head = s.queue.first else {
                    s.draining = false
                    return nil
                }
                let missing = max(0, head.cost - s.tokens)
                let refillAt = s.refillPerNano > 0 ? now + UInt64((missing / s.refillPerNano).rounded(.up)) : UInt64.max
                return max(s.blockedUntil, refillAt, s.windowRoomAt(head.cost, now), now + 1)
            }
            for c in wake { c.resume() }
            guard let next else { return }
            try? await clock.sleep(until: next)
        }
    }

    // MARK: Server feedback

    /// Server-reported usage (e.g. Binance `rateLimits`: `count` of `limit` used in the window):
    /// the bucket never holds more than the share the server says is left.
    public func reportUsage(used: Double, limit: Double) {
        guard limit > 0 else { return }
        let now = clock.now()
        state.withLock { s in
            s.refill(now)
            s.tokens = max(0, min(s.tokens, s.capacity * (limit - used) / limit))
        }
    }

    /// Counts `cost` units that already left without asking (e.g. an automatic pong): later
    /// callers wait for them as if they had been granted. Never waits; may overdraw.
    public func charge(_ cost: Double = 1) {
        let now = clock.now()
        state.withLock { s in
            s.refill(now)
            s.tokens -= cost
            if s.window != nil {
                s.log.append((now, cost))
                s.logged += cost
            }
        }
    }

    /// Nothing leaves before `nanos` from now (HTTP 429/418 `Retry-After`); the bucket is emptied.
    public func block(forNanos nanos: UInt64) {
        let now = clock.now()
        state.withLock { s in
            s.refill(now)
            s.tokens = 0
            s.blockedUntil = max(s.blockedUntil, now + nanos)
        }
    }

    public func block(for duration: Duration) { block(forNanos: UInt64(max(0, duration.nanoseconds))) }

    /// Changes the bucket's shape (keeps the current tokens, capped, and the grants already in
    /// the window).
    public func reconfigure(capacity: Double, refillPerSecond: Double) {
        let now = clock.now()
        state.withLock { s in
            s.refill(now)
            s.capacity = capacity
            s.refillPerNano = refillPerSecond / 1e9
            s.tokens = min(s.tokens, capacity)
        }
    }

    /// Reshapes a window-limited bucket (see `init(windowLimit:per:)`).
    public func reconfigure(windowLimit limit: Double, per window: Duration) {
        let seconds = Double(window.nanoseconds) / 1e9
        let now = clock.now()
        state.withLock { s in
            s.window = WindowLimit(limit: limit, per: window)
            s.refill(now)
            s.capacity = limit
            s.refillPerNano = (seconds > 0 ? limit / seconds : limit) / 1e9
            s.tokens = min(s.tokens, limit)
        }
    }

    /// The window rule, if any.
    public var window: WindowLimit? { state.withLock { $0.window } }

    // MARK: Introspection

    public var availableTokens: Double {
        let now = clock.now()
        return state.withLock { s in s.refill(now); return s.tokens }
    }

    /// Callers waiting in the queue.
    public var waitingCount: Int { state.withLock { $0.queue.count } }
    /// Acquisitions that could not leave at once and waited in the queue (paced) so far.
    public var queuedCount: UInt64 { state.withLock { $0.queued } }
    /// Acquisitions granted so far.
    public var grantedCount: UInt64 { state.withLock { $0.granted } }
}
