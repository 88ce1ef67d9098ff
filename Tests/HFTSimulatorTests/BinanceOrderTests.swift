import HFTCore
@testable import HFTSimulator
import Testing

@Suite("Binance WS API orders", .serialized)
struct BinanceOrderTests {
    static func limit(_ side: String, _ qty: String, _ price: String, tif: String = "GTC", client: String? = nil,
                      resp: String? = nil) -> [(String, String)] {
        var p = [("symbol", "BTCUSDT"), ("side", side), ("type", "LIMIT"), ("timeInForce", tif), ("quantity", qty), ("price", price)]
        if let client { p.append(("newClientOrderId", client)) }
        if let resp { p.append(("newOrderRespType", resp)) }
        return p
    }

    @Test func placeResponseShapes() async throws {
        try await withBinance { h in
            try h.rest(1, .sell, "0.01000", at: "80000.00")
            let ws = try await h.api()
            let ack = try await ws.signed(1, "order.place", Self.limit("BUY", "0.001", "70000.00", client: "ack-1", resp: "ACK"))
            #expect(ack["result"].keys == ["symbol", "orderId", "orderListId", "clientOrderId", "transactTime"])
            #expect(ack["result"]["clientOrderId"].string == "ack-1")
            let result = try await ws.signed(2, "order.place", Self.limit("BUY", "0.001", "70000.00", resp: "RESULT"))
            #expect(result["result"].keys == ["symbol", "orderId", "orderListId", "clientOrderId", "transactTime", "price", "origQty",
                                              "executedQty", "origQuoteOrderQty", "cummulativeQuoteQty", "status", "timeInForce",
                                              "type", "side", "workingTime", "selfTradePreventionMode"])
            #expect(result["result"]["clientOrderId"].string?.count == 22)   // generated
            #expect(result["result"]["origQty"].string == "0.00100000")
            // A crossing limit (default FULL): fills at the resting price.
            let full = try await ws.signed(3, "order.place", Self.limit("BUY", "0.004", "81000.00"))
            #expect(full["status"].int == 200, "\(full)")
            #expect(full["result"]["status"].string == "FILLED")
            #expect(full["result"]["executedQty"].string == "0.00400000")
            #expect(full["result"]["cummulativeQuoteQty"].string == "320.00000000")
            let fill = full["result"]["fills"][0]
            #expect(fill.keys == ["price", "qty", "commission", "commissionAsset", "tradeId"])
            #expect(fill["price"].string == "80000.00000000")
            #expect(fill["commission"].string == "0.00000400")   // 0.1 % of 0.004 BTC
            #expect(fill["commissionAsset"].string == "BTC")
            #expect(full["rateLimits"].array.count == 3)   // weight + ORDERS 10 s + 1 day
            #expect(full["rateLimits"][1]["rateLimitType"].string == "ORDERS")
            // The 10 s window is clock-aligned (as the venue's): the three orders may straddle a boundary.
            #expect((1...3).contains(full["rateLimits"][1]["count"].int ?? 0))
            #expect(full["rateLimits"][2]["count"].int == 3)
            // MARKET by quote amount, LIMIT_MAKER that would cross, filter failures.
            let market = try await ws.signed(4, "order.place", [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "MARKET"),
                                                               ("quoteOrderQty", "80.00")])
            #expect(market["result"]["executedQty"].string == "0.00100000")
            #expect(market["result"]["origQuoteOrderQty"].string == "80.00000000")
            let maker = try await ws.signed(5, "order.place", [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT_MAKER"),
                                                              ("quantity", "0.001"), ("price", "90000.00")])
            #expect(maker["status"].int == 400)
            #expect(maker["error"]["code"].int == -2010)
            #expect(maker["error"]["msg"].string == "Order would immediately match and take.")
            let tick = try await ws.signed(6, "order.place", Self.limit("BUY", "0.001", "70000.001"))
            #expect(tick["error"]["msg"].string == "Filter failure: PRICE_FILTER")
            let lot = try await ws.signed(7, "order.place", Self.limit("BUY", "0.000001", "70000.00"))
            #expect(lot["error"]["msg"].string == "Filter failure: LOT_SIZE")
            let notional = try await ws.signed(8, "order.place", Self.limit("BUY", "0.00001", "70000.00"))
            #expect(notional["error"]["msg"].string == "Filter failure: NOTIONAL")
            let noTIF = try await ws.signed(9, "order.place", [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"),
                                                              ("quantity", "0.001"), ("price", "70000.00")])
            #expect(noTIF["error"]["code"].int == -1102)
            let funds = try await ws.signed(10, "order.place", Self.limit("BUY", "100", "70000.00"))
            #expect(funds["error"]["msg"].string == "Account has insufficient balance for requested action.")
            let dup = try await ws.signed(11, "order.place", Self.limit("BUY", "0.001", "70000.00", client: "ack-1"))
            #expect(dup["error"]["msg"].string == "Duplicate order sent.")
            let symbol = try await ws.signed(12, "order.place", [("symbol", "BTCUSD"), ("side", "BUY"), ("type", "MARKET"), ("quantity", "1")])
            #expect(symbol["error"]["code"].int == -1121)
            await ws.disconnect()
        }
    }

    @Test func cancelByIdAndClientIDWithRename() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            let a = try await ws.signed(1, "order.place", Self.limit("BUY", "0.001", "70000.00", client: "first"))
            let orderID = a["result"]["orderId"].int!
            let c = try await ws.signed(2, "order.cancel", [("symbol", "BTCUSDT"), ("orderId", String(orderID)), ("newClientOrderId", "my-cancel")])
            #expect(c["status"].int == 200)
            #expect(c["result"]["status"].string == "CANCELED")
            #expect(c["result"]["origClientOrderId"].string == "first")
            #expect(c["result"]["clientOrderId"].string == "my-cancel")
            let again = try await ws.signed(3, "order.cancel", [("symbol", "BTCUSDT"), ("orderId", String(orderID))])
            #expect(again["error"]["code"].int == -2011)
            #expect(again["error"]["msg"].string == "Unknown order sent.")
            _ = try await ws.signed(4, "order.place", Self.limit("BUY", "0.001", "70000.00", client: "second"))
            let byClient = try await ws.signed(5, "order.cancel", [("symbol", "BTCUSDT"), ("origClientOrderId", "second")])
            #expect(byClient["result"]["origClientOrderId"].string == "second")
            let status = try await ws.signed(6, "order.status", [("symbol", "BTCUSDT"), ("orderId", String(orderID))])
            #expect(status["result"]["status"].string == "CANCELED")
            #expect(status["result"]["isWorking"].bool == false)
            let missing = try await ws.signed(7, "order.status", [("symbol", "BTCUSDT"), ("orderId", "999999")])
            #expect(missing["error"]["code"].int == -2013)
            await ws.disconnect()
        }
    }

    @Test func amendKeepPriorityAndCancelAll() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            let a = try await ws.signed(1, "order.place", Self.limit("SELL", "0.01", "90000.00", client: "amend-me"))
            let id = a["result"]["orderId"].int!
            _ = try await ws.signed(2, "order.place", Self.limit("SELL", "0.01", "90000.00"))
            let amend = try await ws.signed(3, "order.amend.keepPriority", [("symbol", "BTCUSDT"), ("orderId", String(id)), ("newQty", "0.004"),
                                                                            ("newClientOrderId", "amended")])
            #expect(amend["status"].int == 200, "\(amend)")
            #expect(amend["result"].keys == ["transactTime", "executionId", "amendedOrder"])
            let o = amend["result"]["amendedOrder"]
            #expect(o["qty"].string == "0.00400000")
            #expect(o["origClientOrderId"].string == "amend-me")
            #expect(o["clientOrderId"].string == "amended")
            let weight = amend["rateLimits"][0]["count"].int
            #expect(weight == 8)   // connect 2, two places, amend 4
            // Priority kept: the amended order is still first at its price.
            _ = try h.exchange.placeOrder(AccountID(1), .market(binanceBTC, .buy, quantity: "0.004"))
            #expect(h.exchange.order(AccountID(0), .id(SimOrderID(id)))?.order.status == .filled)
            let up = try await ws.signed(4, "order.amend.keepPriority", [("symbol", "BTCUSDT"), ("origClientOrderId", "amended"), ("newQty", "1")])
            #expect(up["status"].int == 400)
            let all = try await ws.signed(5, "openOrders.cancelAll", [("symbol", "BTCUSDT")])
            #expect(all["result"].array.count == 1)
            #expect(all["result"][0]["status"].string == "CANCELED")
            let none = try await ws.signed(6, "openOrders.cancelAll", [("symbol", "BTCUSDT")])
            #expect(none["error"]["code"].int == -2011)
            await ws.disconnect()
        }
    }

    @Test func cancelReplaceMatrix() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            let a = try await ws.signed(1, "order.place", Self.limit("BUY", "0.001", "70000.00"))
            let id = a["result"]["orderId"].int!
            // Both succeed: 200.
            let ok = try await ws.signed(2, "order.cancelReplace", [("cancelReplaceMode", "STOP_ON_FAILURE"), ("cancelOrderId", String(id))]
                                         + Self.limit("BUY", "0.002", "70001.00"))
            #expect(ok["status"].int == 200, "\(ok)")
            #expect(ok["result"]["cancelResult"].string == "SUCCESS")
            #expect(ok["result"]["newOrderResult"].string == "SUCCESS")
            #expect(ok["result"]["cancelResponse"]["status"].string == "CANCELED")
            #expect(ok["result"]["newOrderResponse"]["origQty"].string == "0.00200000")
            // Cancel fails, STOP_ON_FAILURE: 400 -2022, new order not attempted.
            let stop = try await ws.signed(3, "order.cancelReplace", [("cancelReplaceMode", "STOP_ON_FAILURE"), ("cancelOrderId", String(id))]
                                           + Self.limit("BUY", "0.002", "70001.00"))
            #expect(stop["status"].int == 400)
            #expect(stop["error"]["code"].int == -2022)
            #expect(stop["error"]["data"]["cancelResult"].string == "FAILURE")
            #expect(stop["error"]["data"]["newOrderResult"].string == "NOT_ATTEMPTED")
            #expect(stop["error"]["data"]["cancelResponse"]["code"].int == -2011)
            #expect(stop["error"]["data"]["newOrderResponse"].isNull)
            // Cancel fails, ALLOW_FAILURE, placement works: 409 -2021.
            let allow = try await ws.signed(4, "order.cancelReplace", [("cancelReplaceMode", "ALLOW_FAILURE"), ("cancelOrderId", String(id))]
                                            + Self.limit("BUY", "0.002", "70002.00"))
            #expect(allow["status"].int == 409)
            #expect(allow["error"]["code"].int == -2021)
            #expect(allow["error"]["data"]["newOrderResult"].string == "SUCCESS")
            // Cancel works, placement fails: 409.
            let newID = allow["error"]["data"]["newOrderResponse"]["orderId"].int!
            let half = try await ws.signed(5, "order.cancelReplace", [("cancelReplaceMode", "STOP_ON_FAILURE"), ("cancelOrderId", String(newID))]
                                           + Self.limit("BUY", "100", "70000.00"))
            #expect(half["status"].int == 409)
            #expect(half["error"]["data"]["cancelResult"].string == "SUCCESS")
            #expect(half["error"]["data"]["newOrderResponse"]["code"].int == -2010)
            await ws.disconnect()
        }
    }

    @Test func userDataPushesAfterAFill() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            _ = try await ws.logon(1)
            let sub = try await ws.call(2, "userDataStream.subscribe")
            #expect(sub["result"]["subscriptionId"].int == 0)
            let again = try await ws.call(3, "userDataStream.subscribe")
            #expect(again["error"]["code"].int == -2035)
            let placed = try await ws.call(4, "order.place", binanceParams(Self.limit("SELL", "0.01", "80000.00", client: "mm-1")
                                                                          + [("timestamp", String(nowMillis()))]))
            #expect(placed["status"].int == 200)
            _ = try await ws.waitUserEvent("NEW report") { $0["e"].string == "executionReport" && $0["x"].string == "NEW" }
            // Another account takes half of it.
            _ = try h.exchange.placeOrder(AccountID(1), .market(binanceBTC, .buy, quantity: "0.004"))
            let trade = try await ws.waitUserEvent("TRADE report") { $0["x"].string == "TRADE" }
            #expect(trade["X"].string == "PARTIALLY_FILLED")
            #expect(trade["c"].string == "mm-1")
            #expect(trade["l"].string == "0.00400000")
            #expect(trade["z"].string == "0.00400000")
            #expect(trade["L"].string == "80000.00000000")
            #expect(trade["Z"].string == "320.00000000")
            #expect(trade["n"].string == "0.32000000")
            #expect(trade["N"].string == "USDT")
            #expect(trade["m"].bool == true)
            #expect(trade["w"].bool == true)
            #expect(trade.keys.prefix(8) == ["e", "E", "s", "c", "S", "o", "f", "q"])
            let position = try await ws.waitUserEvent("account position after the fill") {
                $0["e"].string == "outboundAccountPosition" && $0["B"].array.contains { $0["a"].string == "USDT" }
            }
            let assets = position["B"].array.compactMap { $0["a"].string }.sorted()
            #expect(assets == ["BTC", "USDT"])
            let usdt = position["B"].array.first { $0["a"].string == "USDT" }
            #expect(usdt?["f"].string == "1000319.68000000")
            // The user frames arrive wrapped with the subscription id.
            #expect(ws.received { !$0["event"].isNull }.allSatisfy { $0["subscriptionId"].int == 0 })
            // A cancel renames: `c` is the cancel's id, `C` the original.
            _ = try await ws.call(5, "order.cancel", binanceParams([("symbol", "BTCUSDT"), ("origClientOrderId", "mm-1"),
                                                                    ("newClientOrderId", "kill-1"), ("timestamp", String(nowMillis()))]))
            let cancel = try await ws.waitUserEvent("CANCELED report") { $0["x"].string == "CANCELED" }
            #expect(cancel["c"].string == "kill-1")
            #expect(cancel["C"].string == "mm-1")
            // Deposits show as balanceUpdate.
            try h.exchange.deposit(AccountID(0), asset: "ETH", amount: "2.5")
            let deposit = try await ws.waitUserEvent("balanceUpdate") { $0["e"].string == "balanceUpdate" }
            #expect(deposit["a"].string == "ETH")
            #expect(deposit["d"].string == "2.50000000")
            // Logout ends the logon-based subscription.
            let status = try await ws.call(6, "session.status")
            #expect(status["result"]["userDataStream"].bool == true)
            _ = try await ws.call(7, "session.logout")
            _ = try await ws.waitUserEvent("eventStreamTerminated") { $0["e"].string == "eventStreamTerminated" }
            await ws.disconnect()
        }
    }

    @Test func signatureSubscriptionAndUnsubscribe() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            let noLogon = try await ws.call(1, "userDataStream.subscribe")
            #expect(noLogon["status"].int == 400)
            let s1 = try await ws.signed(2, "userDataStream.subscribe.signature", [], key: 1)
            let s2 = try await ws.signed(3, "userDataStream.subscribe.signature", [], key: 2)
            #expect(s1["result"]["subscriptionId"].int == 0)
            #expect(s2["result"]["subscriptionId"].int == 1)
            let list = try await ws.call(4, "session.subscriptions")
            #expect(list["result"].array.count == 2)
            try h.exchange.deposit(AccountID(1), asset: "BTC", amount: "1")
            let e = try await ws.next(where: { $0["event"]["e"].string == "balanceUpdate" })
            #expect(e["subscriptionId"].int == 1)
            let un = try await ws.call(5, "userDataStream.unsubscribe", #"{"subscriptionId":0}"#)
            #expect(un["status"].int == 200)
            let un2 = try await ws.call(6, "userDataStream.unsubscribe", #"{"subscriptionId":0}"#)
            #expect(un2["error"]["code"].int == -2036)
            _ = try await ws.next(where: { $0["subscriptionId"].int == 0 && $0["event"]["e"].string == "eventStreamTerminated" })
            await ws.disconnect()
        }
    }
}
