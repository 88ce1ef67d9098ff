import HFTCore
@testable import HFTSimulator
import Testing

/// The LBank front-end's REST (§5, §6, §8) and the private pushes it drives.
@Suite(.serialized) struct LBankRESTTests {
    /// §6 steps computed independently (Python hashlib/hmac) for these inputs: no LBank vector
    /// exists in vectors.md.
    @Test func signerMatchesAnIndependentComputation() {
        let params = [("symbol", "btc_usdt"), ("type", "buy"), ("price", "80000.00"), ("amount", "1"), ("api_key", "k"),
                      ("echostr", "P3LHfw6tUIYWc8R2VQNy0ilKmdg5pjhbxC7"), ("signature_method", "HmacSHA256"),
                      ("timestamp", "1700000000000"), ("sign", "ignored")]
        #expect(LBankSigner.parameterString(params)
            == "amount=1&api_key=k&echostr=P3LHfw6tUIYWc8R2VQNy0ilKmdg5pjhbxC7&price=80000.00&signature_method=HmacSHA256&symbol=btc_usdt&timestamp=1700000000000&type=buy")
        #expect(LBankSigner.preparedString(params) == "EC697AEBD25351BA72EA3177BB1DAFF0")
        #expect(LBankSigner.sign(secret: "c2ltLXNlY3JldC0x", params: params)
            == "6429714101583be9bee7e1d694b3e18ed684bcf5c110557423196dd78c07adcd")
    }

    @Test func signingErrors() async throws {
        try await withLBank { h in
            let path = "/v2/supplement/user_info_account.do"
            #expect(try await h.rest(path)["error_code"].int == 0)
            let bad = try await h.rest(path, secret: "wrong")
            #expect(bad["result"].string == "false" && bad["error_code"].int == 10007)
            #expect(try await h.rest(path, echostr: "short")["error_code"].int == 10031)
            #expect(try await h.rest(path, timestamp: WallClock.milliseconds() - 60_000)["error_code"].int == 10600)
            #expect(try await h.rest(path, timestamp: WallClock.milliseconds() + 60_000)["error_code"].int == 10600)
            #expect(try await h.rest(path, method: "RSA")["error_code"].int == 10007)
            let r = try await rawHTTP("POST", h.endpoints["rest"]! + path, body: "api_key=nobody&sign=x")
            #expect(TJ.parse(r.body)["result"].string == "false")
        }
    }

    @Test func subscribeKeyLifecycle() async throws {
        try await withLBank { h in
            let created = try await h.rest("/v2/subscribe/get_key.do")
            #expect(created["result"].bool == true && created["error_code"].int == 0 && created["ts"].int != nil)
            let key = try #require(created["data"].string)
            #expect(key.count == 64 && key.allSatisfy(\.isHexDigit))
            let refreshed = try await h.rest("/v2/subscribe/refresh_key.do", [("subscribeKey", key)])
            #expect(refreshed.description == #"{"result":"true"}"#)
            // Another account cannot refresh or destroy it.
            #expect(try await h.rest("/v2/subscribe/refresh_key.do", [("subscribeKey", key)], account: 2)["result"].string == "false")
            let v1 = try await h.rest("/v1/subscribe/get_key.do")
            #expect(v1["result"].string == "true" && v1["subscribeKey"].string?.count == 64)

            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"assetUpdate","subscribeKey":"\#(key)"}"#)
            ws.send(#"{"action":"ping","ping":"after-subscribe"}"#)
            _ = try await ws.next { $0["pong"].string == "after-subscribe" }
            #expect(ws.received { $0["status"].string == "error" }.isEmpty)

            #expect(try await h.rest("/v2/subscribe/destroy_key.do", [("subscribeKey", key)]).description == #"{"result":"true"}"#)
            #expect(try await h.rest("/v2/subscribe/refresh_key.do", [("subscribeKey", key)])["result"].string == "false")
            ws.send(#"{"action":"subscribe","subscribe":"orderUpdate","subscribeKey":"\#(key)","pair":"all"}"#)
            #expect(try await ws.lbankError()["message"].string?.contains("key") == true)
            // The destroyed key's earlier subscription ends at its next push with the same error.
            _ = try await h.rest("/v2/supplement/create_order.do",
                                 [("symbol", "btc_usdt"), ("type", "buy"), ("price", "70000.00"), ("amount", "0.0100")])
            #expect(try await ws.lbankError()["message"].string?.contains("key") == true)
            try await Task.sleep(for: .milliseconds(100))
            #expect(ws.received { $0["type"].string == "assetUpdate" }.isEmpty)
            await ws.disconnect()
        }
    }

    @Test func ordersDrivePushesAndQueries() async throws {
        try await withLBank { h in
            let key = try await h.subscribeKey()
            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"orderUpdate","subscribeKey":"\#(key)","pair":"all"}"#)
            ws.send(#"{"action":"subscribe","subscribe":"assetUpdate","subscribeKey":"\#(key)"}"#)
            ws.send(#"{"action":"ping","ping":"ready"}"#)
            _ = try await ws.next { $0["pong"].string == "ready" }

            let placed = try await h.rest("/v2/supplement/create_order.do",
                                          [("symbol", "btc_usdt"), ("type", "buy"), ("price", "70000.00"), ("amount", "0.0100"),
                                           ("custom_id", "abc123")])
            #expect(placed["result"].bool == true && placed["data"]["symbol"].string == "btc_usdt")
            #expect(placed["data"]["custom_id"].string == "abc123")
            let id = try #require(placed["data"]["order_id"].string)
            #expect(id.count == 36)

            let created = try await ws.lbank("orderUpdate")
            let u = created["orderUpdate"]
            #expect(u["uuid"].string == id && u["orderStatus"].int == 0 && u["customerID"].string == "abc123")
            #expect(u["orderPrice"].string == "70000.00" && u["orderAmt"].string == "0.0100" && u["type"].string == "buy")
            #expect(u["symbol"].string == "btc_usdt" && created["pair"].string == "btc_usdt" && created["SERVER"].string == "V2")
            #expect(u["remainAmt"].string == "700.000000" && u["updateTime"].int != nil && u["txUuid"].isNull)
            let asset = try await ws.lbank("assetUpdate")
            #expect(asset["data"]["assetCode"].string == "usdt" && asset["data"]["type"].string == "ORDER_CREATE")
            let usdt = h.exchange.balance(AccountID(0), asset: "USDT")!
            #expect(asset["data"]["freeze"].string == usdt.frozen.description && asset["data"]["free"].string == usdt.available.description)
            #expect(asset["data"]["asset"].string == usdt.total.description)

            let info = try await h.rest("/v2/supplement/orders_info.do", [("symbol", "btc_usdt"), ("orderId", id)])
            #expect(info["data"]["orderId"].string == id && info["data"]["status"].int == 0)
            let byClient = try await h.rest("/v2/supplement/orders_info.do", [("symbol", "btc_usdt"), ("origClientOrderId", "abc123")])
            #expect(byClient["data"]["orderId"].string == id)
            let open = try await h.rest("/v2/supplement/orders_info_no_deal.do",
                                        [("symbol", "btc_usdt"), ("current_page", "1"), ("page_length", "50")])
            #expect(open["data"]["orders"].array.map { $0["orderId"].string } == [id])

            let cancelled = try await h.rest("/v2/supplement/cancel_order.do", [("symbol", "btc_usdt"), ("orderId", id)])
            #expect(cancelled["data"]["status"].int == -1)
            #expect(try await ws.lbank("orderUpdate")["orderUpdate"]["orderStatus"].int == -1)
            #expect(try await ws.lbank("assetUpdate")["data"]["type"].string == "ORDER_CANCEL")
            let again = try await h.rest("/v2/supplement/cancel_order.do", [("symbol", "btc_usdt"), ("orderId", id)])
            #expect(again["result"].string == "false" && again["error_code"].int != 0)

            // A taker fill: one orderUpdate per fill with txUuid, role and the fill's own figures.
            let buy = try await h.rest("/v2/supplement/create_order.do",
                                       [("symbol", "btc_usdt"), ("type", "buy_market"), ("price", "100.00")])
            let buyID = try #require(buy["data"]["order_id"].string)
            let fill = try await ws.next { $0["type"].string == "orderUpdate" && $0["orderUpdate"]["txUuid"].string != nil }
            #expect(fill["orderUpdate"]["uuid"].string == buyID && fill["orderUpdate"]["role"].string == "taker")
            #expect(fill["orderUpdate"]["type"].string == "buy_market")
            let amt = FixedDecimal(fill["orderUpdate"]["amount"].string!)!, px = FixedDecimal(fill["orderUpdate"]["price"].string!)!
            #expect(FixedDecimal(fill["orderUpdate"]["volumePrice"].string!)! == amt * px)
            _ = try await ws.next { $0["type"].string == "assetUpdate" && $0["data"]["type"].string == "ORDER_DEAL" }

            let assets = try await h.rest("/v2/supplement/user_info_account.do")
            let btc = assets["data"]["balances"].array.first { $0["asset"].string == "btc" }
            #expect(btc?["free"].string == h.exchange.balance(AccountID(0), asset: "BTC")!.available.description)

            #expect(try await h.rest("/v2/supplement/create_order.do", [("symbol", "doge_usdt"), ("type", "buy")])["error_code"].int == 10008)
            #expect(try await h.rest("/v2/supplement/create_order.do",
                                     [("symbol", "btc_usdt"), ("type", "buy_stop"), ("price", "1"), ("amount", "1")])["error_code"].int == 10015)
            #expect(try await h.rest("/v2/supplement/create_order.do",
                                     [("symbol", "btc_usdt"), ("type", "buy"), ("price", "70000.00"), ("amount", "500")])["error_code"].int == 10016)
            await ws.disconnect()
        }
    }

    @Test func makerFillsProgressThenComplete() async throws {
        try await withLBank { h in
            let key = try await h.subscribeKey()
            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"orderUpdate","subscribeKey":"\#(key)","pair":"eth_usdt"}"#)
            ws.send(#"{"action":"ping","ping":"ready"}"#)
            _ = try await ws.next { $0["pong"].string == "ready" }
            let book = try h.exchange.bookSnapshot(ethUSDT, depth: 1)
            let ask = try #require(book.asks.first?.price), bid = try #require(book.bids.first?.price)
            let price = ask - FixedDecimal(mantissa: 1, scale: 2)
            try #require(price > bid)
            let placed = try await h.rest("/v2/supplement/create_order.do",
                                          [("symbol", "eth_usdt"), ("type", "sell_maker"), ("price", price.description), ("amount", "0.0100")])
            let id = try #require(placed["data"]["order_id"].string)
            #expect(try await ws.lbank("orderUpdate")["orderUpdate"]["type"].string == "sell_maker")
            for (qty, status, acc) in [("0.0040", 1, "0.0040"), ("0.0060", 2, "0.0100")] {
                _ = try h.exchange.placeOrder(AccountID(1), .market(ethUSDT, .buy, quantity: FixedDecimal(qty)!))
                let u = try await ws.lbank("orderUpdate")["orderUpdate"]
                #expect(u["uuid"].string == id && u["role"].string == "maker" && u["amount"].string == qty)
                #expect(u["orderStatus"].int == Int64(status) && u["accAmt"].string == acc && u["price"].string == price.description)
                #expect(u["remainAmt"].string == (status == 2 ? "0.0000" : "0.0060"))
            }
            await ws.disconnect()
        }
    }

    @Test func pairFilterAndCancelBySymbol() async throws {
        try await withLBank { h in
            let key = try await h.subscribeKey()
            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"orderUpdate","subscribeKey":"\#(key)","pair":"eth_usdt"}"#)
            ws.send(#"{"action":"ping","ping":"ready"}"#)
            _ = try await ws.next { $0["pong"].string == "ready" }
            for (pair, price) in [("btc_usdt", "70000.00"), ("eth_usdt", "2000.00"), ("eth_usdt", "2001.00")] {
                _ = try await h.rest("/v2/supplement/create_order.do", [("symbol", pair), ("type", "buy"), ("price", price), ("amount", "0.0100")])
            }
            _ = try await ws.lbank("orderUpdate", pair: "eth_usdt")
            let all = try await h.rest("/v2/supplement/cancel_order_by_symbol.do", [("symbol", "eth_usdt")])
            #expect(all["data"].array.count == 2 && all["data"].array.allSatisfy { $0["status"].int == -1 })
            ws.send(#"{"action":"ping","ping":"done"}"#)
            _ = try await ws.next { $0["pong"].string == "done" }
            try await Task.sleep(for: .milliseconds(100))
            #expect(ws.received { $0["type"].string == "orderUpdate" && $0["pair"].string != "eth_usdt" }.isEmpty)
            #expect(ws.received { $0["type"].string == "orderUpdate" }.count == 4)
            await ws.disconnect()
        }
    }

    @Test func expiredKeyStopsPrivatePushes() async throws {
        try await withLBank { h in
            let key = try await h.subscribeKey()
            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"orderUpdate","subscribeKey":"\#(key)","pair":"all"}"#)
            _ = try await h.rest("/v2/supplement/create_order.do", [("symbol", "btc_usdt"), ("type", "buy"), ("price", "70000.00"), ("amount", "0.0100")])
            _ = try await ws.lbank("orderUpdate")
            h.simulator.expireSubscribeKey(key)
            _ = try await h.rest("/v2/supplement/create_order.do", [("symbol", "btc_usdt"), ("type", "buy"), ("price", "70001.00"), ("amount", "0.0100")])
            #expect(try await ws.lbankError()["message"].string?.contains("subscribeKey") == true)
            _ = try await h.rest("/v2/supplement/create_order.do", [("symbol", "btc_usdt"), ("type", "buy"), ("price", "70002.00"), ("amount", "0.0100")])
            try await Task.sleep(for: .milliseconds(150))
            #expect(ws.received { $0["type"].string == "orderUpdate" }.count == 1)
            #expect(ws.received { $0["status"].string == "error" }.count == 1)
            #expect(try await h.rest("/v2/subscribe/refresh_key.do", [("subscribeKey", key)])["result"].string == "false")
            await ws.disconnect()
        }
    }
}
