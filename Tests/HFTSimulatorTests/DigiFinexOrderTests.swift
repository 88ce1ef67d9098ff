import HFTCore
@testable import HFTSimulator
import Testing

/// REST v3 order entry and assets (§8) and the private WebSocket pushes they cause (§5).
@Suite(.serialized) struct DigiFinexOrderTests {
    @Test func vectorD1RESTSignature() {
        let payload = "symbol=trx_usdt&price=0.01&amount=1&type=buy"
        #expect(DigiFinexSigner.restSign(secret: "01234567890123456789abcd", payload: payload)
            == "7e2d0636cab21fd41c828b8c6ce8f77e643febecdeaeab0771c01dc4d7dbef38")
        #expect(DigiFinexSigner.restSign(secret: "01234567890123456789abcd", payload: "amount=1&price=0.01&symbol=trx_usdt&type=buy")
            == "8e2cd6655829ddc84b9cb8553913a62a517558ca632e6e9d110d26e26cd1f7be")
    }

    @Test func orderIDsAre32HexAndRoundTrip() {
        let ids = DigiFinexOrderIDs(salt: 42)
        let t = ids.text(123_456)
        #expect(t.count == 32 && t.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(ids.id(t) == 123_456)
        #expect(ids.id(String(t.reversed())) == nil && ids.id("198361cecdc65f9c8c9bb2fa68faec40") == nil)
    }

    @Test func restOrderProducesOrderAndBalancePushesAndCancel() async throws {
        try await withDigiFinex(flows: false) { h in
            let ws = try await h.connect()
            #expect(try await h.auth(ws)["error"].isNull)
            ws.send(#"{"id":2,"method":"order.subscribe","params":["BTC_USDT"]}"#)
            _ = try await ws.reply(2)
            ws.send(#"{"id":3,"method":"balance.subscribe","params":["USDT","BTC"]}"#)
            _ = try await ws.reply(3)

            let placed = try await h.rest("POST", "/spot/order/new", "symbol=btc_usdt&price=79000.00&amount=0.010000&type=buy&post_only=1")
            #expect(placed["code"].int == 0)
            let id = try #require(placed["order_id"].string)
            #expect(id.count == 32)

            let o = try await ws.push("order.update")["params"][0]
            #expect(o.keys == ["amount", "filled", "id", "mode", "notional", "price", "price_avg", "side", "status", "symbol",
                               "timestamp", "type"])
            #expect(o["id"].string == id && o["status"].int == 0 && o["amount"].string == "0.010000")
            #expect(o["price"].string == "79000.00" && o["side"].string == "buy" && o["type"].string == "limit")
            #expect(o["symbol"].string == "BTC_USDT" && o["mode"].int == 1)
            let b = try await ws.push("balance.update")["params"]
            let usdt = try #require(b.array.first { $0["currency"].string == "USDT" })
            #expect(usdt.keys == ["currency", "free", "total", "used"])
            #expect(usdt["free"].string == "999210.00000000" && usdt["used"].string == "790.00000000")
            #expect(usdt["total"].string == "1000000.00000000")

            let open = try await h.rest("GET", "/spot/order/current", "symbol=btc_usdt")
            #expect(open["data"].array.map { $0["order_id"].string } == [id])
            let query = try await h.rest("GET", "/spot/order", "order_id=\(id)")
            #expect(query["data"][0]["status"].int == 0 && query["data"][0]["side"].string == "buy")
            #expect(query["data"][0]["price"].raw == "79000.00" && query["data"][0]["symbol"].string == "btc_usdt")

            let bogus = "0123456789abcdef0123456789abcdef"
            let cancel = try await h.rest("POST", "/spot/order/cancel", "order_id=\(id),\(bogus)")
            #expect(cancel["code"].int == 0)
            #expect(cancel["success"].array.map(\.string) == [id] && cancel["error"].array.map(\.string) == [bogus])
            let canceled = try await ws.push("order.update")["params"][0]
            #expect(canceled["id"].string == id && canceled["status"].int == 3)
            let back = try await ws.push("balance.update")["params"].array.first { $0["currency"].string == "USDT" }
            #expect(back?["free"].string == "1000000.00000000")

            // Market buy by value: amount is quote (§8); the push shows amount 0 (§5).
            let bob = h.exchange.account(forAPIKey: "sim-key-2")!
            _ = try h.exchange.placeOrder(bob, .limit(btcUSDT, .sell, quantity: "0.010000", price: "80000.00"))
            let market = try await h.rest("POST", "/spot/order/new", "symbol=btc_usdt&amount=400.00&type=buy_market")
            let mid = try #require(market["order_id"].string)
            let filled = try await ws.next { $0.method == "order.update" && $0["params"][0]["id"].string == mid && $0["params"][0]["status"].int == 2 }
            let f = filled["params"][0]
            #expect(f["type"].string == "market" && f["amount"].string == "0.000000" && f["filled"].string == "0.005000")
            #expect(f["price_avg"].string == "80000.00")
            let assets = try await h.rest("GET", "/spot/assets")
            let btc = try #require(assets["list"].array.first { $0["currency"].string == "BTC" })
            #expect(btc["free"].raw.flatMap { FixedDecimal($0) } == FixedDecimal("10.00499000"))
            await ws.disconnect()
        }
    }

    @Test func restErrorsUseDigiFinexCodes() async throws {
        try await withDigiFinex(flows: false) { h in
            let params = "symbol=btc_usdt&price=79000.00&amount=0.010000&type=buy"
            #expect(try await h.rest("POST", "/spot/order/new", params, secret: "wrong")["code"].int == 10003)
            #expect(try await h.rest("POST", "/spot/order/new", params, key: "nobody")["code"].int == 10002)
            let old = WallClock.milliseconds() / 1_000 - 60
            #expect(try await h.rest("POST", "/spot/order/new", params, timestamp: old)["code"].int == 10008)
            #expect(try await h.rest("POST", "/spot/order/new", "symbol=btc_usdt&price=79000.00&amount=100.000000&type=buy")["code"].int == 20011)
            #expect(try await h.rest("POST", "/spot/order/new", "symbol=xxx_usdt&price=1&amount=1&type=buy")["code"].int == 20019)
            #expect(try await h.rest("POST", "/spot/order/new", "symbol=btc_usdt&price=1&amount=1&type=short")["code"].int == 20012)
            #expect(try await h.rest("GET", "/spot/order", "order_id=0123456789abcdef0123456789abcdef")["code"].int == 20013)
            let bob = h.exchange.account(forAPIKey: "sim-key-2")!
            _ = try h.exchange.placeOrder(bob, .limit(btcUSDT, .sell, quantity: "0.010000", price: "80000.00"))
            let postOnly = try await h.rest("POST", "/spot/order/new", "symbol=btc_usdt&price=80000.00&amount=0.010000&type=buy&post_only=1")
            #expect((postOnly["code"].int ?? 0) != 0)
            #expect(h.exchange.openOrders(h.exchange.account(forAPIKey: "sim-key-1")!).isEmpty)
        }
    }

    @Test func publicEndpoints() async throws {
        try await withDigiFinex { h in
            let base = h.endpoints["rest"]!
            let time = TJ.parse(try await rawHTTP("GET", base + "/time").body)
            #expect(time["code"].int == 0 && abs((time["server_time"].int ?? 0) - WallClock.milliseconds() / 1_000) <= 2)
            let symbols = TJ.parse(try await rawHTTP("GET", base + "/spot/symbols").body)
            #expect(symbols["symbol_list"].array.map { $0["symbol"].string } == ["BTC_USDT", "ETH_USDT"])
            #expect(symbols["symbol_list"][0]["price_precision"].int == 2 && symbols["symbol_list"][0]["amount_precision"].int == 6)
            let book = TJ.parse(try await rawHTTP("GET", base + "/order_book?symbol=btc_usdt&limit=5").body)
            let top = try exchangeTop(h.exchange, btcUSDT, depth: 5)
            #expect(book["code"].int == 0)
            #expect(book["bids"].array.map { [$0[0].raw ?? "", $0[1].raw ?? ""] } == top.bids.map { [$0.0, $0.1] })
        }
    }
}
