/// Unified order entry over signed REST (bge.md §8: the WebSocket takes no orders). Requests
/// take their turn in call order through the process-wide REST limiter, then run concurrently;
/// each calls back exactly once with an `OrderResult` whose `request` is what was signed after
/// the timestamp (method, path, body — never the key or the signature), `response` the raw body
/// and `latencyMicros` the HTTP exchange.
import HFTCore
import HFTTransport

extension BGEWsAPI {
    static let placeMethod = "POST " + BGEEndpoints.Path.orders
    static let cancelMethod = "DELETE " + BGEEndpoints.Path.orders

    @discardableResult
    public func placeOrder(_ order: PlaceOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = order.requestID ?? nextRequestID()
        let native: BGENewOrder
        do {
            try requireCredentials()
            native = try BGENewOrder(order)
        } catch {
            callback(rejected(id, Self.placeMethod, error, clientOrderID: order.clientOrderID))
            return id
        }
        let rest = self.rest
        orderEntry.submit(id, Self.placeMethod, clientOrderID: order.clientOrderID, callback: callback,
                          build: { () throws(HFTError) in
                              try rest.request { c, ms in BGEREST.newOrder(native, credentials: c, milliseconds: ms, endpoints: rest.bgeEndpoints, signing: rest.signing) }
                          },
                          finish: { [self] result in
                              var r = result
                              guard r.ok, let body = r.response else { return r }
                              do throws(BGERESTError) {
                                  let placed = try BGEREST.parseNewOrder(Array(body.utf8))
                                  r.orderID = placed.orderID
                                  feed.orders.placed(placed.orderID, clientOrderID: order.clientOrderID ?? placed.clientOrderID, order: order)
                              } catch {
                                  r.ok = false
                                  r.error = error.hftError
                              }
                              return r
                          })
        Task { [weak self] in try? await self?.follow(native.product) }
        return id
    }

    /// One `DELETE` per id (`/v1/orders/{id}`, or `/v1/orders/single/{client_oid}`), in order;
    /// ok when all succeeded; the result carries the last reply.
    @discardableResult
    public func cancelOrder(_ cancel: CancelOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = cancel.requestID ?? nextRequestID()
        do {
            try requireCredentials()
            try cancel.validate()
        } catch {
            callback(rejected(id, Self.cancelMethod, error, clientOrderID: cancel.clientOrderIDs.first))
            return id
        }
        let targets = cancel.orderIDs.map(BGECancelTarget.order) + cancel.clientOrderIDs.map(BGECancelTarget.client)
        let orderID = cancel.orderIDs.count == 1 && cancel.clientOrderIDs.isEmpty ? cancel.orderIDs[0] : nil
        run(id, Self.cancelMethod, clientOrderID: cancel.clientOrderIDs.first, orderID: orderID, targets: targets, callback: callback)
        return id
    }

    /// BGE has no amend: cancel and place a new order.
    @discardableResult
    public func amendOrder(_ amend: AmendOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = amend.requestID ?? nextRequestID()
        callback(rejected(id, "amend", .unsupported("BGE spot has no amend; cancel the order and place a new one"),
                          clientOrderID: amend.clientOrderID))
        return id
    }

    /// `DELETE /v1/orders?product=…` for `symbol`, or for every product with orders believed open.
    @discardableResult
    public func cancelAllOrders(symbol: Symbol?, callback: @escaping OrderCallback) -> RequestID {
        let id = nextRequestID()
        let products: [String]
        do {
            try requireCredentials()
            if let symbol { products = [try BGESymbols.native(symbol)] } else {
                products = Array(Set(feed.orders.openOrders.compactMap { try? BGESymbols.native($0.symbol) })).sorted()
            }
        } catch {
            callback(rejected(id, Self.cancelMethod, error))
            return id
        }
        run(id, Self.cancelMethod, clientOrderID: nil, orderID: nil, targets: products.map(BGECancelTarget.product), callback: callback)
        return id
    }

    // MARK: Plumbing

    /// Several cancels for one request id, one after the other; one callback.
    func run(_ id: RequestID, _ method: String, clientOrderID: String?, orderID: String?,
             targets: [BGECancelTarget], callback: @escaping OrderCallback) {
        let rest = self.rest
        orderEntry.run(id, method, clientOrderID: clientOrderID, orderID: orderID, targets: targets, callback: callback) {
            target throws(HFTError) in try rest.request { c, ms in target.request(c, ms, rest) }
        }
    }

    func rejected(_ id: RequestID, _ method: String, _ error: HFTError, clientOrderID: String? = nil) -> OrderResult {
        orderEntry.rejected(id, method, error, clientOrderID: clientOrderID)
    }
}

/// What one `DELETE` cancels.
enum BGECancelTarget: Sendable {
    case order(String)
    case client(String)
    case product(String)

    func request(_ c: BGECredentials, _ ms: Int64, _ rest: BGERestAPI) -> BGEHTTPRequest {
        switch self {
        case .order(let id): BGEREST.cancel(orderID: id, credentials: c, milliseconds: ms, endpoints: rest.bgeEndpoints, signing: rest.signing)
        case .client(let cl): BGEREST.cancel(clientOrderID: cl, credentials: c, milliseconds: ms, endpoints: rest.bgeEndpoints, signing: rest.signing)
        case .product(let p): BGEREST.cancelAll(product: p, credentials: c, milliseconds: ms, endpoints: rest.bgeEndpoints, signing: rest.signing)
        }
    }
}
