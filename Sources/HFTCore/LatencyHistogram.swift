import Synchronization

/// A log-linear histogram of microsecond latencies (≤ 1.6 % relative error, 1 µs … ~19 h),
/// in the spirit of HdrHistogram: fixed memory, O(1) record.
public struct LatencyHistogram: Sendable, Hashable {
    static let subBits = 6
    static let sub = 1 << subBits               // 64 buckets per power of two
    static let linear = sub * 2                 // values below 128 are exact
    static let maxShift = 30
    static let bucketCount = linear + maxShift * sub

    private var counts = [UInt64](repeating: 0, count: LatencyHistogram.bucketCount)
    public private(set) var count: UInt64 = 0
    public private(set) var min: UInt64 = .max
    public private(set) var max: UInt64 = 0
    public private(set) var sum: UInt64 = 0

    public init() {}

    public mutating func record(_ micros: UInt64) {
        counts[LatencyHistogram.index(micros)] &+= 1
        count &+= 1
        sum &+= micros
        if micros < min { min = micros }
        if micros > max { max = micros }
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<counts.count { counts[i] &+= other.counts[i] }
        count &+= other.count
        sum &+= other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    public mutating func reset() { self = LatencyHistogram() }

    public var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }

    /// The value at percentile `p` (0…100), reported as the bucket's highest equivalent value
    /// and never above the recorded maximum.
    public func percentile(_ p: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, UInt64((p / 100 * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= rank { return i == LatencyHistogram.bucketCount - 1 ? max : Swift.min(LatencyHistogram.highestEquivalent(i), max) }
        }
        return max
    }

    public var summary: LatencySummary {
        LatencySummary(count: count, p50: percentile(50), p90: percentile(90), p99: percentile(99),
                       p999: percentile(99.9), max: count == 0 ? 0 : max, mean: mean)
    }

    static func index(_ v: UInt64) -> Int {
        if v < UInt64(linear) { return Int(v) }
        let msb = 63 - v.leadingZeroBitCount
        let shift = msb - subBits
        if shift > maxShift { return bucketCount - 1 }
        let top = Int(v >> UInt64(shift))        // in sub ..< 2*sub
        return linear + (shift - 1) * sub + (top - sub)
    }

    static func highestEquivalent(_ i: Int) -> UInt64 {
        if i < linear { return UInt64(i) }
        let k = i - linear
        let shift = k / sub + 1
        let top = UInt64(k % sub + sub)
        return ((top + 1) << UInt64(shift)) - 1
    }
}

/// The percentiles traders look at.
public struct LatencySummary: Sendable, Hashable, Codable {
    public var count: UInt64
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var p999: UInt64
    public var max: UInt64
    public var mean: Double
}

/// A histogram shared between threads (records from the event loop, reads from anywhere).
public final class SharedLatencyHistogram: Sendable {
    private let state = Mutex(LatencyHistogram())
    public init() {}
    public func record(_ micros: UInt64) { state.withLock { $0.record(micros) } }
    public var snapshot: LatencyHistogram { state.withLock { $0 } }
    public var summary: LatencySummary { state.withLock { $0.summary } }
    public func reset() { state.withLock { $0.reset() } }
}
