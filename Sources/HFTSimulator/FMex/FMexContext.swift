import HFTCore

/// What every connection and REST call of one FMex simulator shares.
final class FMexContext: Sendable {
    let exchange: SimulatedExchange
    let options: FMexOptions
    let markets: FMexMarkets
    /// REST calls per account in the current 10 s window (§4: 100 per 10 s per user).
    private let restWindows = SimKeyedCallWindows<AccountID>()
    private let faultWindow = SimCallWindow()

    init(exchange: SimulatedExchange, options: FMexOptions) {
        self.exchange = exchange
        self.options = options
        markets = FMexMarkets(exchange: exchange)
    }

    func now() -> Timestamp { exchange.clock.nowMicros() }
    func nowMillis() -> Int64 { now() / 1_000 }

    /// True when this call exceeds the per-user limit or the plan's `rate_limit_after` (endpoint `rest`).
    func restRateLimited(_ account: AccountID) -> Bool {
        let now = now()
        if let limit = options.restRequestsPer10s, restWindows.over(account, limit: limit, length: 10_000_000, now: now) { return true }
        return faultWindow.restFault(exchange.faults, now: now)
    }
}
