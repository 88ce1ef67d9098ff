import HFTCore

/// What every connection and REST call of one DigiFinex simulator shares.
final class DigiFinexContext: Sendable {
    let exchange: SimulatedExchange
    let options: DigiFinexOptions
    let markets: DigiFinexMarkets
    let ids: DigiFinexOrderIDs
    private let restFaults = SimCallWindow()

    init(exchange: SimulatedExchange, options: DigiFinexOptions) {
        self.exchange = exchange
        self.options = options
        markets = DigiFinexMarkets(exchange: exchange)
        var rng = SystemRandomNumberGenerator()
        ids = DigiFinexOrderIDs(salt: rng.next())
    }

    func now() -> Timestamp { exchange.clock.nowMicros() }

    /// The `rate_limit_after` fault for REST calls (plan of endpoint `rest`, else the venue's).
    func restRateLimited() -> Bool { restFaults.restFault(exchange.faults, now: now()) }
}
