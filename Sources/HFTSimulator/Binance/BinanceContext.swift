import HFTCore
import Synchronization

/// What every connection and REST call of one Binance simulator shares.
final class BinanceContext: Sendable {
    let exchange: SimulatedExchange
    let markets: BinanceMarkets
    let auth: BinanceAuth
    let limiter: BinanceRateLimiter
    let options: BinanceSimulator.Options
    private let renames = Mutex<Renames>(Renames())
    private let executions = Atomic<Int64>(0)

    private struct Renames {
        /// `clientOrderId` a cancel request gave the order (`c` of its CANCELED report).
        var cancel: [SimOrderID: String] = [:]
        /// The id an amendment replaced (`C` of its REPLACED report).
        var prior: [SimOrderID: String] = [:]
    }

    init(exchange: SimulatedExchange, options: BinanceSimulator.Options) {
        self.exchange = exchange
        self.options = options
        markets = BinanceMarkets(exchange: exchange)
        auth = BinanceAuth(exchange: exchange)
        limiter = BinanceRateLimiter(config: options.rateLimits)
    }

    /// Exchange time in µs.
    func now() -> Timestamp { exchange.clock.nowMicros() }
    /// Exchange time in ms.
    func nowMillis() -> Int64 { exchange.clock.nowMicros() / 1_000 }

    /// `I` of an executionReport, `executionId` of an amendment.
    func nextExecutionID() -> Int64 { executions.add(1, ordering: .relaxed).newValue }

    func setCancelClientID(_ id: String, for order: SimOrderID) {
        renames.withLock { r in
            if r.cancel.count > 100_000 { r.cancel.removeAll() }
            r.cancel[order] = id
        }
    }

    func cancelClientID(of order: SimOrderID) -> String? { renames.withLock { $0.cancel[order] } }

    func setPriorClientID(_ id: String?, for order: SimOrderID) {
        renames.withLock { r in
            if r.prior.count > 100_000 { r.prior.removeAll() }
            r.prior[order] = id
        }
    }

    func priorClientID(of order: SimOrderID) -> String? { renames.withLock { $0.prior[order] } }

    private let restFaults = SimCallWindow()

    /// The `rate_limit_after` fault for REST calls (plan of endpoint `rest`, else the venue's).
    func restFaultRateLimited() -> Bool { restFaults.restFault(exchange.faults, now: now()) }

    /// A client order id like Binance generates (22 alphanumerics).
    static func generatedClientOrderID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var rng = SystemRandomNumberGenerator()
        return String(decoding: (0..<22).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] }, as: UTF8.self)
    }
}
