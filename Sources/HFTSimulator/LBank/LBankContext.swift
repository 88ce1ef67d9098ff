import HFTCore
import Synchronization

/// What every connection and REST call of one LBank simulator shares.
final class LBankContext: Sendable {
    let exchange: SimulatedExchange
    let options: LBankOptions
    let markets: LBankMarkets
    let ids: LBankOrderIDs
    let keys: LBankKeyStore
    private let restWindow = Mutex<(start: Timestamp, count: Int)>((0, 0))

    init(exchange: SimulatedExchange, options: LBankOptions) {
        self.exchange = exchange
        self.options = options
        markets = LBankMarkets(exchange: exchange)
        var rng = SystemRandomNumberGenerator()
        ids = LBankOrderIDs(salt: rng.next())
        keys = LBankKeyStore(validity: options.keyValidity)
    }

    func now() -> Timestamp { exchange.clock.nowMicros() }

    /// The `expire_token_after_s` fault (plan of endpoint `ws`, else the venue's), in µs.
    func earlyKeyExpiry() -> Int64? {
        exchange.faults.effectivePlan(endpoint: "ws", ordinal: 0).expireTokenAfterSeconds.map { Int64($0 * 1_000_000) }
    }

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
