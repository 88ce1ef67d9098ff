import HFTCore
import Synchronization

/// What every connection and REST call of one BGE simulator shares.
final class BGEContext: Sendable {
    let exchange: SimulatedExchange
    let options: BGEOptions
    let markets: BGEMarkets
    /// REST calls per API key in the current 1 s window (§8: 10 req/s per key).
    private let restWindows = Mutex<[String: (start: Timestamp, count: Int)]>([:])
    private let faultWindow = Mutex<(start: Timestamp, count: Int)>((0, 0))

    init(exchange: SimulatedExchange, options: BGEOptions) {
        self.exchange = exchange
        self.options = options
        markets = BGEMarkets(exchange: exchange)
    }

    func now() -> Timestamp { exchange.clock.nowMicros() }

    /// True when this call of `key` exceeds the per-key limit or the plan's `rate_limit_after`
    /// (endpoint `rest`).
    func restRateLimited(key: String) -> Bool {
        let now = now()
        if let limit = options.restRequestsPerSecond {
            let over = restWindows.withLock { w -> Bool in
                var e = w[key] ?? (now, 0)
                if now - e.start >= 1_000_000 { e = (now, 0) }
                e.count += 1
                w[key] = e
                return e.count > limit
            }
            if over { return true }
        }
        let plan = exchange.faults.effectivePlan(endpoint: "rest", ordinal: 0)
        guard let limit = plan.rateLimitAfterRequests else { return false }
        let window = Int64((plan.rateLimitWindowSeconds ?? 1) * 1_000_000)
        return faultWindow.withLock { w in
            if now - w.start >= window { w = (now, 0) }
            w.count += 1
            return w.count > limit
        }
    }
}
