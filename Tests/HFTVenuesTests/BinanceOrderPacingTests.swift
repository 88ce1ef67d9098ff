import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// ORDERS pacing: the whole per-window limit is usable as a burst (no request queued behind the
/// limiter while under it), and never more than the limit leaves in any window.
@Suite("Binance order pacing", .serialized)
struct BinanceOrderPacingTests {
    @Test func windowLogHandsOutTheLimitThenWaitsForTheWindow() {
        let log = BinanceWindowLog(limit: 5, windowNanos: 1_000)
        let slots = (0..<5).map { _ in log.reserve(1, now: 100) }
        #expect(slots == [100, 100, 100, 100, 100])
        #expect(log.reserve(1, now: 150) == 1_100)
        #expect(log.reserve(2, now: 150) == 1_100)
        #expect(log.reserve(1, now: 5_000, notBefore: 7_000) == 7_000)
    }

    @Test func windowLogNeverExceedsTheLimitInAnyWindow() {
        var g = SystemRandomNumberGenerator()
        let (limit, window): (Int, UInt64) = (7, 10_000)
        let log = BinanceWindowLog(limit: limit, windowNanos: window)
        var now: UInt64 = 0
        var sent: [UInt64] = []
        for _ in 0..<500 {
            now += UInt64.random(in: 0...800, using: &g)
            let n = Int.random(in: 1...2, using: &g)
            let at = log.reserve(n, now: now)
            #expect(at >= now)
            sent += Array(repeating: at, count: n)
        }
        for (i, t) in sent.enumerated() where i + limit < sent.count {
            #expect(sent[i + limit] >= t + window)
        }
    }

    /// 40 orders one at a time (the simulator's limit is 50 per 10 s): none waits on the client's
    /// pacing. Before the window log, the bucket (25 burst, 2.5/s) held every order past the 25th
    /// for 400 ms.
    @Test(.enabled(if: VenueSimulators.available.contains(.binance)))
    func sequentialOrdersUnderTheLimitDoNotQueue() async throws {
        let sim = try await SimulatorHarness<BinanceSimulator, BinanceWsAPI>.start()
        try await sim.run {
            try await sim.api.start()
            let a = sim.symbols[0]
            let bid = try #require(try sim.exchange.bookSnapshot(a, depth: 1).bestBid?.price)
            let low = FixedDecimal(mantissa: bid.mantissa / 2, scale: bid.scale)
            let order = PlaceOrder(symbol: a, side: .buy, quantity: "0.002", price: low, timeInForce: .ioc)
            let warm = await sim.api.placeOrder(order)
            try #require(warm.ok, "\(warm)")
            var worst: UInt64 = 0
            for i in 0..<40 {
                let t0 = MonotonicClock.nanoseconds()
                let r = await sim.api.placeOrder(order)
                let wall = (MonotonicClock.nanoseconds() - t0) / 1_000
                try #require(r.ok, "order \(i): \(r)")
                worst = max(worst, wall > r.latencyMicros ? wall - r.latencyMicros : 0)
            }
            // Generous for a loaded machine; the pacing stall this catches is 400 ms.
            #expect(worst < 150_000, "worst client overhead \(worst) µs")
        }
    }
}
