/// Strictly increasing REST nonces per API key (kraken.md §3.1): wall-clock based, bumped by one
/// when two calls land in the same tick. Pick one scale per key and never change it.
import HFTCore
import Synchronization

public final class KrakenNonceSource: Sendable {
    public enum Scale: Sendable, Hashable {
        case milliseconds, microseconds
    }

    public let scale: Scale
    private let last: Atomic<UInt64>
    private let clock: @Sendable () -> Timestamp

    /// `clock` returns wall-clock microseconds (injectable for tests).
    public init(scale: Scale = .milliseconds, clock: @escaping @Sendable () -> Timestamp = { WallClock.microseconds() }) {
        self.scale = scale
        self.clock = clock
        self.last = Atomic(0)
    }

    /// The next nonce: `max(now, previous + 1)`.
    public func next() -> UInt64 {
        let micros = UInt64(max(0, clock()))
        let now = scale == .milliseconds ? micros / 1_000 : micros
        var prev = last.load(ordering: .relaxed)
        while true {
            let candidate = max(now, prev &+ 1)
            let (exchanged, original) = last.compareExchange(expected: prev, desired: candidate, ordering: .relaxed)
            if exchanged { return candidate }
            prev = original
        }
    }
}
