/// Unified order entry over the signed REST v3 API (digifinex.md §8: no orders over the
/// WebSocket). Requests take their turn in call order through the process-wide REST limiter,
/// then run concurrently; each calls back exactly once with an `OrderResult` whose `request` is
/// the signed parameter text (key and signature are headers, never in it), `response` the raw
/// body and `latencyMicros` the HTTP exchange.
///
/// A reply lost in transit (timeout, connection closed) is settled before the callback: a new
/// order by finding it among the open orders of its symbol, a cancel by querying the ids.
import HFTCore
import HFTTransport

extension DigiFinexWsAPI {
    static let placeMethod = "POST " + DigiFinexEndpoints.Path.orderNew
    static let cancelMethod = "POST " + DigiFinexEndpoints.Path.orderCancel

    @discardableResult
    public func placeOrder(_ order: PlaceOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = order.requestID ?? nextRequestID()
        let native: DigiFinexNewOrder
        do {
            _ = try privateSession()
            native = try DigiFinexNewOrder(order)
        } catch {
            callback(rejected(id, Self.placeMethod, error, clientOrderID: order.clientOrderID))
            return id
        }
        let rest = self.rest, endpoints = self.endpoints
        orderEntry.submit(id, Self.placeMethod, clientOrderID: order.clientOrderID, callback: callback,
                          build: { () throws(HFTError) in
                              try rest.request { c, s in DigiFinexREST.newOrder(native, credentials: c, seconds: s, endpoints: endpoints) }
                          },
                          finish: { [self] result in
                              var r = result
                              if r.ok, let body = r.response {
                                  do throws(DigiFinexRESTError) {
                                      let orderID = try DigiFinexREST.parseNewOrder(Array(body.utf8))
                                      r.orderID = orderID
                                      feed.orders.placed(orderID, clientOrderID: order.clientOrderID, order: order)
                                  } catch {
                                      r.ok = false
                                      r.error = error.hftError
                                  }
                                  return r
                              }
                              guard let e = r.error, RESTOrderEntry.isLost(e) else { return r }
                              return await settlePlacement(r, order: order)
                          })
        Task { [weak self] in
            guard let self, let native = try? DigiFinexSymbols.native(order.symbol) else { return }
            try? await self.follow(native)
        }
        return id
    }

    @discardableResult
    public func cancelOrder(_ cancel: CancelOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = cancel.requestID ?? nextRequestID()
        var ids = cancel.orderIDs
        do {
            _ = try privateSession()
            try cancel.validate()
            for cl in cancel.clientOrderIDs {
                guard let oid = feed.orders.orderID(forClientID: cl) else {
                    throw HFTError.invalidArgument("DigiFinex has no client order ids; \(cl) is not an order placed by this API")
                }
                ids.append(oid)
            }
        } catch {
            callback(rejected(id, Self.cancelMethod, (error as? HFTError) ?? .invalidArgument("\(error)"),
                              clientOrderID: cancel.clientOrderIDs.first))
            return id
        }
        cancelIDs(id, ids, clientOrderID: cancel.clientOrderIDs.first, callback: callback)
        return id
    }

    /// DigiFinex has no amend: cancel and place a new order.
    @discardableResult
    public func amendOrder(_ amend: AmendOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = amend.requestID ?? nextRequestID()
        callback(rejected(id, "amend", .unsupported("DigiFinex spot has no amend; cancel the order and place a new one"),
                          clientOrderID: amend.clientOrderID))
        return id
    }

    /// The open orders (of `symbol`, or all) from `GET /v3/spot/order/current`, then one cancel
    /// with their ids; ok at once when there are none.
    @discardableResult
    public func cancelAllOrders(symbol: Symbol?, callback: @escaping OrderCallback) -> RequestID {
        let id = nextRequestID()
        do { _ = try privateSession() } catch {
            callback(rejected(id, Self.cancelMethod, error))
            return id
        }
        Task { [self] in
            let open: [DigiFinexRESTOrder]
            do throws(HFTError) { open = try await rest.openOrders(symbol: symbol) } catch {
                callback(rejected(id, Self.cancelMethod, error))
                return
            }
            for o in open { feed.apply(o) }
            let ids = open.filter { $0.status == 0 || $0.status == 1 }.map(\.orderID)
            guard !ids.isEmpty else {
                callback(OrderResult(venue: .digifinex, requestID: id, method: Self.cancelMethod, request: "", response: nil,
                                     latencyMicros: 0, ok: true))
                return
            }
            cancelIDs(id, ids, clientOrderID: nil, callback: callback)
        }
        return id
    }

    // MARK: Plumbing

    func cancelIDs(_ id: RequestID, _ ids: [String], clientOrderID: String?, callback: @escaping OrderCallback) {
        let rest = self.rest, endpoints = self.endpoints
        orderEntry.submit(id, Self.cancelMethod, clientOrderID: clientOrderID, callback: callback,
                          build: { () throws(HFTError) in
                              try rest.request { c, s in DigiFinexREST.cancel(orderIDs: ids, credentials: c, seconds: s, endpoints: endpoints) }
                          },
                          finish: { [self] result in
                              var r = result
                              r.orderID = ids.count == 1 ? ids[0] : nil
                              if r.ok, let body = r.response {
                                  do throws(DigiFinexRESTError) {
                                      let c = try DigiFinexREST.parseCancel(Array(body.utf8))
                                      let missing = ids.filter { !c.success.contains($0) }
                                      if !missing.isEmpty {
                                          r.ok = false
                                          r.error = .venueRejected(code: "cancel_failed", message: "not canceled: \(missing.joined(separator: ","))")
                                      }
                                  } catch {
                                      r.ok = false
                                      r.error = error.hftError
                                  }
                                  return r
                              }
                              guard let e = r.error, RESTOrderEntry.isLost(e) else { return r }
                              return await settleCancel(r, ids: ids)
                          })
    }

    /// A new order whose reply was lost: an open order of the symbol with the same side, amount
    /// and price that we did not know before is taken as it.
    func settlePlacement(_ result: OrderResult, order: PlaceOrder) async -> OrderResult {
        var r = result
        do {
            let open = try await RESTOrderEntry.withDeadline(options.reconcileTimeout) { [rest] in try await rest.openOrders(symbol: order.symbol) }
            let matches = open.filter { o in
                !feed.orders.isKnown(o.orderID) && o.side == order.side && o.amount == order.quantity
                    && (order.type == .market || o.price == order.price)
            }
            if matches.count == 1 {
                let o = matches[0]
                feed.orders.placed(o.orderID, clientOrderID: order.clientOrderID, order: order)
                feed.apply(o)
                r.ok = true
                r.orderID = o.orderID
                r.error = nil
            } else {
                r.error = .outcomeUnknown(requestID: r.requestID, reason: matches.isEmpty
                    ? "reply lost; no matching open order (not placed, or already filled)"
                    : "reply lost; \(matches.count) matching open orders")
            }
        } catch {
            r.error = .outcomeUnknown(requestID: r.requestID, reason: "reply lost; reconciliation failed: \(error)")
        }
        return r
    }

    /// A cancel whose reply was lost: the ids are queried; all canceled → ok.
    func settleCancel(_ result: OrderResult, ids: [String]) async -> OrderResult {
        var r = result
        do {
            let found = try await RESTOrderEntry.withDeadline(options.reconcileTimeout) { [rest] in try await rest.orders(ids: ids) }
            for o in found { feed.apply(o) }
            let canceled = Set(found.filter { $0.status == 3 || $0.status == 4 }.map(\.orderID))
            let filled = found.filter { $0.status == 2 }.map(\.orderID)
            if ids.allSatisfy(canceled.contains) {
                r.ok = true
                r.error = nil
            } else if !filled.isEmpty {
                r.error = .venueRejected(code: "filled", message: "already filled: \(filled.joined(separator: ","))")
            } else {
                r.error = .venueRejected(code: "not_canceled", message: "reply lost; still open after query")
            }
        } catch {
            r.error = .outcomeUnknown(requestID: r.requestID, reason: "reply lost; query failed: \(error)")
        }
        return r
    }

    func rejected(_ id: RequestID, _ method: String, _ error: HFTError, clientOrderID: String? = nil) -> OrderResult {
        orderEntry.rejected(id, method, error, clientOrderID: clientOrderID)
    }
}
