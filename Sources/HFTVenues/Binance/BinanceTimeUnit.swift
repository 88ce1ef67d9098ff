/// The time unit of a connection (binance.md §1): milliseconds by default, microseconds when
/// the URL carries `timeUnit=MICROSECOND`. Applies to event times, `timestamp` and results.
import HFTCore

public enum BinanceTimeUnit: Sendable, Hashable {
    case milliseconds, microseconds

    /// The URL query value, nil for the default.
    public var queryValue: String? { self == .microseconds ? "MICROSECOND" : nil }

    /// A wire time in this unit as HFTCore microseconds.
    @inline(__always)
    public func micros(_ value: Int64) -> Timestamp {
        self == .milliseconds ? value &* 1_000 : value
    }

    /// Microseconds in this unit (truncating for milliseconds).
    @inline(__always)
    public func wire(_ micros: Timestamp) -> Int64 {
        self == .milliseconds ? micros / 1_000 : micros
    }

    /// The wall clock in this unit, for `timestamp`.
    public func now() -> Int64 { wire(WallClock.microseconds()) }
}
