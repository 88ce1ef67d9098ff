/// One WS API request on its way through the trading session: what it is (for reconciliation
/// after a disconnect), its cost, how to build its frame once the auth is known (session or
/// signed, fresh timestamp), and the callback that gets exactly one `OrderResult`.
import HFTCore
import HFTTransport
import Synchronization

final class BinanceOrderOp: Sendable {
    /// What the request does, in the terms reconciliation needs.
    enum Kind: Sendable {
        case place(symbol: String, clientOrderID: String)
        case cancel(symbol: String, order: BinanceOrderRef)
        case amend(symbol: String, order: BinanceOrderRef, newQty: FixedDecimal)
        case cancelReplace(symbol: String, order: BinanceOrderRef, newClientOrderID: String)
        case cancelAll(symbol: String)
        /// Reads only: resent after a reconnect.
        case query
    }

    typealias Build = @Sendable (_ auth: BinanceAuth, _ id: RequestID, _ open: [Int64: Order]) throws(HFTError) -> BinanceRequest
    typealias Completion = @Sendable (OrderResult, BinanceResponse?) -> Void

    let requestID: RequestID
    let method: BinanceMethod
    let kind: Kind
    let weight: Int
    let orderCount: Int
    let clientOrderID: String?
    let build: Build
    private let completion: Completion
    private let done = Atomic<Bool>(false)
    /// Set when the op was resent once (a query after a reconnect, a -1021 after a time sync).
    let retried = Atomic<Bool>(false)

    init(requestID: RequestID, method: BinanceMethod, kind: Kind, weight: Int? = nil, clientOrderID: String? = nil,
         build: @escaping Build, completion: @escaping Completion) {
        self.requestID = requestID
        self.method = method
        self.kind = kind
        self.weight = weight ?? method.weight
        self.orderCount = method.orderCount
        self.clientOrderID = clientOrderID
        self.build = build
        self.completion = completion
    }

    var isFinished: Bool { done.load(ordering: .acquiring) }

    /// Delivers the result once; later calls are ignored.
    func finish(_ result: OrderResult, _ response: BinanceResponse? = nil) {
        guard done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        completion(result, response)
    }

    /// A result without a reply (nothing sent, timeout, unknown outcome).
    func failure(_ error: HFTError, request: String = "") -> OrderResult {
        OrderResult(venue: .binance, requestID: requestID, method: method.rawValue, request: request, response: nil,
                    latencyMicros: 0, ok: false, clientOrderID: clientOrderID, error: error)
    }

    /// A result settled by `order.status` after a disconnect (`response` is the query's reply).
    func reconciled(ok: Bool, orderID: String?, error: HFTError?, request: String, response: String?) -> OrderResult {
        OrderResult(venue: .binance, requestID: requestID, method: method.rawValue, request: request, response: response,
                    latencyMicros: 0, ok: ok, orderID: orderID, clientOrderID: clientOrderID, error: error)
    }

    /// The unified reading of Binance's reply.
    func result(_ r: RequestResult, _ decoded: BinanceResponse?, request: String, unit: BinanceTimeUnit) -> OrderResult {
        let text = r.responseText
        guard let d = decoded else {
            return OrderResult(venue: .binance, requestID: requestID, method: method.rawValue, request: request, response: text,
                               latencyMicros: r.latencyMicros, ok: false, clientOrderID: clientOrderID,
                               error: .malformedFrame("Binance \(method.rawValue): undecodable reply"))
        }
        var orderID: String?
        var cl = clientOrderID
        switch d.result {
        case .order(let o):
            orderID = String(o.orderID)
            cl = o.origClientOrderID ?? o.clientOrderID
        case .amend(let a):
            orderID = String(a.amendedOrder.orderID)
            cl = a.amendedOrder.clientOrderID
        case .cancelReplace(let c):
            if case .order(let o)? = c.newOrderResponse {
                orderID = String(o.orderID)
                cl = o.clientOrderID
            }
        default:
            break
        }
        if orderID == nil, case .order(let o)? = d.error?.cancelReplace?.newOrderResponse { orderID = String(o.orderID) }
        return OrderResult(venue: .binance, requestID: requestID, method: method.rawValue, request: request, response: text,
                           latencyMicros: r.latencyMicros, ok: d.isSuccess, orderID: orderID, clientOrderID: cl,
                           error: d.hftError(timeUnit: unit))
    }

    /// `hft-` + 32 hex digits: inside Binance's `^[.A-Z:/a-z0-9_-]{1,36}$`.
    static func makeClientOrderID() -> String {
        var g = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var out = Array("hft-".utf8)
        for _ in 0..<2 {
            var v = g.next() as UInt64
            for _ in 0..<16 {
                out.append(hex[Int(v & 0xF)])
                v >>= 4
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Sends jobs strictly in submission order, each after taking its weight and order count from
/// the shared Binance buckets (`OrderedSender` with two buckets and the fail-fast back-off).
final class BinanceRequestQueue: Sendable {
    typealias Job = @Sendable (Result<Void, HFTError>) -> Void
    private struct Item { let weight: Int; let orders: Int; let job: Job }
    private let state = Mutex<(queue: [Item], draining: Bool)>(([], false))
    let limits: BinanceLimits
    let maxWait: Duration

    init(limits: BinanceLimits, maxWait: Duration) {
        self.limits = limits
        self.maxWait = maxWait
    }

    func submit(weight: Int, orders: Int, _ job: @escaping Job) {
        let start = state.withLock { s -> Bool in
            s.queue.append(Item(weight: weight, orders: orders, job: job))
            if s.draining { return false }
            s.draining = true
            return true
        }
        if start { Task { await drain() } }
    }

    var queuedCount: Int { state.withLock { $0.queue.count } }

    private func drain() async {
        while true {
            let next: Item? = state.withLock { s in
                guard !s.queue.isEmpty else { s.draining = false; return nil }
                return s.queue.removeFirst()
            }
            guard let next else { return }
            do throws(HFTError) {
                try await limits.charge(weight: next.weight, orders: next.orders, maxWait: maxWait)
                next.job(.success(()))
            } catch {
                next.job(.failure(error))
            }
        }
    }
}
