/// Unified order entry over signed REST (fmex.md §1, §7: the WebSocket takes no orders).
/// Requests take their turn in call order through the process-wide REST limiter, then run
/// concurrently; each calls back exactly once with an `OrderResult` whose `request` is the
/// method, path and body (never the key or the signature), `response` the raw body and
/// `latencyMicros` the HTTP exchange. A placement whose reply was lost is settled from the open
/// orders and the private pushes; FMex has no amend.
import HFTCore
import HFTTransport

extension FMexWsAPI {
    static let placeMethod = "POST " + FMexEndpoints.Path.orders
    static let cancelMethod = "POST /v3/contracts/orders/{id}/cancel"
    static let cancelAllMethod = "POST " + FMexEndpoints.Path.cancelAll

    @discardableResult
    public func placeOrder(_ order: PlaceOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = order.requestID ?? nextRequestID()
        let native: FMexNewOrder
        do {
            try requireCredentials()
            native = try FMexNewOrder(order)
        } catch {
            callback(rejected(id, Self.placeMethod, error, clientOrderID: order.clientOrderID))
            return id
        }
        let rest = self.rest
        let submittedAt = WallClock.microseconds()
        orderEntry.submit(id, Self.placeMethod, clientOrderID: order.clientOrderID, callback: callback,
                          build: { () throws(HFTError) in
                              try rest.request { c, ms in FMexREST.newOrder(native, credentials: c, milliseconds: ms, endpoints: rest.fmexEndpoints,
                                                                            options: rest.restOptions) }
                          },
                          finish: { [self] result in
                              var r = result
                              if !r.ok, let e = r.error, RESTOrderEntry.isLost(e) { return await settlePlacement(r, order: order, since: submittedAt) }
                              guard r.ok, let body = r.response else { return r }
                              do throws(FMexRESTError) {
                                  let placed = try FMexREST.parseNewOrder(Array(body.utf8))
                                  r.orderID = placed.id
                                  feed.orders.placed(placed.id, order: order)
                                  if let row = placed.order { feed.apply(row) }
                              } catch {
                                  r.ok = false
                                  r.error = error.hftError
                              }
                              return r
                          })
        Task { [weak self] in try? await self?.follow(FMexSymbols.topic(order.symbol)) }
        return id
    }

    /// One `POST /v3/contracts/orders/{id}/cancel` per id, in order; ok when all succeeded; the
    /// result carries the last reply. FMex has no client order ids: ours are kept locally, so only
    /// orders this process placed can be cancelled by client order id.
    @discardableResult
    public func cancelOrder(_ cancel: CancelOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = cancel.requestID ?? nextRequestID()
        var orderIDs = cancel.orderIDs
        do throws(HFTError) {
            try requireCredentials()
            try cancel.validate()
            for c in cancel.clientOrderIDs {
                guard let o = feed.orders.orderID(forClientOrderID: c) else {
                    throw .invalidArgument("unknown client order id \(c): FMex keeps none, only orders placed by this process are known")
                }
                orderIDs.append(o)
            }
        } catch {
            callback(rejected(id, Self.cancelMethod, error))
            return id
        }
        run(id, Self.cancelMethod, orderID: orderIDs.count == 1 ? orderIDs[0] : nil,
            targets: orderIDs.map(FMexCancelTarget.order), callback: callback)
        return id
    }

    /// FMex has no amend: cancel and place a new order.
    @discardableResult
    public func amendOrder(_ amend: AmendOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = amend.requestID ?? nextRequestID()
        callback(rejected(id, "amend", .unsupported("FMex has no amend; cancel the order and place a new one"), clientOrderID: amend.clientOrderID))
        return id
    }

    /// `POST /v3/contracts/orders/cancel[?symbol=BTCUSD_P]`.
    @discardableResult
    public func cancelAllOrders(symbol: Symbol?, callback: @escaping OrderCallback) -> RequestID {
        let id = nextRequestID()
        do { try requireCredentials() } catch {
            callback(rejected(id, Self.cancelAllMethod, error))
            return id
        }
        run(id, Self.cancelAllMethod, orderID: nil, targets: [.all(symbol.map { FMexSymbols.payload($0) })], callback: callback)
        return id
    }

    // MARK: Plumbing

    /// Several REST calls for one request id, one after the other; one callback.
    func run(_ id: RequestID, _ method: String, orderID: String?, targets: [FMexCancelTarget], callback: @escaping OrderCallback) {
        let rest = self.rest
        orderEntry.run(id, method, clientOrderID: nil, orderID: orderID, targets: targets, callback: callback) {
            target throws(HFTError) in try rest.request { c, ms in target.request(c, ms, rest) }
        }
    }

    /// A new order whose reply was lost: an order of the symbol with the same direction, quantity
    /// and (limit) price, first seen after the request left, that no answered request placed —
    /// from the open orders, or already seen on a private push (it may have filled at once) — is
    /// taken as it when there is exactly one.
    func settlePlacement(_ result: OrderResult, order: PlaceOrder, since: Timestamp) async -> OrderResult {
        var r = result
        let symbol = FMexSymbols.payload(order.symbol)
        func matches(_ o: Order) -> Bool {
            FMexSymbols.payload(o.symbol) == symbol && o.side == order.side && o.quantity == order.quantity
                && (order.type == .market ? o.type == .market : o.price == order.price)
        }
        do {
            let open = try await RESTOrderEntry.withDeadline(options.reconcileTimeout) { [rest] in try await rest.openOrders() }
            for o in open where !feed.orders.isKnown(o.id) { feed.apply(o) }
            let candidates = feed.orders.unclaimed(since: since).filter(matches)
            if candidates.count == 1 {
                let o = candidates[0]
                feed.orders.placed(o.orderID, order: order)
                r.ok = true
                r.orderID = o.orderID
                r.error = nil
            } else {
                r.error = .outcomeUnknown(requestID: r.requestID, reason: candidates.isEmpty
                    ? "reply lost; no matching order (not placed)" : "reply lost; \(candidates.count) matching orders")
            }
        } catch {
            r.error = .outcomeUnknown(requestID: r.requestID, reason: "reply lost; reconciliation failed: \(error)")
        }
        return r
    }

    func rejected(_ id: RequestID, _ method: String, _ error: HFTError, clientOrderID: String? = nil) -> OrderResult {
        orderEntry.rejected(id, method, error, clientOrderID: clientOrderID)
    }
}

/// What one cancel call covers.
enum FMexCancelTarget: Sendable {
    case order(String)
    /// All orders (of one symbol, `BTCUSD_P`, when given).
    case all(String?)

    func request(_ c: FMexCredentials, _ ms: Int64, _ rest: FMexRestAPI) -> FMexHTTPRequest {
        switch self {
        case .order(let id): FMexREST.cancel(orderID: id, credentials: c, milliseconds: ms, endpoints: rest.fmexEndpoints)
        case .all(let symbol): FMexREST.cancelAll(symbol: symbol, credentials: c, milliseconds: ms, endpoints: rest.fmexEndpoints)
        }
    }
}
