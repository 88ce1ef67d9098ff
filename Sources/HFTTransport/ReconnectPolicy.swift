/// Capped exponential backoff with jitter: attempt n waits `min(cap, base·2^(n-1))`, reduced by up
/// to `jitter` of itself (so the cap is never exceeded and reconnect storms spread out).
public struct ReconnectPolicy: Sendable {
    public var base: Duration
    public var cap: Duration
    /// 0…1: the fraction of the delay that is randomised.
    public var jitter: Double
    /// Stop after this many consecutive failed attempts (nil: never give up).
    public var maxAttempts: Int?
    /// Uniform in 0..<1; injectable for tests.
    public var random: @Sendable () -> Double

    public init(base: Duration = .milliseconds(250), cap: Duration = .seconds(30), jitter: Double = 0.2,
                maxAttempts: Int? = nil, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.base = base
        self.cap = cap
        self.jitter = min(max(jitter, 0), 1)
        self.maxAttempts = maxAttempts
        self.random = random
    }

    /// The wait before attempt `attempt` (1-based).
    public func delay(attempt: Int) -> Duration {
        let n = max(1, attempt)
        let baseNs = Double(base.nanoseconds)
        let capNs = Double(cap.nanoseconds)
        let raw = min(capNs, baseNs * pow2(n - 1))
        let jittered = raw * (1 - jitter * min(max(random(), 0), 1))
        return .nanoseconds(Int64(jittered.rounded()))
    }

    private func pow2(_ k: Int) -> Double { k >= 62 ? .greatestFiniteMagnitude : Double(1 << k) }
}
