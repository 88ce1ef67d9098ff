import HFTCore
import HFTTransport
import Synchronization

/// Sends jobs strictly in the order they were submitted, each after taking its cost from a
/// (process-wide) rate limiter. `submit` never suspends, so a synchronous caller's order is kept.
public final class OrderedSender: Sendable {
    public typealias Job = @Sendable (Result<Void, HFTError>) -> Void

    private struct State {
        var queue: [(cost: Double, job: Job)] = []
        var draining = false
    }

    private let state = Mutex(State())
    public let limiter: RateLimiter?

    public init(limiter: RateLimiter?) { self.limiter = limiter }

    /// Runs `job` with `.success` when its turn and its tokens have come, or with the limiter's error.
    public func submit(cost: Double = 1, _ job: @escaping Job) {
        enum Action { case runNow, startDrain, queued }
        let action: Action = state.withLock { s in
            if limiter == nil && !s.draining && s.queue.isEmpty { return .runNow }
            s.queue.append((cost, job))
            if s.draining { return .queued }
            s.draining = true
            return .startDrain
        }
        switch action {
        case .runNow: job(.success(()))
        case .startDrain: Task { await drain() }
        case .queued: break
        }
    }

    public var queuedCount: Int { state.withLock { $0.queue.count } }

    private func drain() async {
        while true {
            let next: (cost: Double, job: Job)? = state.withLock { s in
                guard !s.queue.isEmpty else { s.draining = false; return nil }
                return s.queue.removeFirst()
            }
            guard let next else { return }
            if let limiter {
                do throws(HFTError) { try await limiter.acquire(next.cost); next.job(.success(())) } catch { next.job(.failure(error)) }
            } else {
                next.job(.success(()))
            }
        }
    }
}
