/// Unified order entry over signed REST (lbank.md §8: no orders over the WebSocket). Requests
/// take their turn in call order through the process-wide order limiter, then run concurrently;
/// each calls back exactly once with an `OrderResult` whose `request` is the endpoint
/// parameters as JSON (no key, no signature), `response` the raw body and `latencyMicros` the
/// HTTP exchange.
import HFTCore
import HFTTransport

extension LBankWsAPI {
    static let placeMethod = "POST " + LBankEndpoints.Path.createOrder
    static let cancelMethod = "POST " + LBankEndpoints.Path.cancelOrder
    static let cancelAllMethod = "POST " + LBankEndpoints.Path.cancelBySymbol

    @discardableResult
    public func placeOrder(_ order: PlaceOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = order.requestID ?? nextRequestID()
        let native: LBankNewOrder
        do { native = try LBankNewOrder(order) } catch {
            callback(rejected(id, Self.placeMethod, error, clientOrderID: order.clientOrderID))
            return id
        }
        submit(id, Self.placeMethod, LBankEndpoints.Path.createOrder, native.params, clientOrderID: order.clientOrderID, callback: callback) { (body) throws(LBankDecodeError) in
            let ack = try LBankREST.parseOrderAck(body)
            return (ack.orderID, ack.clientOrderID ?? order.clientOrderID)
        }
        return id
    }

    /// One order per call, by order id or client order id; the symbol is required.
    @discardableResult
    public func cancelOrder(_ cancel: CancelOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = cancel.requestID ?? nextRequestID()
        let params: [(String, String)]
        do {
            try cancel.validate()
            guard let symbol = cancel.symbol else { throw HFTError.invalidArgument("LBank cancels need the symbol") }
            guard cancel.orderIDs.count + cancel.clientOrderIDs.count == 1 else {
                throw HFTError.invalidArgument("LBank cancels one order per request: name one order id or client order id")
            }
            params = LBankNewOrder.cancelParams(symbol: try LBankSymbols.native(symbol), orderID: cancel.orderIDs.first,
                                                clientOrderID: cancel.clientOrderIDs.first)
        } catch {
            callback(rejected(id, Self.cancelMethod, (error as? HFTError) ?? .invalidArgument("\(error)"), clientOrderID: cancel.clientOrderIDs.first))
            return id
        }
        let orderID = cancel.orderIDs.first, clientID = cancel.clientOrderIDs.first
        submit(id, Self.cancelMethod, LBankEndpoints.Path.cancelOrder, params, clientOrderID: clientID, callback: callback) { (body) throws(LBankDecodeError) in
            try LBankREST.parseOK(body)
            return (orderID, clientID)
        }
        return id
    }

    /// LBank has no amend.
    @discardableResult
    public func amendOrder(_ amend: AmendOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = amend.requestID ?? nextRequestID()
        callback(rejected(id, "amend", .unsupported("LBank has no order amend: cancel and place"), clientOrderID: amend.clientOrderID))
        return id
    }

    /// `cancel_order_by_symbol.do`; the symbol is required.
    @discardableResult
    public func cancelAllOrders(symbol: Symbol?, callback: @escaping OrderCallback) -> RequestID {
        let id = nextRequestID()
        guard let symbol, let pair = try? LBankSymbols.native(symbol) else {
            callback(rejected(id, Self.cancelAllMethod, .invalidArgument("LBank cancels all orders of one symbol: name it"), clientOrderID: nil))
            return id
        }
        submit(id, Self.cancelAllMethod, LBankEndpoints.Path.cancelBySymbol, [("symbol", pair)], clientOrderID: nil, callback: callback) { (body) throws(LBankDecodeError) in
            try LBankREST.parseOK(body)
            return (nil, nil)
        }
        return id
    }

    // MARK: Plumbing

    typealias Reader = @Sendable ([UInt8]) throws(LBankDecodeError) -> (orderID: String?, clientOrderID: String?)

    func submit(_ id: RequestID, _ method: String, _ path: String, _ params: [(String, String)], clientOrderID: String?,
                callback: @escaping OrderCallback, read: @escaping Reader) {
        let rest = self.rest, latency = self.latency
        let redacted = JSONText.object(params.map { ($0.0, .string($0.1)) }).rendered
        guard rest.hasCredentials else {
            callback(rejected(id, method, .authenticationFailed("LBank order entry needs API credentials"), clientOrderID: clientOrderID))
            return
        }
        sender.submit { [params] turn in
            Task {
                var result = OrderResult(venue: .lbank, requestID: id, method: method, request: redacted, response: nil,
                                         latencyMicros: 0, ok: false, clientOrderID: clientOrderID)
                do throws(HFTError) {
                    try turn.get()
                    let response = try await rest.perform(try rest.request(path, params), limited: false)
                    result.response = response.bodyText
                    result.latencyMicros = response.latencyMicros
                    latency.record(method, micros: response.latencyMicros)
                    do throws(LBankDecodeError) {
                        let (orderID, client) = try read(response.body)
                        result.ok = true
                        result.orderID = orderID
                        result.clientOrderID = client
                    } catch {
                        result.error = error.hftError
                    }
                } catch {
                    result.error = error
                }
                callback(result)
            }
        }
    }

    func rejected(_ id: RequestID, _ method: String, _ error: HFTError, clientOrderID: String?) -> OrderResult {
        OrderResult(venue: .lbank, requestID: id, method: method, request: "", response: nil, latencyMicros: 0, ok: false,
                    clientOrderID: clientOrderID, error: error)
    }
}
