import HFTCore
import Synchronization

/// What every connection and REST call of one DigiFinex simulator shares.
final class DigiFinexContext: Sendable {
    let exchange: SimulatedExchange
    let options: DigiFinexOptions
    let markets: DigiFinexMarkets
    let ids: DigiFinexOrderIDs
    private let restWindow = Mutex<(start: Timestamp, count: Int)>((0, 0))

    init(exchange: SimulatedExchange, options: DigiFinexOptions) {
        self.exchange = exchange
        self.options = options
        markets = DigiFinexMarkets(exchange: exchange)
        var rng = SystemRandomNumberGenerator()
        ids = DigiFinexOrderIDs(salt: rng.next())
    }

    func now() -> Timestamp { exchange.clock.nowMicros() }

    /// The `rate_limit_after` fault for REST calls (plan of endpoint `rest`, else the venue's).
    func restRateLimited() -> Bool {
        let plan = exchange.faults.effectivePlan(endpoint: "rest", ordinal: 0)
        guard let limit = plan.rateLimitAfterRequests else { return false }
        let window = Int64((plan.rateLimitWindowSeconds ?? 1) * 1_000_000)
        let now = now()
        return restWindow.withLock { w in
            if now - w.start >= window { w = (now, 0) }
            w.count += 1
            return w.count > limit
        }
    }
}
