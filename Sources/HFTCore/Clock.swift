#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A monotonic clock for latency measurement (never goes backwards, unaffected by NTP steps).
public enum MonotonicClock {
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    @inline(__always)
    public static func microseconds() -> UInt64 { nanoseconds() / 1_000 }
}

/// Wall-clock time, for timestamps venues expect (request signing, message times).
public enum WallClock {
    public static func microseconds() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
    }

    public static func milliseconds() -> Int64 { microseconds() / 1_000 }
}
