import HFTCore

/// What every connection and REST call of one BGE simulator shares.
final class BGEContext: Sendable {
    let exchange: SimulatedExchange
    let options: BGEOptions
    let markets: BGEMarkets
    /// REST calls per API key in the current 1 s window (§8: 10 req/s per key).
    private let restWindows = SimKeyedCallWindows<String>()
    private let faultWindow = SimCallWindow()

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
        if let limit = options.restRequestsPerSecond, restWindows.over(key, limit: limit, length: 1_000_000, now: now) { return true }
        return faultWindow.restFault(exchange.faults, now: now)
    }
}
