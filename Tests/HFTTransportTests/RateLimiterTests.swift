import HFTCore
@testable import HFTTransport
import Testing

/// Rate and order checked by counting against a manual clock: no wall-clock assertions. Spin
/// loops check cancellation so that `within` ends them when a limiter is broken.
@Suite("Rate limiter")
struct RateLimiterTests {
    /// Starts `acquire(cost)` calls one after another, each only once the previous one is
    /// queued or granted, so the call order is known; each records its index when it passes.
    static func enqueue(_ limiter: RateLimiter, costs: [Double], passed: Recorder<Int>,
                        tasks: inout [Task<Void, Never>]) async throws {
        for (i, cost) in costs.enumerated() {
            let before = limiter.waitingCount + Int(limiter.grantedCount)
            tasks.append(Task {
                do { try await limiter.acquire(cost); passed.append(i) } catch { passed.append(-1 - i) }
            })
            try await within(.seconds(5), "acquire \(i) to register") {
                while !Task.isCancelled && (limiter.waitingCount + Int(limiter.grantedCount) <= before) { await Task.yield() }
            }
        }
    }

    /// FIFO check per grant: exactly the first `n` callers have passed. Callers granted in one
    /// batch resume on parallel threads, so the order they record in is not the grant order.
    static func expectFirst(_ n: Int, _ passed: Recorder<Int>, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await passed.wait(count: n, "\(n) grants")
        #expect(Set(passed.items) == Set(0..<n), "passed: \(passed.items)", sourceLocation: sourceLocation)
    }

    @Test func burstThenRefillRateInFIFOOrder() async throws {
        let clock = ManualNanoClock()
        let limiter = RateLimiter(capacity: 5, refillPerSecond: 10, clock: clock)
        let passed = Recorder<Int>()
        var tasks: [Task<Void, Never>] = []
        try await Self.enqueue(limiter, costs: Array(repeating: 1, count: 20), passed: passed, tasks: &tasks)

        try await Self.expectFirst(5, passed)
        #expect(limiter.waitingCount == 15)

        clock.advance(by: .milliseconds(500))       // 10/s × 0.5 s = 5 tokens
        try await Self.expectFirst(10, passed)
        #expect(limiter.waitingCount == 10)

        clock.advance(by: .milliseconds(250))       // 2.5 tokens: 2 pass, half a token stays
        try await Self.expectFirst(12, passed)
        #expect(limiter.waitingCount == 8)

        clock.advance(by: .milliseconds(50))        // 0.5 + 0.5 = 1 token
        try await Self.expectFirst(13, passed)
        #expect(limiter.waitingCount == 7)

        clock.advance(by: .seconds(10))              // the bucket holds at most 5: only 5 pass
        try await Self.expectFirst(18, passed)
        #expect(limiter.waitingCount == 2)

        clock.advance(by: .milliseconds(200))
        try await Self.expectFirst(20, passed)
        #expect(limiter.availableTokens == 0)
        clock.advance(by: .seconds(10))
        #expect(limiter.availableTokens == 5)
        for t in tasks { await t.value }
    }

    @Test func windowLimitHoldsTheWindowWhereABucketWouldRefill() async throws {
        let clock = ManualNanoClock()
        let limiter = RateLimiter(windowLimit: 5, per: .seconds(1), clock: clock)
        let passed = Recorder<Int>()
        var tasks: [Task<Void, Never>] = []
        try await Self.enqueue(limiter, costs: Array(repeating: 1, count: 12), passed: passed, tasks: &tasks)

        try await Self.expectFirst(5, passed)
        clock.advance(by: .milliseconds(500))       // a bucket alone would hold 2.5 tokens here
        try await within(.seconds(5), "drainer asleep, every grant recorded") {
            while !Task.isCancelled && (clock.sleeperCount == 0 || passed.count < Int(limiter.grantedCount)) { await Task.yield() }
        }
        #expect(passed.count == 5 && limiter.waitingCount == 7)

        clock.advance(by: .milliseconds(500))       // the first five leave the window
        try await Self.expectFirst(10, passed)
        #expect(limiter.waitingCount == 2)

        clock.advance(by: .seconds(1))
        try await Self.expectFirst(12, passed)
        for t in tasks { await t.value }
    }

    /// Messages that left without asking (automatic pongs) are charged to the window: later
    /// callers wait until they leave it, so the window never holds more than the limit.
    @Test func chargedUnitsCountInTheWindow() async throws {
        let clock = ManualNanoClock()
        let limiter = RateLimiter(windowLimit: 5, per: .seconds(1), clock: clock)
        limiter.charge()
        clock.advance(by: .milliseconds(400))
        limiter.charge()
        let passed = Recorder<Int>()
        var tasks: [Task<Void, Never>] = []
        try await Self.enqueue(limiter, costs: Array(repeating: 1, count: 5), passed: passed, tasks: &tasks)
        try await Self.expectFirst(3, passed)              // 2 charged + 3 granted = the limit
        #expect(limiter.waitingCount == 2 && limiter.queuedCount == 2)
        clock.advance(by: .milliseconds(600))              // the first charge leaves the window
        try await Self.expectFirst(4, passed)
        try await within(.seconds(5), "drainer asleep again") { while !Task.isCancelled && (clock.sleeperCount == 0) { await Task.yield() } }
        #expect(passed.count == 4)
        clock.advance(by: .milliseconds(400))              // the second one leaves
        try await Self.expectFirst(5, passed)
        for t in tasks { await t.value }
    }

    @Test func windowLimitNeverLetsMoreThanTheLimitIntoAnyWindow() async throws {
        let clock = ManualNanoClock()
        let (limit, window) = (7.0, UInt64(1_000_000_000))
        let limiter = RateLimiter(windowLimit: limit, per: .nanoseconds(Int64(window)), clock: clock)
        var rng = SeededRandom(seed: 0xA11CE)
        let costs = (0..<60).map { _ in Double(1 + rng.below(3)) }
        let grants = Recorder<(index: Int, at: UInt64)>()
        var tasks: [Task<Void, Never>] = []
        for (i, cost) in costs.enumerated() {
            let before = limiter.waitingCount + Int(limiter.grantedCount)
            tasks.append(Task {
                if (try? await limiter.acquire(cost)) != nil { grants.append((i, clock.now())) }
            })
            try await within(.seconds(5), "acquire \(i) to register") {
                while !Task.isCancelled && (limiter.waitingCount + Int(limiter.grantedCount) <= before || grants.count < Int(limiter.grantedCount)) {
                    await Task.yield()
                }
            }
        }
        var steps = 0
        while grants.count < costs.count && steps < 400 {
            clock.advance(by: .milliseconds(Int64(50 + rng.below(200))))
            // Settled: the drainer sleeps again (or nobody waits) and every grant has recorded
            // its time before the clock moves on.
            try await within(.seconds(5), "drainer settled") {
                while !Task.isCancelled && ((limiter.waitingCount > 0 && clock.sleeperCount == 0) || grants.count < Int(limiter.grantedCount)) {
                    await Task.yield()
                }
            }
            steps += 1
        }
        try await grants.wait(count: costs.count, "every acquisition")
        let all = grants.items.sorted { $0.index < $1.index }
        #expect(all.map(\.index) == Array(0..<costs.count))
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.at <= $1.at })   // FIFO: never granted before an earlier caller
        for g in all {
            let inWindow = all.filter { $0.at >= g.at && $0.at < g.at + window }.reduce(0) { $0 + costs[$1.index] }
            #expect(inWindow <= limit, "\(inWindow) units in the window from \(g.at)")
        }
        for t in tasks { await t.value }
    }

    @Test func laterCheapCallersWaitBehindAnExpensiveOne() async throws {
        let clock = ManualNanoClock()
        let limiter = RateLimiter(capacity: 10, refillPerSecond: 1, clock: clock)
        let passed = Recorder<Int>()
        var tasks: [Task<Void, Never>] = []
        // 8 tokens taken, then a cost-5 caller (needs 3 more s), then three cost-1 callers.
        try await Self.enqueue(limiter, costs: [8, 5, 1, 1, 1], passed: passed, tasks: &tasks)
        try await Self.expectFirst(1, passed)
        #expect(limiter.waitingCount == 4)          // 2 tokens left, but the head needs 5
        clock.advance(by: .seconds(2))
        try await within(.seconds(5), "drainer to sleep again") { while !Task.isCancelled && (clock.sleeperCount == 0) { await Task.yield() } }
        #expect(passed.count == 1)
        clock.advance(by: .seconds(1))
        try await Self.expectFirst(2, passed)
        clock.advance(by: .seconds(3))
        try await Self.expectFirst(5, passed)
        for t in tasks { await t.value }
    }

    @Test func blockAndServerReportedUsage() async throws {
        let clock = ManualNanoClock()
        let limiter = RateLimiter(capacity: 10, refillPerSecond: 10, clock: clock)
        limiter.reportUsage(used: 8, limit: 10)
        #expect(limiter.availableTokens == 2)
        limiter.block(for: .seconds(3))             // 429 Retry-After: 3
        #expect(limiter.availableTokens == 0)
        let passed = Recorder<Int>()
        var tasks: [Task<Void, Never>] = []
        try await Self.enqueue(limiter, costs: [1, 1], passed: passed, tasks: &tasks)
        clock.advance(by: .seconds(2))              // refilled, but still blocked
        try await within(.seconds(5), "drainer to sleep again") { while !Task.isCancelled && (clock.sleeperCount == 0) { await Task.yield() } }
        #expect(passed.count == 0)
        clock.advance(by: .seconds(1))
        try await passed.wait(count: 2)
        for t in tasks { await t.value }
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let clock = ManualNanoClock()
        let limiter = RateLimiter(capacity: 1, refillPerSecond: 1, clock: clock)
        let passed = Recorder<Int>()
        var tasks: [Task<Void, Never>] = []
        try await Self.enqueue(limiter, costs: [1, 1, 1], passed: passed, tasks: &tasks)
        try await passed.wait(count: 1)
        tasks[1].cancel()
        try await passed.wait("cancellation") { $0.contains(-2) }
        #expect(limiter.waitingCount == 1)
        clock.advance(by: .seconds(1))
        try await passed.wait(count: 3)
        #expect(passed.items == [0, -2, 2])
        await #expect(throws: HFTError.self) { try await limiter.acquire(2) }   // more than the capacity
        for t in tasks { await t.value }
    }

    @Test func registrySharesBucketsByKey() async throws {
        let clock = ManualNanoClock()
        let registry = RateLimiterRegistry(clock: clock)
        let a = registry.limiter("kraken:conn:1", capacity: 2, refillPerSecond: 1)
        let b = registry.limiter("kraken:conn:1", capacity: 99, refillPerSecond: 99)
        #expect(a === b)
        try await registry.acquire("kraken:conn:1")
        try await registry.acquire("kraken:conn:1")
        #expect(a.availableTokens == 0)
        try await registry.acquire("unknown:key", cost: 1_000)   // no bucket, no limit
        #expect(registry.keys == ["kraken:conn:1"])
    }

    @Test func realClockPacesAtRoughlyTheRate() async throws {
        // Bounded sanity check with the real clock: 3 tokens, then 200/s.
        let limiter = RateLimiter(capacity: 3, refillPerSecond: 200)
        for _ in 0..<13 { try await limiter.acquire() }
        #expect(limiter.grantedCount == 13)
    }
}
