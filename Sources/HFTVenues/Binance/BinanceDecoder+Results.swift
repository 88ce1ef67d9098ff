/// WS API replies (binance.md §4, §6, §7, §8): envelope, `error` (with `data.retryAfter` and
/// cancel-replace legs) and the `result` shapes, told apart by their members.
import HFTCore

extension BinanceDecoder {
    static func response(_ statusValue: JSONValue, _ f: Fields, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceResponse {
        guard statusValue.kind == .number, let status = statusValue.int64, (100...999).contains(status) else { throw .invalidField("status") }
        var r = BinanceResponse(id: try BinanceMessageID.read(f.id), status: Int(status),
                                rateLimits: try BinanceRateLimit.readAll(f.rateLimits))
        if let error = f.error, !error.isNull { r.error = try apiError(error, unit) }
        if let value = f.result { r.result = try Self.result(value, unit) }
        return r
    }

    // MARK: Errors

    /// `{"code":int,"msg":string,"data"?:{retryAfter, serverTime, cancelResult, …}}`.
    static func apiError(_ v: JSONValue, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceAPIError {
        var code, msg, data: JSONValue?
        try BinanceFields.members(v, "error") { n, v in
            if n.binanceIs("code") { code = v } else if n.binanceIs("msg") { msg = v } else if n.binanceIs("data") { data = v }
        }
        let c = try BinanceFields.int(code, "error.code")
        let m = try BinanceFields.optionalString(msg, "error.msg") ?? ""
        guard let data, data.kind == .object else { return BinanceAPIError(code: c, message: m) }
        var retryAfter, serverTime, cancelResult: JSONValue?
        try BinanceFields.members(data, "error.data") { n, v in
            if n.binanceIs("retryAfter") { retryAfter = v }
            else if n.binanceIs("serverTime") { serverTime = v }
            else if n.binanceIs("cancelResult") { cancelResult = v }
        }
        return BinanceAPIError(code: c, message: m,
                               retryAfter: try BinanceFields.optionalInt64(retryAfter, "error.data.retryAfter"),
                               serverTime: try BinanceFields.optionalInt64(serverTime, "error.data.serverTime"),
                               cancelReplace: cancelResult == nil ? nil : try cancelReplace(data, unit))
    }

    // MARK: Results

    static func result(_ v: JSONValue, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceResult {
        switch v.kind {
        case .null:
            return .none
        case .array:
            return try arrayResult(v, unit)
        case .object:
            var count = 0
            var has = Shape()
            try BinanceFields.members(v, "result") { n, _ in
                count += 1
                has.note(n)
            }
            if count == 0 { return .empty }
            if has.cancelResult { return .cancelReplace(try cancelReplace(v, unit)) }
            if has.amendedOrder { return .amend(try amend(v, unit)) }
            if has.orderId { return .order(try orderReport(v, unit)) }
            if has.orderListId { return .orderList(try orderList(v, unit)) }
            if has.subscriptionId { return .subscription(try BinanceFields.int64(v["subscriptionId"], "result.subscriptionId")) }
            if has.lastUpdateId { return .depth(try depthSnapshot(v)) }
            if has.session { return .session(try session(v, unit)) }
            if has.serverTime, count == 1 { return .serverTime(try BinanceFields.time(v["serverTime"], "result.serverTime", unit)) }
            return .unrecognized(BinanceFields.rawText(v))
        default:
            return .unrecognized(BinanceFields.rawText(v))
        }
    }

    /// Which telling members a result object has.
    struct Shape {
        var cancelResult = false, amendedOrder = false, orderId = false, orderListId = false
        var subscriptionId = false, lastUpdateId = false, session = false, serverTime = false

        mutating func note(_ n: UnsafeRawBufferPointer) {
            if n.binanceIs("cancelResult") { cancelResult = true }
            else if n.binanceIs("amendedOrder") { amendedOrder = true }
            else if n.binanceIs("orderId") { orderId = true }
            else if n.binanceIs("orderListId") { orderListId = true }
            else if n.binanceIs("subscriptionId") { subscriptionId = true }
            else if n.binanceIs("lastUpdateId") { lastUpdateId = true }
            else if n.binanceIs("connectedSince") || n.binanceIs("authorizedSince") || n.binanceIs("apiKey") { session = true }
            else if n.binanceIs("serverTime") { serverTime = true }
        }
    }

    /// Arrays of orders / order lists, or of `{"subscriptionId":N}`.
    static func arrayResult(_ v: JSONValue, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceResult {
        var entries: [BinanceOrderEntry] = []
        var subscriptions: [Int64] = []
        try BinanceFields.elements(v, "result") { (e) throws(BinanceDecodeError) in
            var has = Shape()
            try BinanceFields.members(e, "result[]") { n, _ in has.note(n) }
            if has.orderId { entries.append(.order(try orderReport(e, unit))) }
            else if has.orderListId { entries.append(.orderList(try orderList(e, unit))) }
            else if has.subscriptionId { subscriptions.append(try BinanceFields.int64(e["subscriptionId"], "result[].subscriptionId")) }
            else { throw .invalidField("result[]") }
        }
        guard entries.isEmpty || subscriptions.isEmpty else { throw .invalidField("result") }
        return subscriptions.isEmpty ? .orders(entries) : .subscriptions(subscriptions)
    }

    static func orderReport(_ v: JSONValue, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceOrderReport {
        var symbol, orderID, orderListID, clientOrderID, origClientOrderID, transactTime, price, origQty, executedQty,
            origQuoteOrderQty, cumQuote, status, tif, type, side, workingTime, time, updateTime, isWorking, stopPrice,
            icebergQty, stp, expiryReason, fills: JSONValue?
        try BinanceFields.members(v, "order") { n, v in
            if n.binanceIs("symbol") { symbol = v }
            else if n.binanceIs("orderId") { orderID = v }
            else if n.binanceIs("orderListId") { orderListID = v }
            else if n.binanceIs("clientOrderId") { clientOrderID = v }
            else if n.binanceIs("origClientOrderId") { origClientOrderID = v }
            else if n.binanceIs("transactTime") { transactTime = v }
            else if n.binanceIs("price") { price = v }
            else if n.binanceIs("origQty") || n.binanceIs("qty") { origQty = v }
            else if n.binanceIs("executedQty") { executedQty = v }
            else if n.binanceIs("origQuoteOrderQty") || n.binanceIs("quoteOrderQty") { origQuoteOrderQty = v }
            else if n.binanceIs("cummulativeQuoteQty") || n.binanceIs("cumulativeQuoteQty") { cumQuote = v }
            else if n.binanceIs("status") { status = v }
            else if n.binanceIs("timeInForce") { tif = v }
            else if n.binanceIs("type") { type = v }
            else if n.binanceIs("side") { side = v }
            else if n.binanceIs("workingTime") { workingTime = v }
            else if n.binanceIs("time") { time = v }
            else if n.binanceIs("updateTime") { updateTime = v }
            else if n.binanceIs("isWorking") { isWorking = v }
            else if n.binanceIs("stopPrice") { stopPrice = v }
            else if n.binanceIs("icebergQty") { icebergQty = v }
            else if n.binanceIs("selfTradePreventionMode") { stp = v }
            else if n.binanceIs("expiryReason") { expiryReason = v }
            else if n.binanceIs("fills") { fills = v }
        }
        var fillList: [BinanceOrderFill] = []
        if let fills, !fills.isNull {
            try BinanceFields.elements(fills, "fills") { (e) throws(BinanceDecodeError) in
                var price, qty, commission, asset, tradeID: JSONValue?
                try BinanceFields.members(e, "fills[]") { n, v in
                    if n.binanceIs("price") { price = v }
                    else if n.binanceIs("qty") { qty = v }
                    else if n.binanceIs("commission") { commission = v }
                    else if n.binanceIs("commissionAsset") { asset = v }
                    else if n.binanceIs("tradeId") { tradeID = v }
                }
                fillList.append(BinanceOrderFill(price: try BinanceFields.decimal(price, "fills.price"),
                                                 qty: try BinanceFields.decimal(qty, "fills.qty"),
                                                 commission: try BinanceFields.decimal(commission, "fills.commission"),
                                                 commissionAsset: try BinanceFields.string(asset, "fills.commissionAsset"),
                                                 tradeID: try BinanceFields.int64(tradeID, "fills.tradeId")))
            }
        }
        return BinanceOrderReport(
            symbol: try BinanceFields.string(symbol, "symbol"),
            orderID: try BinanceFields.int64(orderID, "orderId"),
            orderListID: try BinanceFields.optionalInt64(orderListID, "orderListId"),
            clientOrderID: try BinanceFields.string(clientOrderID, "clientOrderId"),
            origClientOrderID: try BinanceFields.optionalString(origClientOrderID, "origClientOrderId"),
            transactTime: try BinanceFields.optionalTime(transactTime, "transactTime", unit),
            price: try BinanceFields.optionalDecimal(price, "price"),
            origQty: try BinanceFields.optionalDecimal(origQty, "origQty"),
            executedQty: try BinanceFields.optionalDecimal(executedQty, "executedQty"),
            origQuoteOrderQty: try BinanceFields.optionalDecimal(origQuoteOrderQty, "origQuoteOrderQty"),
            cumulativeQuoteQty: try BinanceFields.optionalDecimal(cumQuote, "cummulativeQuoteQty"),
            status: try BinanceFields.optionalString(status, "status").map(BinanceOrderStatus.init(wire:)),
            timeInForce: try BinanceFields.optionalString(tif, "timeInForce"),
            type: try BinanceFields.optionalString(type, "type"),
            side: try BinanceFields.optionalSide(side, "side"),
            workingTime: try BinanceFields.optionalTime(workingTime, "workingTime", unit),
            time: try BinanceFields.optionalTime(time, "time", unit),
            updateTime: try BinanceFields.optionalTime(updateTime, "updateTime", unit),
            isWorking: try BinanceFields.optionalBool(isWorking, "isWorking"),
            stopPrice: try BinanceFields.optionalDecimal(stopPrice, "stopPrice"),
            icebergQty: try BinanceFields.optionalDecimal(icebergQty, "icebergQty"),
            selfTradePreventionMode: try BinanceFields.optionalString(stp, "selfTradePreventionMode"),
            expiryReason: try BinanceFields.optionalString(expiryReason, "expiryReason"),
            fills: fillList)
    }

    static func orderList(_ v: JSONValue, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceOrderListReport {
        var id, contingency, statusType, orderStatus, clientID, time, symbol, reports: JSONValue?
        try BinanceFields.members(v, "orderList") { n, v in
            if n.binanceIs("orderListId") { id = v }
            else if n.binanceIs("contingencyType") { contingency = v }
            else if n.binanceIs("listStatusType") { statusType = v }
            else if n.binanceIs("listOrderStatus") { orderStatus = v }
            else if n.binanceIs("listClientOrderId") { clientID = v }
            else if n.binanceIs("transactionTime") { time = v }
            else if n.binanceIs("symbol") { symbol = v }
            else if n.binanceIs("orderReports") { reports = v }
        }
        var list: [BinanceOrderReport] = []
        if let reports, !reports.isNull {
            try BinanceFields.elements(reports, "orderReports") { (e) throws(BinanceDecodeError) in list.append(try orderReport(e, unit)) }
        }
        return BinanceOrderListReport(orderListID: try BinanceFields.int64(id, "orderListId"),
                                      contingencyType: try BinanceFields.optionalString(contingency, "contingencyType"),
                                      listStatusType: try BinanceFields.optionalString(statusType, "listStatusType"),
                                      listOrderStatus: try BinanceFields.optionalString(orderStatus, "listOrderStatus"),
                                      listClientOrderID: try BinanceFields.optionalString(clientID, "listClientOrderId"),
                                      transactionTime: try BinanceFields.optionalTime(time, "transactionTime", unit),
                                      symbol: try BinanceFields.optionalString(symbol, "symbol"),
                                      orderReports: list)
    }

    static func amend(_ v: JSONValue, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceAmendResult {
        var time, execution, order, list: JSONValue?
        try BinanceFields.members(v, "result") { n, v in
            if n.binanceIs("transactTime") { time = v }
            else if n.binanceIs("executionId") { execution = v }
            else if n.binanceIs("amendedOrder") { order = v }
            else if n.binanceIs("listStatus") { list = v }
        }
        guard let order else { throw .missingField("amendedOrder") }
        var listStatus: BinanceOrderListReport?
        if let list, !list.isNull { listStatus = try orderList(list, unit) }
        return BinanceAmendResult(transactTime: try BinanceFields.time(time, "transactTime", unit),
                                  executionID: try BinanceFields.optionalInt64(execution, "executionId"),
                                  amendedOrder: try orderReport(order, unit),
                                  listStatus: listStatus)
    }

    /// `{cancelResult, newOrderResult, cancelResponse, newOrderResponse}` (a result or an error's `data`).
    static func cancelReplace(_ v: JSONValue, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceCancelReplaceResult {
        var cancelResult, newOrderResult, cancelResponse, newOrderResponse: JSONValue?
        try BinanceFields.members(v, "cancelReplace") { n, v in
            if n.binanceIs("cancelResult") { cancelResult = v }
            else if n.binanceIs("newOrderResult") { newOrderResult = v }
            else if n.binanceIs("cancelResponse") { cancelResponse = v }
            else if n.binanceIs("newOrderResponse") { newOrderResponse = v }
        }
        func leg(_ v: JSONValue?, _ name: String) throws(BinanceDecodeError) -> BinanceCancelReplaceResult.Leg? {
            guard let v, !v.isNull else { return nil }
            guard v.kind == .object else { throw .invalidField(name) }
            if v["code"] != nil, v["orderId"] == nil { return .error(try apiError(v, unit)) }
            return .order(try orderReport(v, unit))
        }
        return BinanceCancelReplaceResult(cancelResult: try BinanceFields.string(cancelResult, "cancelResult"),
                                          newOrderResult: try BinanceFields.string(newOrderResult, "newOrderResult"),
                                          cancelResponse: try leg(cancelResponse, "cancelResponse"),
                                          newOrderResponse: try leg(newOrderResponse, "newOrderResponse"))
    }

    static func session(_ v: JSONValue, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceSessionStatus {
        var apiKey, authorizedSince, connectedSince, returnRateLimits, serverTime, userDataStream: JSONValue?
        try BinanceFields.members(v, "result") { n, v in
            if n.binanceIs("apiKey") { apiKey = v }
            else if n.binanceIs("authorizedSince") { authorizedSince = v }
            else if n.binanceIs("connectedSince") { connectedSince = v }
            else if n.binanceIs("returnRateLimits") { returnRateLimits = v }
            else if n.binanceIs("serverTime") { serverTime = v }
            else if n.binanceIs("userDataStream") { userDataStream = v }
        }
        return BinanceSessionStatus(apiKey: try BinanceFields.optionalString(apiKey, "apiKey").map { Secret($0) },
                                    authorizedSince: try BinanceFields.optionalTime(authorizedSince, "authorizedSince", unit),
                                    connectedSince: try BinanceFields.optionalTime(connectedSince, "connectedSince", unit),
                                    returnRateLimits: try BinanceFields.optionalBool(returnRateLimits, "returnRateLimits"),
                                    serverTime: try BinanceFields.optionalTime(serverTime, "serverTime", unit),
                                    userDataStream: try BinanceFields.optionalBool(userDataStream, "userDataStream"))
    }

    /// `{"lastUpdateId":N,"bids":[[p,q],…],"asks":[…]}`.
    static func depthSnapshot(_ v: JSONValue) throws(BinanceDecodeError) -> BinanceDepthSnapshot {
        var id, bids, asks: JSONValue?
        try BinanceFields.members(v, "depth") { n, v in
            if n.binanceIs("lastUpdateId") { id = v } else if n.binanceIs("bids") { bids = v } else if n.binanceIs("asks") { asks = v }
        }
        return BinanceDepthSnapshot(lastUpdateID: try BinanceFields.int64(id, "lastUpdateId"),
                                    bids: try BinanceFields.levels(bids, "bids"), asks: try BinanceFields.levels(asks, "asks"))
    }
}
