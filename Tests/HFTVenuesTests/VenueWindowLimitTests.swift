import HFTCore
import HFTTransport
@testable import HFTVenues
import Testing

/// The REST venues' "N calls per window" knobs: the venue's documented rule by default, the whole
/// N usable at once, the window stretched by the arrival-time margin, bad values refused.
@Suite struct VenueWindowLimitTests {
    @Test func defaultsAreTheVenuesRules() throws {
        let stretch = 1 + VenueWindowLimit.margin
        let cases: [(VenueWindowLimit, Double, Double)] = [
            (try BGEClientOptions().rest, 10, 1), (try FMexClientOptions().rest, 100, 10),
            (try LBankClientOptions().rest, 200, 10), (try LBankClientOptions().order, 500, 10),
            (try DigiFinexClientOptions().rest, 10, 1),
        ]
        for (rule, limit, seconds) in cases {
            #expect(rule.limit == limit)
            #expect(abs(VenueWindowLimit.seconds(rule.window) - seconds * stretch) < 1e-9)
        }
    }

    @Test func theLimiterLetsTheWholeLimitGoAtOnce() throws {
        let registry = RateLimiterRegistry(clock: ManualNanoClock())
        let limiter = try BGEClientOptions(["rest_limit": "7", "rest_window_s": "2"]).rest.limiter("bge:test", registry: registry)
        #expect(limiter.availableTokens == 7)
        #expect(limiter.window == WindowLimit(limit: 7, per: .seconds(2.1)))
    }

    @Test func badValuesAreConfigurationErrors() {
        for bad in [["rest_limit": "0"], ["rest_window_s": "0"], ["rest_limit": "x"]] {
            #expect(throws: HFTError.self) { _ = try FMexClientOptions(bad) }
        }
        do {
            _ = try LBankClientOptions(["order_window_s": "0"])
            Issue.record("order_window_s=0 accepted")
        } catch {
            #expect("\(error)".contains("order_limit must be ≥ 1 and order_window_s > 0"))
        }
    }
}
