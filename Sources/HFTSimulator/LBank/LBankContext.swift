import HFTCore

/// What every connection and REST call of one LBank simulator shares.
final class LBankContext: Sendable {
    let exchange: SimulatedExchange
    let options: LBankOptions
    let markets: LBankMarkets
    let ids: LBankOrderIDs
    let keys: LBankKeyStore
    private let restFaults = SimCallWindow()

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
    func restRateLimited() -> Bool { restFaults.restFault(exchange.faults, now: now()) }
}
