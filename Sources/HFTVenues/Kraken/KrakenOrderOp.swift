/// One order-entry request on its way through the private session: what it is (for
/// reconciliation after a disconnect), how to build its frame once the token is known, and
/// the callback that gets exactly one `OrderResult`.
import HFTCore
import HFTTransport
import NIOCore
import Synchronization

final class KrakenOrderOp: Sendable {
    /// What the request does, in the terms reconciliation needs.
    enum Kind: Sendable {
        case add(clOrdID: String)
        case amend(KrakenAmend)
        case cancel(KrakenCancelTarget)
        /// cancel_all, or (with a symbol) cancel_order of that symbol's open orders.
        case cancelAll(symbol: String?)
        case cancelAfter(seconds: Int)
        case batchAdd(clOrdIDs: [String])
        case batchCancel(orders: [String], clOrdIDs: [String])
    }

    typealias Build = @Sendable (_ token: String, _ reqID: RequestID, _ openOrders: [Order]) throws(HFTError) -> KrakenRequest?
    typealias Completion = @Sendable (OrderResult, [KrakenResponse]) -> Void

    let requestID: RequestID
    let method: KrakenMethod
    let kind: Kind
    let build: Build
    /// The client order id(s) this request carries (the unified result reports the first).
    let clientOrderID: String?
    private let completion: Completion
    private let done = Atomic<Bool>(false)
    /// Set once a token error was answered by a new token and one resend.
    let retried = Atomic<Bool>(false)

    init(requestID: RequestID, method: KrakenMethod, kind: Kind, clientOrderID: String? = nil, build: @escaping Build,
         completion: @escaping Completion) {
        self.requestID = requestID
        self.method = method
        self.kind = kind
        self.clientOrderID = clientOrderID
        self.build = build
        self.completion = completion
    }

    var isFinished: Bool { done.load(ordering: .acquiring) }

    /// Delivers the result once; later calls are ignored.
    func finish(_ result: OrderResult, _ responses: [KrakenResponse] = []) {
        guard done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        completion(result, responses)
    }

    /// A result without a reply (nothing sent, timeout, unknown outcome, reconciled).
    func failure(_ error: HFTError, request: String = "") -> OrderResult {
        OrderResult(venue: .kraken, requestID: requestID, method: method.wireName, request: request, response: nil,
                    latencyMicros: 0, ok: false, clientOrderID: clientOrderID, error: error)
    }

    func reconciled(ok: Bool, orderID: String?, error: HFTError?, request: String) -> OrderResult {
        OrderResult(venue: .kraken, requestID: requestID, method: method.wireName, request: request, response: nil,
                    latencyMicros: 0, ok: ok, orderID: orderID, clientOrderID: clientOrderID, error: error)
    }

    /// The unified reading of Kraken's reply (or replies: one per id for cancel_order).
    func result(_ r: RequestResult, _ decoded: [KrakenResponse?], request: String) -> OrderResult {
        let texts = r.responses.map { String(buffer: $0) }
        let text = texts.count == 1 ? texts[0] : "[" + texts.joined(separator: ",") + "]"
        var ok = !decoded.isEmpty
        var error: HFTError?
        var orderID: String?
        var clOrdID = clientOrderID
        for d in decoded {
            guard let d else {
                ok = false
                error = error ?? .malformedFrame("Kraken \(method.wireName): undecodable reply")
                continue
            }
            if !d.success {
                ok = false
                error = error ?? (d.error ?? KrakenError("request failed")).hftError
            }
            switch d.result {
            case .order(let ack):
                orderID = orderID ?? ack.orderID.flatMap { $0.isEmpty ? nil : $0 }
                clOrdID = clOrdID ?? ack.clOrdID
            case .orders(let rows):
                orderID = orderID ?? rows.first?.orderID
                if let failed = rows.first(where: { $0.error != nil })?.error {
                    ok = false
                    error = error ?? failed.hftError
                }
            default:
                break
            }
        }
        return OrderResult(venue: .kraken, requestID: requestID, method: method.wireName, request: request, response: text,
                           latencyMicros: r.latencyMicros, ok: ok, orderID: orderID, clientOrderID: clOrdID, error: error)
    }

    /// A 32-hex-digit client order id (Kraken's short UUID form).
    static func makeClientOrderID() -> String {
        var g = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(32)
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
