import HFTCore
import Synchronization

/// Which Kraken WebSocket a connection came in on.
enum KrakenEndpoint: String, Sendable {
    /// `ws`: public market data (private requests are refused).
    case publicData = "ws"
    /// `ws-auth`: private channels and order entry (public channels too).
    case authenticated = "ws-auth"
}

/// What every connection and REST call of one Kraken simulator shares.
final class KrakenContext: Sendable {
    let exchange: SimulatedExchange
    let markets: KrakenMarkets
    let auth = KrakenAuth()
    let rateCounter: KrakenRateCounter
    let deadMan: KrakenDeadMansSwitch
    let heartbeatInterval: Duration
    /// `order_userref` of orders placed through this front-end.
    private let userrefs = Mutex<[SimOrderID: Int64]>([:])
    private let counters = Atomic<UInt64>(0)

    init(exchange: SimulatedExchange, rateTier: KrakenRateTier, heartbeatInterval: Duration) {
        self.exchange = exchange
        markets = KrakenMarkets(exchange: exchange)
        rateCounter = KrakenRateCounter(tier: rateTier)
        deadMan = KrakenDeadMansSwitch(exchange: exchange)
        self.heartbeatInterval = heartbeatInterval
    }

    func now() -> Timestamp { exchange.clock.nowMicros() }

    private let restFaults = SimCallWindow()

    /// The `rate_limit_after` fault for REST calls (plan of endpoint `rest`, else the venue's).
    func restRateLimited() -> Bool { restFaults.restFault(exchange.faults, now: now()) }

    /// A fresh number for amend and ledger ids.
    func nextSerial() -> UInt64 { counters.add(1, ordering: .relaxed).newValue }

    func setUserref(_ ref: Int64?, for order: SimOrderID) {
        guard let ref else { return }
        userrefs.withLock { $0[order] = ref }
    }

    func userref(of order: SimOrderID) -> Int64? { userrefs.withLock { $0[order] } }

    /// Open orders of `account` carrying `ref`.
    func openOrders(_ account: AccountID, userref ref: Int64) -> [SimOrder] {
        let tagged = userrefs.withLock { u in u.filter { $0.value == ref }.map(\.key) }
        guard !tagged.isEmpty else { return [] }
        let set = Set(tagged)
        return exchange.openOrders(account).filter { set.contains($0.id) }
    }
}
