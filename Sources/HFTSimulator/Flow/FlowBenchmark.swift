import HFTCore

/// Quick throughput measurements of the market generators (call from a release build).
public enum FlowBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public var name: String
        public var operations: Int
        public var bookChanges: Int
        public var seconds: Double

        public var bookChangesPerSecond: Double { Double(bookChanges) / seconds }
        public var operationsPerSecond: Double { Double(operations) / seconds }

        public var description: String {
            "\(name): \(operations) ops, \(bookChanges) book level changes in \(Int(seconds * 1000)) ms = "
                + "\(Int(bookChangesPerSecond)) changes/s, \(Int(operationsPerSecond)) ops/s"
        }
    }

    /// Steps a venue preset's flow `actions` times; `withSubscriber` adds a market-data
    /// subscriber (so book updates and trades are built and delivered).
    public static func matchingFlow(venue: Venue = .kraken, actions: Int = 1_000_000, withSubscriber: Bool = true) throws -> Result {
        let ex = try SimulatedExchange(venue: venue, clock: ManualClock(autoAdvanceMicros: 1))
        if withSubscriber { ex.subscribe(.market()) { _ in } }
        let t0 = MonotonicClock.nanoseconds()
        let changes = ex.stepFlow(actions: actions)
        let t1 = MonotonicClock.nanoseconds()
        return Result(name: "matching flow (\(venue), subscriber: \(withSubscriber))", operations: actions,
                      bookChanges: changes, seconds: Double(t1 - t0) / 1e9)
    }

    /// Generates `updates` firehose updates for BTC/USD at Kraken precision.
    public static func firehose(updates: Int = 1_000_000) -> Result {
        let spec = InstrumentSpec(symbol: "BTC/USD", priceScale: 1, quantityScale: 8)
        var g = FirehoseGenerator(instrument: spec, venue: .kraken, seed: 1, mid: "80000.0", depth: 100, maxQuantity: "2.5")
        let t0 = MonotonicClock.nanoseconds()
        let f = g.generate(updates: updates)
        let t1 = MonotonicClock.nanoseconds()
        return Result(name: "firehose", operations: updates, bookChanges: f.updates.reduce(0) { $0 + $1.changes.count },
                      seconds: Double(t1 - t0) / 1e9)
    }
}
