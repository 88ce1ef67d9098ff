import HFTCore
import Synchronization

/// Where the simulator reads time (microseconds since the Unix epoch). Injectable so that
/// tests and seeded flows are deterministic.
public protocol SimClock: Sendable {
    func nowMicros() -> Timestamp
}

/// The real wall clock.
public struct SystemSimClock: SimClock {
    public init() {}
    public func nowMicros() -> Timestamp { WallClock.microseconds() }
}

/// A clock that only moves when told to; optionally ticks by a fixed step on every read
/// (so consecutive events get distinct, reproducible timestamps).
public final class ManualClock: SimClock {
    private let now: Atomic<Int64>
    private let autoAdvance: Int64

    public init(startMicros: Timestamp = 1_700_000_000_000_000, autoAdvanceMicros: Int64 = 0) {
        now = Atomic(startMicros)
        autoAdvance = autoAdvanceMicros
    }

    public func nowMicros() -> Timestamp {
        if autoAdvance == 0 { return now.load(ordering: .relaxed) }
        return now.add(autoAdvance, ordering: .relaxed).oldValue
    }

    public func advance(micros: Int64) { now.add(micros, ordering: .relaxed) }
    public func advance(seconds: Double) { advance(micros: Int64(seconds * 1_000_000)) }
    public func set(micros: Timestamp) { now.store(micros, ordering: .relaxed) }
}
