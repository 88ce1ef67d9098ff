import HFTCore
import NIOCore
import Synchronization

/// A token bucket with a strict FIFO queue: `acquire` suspends until the tokens are there, and
/// callers leave in the order they called, even when a later caller needs fewer tokens.
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

        mutating func refill(_ now: UInt64) {
            if now > lastRefill {
                tokens = min(capacity, tokens + Double(now - lastRefill) * refillPerNano)
                lastRefill = now
            }
        }
    }

    public let clock: any NanoClock
    private let state: Mutex<State>

    /// `capacity` tokens (the burst), refilled continuously at `refillPerSecond`; starts full.
    public init(capacity: Double, refillPerSecond: Double, clock: any NanoClock = SystemNanoClock()) {
        self.clock = clock
        state = Mutex(State(capacity: capacity, refillPerNano: refillPerSecond / 1e9, tokens: capacity,
                            lastRefill: clock.now()))
    }

    /// Waits for `cost` tokens, in FIFO order. Throws `.invalidArgument` when `cost` exceeds the
    /// capacity and `.cancelled` when the task is cancelled while waiting.
    public func acquire(_ cost: Double = 1) async throws(HFTError) {
        let now = clock.now()
        let (immediate, id): (Bool, UInt64) = state.withLock { s in
            s.refill(now)
            if s.queue.isEmpty && now >= s.blockedUntil && s.tokens >= cost {
                s.tokens -= cost
                s.granted &+= 1
                return (true, 0)
            }
            s.nextID &+= 1
            return (false, s.nextID)
        }
        if immediate { return }
        guard cost <= state.withLock({ $0.capacity }) else {
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
                while let head = s.queue.first, now >= s.blockedUntil, s.tokens >= head.cost {
                    s.tokens -= head.cost
                    s.granted &+= 1
                    wake.append(s.queue.removeFirst().continuation)
                }
                guard let head = s.queue.first else {
                    s.draining = false
                    return nil
                }
                let missing = max(0, head.cost - s.tokens)
                let refillAt = s.refillPerNano > 0 ? now + UInt64((missing / s.refillPerNano).rounded(.up)) : UInt64.max
                return max(s.blockedUntil, refillAt, now + 1)
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

    /// Changes the bucket's shape (keeps the current tokens, capped).
    public func reconfigure(capacity: Double, refillPerSecond: Double) {
        let now = clock.now()
        state.withLock { s in
            s.refill(now)
            s.capacity = capacity
            s.refillPerNano = refillPerSecond / 1e9
            s.tokens = min(s.tokens, capacity)
        }
    }

    // MARK: Introspection

    public var availableTokens: Double {
        let now = clock.now()
        return state.withLock { s in s.refill(now); return s.tokens }
    }

    /// Callers waiting in the queue.
    public var waitingCount: Int { state.withLock { $0.queue.count } }
    /// Acquisitions granted so far.
    public var grantedCount: UInt64 { state.withLock { $0.granted } }
}
