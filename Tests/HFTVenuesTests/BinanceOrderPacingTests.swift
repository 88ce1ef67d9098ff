import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// ORDERS pacing: the whole per-window limit is usable as a burst (no request queued behind the
/// limiter while under it), and never more than the limit leaves in any window.
@Suite("Binance order pacing", .serialized)
struct BinanceOrderPacingTests {
    @Test func publishedLimitsShapeWindowedBuckets() throws {
        let registry = RateLimiterRegistry()
        var options = try BinanceClientOptions()
        options.ordersPer10s = 100_000
        let limits = BinanceLimits.shared(rest: "http://127.0.0.1:1", account: "pacing-test", options: options, registry: registry)
        limits.configure([BinanceRateLimit(type: .orders, interval: .second, intervalNum: 10, limit: 50)])
        #expect(limits.orders.limiter.window == WindowLimit(limit: 50, per: .seconds(11)))
        #expect(limits.orders.limiter.availableTokens == 50)
    }

    /// 40 orders one at a time (the simulator's limit is 50 per 10 s): none waits on the client's
    /// pacing. Before the windowed limiter, the bucket (25 burst, 2.5/s) held every order past the
    /// 25th for 400 ms.
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
            let orders = sim.api.rest.limits.orders.limiter
            let queuedBefore = orders.queuedCount
            var worst: UInt64 = 0
            for i in 0..<40 {
                let t0 = MonotonicClock.nanoseconds()
                let r = await sim.api.placeOrder(order)
                let wall = (MonotonicClock.nanoseconds() - t0) / 1_000
                try #require(r.ok, "order \(i): \(r)")
                worst = max(worst, wall > r.latencyMicros ? wall - r.latencyMicros : 0)
            }
            // Counted, not timed: none of the 40 waited in the ORDERS limiter's queue.
            #expect(orders.queuedCount == queuedBefore, "worst client overhead \(worst) µs")
            #expect(orders.grantedCount >= 41)
        }
    }
}
