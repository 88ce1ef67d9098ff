import HFTCore
import Testing
@testable import HFTVenues

/// Replies copied from protocols/binance.md. Where the notes elide with `…` outside a string,
/// the elided members are filled in and the test says so.
@Suite struct BinanceResponseTests {
    typealias T = BinanceTestSupport
    static let weight1 = #"[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":1}]"#

    @Test func envelopeSuccessAndRateLimits() throws {
        // §4 (the result object elided as `{…}`; `{}` here).
        let r = try T.response(#"{"id":"e2a85d9f-07a5-4f94-8d5f-789dc3deb097","status":200,"result":{},"rateLimits":\#(Self.weight1)}"#)
        #expect(r.id == .string("e2a85d9f-07a5-4f94-8d5f-789dc3deb097") && r.id.requestID == nil)
        #expect(r.isSuccess && r.result == .empty && r.hftError() == nil)
        #expect(r.rateLimits == [BinanceRateLimit(type: .requestWeight, interval: .minute, intervalNum: 1, limit: 6000, count: 1)])
        let limit = r.rateLimits[0]
        #expect(limit.remaining == 5999 && limit.windowMillis == 60_000)
        // Calendar-aligned: the 1-minute window containing 12:34:56.789 ends at 12:35:00.
        #expect(limit.windowEnd(nowMillis: 1_700_000_096_789) == 1_700_000_100_000)
        let day = BinanceRateLimit(type: .orders, interval: .day, intervalNum: 1, limit: 160_000)
        #expect(day.windowEnd(nowMillis: 1_700_000_096_789) == 1_700_006_400_000)  // next 00:00 UTC
        let tenSeconds = BinanceRateLimit(type: .orders, interval: .second, intervalNum: 10, limit: 50, count: 50)
        #expect(tenSeconds.windowEnd(nowMillis: 1_700_000_096_789) == 1_700_000_100_000 && tenSeconds.remaining == 0)
    }

    @Test func pingAndTime() throws {
        let p = try T.response(#"{"id":1,"status":200,"result":{},"rateLimits":\#(Self.weight1)}"#)
        #expect(p.id == .int(1) && p.id.requestID == 1 && p.result == .empty)
        let t = try T.response(#"{"id":2,"status":200,"result":{"serverTime":1656400526260},"rateLimits":\#(Self.weight1)}"#)
        #expect(t.result == .serverTime(1_656_400_526_260_000))
        let micro = try T.decode(#"{"id":2,"status":200,"result":{"serverTime":1656400526260123}}"#, timeUnit: .microseconds)
        #expect(micro == .response(BinanceResponse(id: .int(2), status: 200, result: .serverTime(1_656_400_526_260_123))))
    }

    @Test func insufficientBalance() throws {
        let r = try T.response(#"{"id":"e2a85d9f-07a5-4f94-8d5f-789dc3deb097","status":400,"error":{"code":-2010,"msg":"Account has insufficient balance for requested action."},"rateLimits":\#(Self.weight1)}"#)
        #expect(!r.isSuccess && r.result == .none && r.rateLimits.count == 1)
        #expect(r.error == BinanceAPIError(code: -2010, message: "Account has insufficient balance for requested action."))
        #expect(r.error?.kind(status: 400) == .insufficientBalance)
        #expect(r.hftError() == .venueRejected(code: "-2010", message: "Account has insufficient balance for requested action."))
    }

    @Test func errorKinds() {
        func kind(_ code: Int, _ msg: String, _ status: Int = 400) -> BinanceAPIError.Kind {
            BinanceAPIError(code: code, message: msg).kind(status: status)
        }
        #expect(kind(-2010, "Order would immediately match and take.") == .postOnlyWouldTake)
        #expect(kind(-2010, "Duplicate order sent.") == .duplicateOrder)
        #expect(kind(-2010, "Market is closed.") == .marketClosed)
        #expect(kind(-2010, "Something else.") == .orderRejected)
        #expect(kind(-1013, "Filter failure: PRICE_FILTER") == .filterFailure)
        #expect(kind(-2011, "Unknown order sent.") == .unknownOrder)
        #expect(kind(-2011, "Order was not canceled due to cancel restrictions.") == .cancelRejected)
        #expect(kind(-1021, "Timestamp for this request is outside of the recvWindow.") == .invalidTimestamp)
        #expect(kind(-1022, "Signature for this request is not valid.") == .authentication)
        #expect(kind(-2014, "API-key format invalid.") == .authentication)
        #expect(kind(-1135, "Invalid JSON") == .invalidRequest)
        #expect(kind(-1102, "Mandatory parameter missing") == .invalidRequest)
        #expect(kind(-2042, "too many subscriptions") == .subscription)
        #expect(kind(-2021, "Order cancel-replace partially failed.", 409) == .cancelReplacePartial)
        #expect(kind(-2022, "Order cancel-replace failed.") == .cancelReplaceFailed)
        #expect(kind(-9999, "Order amend (quantity increase) is not supported.") == .amendRejected)
        #expect(kind(-1003, "Too much request weight used", 429) == .rateLimited)
        #expect(kind(-1003, "Way too much request weight used; IP banned", 418) == .banned)
        #expect(kind(0, "Forbidden", 403) == .forbidden)
        #expect(kind(-1, "?") == .other)
        #expect(BinanceAPIError(code: -1022, message: "x").hftError(status: 400) == .authenticationFailed("-1022 x"))
    }

    @Test func rateLimitedWithRetryAfter() throws {
        // `data.retryAfter` (epoch ms) with `serverTime`: the wait is their difference.
        let r = try T.response(#"{"id":9,"status":429,"error":{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE.","data":{"serverTime":1659565555467,"retryAfter":1659565560000}},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":6012}]}"#)
        #expect(r.error?.retryAfter == 1_659_565_560_000 && r.error?.serverTime == 1_659_565_555_467)
        #expect(r.hftError() == .rateLimited(retryAfterMicros: 4_533_000))
        #expect(r.rateLimits[0].remaining == 0)
        // Without serverTime the local clock is used; a past retryAfter means "now".
        let banned = try T.response(#"{"id":10,"status":418,"error":{"code":-1003,"msg":"Way too much request weight used; IP banned until 1659565680000.","data":{"retryAfter":1659565680000}}}"#)
        #expect(banned.hftError(nowMicros: 1_659_565_670_000_000) == .rateLimited(retryAfterMicros: 10_000_000))
        #expect(banned.hftError(nowMicros: 1_759_565_670_000_000) == .rateLimited(retryAfterMicros: 0))
        #expect(banned.error?.kind(status: 418) == .banned)
        // Unfilled order count (-1015), no data: rate limited, no time.
        let orders = try T.response(#"{"id":11,"status":429,"error":{"code":-1015,"msg":"Too many new orders; current limit is 50 orders per 10 SECOND."}}"#)
        #expect(orders.hftError() == .rateLimited(retryAfterMicros: nil))
        // Microsecond connections.
        let micro = BinanceAPIError(code: -1003, message: "", retryAfter: 2_000_000, serverTime: 1_000_000)
        #expect(micro.retryAfterMicros(timeUnit: .microseconds) == 1_000_000)
    }

    @Test func unreadableIDAndRevokedSession() throws {
        let r = try T.response(#"{"id":null,"status":401,"error":{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}}"#)
        #expect(r.id == .null && r.id.requestID == nil)
        #expect(r.hftError() == .authenticationFailed("-2015 Invalid API-key, IP, or permissions for action."))
        let bad = try T.response(#"{"id":null,"status":400,"error":{"code":-1135,"msg":"Invalid JSON"}}"#)
        #expect(bad.error?.kind(status: 400) == .invalidRequest)
    }

    @Test func unknownOutcome() throws {
        let t = try T.response(#"{"id":77,"status":400,"error":{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}}"#)
        #expect(t.hftError() == .outcomeUnknown(requestID: 77, reason: "-1007 Timeout waiting for response from backend server. Send status unknown; execution status unknown."))
        let s = try T.response(#"{"id":78,"status":503,"error":{"code":-1008,"msg":"Server is currently overloaded"}}"#)
        guard case .outcomeUnknown(78, _)? = s.hftError() else { Issue.record("5xx must be an unknown outcome"); return }
        // A non-200 status without an error object still fails.
        let e = try T.response(#"{"id":79,"status":500}"#)
        guard case .outcomeUnknown(79, _)? = e.hftError() else { Issue.record("5xx without error"); return }
    }

    @Test func sessionLogonAndStatus() throws {
        let r = try T.response(#"{"id":"c174a2b1-1","status":200,"result":{"apiKey":"\#(T.apiKey)","authorizedSince":1649729878532,"connectedSince":1649729873021,"returnRateLimits":false,"serverTime":1649729878630,"userDataStream":false}}"#)
        guard case .session(let s) = r.result else { Issue.record("not a session result"); return }
        #expect(s.isLoggedOn && s.apiKey?.reveal() == T.apiKey)
        #expect(s.authorizedSince == 1_649_729_878_532_000 && s.connectedSince == 1_649_729_873_021_000)
        #expect(s.serverTime == 1_649_729_878_630_000 && s.returnRateLimits == false && s.userDataStream == false)
        #expect(!"\(s)".contains(T.apiKey.prefix(10)))
        let out = try T.response(#"{"id":2,"status":200,"result":{"apiKey":null,"authorizedSince":null,"connectedSince":1649729873021,"returnRateLimits":false,"serverTime":1649730611671,"userDataStream":false}}"#)
        guard case .session(let o) = out.result else { Issue.record("not a session result"); return }
        #expect(!o.isLoggedOn && o.authorizedSince == nil)
    }

    @Test func orderCancelResult() throws {
        let r = try T.response(#"{"id":"5633b6a2-1","status":200,"result":{"symbol":"BTCUSDT","origClientOrderId":"4d96324ff9d44481926157","orderId":12569099453,"orderListId":-1,"clientOrderId":"91fe37ce9e69c90d6358c0","transactTime":1684804350068,"price":"23416.10000000","origQty":"0.00847000","executedQty":"0.00001000","origQuoteOrderQty":"0.000000","cummulativeQuoteQty":"0.23416100","status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"SELL","selfTradePreventionMode":"NONE"},"rateLimits":\#(Self.weight1)}"#)
        guard case .order(let o) = r.result else { Issue.record("not an order"); return }
        #expect(o.symbol == "BTCUSDT" && o.orderID == 12_569_099_453 && o.orderListID == -1)
        #expect(o.clientOrderID == "91fe37ce9e69c90d6358c0" && o.origClientOrderID == "4d96324ff9d44481926157")
        #expect(o.transactTime == 1_684_804_350_068_000)
        #expect(o.price?.description == "23416.10000000" && o.origQty?.description == "0.00847000")
        #expect(o.executedQty?.description == "0.00001000" && o.origQuoteOrderQty?.description == "0.000000")
        #expect(o.cumulativeQuoteQty?.description == "0.23416100")
        #expect(o.status == .canceled && o.timeInForce == "GTC" && o.type == "LIMIT" && o.side == .sell && o.selfTradePreventionMode == "NONE")
    }

    @Test func orderPlaceShapes() throws {
        let ack = try T.response(#"{"id":1,"status":200,"result":{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"6gCrw2kRUAF9CvJDGP16IP","transactTime":1507725176595}}"#)
        #expect(ack.result == .order(BinanceOrderReport(symbol: "BTCUSDT", orderID: 28, orderListID: -1, clientOrderID: "6gCrw2kRUAF9CvJDGP16IP",
                                                        transactTime: 1_507_725_176_595_000)))
        let full = try T.response(#"{"id":2,"status":200,"result":{"symbol":"BTCUSDT","orderId":12569099453,"orderListId":-1,"clientOrderId":"4d96324ff9d44481926157","transactTime":1660801715639,"price":"0.00000000","origQty":"0.00847000","executedQty":"0.00847000","origQuoteOrderQty":"0.000000","cummulativeQuoteQty":"198.33521500","status":"FILLED","timeInForce":"GTC","type":"MARKET","side":"SELL","workingTime":1660801715639,"selfTradePreventionMode":"NONE","fills":[{"price":"23422.00000000","qty":"0.00847000","commission":"0.00000000","commissionAsset":"BNB","tradeId":1940759}]}}"#)
        guard case .order(let o) = full.result else { Issue.record("not an order"); return }
        #expect(o.workingTime == 1_660_801_715_639_000 && o.status == .filled)
        #expect(o.fills == [BinanceOrderFill(price: "23422.00000000", qty: "0.00847000", commission: "0.00000000", commissionAsset: "BNB", tradeID: 1_940_759)])
    }

    @Test func cancelReplaceOutcomes() throws {
        // §7.3: STOP_ON_FAILURE + cancel failed (400 / -2022 with data).
        let f = try T.response(#"{"id":3,"status":400,"error":{"code":-2022,"msg":"Order cancel-replace failed.","data":{"cancelResult":"FAILURE","newOrderResult":"NOT_ATTEMPTED","cancelResponse":{"code":-2011,"msg":"Unknown order sent."},"newOrderResponse":null}}}"#)
        let cr = try #require(f.error?.cancelReplace)
        #expect(!cr.cancelSucceeded && !cr.newOrderSucceeded && cr.newOrderResult == "NOT_ATTEMPTED")
        #expect(cr.cancelResponse == .error(BinanceAPIError(code: -2011, message: "Unknown order sent.")))
        #expect(cr.newOrderResponse == nil)
        #expect(f.hftError() == .venueRejected(code: "-2022", message: "Order cancel-replace failed."))
        // 409: cancel ok, placement failed.
        let p = try T.response(#"{"id":4,"status":409,"error":{"code":-2021,"msg":"Order cancel-replace partially failed.","data":{"cancelResult":"SUCCESS","newOrderResult":"FAILURE","cancelResponse":{"symbol":"BTCUSDT","origClientOrderId":"a","orderId":1,"orderListId":-1,"clientOrderId":"b","transactTime":1,"price":"1.0","origQty":"1.0","executedQty":"0.0","origQuoteOrderQty":"0.0","cummulativeQuoteQty":"0.0","status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"BUY","selfTradePreventionMode":"NONE"},"newOrderResponse":{"code":-2010,"msg":"Order would immediately match and take."}}}}"#)
        let pr = try #require(p.error?.cancelReplace)
        #expect(pr.cancelSucceeded && !pr.newOrderSucceeded)
        guard case .order(let cancelled)? = pr.cancelResponse else { Issue.record("cancel leg"); return }
        #expect(cancelled.status == .canceled && cancelled.orderID == 1)
        guard case .error(let e)? = pr.newOrderResponse else { Issue.record("new leg"); return }
        #expect(e.kind() == .postOnlyWouldTake)
        #expect(p.error?.kind(status: 409) == .cancelReplacePartial)
        // 200: both legs succeeded.
        let ok = try T.response(#"{"id":5,"status":200,"result":{"cancelResult":"SUCCESS","newOrderResult":"SUCCESS","cancelResponse":{"symbol":"BTCUSDT","orderId":1,"clientOrderId":"b","status":"CANCELED"},"newOrderResponse":{"symbol":"BTCUSDT","orderId":2,"orderListId":-1,"clientOrderId":"c","transactTime":5}}}"#)
        guard case .cancelReplace(let both) = ok.result else { Issue.record("not a cancelReplace"); return }
        #expect(both.cancelSucceeded && both.newOrderSucceeded)
        guard case .order(let placed)? = both.newOrderResponse else { Issue.record("new leg"); return }
        #expect(placed.orderID == 2 && placed.transactTime == 5_000)
    }

    @Test func amendKeepPriorityResult() throws {
        let r = try T.response(#"{"id":6,"status":200,"result":{"transactTime":1741926410242,"executionId":75,"amendedOrder":{"symbol":"BTCUSDT","orderId":33,"orderListId":-1,"origClientOrderId":"5xrgbMyg6z36NzBn2pbT8H","clientOrderId":"PFaq6hIHxqFENGfdtn4J6Q","price":"6.00000000","qty":"5.00000000","executedQty":"0.00000000","preventedQty":"0.00000000","quoteOrderQty":"0.00000000","cumulativeQuoteQty":"0.00000000","status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"SELL","workingTime":1741926410242,"selfTradePreventionMode":"NONE"}}}"#)
        guard case .amend(let a) = r.result else { Issue.record("not an amend"); return }
        #expect(a.transactTime == 1_741_926_410_242_000 && a.executionID == 75 && a.listStatus == nil)
        #expect(a.amendedOrder.origQty?.description == "5.00000000" && a.amendedOrder.cumulativeQuoteQty?.description == "0.00000000")
        #expect(a.amendedOrder.origClientOrderID == "5xrgbMyg6z36NzBn2pbT8H" && a.amendedOrder.status == .new)
    }

    @Test func arrayResults() throws {
        let open = try T.response(#"{"id":7,"status":200,"result":[{"symbol":"BTCUSDT","orderId":12569099453,"orderListId":-1,"clientOrderId":"4d96324ff9d44481926157","price":"23416.10000000","origQty":"0.00847000","executedQty":"0.00720000","cummulativeQuoteQty":"172.43931000","status":"PARTIALLY_FILLED","timeInForce":"GTC","type":"LIMIT","side":"SELL","stopPrice":"0.00000000","icebergQty":"0.00000000","time":1660801715639,"updateTime":1660801717945,"isWorking":true,"workingTime":1660801715639,"origQuoteOrderQty":"0.00000000","selfTradePreventionMode":"NONE"}]}"#)
        guard case .orders(let rows) = open.result, case .order(let o)? = rows.first else { Issue.record("not orders"); return }
        #expect(o.status == .partiallyFilled && o.isWorking == true && o.updateTime == 1_660_801_717_945_000 && o.time == 1_660_801_715_639_000)
        #expect(o.stopPrice?.isZero == true)
        let none = try T.response(#"{"id":8,"status":200,"result":[]}"#)
        #expect(none.result == .orders([]))
        let mixed = try T.response(#"{"id":9,"status":200,"result":[{"symbol":"BTCUSDT","orderId":1,"clientOrderId":"x","status":"CANCELED"},{"orderListId":19,"contingencyType":"OCO","listStatusType":"ALL_DONE","listOrderStatus":"ALL_DONE","listClientOrderId":"l1","transactionTime":1660801720215,"symbol":"BTCUSDT","orders":[{"symbol":"BTCUSDT","orderId":2,"clientOrderId":"y"}],"orderReports":[{"symbol":"BTCUSDT","orderId":2,"clientOrderId":"y","status":"CANCELED"}]}]}"#)
        guard case .orders(let m) = mixed.result, m.count == 2, case .orderList(let list) = m[1] else { Issue.record("mixed"); return }
        #expect(list.orderListID == 19 && list.contingencyType == "OCO" && list.orderReports.map(\.orderID) == [2])
        #expect(list.transactionTime == 1_660_801_720_215_000)
        let subs = try T.response(#"{"id":10,"status":200,"result":[{"subscriptionId":0},{"subscriptionId":1}]}"#)
        #expect(subs.result == .subscriptions([0, 1]))
    }

    @Test func userDataSubscribeAndDepthResults() throws {
        #expect(try T.response(#"{"id":1,"status":200,"result":{"subscriptionId":0}}"#).result == .subscription(0))
        let d = try T.response(#"{"id":2,"status":200,"result":{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}}"#)
        #expect(d.result == .depth(BinanceDepthSnapshot(lastUpdateID: 160, bids: [BookLevel(price: "0.0024", quantity: "10")],
                                                        asks: [BookLevel(price: "0.0026", quantity: "100")])))
        let other = try T.response(#"{"id":3,"status":200,"result":{"makerCommission":15,"balances":[]} }"#)
        #expect(other.result == .unrecognized(#"{"makerCommission":15,"balances":[]}"#))
    }

    @Test func streamReplies() throws {
        #expect(try T.decode(#"{"result":null,"id":1}"#) == .streamReply(BinanceStreamReply(id: .int(1))))
        #expect(try T.decode(#"{"result":["btcusdt@aggTrade"],"id":3}"#) == .streamReply(BinanceStreamReply(id: .int(3), streams: ["btcusdt@aggTrade"])))
        let e = try T.decode(#"{"error":{"code":2,"msg":"Invalid request: unknown variant `SUBSCRIBEX`"},"id":4}"#)
        guard case .streamReply(let r) = e else { Issue.record("not a stream reply"); return }
        #expect(!r.isSuccess && r.error?.code == 2 && r.id.requestID == 4)
        #expect(try T.decode(#"{"result":true,"id":"a1"}"#) == .streamReply(BinanceStreamReply(id: .string("a1"), value: "true")))
    }

    @Test func responseIDForTheRequestTracker() {
        func id(_ s: String) -> RequestID? { Array(s.utf8).withUnsafeBytes { BinanceDecoder.responseID($0) } }
        #expect(id(#"{"id":42,"status":200,"result":{}}"#) == 42)
        #expect(id(#"{"result":null,"id":7}"#) == 7)
        #expect(id(#"{"id":"17","status":200}"#) == 17)
        #expect(id(#"{"id":null,"status":401,"error":{"code":-2015,"msg":"x"}}"#) == nil)
        #expect(id(#"{"id":"e2a85d9f-07a5","status":200}"#) == nil)
        #expect(id(#"{"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1}}"#) == nil)
        #expect(id(#"{"e":"trade"#) == nil)
        #expect(id("") == nil)
    }

    @Test func malformedReplies() {
        let cases = [
            #"{"id":1,"status":"200"}"#, #"{"id":1,"status":99999}"#, #"{"id":[1],"status":200}"#,
            #"{"id":1,"status":400,"error":{"msg":"no code"}}"#, #"{"id":1,"status":400,"error":"text"}"#,
            #"{"id":1,"status":200,"result":{"symbol":"BTCUSDT","orderId":"x","clientOrderId":"c"}}"#,
            #"{"id":1,"status":200,"result":{"symbol":"BTCUSDT","orderId":1}}"#,
            #"{"id":1,"status":200,"result":{"cancelResult":"SUCCESS"}}"#,
            #"{"id":1,"status":200,"result":[1,2]}"#, #"{"id":1,"status":200,"result":{"lastUpdateId":1,"bids":[["x","1"]]}}"#,
            #"{"id":1,"status":200,"result":{"#, "", "[]", "nope", #"{"id":1}"#, #"{}"#,
        ]
        for c in cases {
            #expect(throws: BinanceDecodeError.self, "\(c)") { try T.decode(c) }
        }
        // An odd rateLimits entry is skipped, never fatal.
        let r = try? T.response(#"{"id":1,"status":200,"result":{},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"FORTNIGHT","intervalNum":1,"limit":1},{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":3}]}"#)
        #expect(r?.rateLimits == [BinanceRateLimit(type: .orders, interval: .second, intervalNum: 10, limit: 50, count: 3)])
    }
}
