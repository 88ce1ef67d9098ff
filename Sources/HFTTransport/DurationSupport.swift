import NIOCore

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (s, atto) = components
        let (ns, o) = s.multipliedReportingOverflow(by: 1_000_000_000)
        return o ? (s < 0 ? .min : .max) : ns &+ atto / 1_000_000_000
    }

    var microseconds: UInt64 { UInt64(Swift.max(0, nanoseconds / 1_000)) }

    var timeAmount: TimeAmount { .nanoseconds(nanoseconds) }

    var seconds: Double { Double(nanoseconds) / 1e9 }
}
