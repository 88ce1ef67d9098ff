import HFTCore

/// Trading and order queries on the WS API (§7).
extension BinanceAPISession {
    enum ResponseType { case ack, result, full }

    /// A decoded `order.place` (or the new-order half of `order.cancelReplace`).
    struct NewOrder {
        let market: BinanceMarket
        let request: OrderRequest
        let responseType: ResponseType
        let quoteOrderQty: FixedDecimal?
    }

    // MARK: Parameters

    func market(_ p: BinanceParams) throws(BinanceFailure) -> BinanceMarket {
        guard let m = context.markets.market(api: try p.required("symbol")) else { throw .invalidSymbol }
        return m
    }

    func parseNewOrder(_ p: BinanceParams) throws(BinanceFailure) -> NewOrder {
        let m = try market(p)
        let side: Side
        switch try p.required("side") {
        case "BUY": side = .buy
        case "SELL": side = .sell
        default: throw .invalidEnum(-1117, "side")
        }
        let typeName = try p.required("type")
        switch typeName {
        case "LIMIT", "MARKET", "LIMIT_MAKER": break
        case "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT": throw .unsupportedOrder
        default: throw .invalidEnum(-1116, "orderType")
        }
        for name in ["stopPrice", "trailingDelta", "icebergQty", "pegPriceType", "pegOffsetValue", "pegOffsetType"]
        where p.string(name) != nil {
            throw .notRequired(name)
        }
        let limit = typeName == "LIMIT"
        let market = typeName == "MARKET"
        var tif = TimeInForce.gtc
        if let t = p.string("timeInForce") {
            guard limit else { throw .notRequired("timeInForce") }
            switch t {
            case "GTC": tif = .gtc
            case "IOC": tif = .ioc
            case "FOK": tif = .fok
            default: throw .invalidEnum(-1115, "timeInForce")
            }
        } else if limit {
            throw .mandatory("timeInForce")
        }
        let price = try p.decimal("price")
        if market, price != nil { throw .notRequired("price") }
        if !market, price == nil { throw .mandatory("price") }
        let quantity = try p.decimal("quantity")
        let quote = try p.decimal("quoteOrderQty")
        if market {
            if quantity == nil && quote == nil { throw .mandatory("quantity") }
            if quantity != nil && quote != nil { throw .notRequired("quoteOrderQty") }
        } else {
            if quote != nil { throw .notRequired("quoteOrderQty") }
            if quantity == nil { throw .mandatory("quantity") }
        }
        let clientID = try clientOrderID(p, "newClientOrderId") ?? BinanceContext.generatedClientOrderID()
        var response: ResponseType = market || limit ? .full : .ack
        if let r = p.string("newOrderRespType") {
            switch r {
            case "ACK": response = .ack
            case "RESULT": response = .result
            case "FULL": response = .full
            default: throw .invalidEnum(-1100, "newOrderRespType")
            }
        }
        var stp: SelfTradePrevention?
        if let s = p.string("selfTradePreventionMode") {
            switch s {
            case "NONE": stp = SelfTradePrevention.none
            case "EXPIRE_TAKER": stp = .cancelTaker
            case "EXPIRE_MAKER": stp = .cancelMaker
            case "EXPIRE_BOTH": stp = .cancelBoth
            case "DECREMENT", "TRANSFER": throw .unsupportedOrder
            default: throw .invalidEnum(-1100, "selfTradePreventionMode")
            }
        }
        let request = OrderRequest(symbol: m.symbol, side: side, type: market ? .market : .limit, quantity: quantity,
                                   price: price, quoteQuantity: quote, timeInForce: market ? .ioc : tif,
                                   postOnly: typeName == "LIMIT_MAKER", clientOrderID: clientID, selfTradePrevention: stp)
        return NewOrder(market: m, request: request, responseType: response, quoteOrderQty: quote)
    }

    /// A client order id param: `^[.A-Z:/a-z0-9_-]{1,36}$`.
    func clientOrderID(_ p: BinanceParams, _ name: String) throws(BinanceFailure) -> String? {
        guard let c = p.string(name) else { return nil }
        let ok = c.utf8.count <= 36 && c.utf8.allSatisfy { b in
            (b >= 48 && b <= 58) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 46 || b == 47 || b == 95 || b == 45
        }
        guard ok else { throw BinanceFailure(-1100, "Illegal characters found in parameter '\(name)'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.") }
        return c
    }

    /// The order named by `idName` (numeric) or `clientName`; both must agree when both are sent.
    func orderRef(_ p: BinanceParams, _ account: AccountID, _ m: BinanceMarket, id idName: String, client clientName: String,
                  unknown: BinanceFailure) throws(BinanceFailure) -> SimOrder {
        let id = try p.int(idName)
        let client = p.string(clientName)
        guard id != nil || client != nil else { throw .mandatory(idName) }
        let ref: OrderRef = id.map { .id(SimOrderID(max(0, $0))) } ?? .clientID(client!)
        guard let o = context.exchange.order(account, ref), o.order.symbol == m.symbol else { throw unknown }
        if let client, id != nil, o.order.clientOrderID != client { throw unknown }
        return o
    }

    // MARK: order.test, order.place

    func orderTest(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        _ = try authenticate(p)
        _ = try parseNewOrder(p)
        respond(call) { $0.object { _ in } }
    }

    func orderPlace(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        var call = call
        let account = try authenticate(p)
        call.orders = account
        ordersAccount = account
        let new = try parseNewOrder(p)
        if let f = context.limiter.chargeOrder(account, now: context.nowMillis()) { throw f }
        let placed = try place(account, new)
        respond(call) { j in j.object { writePlaced(&$0, placed, new) } }
    }

    func place(_ account: AccountID, _ new: NewOrder) throws(BinanceFailure) -> PlaceResult {
        do throws(RejectReason) {
            return try context.exchange.placeOrder(account, new.request)
        } catch {
            throw .from(error)
        }
    }

    func writePlaced(_ j: inout BinanceJSON, _ r: PlaceResult, _ new: NewOrder) {
        switch new.responseType {
        case .ack: writeAck(&j, r.order, new.market)
        case .result: writeResult(&j, r.order, new.market, quoteOrderQty: new.quoteOrderQty, fills: nil)
        case .full: writeResult(&j, r.order, new.market, quoteOrderQty: new.quoteOrderQty, fills: r.fills)
        }
    }

    // MARK: order.cancel

    func orderCancel(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        let account = try authenticate(p)
        let m = try market(p)
        let (o, cancelID, at) = try cancel(account, m, p, id: "orderId", client: "origClientOrderId",
                                           newID: "newClientOrderId", restrictions: "cancelRestrictions")
        respond(call) { j in j.object { writeCancel(&$0, o, m, cancelID: cancelID, at: at) } }
    }

    /// Cancels the named order; returns its final state, the cancel's client id and the time.
    func cancel(_ account: AccountID, _ m: BinanceMarket, _ p: BinanceParams, id: String, client: String, newID: String,
                restrictions: String) throws(BinanceFailure) -> (SimOrder, String, Timestamp) {
        let open = try orderRef(p, account, m, id: id, client: client, unknown: .unknownOrder)
        let cancelID = try clientOrderID(p, newID) ?? BinanceContext.generatedClientOrderID()
        if let r = p.string(restrictions) {
            let allowed: Bool
            switch r {
            case "ONLY_NEW": allowed = open.order.status == .open
            case "ONLY_PARTIALLY_FILLED": allowed = open.order.status == .partiallyFilled
            default: throw .invalidEnum(-1100, restrictions)
            }
            guard allowed else { throw BinanceFailure(-2011, "Order was not canceled due to cancel restrictions.") }
        }
        context.setCancelClientID(cancelID, for: open.id)
        do throws(RejectReason) {
            let o = try context.exchange.cancelOrder(account, .id(open.id), symbol: m.symbol)
            return (o, cancelID, o.order.timestamp)
        } catch {
            throw .from(error, cancel: true)
        }
    }

    // MARK: order.cancelReplace

    func orderCancelReplace(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        var call = call
        let account = try authenticate(p)
        call.orders = account
        ordersAccount = account
        let allowFailure: Bool
        switch try p.required("cancelReplaceMode") {
        case "STOP_ON_FAILURE": allowFailure = false
        case "ALLOW_FAILURE": allowFailure = true
        default: throw .invalidEnum(-1100, "cancelReplaceMode")
        }
        var cancelOnly = false
        if let mode = p.string("orderRateLimitExceededMode") {
            switch mode {
            case "DO_NOTHING": cancelOnly = false
            case "CANCEL_ONLY": cancelOnly = true
            default: throw .invalidEnum(-1100, "orderRateLimitExceededMode")
            }
        }
        let new = try parseNewOrder(p)
        let m = new.market
        if p.string("cancelOrderId") == nil && p.string("cancelOrigClientOrderId") == nil { throw .mandatory("cancelOrderId") }
        // Counts even when the new order is not attempted (§3).
        let limited = context.limiter.chargeOrder(account, now: context.nowMillis())
        if let limited, !cancelOnly || limited.status == 418 { throw limited }

        let cancelled: Result<(SimOrder, String, Timestamp), BinanceFailure>
        do throws(BinanceFailure) {
            cancelled = .success(try cancel(account, m, p, id: "cancelOrderId", client: "cancelOrigClientOrderId",
                                            newID: "cancelNewClientOrderId", restrictions: "cancelRestrictions"))
        } catch {
            cancelled = .failure(error)
        }
        var placed: Result<PlaceResult, BinanceFailure>?
        if case .failure = cancelled, !allowFailure {
            placed = nil
        } else if let limited {
            placed = .failure(limited)
        } else {
            do throws(BinanceFailure) { placed = .success(try place(account, new)) } catch { placed = .failure(error) }
        }

        let writeData: (inout BinanceJSON) -> Void = { [self] j in
            switch cancelled {
            case .success: j.field("cancelResult", "SUCCESS")
            case .failure: j.field("cancelResult", "FAILURE")
            }
            switch placed {
            case .success?: j.field("newOrderResult", "SUCCESS")
            case .failure?: j.field("newOrderResult", "FAILURE")
            case nil: j.field("newOrderResult", "NOT_ATTEMPTED")
            }
            j.key("cancelResponse")
            switch cancelled {
            case .success(let (o, id, at)): j.object { writeCancel(&$0, o, m, cancelID: id, at: at) }
            case .failure(let f): Self.writeErrorObject(&j, f)
            }
            j.key("newOrderResponse")
            switch placed {
            case .success(let r)?: j.object { writePlaced(&$0, r, new) }
            case .failure(let f)?: Self.writeErrorObject(&j, f)
            case nil: j.null()
            }
        }
        switch (cancelled, placed) {
        case (.success, .success?):
            respond(call) { j in j.object { writeData(&$0) } }
        case (.failure, .failure?), (.failure, nil):
            reply(call, .cancelReplaceFailed, data: writeData)
        default:
            reply(call, .cancelReplacePartial, data: writeData)
        }
    }

    static func writeErrorObject(_ j: inout BinanceJSON, _ f: BinanceFailure) {
        j.object { j in
            j.field("code", f.code)
            j.field("msg", f.msg)
        }
    }

    // MARK: order.amend.keepPriority

    func orderAmend(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        let account = try authenticate(p)
        let m = try market(p)
        guard let newQty = try p.decimal("newQty") else { throw .mandatory("newQty") }
        let o = try orderRef(p, account, m, id: "orderId", client: "origClientOrderId", unknown: .unknownOrder)
        guard o.order.status == .open || o.order.status == .partiallyFilled else { throw .unknownOrder }
        guard newQty > .zero else { throw .filter("LOT_SIZE") }
        if newQty > o.order.quantity { throw .amendIncrease }
        if newQty == o.order.quantity { throw .amendNoChange }
        let newID = try clientOrderID(p, "newClientOrderId") ?? BinanceContext.generatedClientOrderID()
        let origID = o.order.clientOrderID ?? ""
        context.setPriorClientID(origID, for: o.id)
        let result: PlaceResult
        do throws(RejectReason) {
            result = try context.exchange.amendOrder(account, AmendRequest(order: .id(o.id), newQuantity: newQty, newClientOrderID: newID),
                                                     symbol: m.symbol)
        } catch {
            throw .from(error, cancel: true)
        }
        let executionID = context.nextExecutionID()
        respond(call) { j in
            j.object { j in
                j.field("transactTime", time(result.order.order.timestamp))
                j.field("executionId", executionID)
                j.key("amendedOrder")
                j.object { writeAmended(&$0, result.order, m, origClientID: origID) }
            }
        }
    }

    // MARK: openOrders.cancelAll

    func cancelAll(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        let account = try authenticate(p)
        let m = try market(p)
        let open = context.exchange.openOrders(account, symbol: m.symbol)
        guard !open.isEmpty else { throw .unknownOrder }
        var ids: [SimOrderID: String] = [:]
        for o in open {
            let id = BinanceContext.generatedClientOrderID()
            ids[o.id] = id
            context.setCancelClientID(id, for: o.id)
        }
        let cancelled: [SimOrder]
        do throws(RejectReason) {
            cancelled = try context.exchange.cancelAllOrders(account, symbol: m.symbol)
        } catch {
            throw .from(error, cancel: true)
        }
        respond(call) { j in
            j.beginArray()
            for o in cancelled {
                j.object { writeCancel(&$0, o, m, cancelID: ids[o.id] ?? "", at: o.order.timestamp) }
            }
            j.endArray()
        }
    }

    // MARK: Queries

    func orderStatus(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        let account = try authenticate(p)
        let m = try market(p)
        let o = try orderRef(p, account, m, id: "orderId", client: "origClientOrderId", unknown: .noSuchOrder)
        respond(call) { j in j.object { writeQuery(&$0, o, m) } }
    }

    func openOrdersStatus(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        let account = try authenticate(p)
        let m = p.string("symbol") == nil ? nil : try market(p)
        let open = context.exchange.openOrders(account, symbol: m?.symbol)
        let markets = context.markets
        respond(call) { j in
            j.beginArray()
            for o in open {
                guard let om = markets.market(o.order.symbol) else { continue }
                j.object { writeQuery(&$0, o, om) }
            }
            j.endArray()
        }
    }

    func accountStatus(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        let account = try authenticate(p)
        let ex = context.exchange
        let fees = ex.fees(of: account)
        let balances = ex.balances(account)
        let now = nowTime()
        respond(call) { j in
            j.object { j in
                j.key("commissionRates")
                j.object { j in
                    j.field("maker", decimal: fees?.maker ?? .zero)
                    j.field("taker", decimal: fees?.taker ?? .zero)
                    j.field("buyer", decimal: .zero)
                    j.field("seller", decimal: .zero)
                }
                j.field("canTrade", true)
                j.field("canWithdraw", true)
                j.field("canDeposit", true)
                j.field("brokered", false)
                j.field("requireSelfTradePrevention", false)
                j.field("preventSor", false)
                j.field("updateTime", now)
                j.field("accountType", "SPOT")
                j.key("balances")
                j.beginArray()
                for b in balances {
                    j.object { j in
                        j.field("asset", b.asset)
                        j.field("free", decimal: b.available)
                        j.field("locked", decimal: b.frozen)
                    }
                }
                j.endArray()
                j.key("permissions")
                j.beginArray()
                j.string("SPOT")
                j.endArray()
                j.field("uid", Int64(account.rawValue) + 1)
            }
        }
    }
}
