import HFTCore
import Testing
import HFTSimulator

@Suite("Faults")
struct FaultTests {
    @Test func parsesEveryKey() throws {
        let p = try FaultPlan.parse("drop_after=100,stall_after=50,delay_ms=20,corrupt_checksum_every=10,skip_seq_every=7,"
            + "malformed_every=13,expire_token_after_s=5,rate_limit_after=20 force_disconnect_after_s=3,drop_probability=0.01,"
            + "rate_limit_window_s=10,seed=7")
        #expect(p.dropAfterMessages == 100 && p.stallAfterMessages == 50 && p.responseDelayMillis == 20)
        #expect(p.corruptChecksumEvery == 10 && p.skipSequenceEvery == 7 && p.malformedEvery == 13)
        #expect(p.expireTokenAfterSeconds == 5 && p.rateLimitAfterRequests == 20 && p.rateLimitWindowSeconds == 10)
        #expect(p.forceDisconnectAfterSeconds == 3 && p.dropProbability == 0.01 && p.seed == 7)
        #expect(try FaultPlan.parse(p.specification) == p)
        #expect(!p.isEmpty && FaultPlan().isEmpty && FaultPlan(seed: 3).isEmpty)
    }

    @Test func badInputGivesTypedErrors() {
        func error(_ s: String) -> FaultParseError? {
            do { _ = try FaultPlan.parseScoped(s); return nil } catch { return error }
        }
        #expect(error("") == .empty)
        #expect(error(" , ") == .empty)
        #expect(error("drop_after") == .missingValue("drop_after"))
        #expect(error("bogus=1") == .unknownKey("bogus"))
        #expect(error("drop_after=abc") == .invalidValue(key: "drop_after", value: "abc", expected: "an integer ≥ 0"))
        #expect(error("drop_after=-1") == .invalidValue(key: "drop_after", value: "-1", expected: "an integer ≥ 0"))
        #expect(error("skip_seq_every=0") == .invalidValue(key: "skip_seq_every", value: "0", expected: "an integer ≥ 1"))
        #expect(error("drop_probability=1.5") == .invalidValue(key: "drop_probability", value: "1.5", expected: "a probability in 0…1"))
        #expect(error("expire_token_after_s=0") == .invalidValue(key: "expire_token_after_s", value: "0", expected: "a number of seconds > 0"))
        #expect(error("force_disconnect_after_s=nan") != nil)
        #expect(error("seed=-3") != nil)
        #expect(error("delay_ms=5,delay_ms=6") == .duplicateKey("delay_ms"))
        #expect(error("mars:drop_after=1") == .unknownVenue("mars"))
        #expect(error("kraken:") == .empty)
        #expect(FaultParseError.unknownKey("x").description.contains("drop_after"))
    }

    @Test func scopedConfiguration() throws {
        let (venue, plan) = try FaultPlan.parseScoped("Kraken:drop_after=5")
        #expect(venue == .kraken && plan.dropAfterMessages == 5)
        let c = try FaultConfiguration(parsing: ["delay_ms=5", "binance:drop_after=3", "binance:delay_ms=9"])
        #expect(c.plan(for: .binance) == FaultPlan(dropAfterMessages: 3, responseDelayMillis: 9))
        #expect(c.plan(for: .kraken) == FaultPlan(responseDelayMillis: 5))
    }

    @Test func dropAndStallAfterN() {
        let c = FaultController(plan: FaultPlan(dropAfterMessages: 3), clock: ManualClock())
        var d = c.makeDecider()
        let drops = (0..<5).map { _ in d.onOutboundMessage(kind: .trade) }
        #expect(drops == [.send, .send, .send, .dropConnection, .dropConnection])
        c.setPlan(FaultPlan(stallAfterMessages: 2))
        var s = c.makeDecider()
        #expect((0..<4).map { _ in s.onOutboundMessage(kind: .bookUpdate) } == [.send, .send, .stall, .stall])
    }

    @Test func everyNthFaults() {
        let c = FaultController(plan: FaultPlan(corruptChecksumEvery: 2, skipSequenceEvery: 3), clock: ManualClock())
        var d = c.makeDecider()
        let kinds: [OutboundKind] = [.bookSnapshot, .trade, .bookUpdate, .bookUpdate, .response, .bookUpdate, .bookUpdate]
        // book messages: 1 snap, 2 upd (corrupt), 3 upd, 4 upd (corrupt; also 3rd update → skip loses), 5 upd
        #expect(kinds.map { d.onOutboundMessage(kind: $0) } == [.send, .send, .corruptChecksum, .send, .send, .corruptChecksum, .send])
        #expect(d.bookMessages == 5 && d.bookUpdates == 4)
        c.setPlan(FaultPlan(skipSequenceEvery: 2, malformedEvery: 3))
        var m = c.makeDecider()
        #expect((0..<6).map { _ in m.onOutboundMessage(kind: .bookUpdate) } == [.send, .skipSequence, .malformed, .skipSequence, .send, .malformed])
        #expect(!FaultDecider.malformedFrame.isEmpty)
    }

    @Test func runtimeChangesReachExistingDeciders() {
        let c = FaultController(clock: ManualClock())
        var d = c.makeDecider(endpoint: "ws")
        #expect(d.onOutboundMessage(kind: .trade) == .send)
        #expect(d.responseDelay() == .zero)
        c.update { $0.responseDelayMillis = 20 }
        #expect(d.responseDelay() == .milliseconds(20))
        c.setPlan(FaultPlan(dropAfterMessages: 0), forEndpoint: "ws")
        #expect(d.onOutboundMessage(kind: .trade) == .dropConnection)
        c.clear()
        var fresh = c.makeDecider(endpoint: "ws")
        #expect(fresh.onOutboundMessage(kind: .trade) == .send)
    }

    @Test func perConnectionPlans() {
        let c = FaultController(clock: ManualClock())
        c.setPlan(FaultPlan(dropAfterMessages: 0), forConnection: 2)
        var first = c.makeDecider()
        var second = c.makeDecider()
        #expect(first.ordinal == 1 && second.ordinal == 2 && c.connectionsOpened == 2)
        #expect(first.onOutboundMessage(kind: .response) == .send)
        #expect(second.onOutboundMessage(kind: .response) == .dropConnection)
    }

    @Test func randomDropsAreSeeded() {
        func firstDrop(seed: UInt64, p: Double) -> Int? {
            let c = FaultController(plan: FaultPlan(dropProbability: p, seed: seed), clock: ManualClock())
            var d = c.makeDecider()
            return (0..<10_000).first { _ in d.onOutboundMessage(kind: .trade) == .dropConnection }
        }
        let a = firstDrop(seed: 1, p: 0.01)
        #expect(a != nil)
        #expect(a == firstDrop(seed: 1, p: 0.01))
        #expect(firstDrop(seed: 1, p: 0) == nil)
        #expect(firstDrop(seed: 1, p: 1) == 0)
    }

    @Test func rateLimitWindows() {
        let clock = ManualClock()
        let c = FaultController(plan: FaultPlan(rateLimitAfterRequests: 2), clock: clock)
        var d = c.makeDecider()
        #expect([d.shouldRejectForRateLimit(), d.shouldRejectForRateLimit(), d.shouldRejectForRateLimit()] == [false, false, true])
        clock.advance(seconds: 1)
        #expect(d.shouldRejectForRateLimit() == false)
        var none = FaultController(clock: clock).makeDecider()
        #expect((0..<100).allSatisfy { _ in !none.shouldRejectForRateLimit() })
    }

    @Test func tokenExpiryAndForcedDisconnect() {
        let clock = ManualClock()
        let c = FaultController(plan: FaultPlan(expireTokenAfterSeconds: 5, forceDisconnectAfterSeconds: 3), clock: clock)
        let d = c.makeDecider()
        let issued = clock.nowMicros()
        #expect(!d.isTokenExpired() && !c.isTokenExpired(issuedAt: issued))
        #expect(d.forcedDisconnectDeadline() == d.connectedAt + 3_000_000)
        clock.advance(seconds: 3)
        #expect(d.shouldForceDisconnect())
        #expect(!d.isTokenExpired())
        clock.advance(seconds: 2)
        #expect(d.isTokenExpired() && c.isTokenExpired(issuedAt: issued))
        #expect(!d.isTokenExpired(issuedAt: clock.nowMicros()))
    }

    @Test func exchangeStartsWithItsConfiguredPlan() throws {
        var config = ExchangeConfig.preset(for: .digifinex)
        config.faults = try FaultPlan.parse("force_disconnect_after_s=2")
        let ex = try SimulatedExchange(config: config)
        #expect(ex.faults.plan.forceDisconnectAfterSeconds == 2)
    }
}
