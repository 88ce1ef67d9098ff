import HFTCore
import Synchronization

/// Time source for rate limiting: monotonic nanoseconds and a way to wait. Injectable so tests
/// can count instead of timing.
public protocol NanoClock: Sendable {
    func now() -> UInt64
    /// Suspends until `now() >= deadline` (may return early only if cancelled, by throwing).
    func sleep(until deadline: UInt64) async throws
}

/// The real monotonic clock.
public struct SystemNanoClock: NanoClock {
    public init() {}
    public func now() -> UInt64 { MonotonicClock.nanoseconds() }
    public func sleep(until deadline: UInt64) async throws {
        let now = MonotonicClock.nanoseconds()
        if deadline > now { try await Task.sleep(nanoseconds: deadline - now) }
    }
}

/// A clock that moves only when told to; sleepers wake when `advance` passes their deadline.
public final class ManualNanoClock: NanoClock {
    private struct State {
        var now: UInt64
        var sleepers: [(deadline: UInt64, id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    public init(start: UInt64 = 1_000_000_000) { state = Mutex(State(now: start)) }

    public func now() -> UInt64 { state.withLock { $0.now } }

    /// Tasks currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func advance(by nanos: UInt64) {
        let due = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.now &+= nanos
            let now = s.now
            let ready = s.sleepers.filter { $0.deadline <= now }
            s.sleepers.removeAll { $0.deadline <= now }
            return ready.map(\.continuation)
        }
        for c in due { c.resume() }
    }

    public func advance(by duration: Duration) {
        advance(by: UInt64(max(0, duration.nanoseconds)))
    }

    public func sleep(until deadline: UInt64) async throws {
        let id = state.withLock { s -> Int in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let now = state.withLock { s -> Bool in
                    if s.now >= deadline { return true }
                    s.sleepers.append((deadline, id, c))
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i).continuation
            }
            c?.resume(throwing: CancellationError())
        }
    }
}
