import HFTCore
@testable import HFTSimulator
import Testing

/// The LBank front-end's WebSocket V2 (protocols/lbank.md §1–§4) over a raw loopback client.
@Suite(.serialized) struct LBankWebSocketTests {
    @Test func tsIsBeijingTimeWithoutZone() {
        // §1: updateTime 1561704577786 = 06:49:37.786Z → TS 2019-06-28T14:49:37.786.
        #expect(LBankTime.string(1_561_704_577_786_000) == "2019-06-28T14:49:37.786")
        #expect(LBankTime.string(1_561_680_000_000_000) == "2019-06-28T08:00:00.000")
        #expect(LBankTime.string(1_561_737_599_999_000) == "2019-06-28T23:59:59.999")
        #expect(LBankTime.string(1_561_737_600_000_000) == "2019-06-29T00:00:00.000")
    }

    @Test func registeredAsBuiltIn() {
        #expect(VenueSimulators.available.contains(.lbank))
        let ex = try? SimulatedExchange(config: .preset(for: .lbank))
        #expect(ex.map { VenueSimulators.factories[.lbank]?($0) is LBankSimulator } == true)
    }

    @Test func depthRefreshCadence() async throws {
        try await withLBank(options: .init(depthRefreshInterval: .milliseconds(100))) { h in
            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"depth","depth":10,"pair":"eth_usdt"}"#)
            try await ws.texts.wait("three depth pushes without trading", timeout: .seconds(5)) { items in
                items.filter { TJ.parse($0)["type"].string == "depth" }.count >= 3
            }
            await ws.disconnect()
        }
    }

    @Test func clientPingErrorsAndEndpoints() async throws {
        try await withLBank { h in
            #expect(h.endpoints["ws"]!.hasSuffix("/ws/V2/"))
            #expect(h.endpoints["rest"]!.hasPrefix("http://127.0.0.1:"))
            let ws = try await h.connect()
            ws.send(#"{"action":"ping","ping":"abc-1"}"#)
            #expect(try await ws.next() == #"{"action":"pong","pong":"abc-1"}"#)
            ws.send("not json")
            let e1 = try await ws.lbankError()
            #expect(e1["SERVER"].string == "V2" && e1["message"].string != nil && e1["TS"].string?.count == 23)
            #expect(e1.keys == ["SERVER", "message", "status", "TS"])
            ws.send(#"{"action":"subscribe","subscribe":"depth","pair":"btc_usdt"}"#)
            #expect(try await ws.lbankError()["message"].string == "Missing parameter ['depth']")
            ws.send(#"{"action":"subscribe","subscribe":"depth","depth":"7","pair":"btc_usdt"}"#)
            #expect(try await ws.lbankError()["message"].string?.contains("depth") == true)
            ws.send(#"{"action":"subscribe","subscribe":"trade","pair":"doge_usdt"}"#)
            #expect(try await ws.lbankError()["message"].string?.contains("doge_usdt") == true)
            // `incrdepth` is not served (README).
            ws.send(#"{"action":"subscribe","subscribe":"incrdepth","depth":"100","pair":"btc_usdt"}"#)
            #expect(try await ws.lbankError()["message"].string == "Invalid subscribe 'incrdepth'")
            // Every server message was a text frame.
            #expect(!ws.events.items.contains("binary"))
            await ws.disconnect()
        }
    }

    @Test func serverPingAnsweredKeepsTheSocketUnansweredClosesIt() async throws {
        let options = LBankOptions(pingInterval: .milliseconds(150), pongTimeout: .milliseconds(400))
        try await withLBank(options: options) { h in
            let ws = try await h.connect()
            for _ in 0..<4 {
                let ping = try await ws.next(timeout: .seconds(5)) { $0["action"].string == "ping" }
                #expect(ping.keys == ["action", "ping"])
                let id = try #require(ping["ping"].string)
                #expect(id.count == 36)
                ws.send(#"{"action":"pong","pong":"\#(id)"}"#)
            }
            #expect(!ws.events.items.contains("closed"))
            await ws.disconnect()

            let silent = try await h.connect()
            _ = try await silent.next(timeout: .seconds(5)) { $0["action"].string == "ping" }
            try await silent.waitClosed(timeout: .seconds(5))
        }
    }

    @Test func depthIsTheFullTopNOnEveryPush() async throws {
        try await withLBank { h in
            h.exchange.stepFlow(actions: 300, symbol: btcUSDT)
            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"depth","depth":"10","pair":"btc_usdt"}"#)
            let first = try await ws.lbank("depth", pair: "btc_usdt")
            #expect(first["count"].int == 10 && first["SERVER"].string == "V2")
            var top = try exchangeTop(h.exchange, btcUSDT, depth: 10)
            #expect(same(lbankLevels(first["depth"]["bids"]), top.bids))
            #expect(same(lbankLevels(first["depth"]["asks"]), top.asks))
            // A number `depth` is accepted too (ccxt, nodejs SDK).
            ws.send(#"{"action":"subscribe","subscribe":"depth","depth":50,"pair":"eth_usdt"}"#)
            let eth = try await ws.lbank("depth", pair: "eth_usdt")
            #expect(eth["count"].int == 50)
            // After more flow: the latest push is the exchange's top 10 again (replace, never merge).
            for _ in 0..<5 {
                h.exchange.stepFlow(actions: 40, symbol: btcUSDT)
                top = try exchangeTop(h.exchange, btcUSDT, depth: 10)
                let expected = top
                let push = try await ws.next { m in
                    m["type"].string == "depth" && m["pair"].string == "btc_usdt"
                        && same(lbankLevels(m["depth"]["bids"]), expected.bids) && same(lbankLevels(m["depth"]["asks"]), expected.asks)
                }
                #expect(lbankLevels(push["depth"]["bids"]).count == 10)
            }
            ws.send(#"{"action":"unsubscribe","subscribe":"depth","depth":"10","pair":"btc_usdt"}"#)
            ws.send(#"{"action":"ping","ping":"fence"}"#)
            _ = try await ws.next { $0["pong"].string == "fence" }
            let seen = ws.texts.items.count
            h.exchange.stepFlow(actions: 50, symbol: btcUSDT)
            try await Task.sleep(for: .milliseconds(200))
            #expect(!ws.texts.items.dropFirst(seen).contains { TJ.parse($0)["pair"].string == "btc_usdt" })
            await ws.disconnect()
        }
    }

    @Test func tradeAmountIsQuoteValueAndTickFollows() async throws {
        try await withLBank { h in
            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"trade","pair":"btc_usdt"}"#)
            ws.send(#"{"action":"subscribe","subscribe":"tick","pair":"btc_usdt"}"#)
            let firstTick = try await ws.lbank("tick", pair: "btc_usdt")
            #expect(firstTick["tick"]["latest"].raw != nil)
            // A market buy through the seeded asks: one push per trade.
            let before = h.exchange.recentTrades(btcUSDT, limit: 1_000).last?.tradeID ?? 0
            _ = try h.exchange.placeOrder(AccountID(1), .market(btcUSDT, .buy, quantity: "0.2500"))
            let trades = h.exchange.recentTrades(btcUSDT, limit: 1_000).filter { $0.tradeID > before }
            #expect(!trades.isEmpty)
            for expected in trades {
                let t = try await ws.lbank("trade", pair: "btc_usdt")
                let volume = try #require(t["trade"]["volume"].raw), price = try #require(t["trade"]["price"].raw)
                #expect(volume == expected.trade.quantity.description && price == expected.trade.price.description)
                // `amount` is the quote value, exactly price × volume (§4).
                let amount = try #require(t["trade"]["amount"].raw)
                #expect(amount == (FixedDecimal(price)! * FixedDecimal(volume)!).description)
                #expect(t["trade"]["direction"].string == "buy_market")
                #expect(t["trade"]["TS"].string?.count == 23)
            }
            let last = trades.last!.trade.price.description
            let tick = try await ws.next { $0["type"].string == "tick" && $0["tick"]["latest"].raw == last }
            #expect(tick["tick"]["dir"].string == "buy")
            await ws.disconnect()
        }
    }

    @Test func oneShotRequests() async throws {
        try await withLBank { h in
            h.exchange.stepFlow(actions: 100, symbol: btcUSDT)
            let ws = try await h.connect()
            ws.send(#"{"action":"request","request":"depth","depth":"10","pair":"btc_usdt"}"#)
            let d = try await ws.lbank("depth")
            let top = try exchangeTop(h.exchange, btcUSDT, depth: 10)
            #expect(same(lbankLevels(d["bids"]), top.bids) && same(lbankLevels(d["asks"]), top.asks))
            ws.send(#"{"action":"request","request":"trade","pair":"btc_usdt","size":"5"}"#)
            let t = try await ws.lbank("trade")
            #expect(t["columns"].array.count == 4 && t["trades"].array.count <= 5)
            ws.send(#"{"action":"request","request":"tick","pair":"btc_usdt"}"#)
            #expect(try await ws.lbank("tick")["tick"]["vol"].raw != nil)
            await ws.disconnect()
        }
    }

    @Test func kbarSlotsOpenInBeijingTime() {
        // The notes' push: TS 2019-06-28T17:49:22.722 (+08) lies in the 5min bar `t` 17:45:00.000.
        let ts: Timestamp = 1_561_715_362_722_000
        func open(_ micros: Timestamp, _ slot: String) -> String { LBankTime.string(LBankKbar.open(micros, slot: slot) * 1_000_000) }
        #expect(open(ts, "1min") == "2019-06-28T17:49:00.000")
        #expect(open(ts, "5min") == "2019-06-28T17:45:00.000")
        #expect(open(ts, "15min") == "2019-06-28T17:45:00.000")
        #expect(open(ts, "30min") == "2019-06-28T17:30:00.000")
        #expect(open(ts, "1hr") == "2019-06-28T17:00:00.000")
        #expect(open(ts, "4hr") == "2019-06-28T16:00:00.000")
        #expect(open(ts, "day") == "2019-06-28T00:00:00.000")
        #expect(open(ts, "week") == "2019-06-24T00:00:00.000")  // Monday
        #expect(open(ts, "month") == "2019-06-01T00:00:00.000")
        #expect(open(ts, "year") == "2019-01-01T00:00:00.000")
        // 2019-06-30T16:30Z is already July 1st in Beijing.
        #expect(open(1_561_912_200_000_000, "month") == "2019-07-01T00:00:00.000")
        #expect(open(1_561_912_200_000_000, "day") == "2019-07-01T00:00:00.000")
        #expect(!LBankKbar.isSlot("2min") && !LBankKbar.isSlot("1h") && LBankKbar.isSlot("year"))
    }

    /// The bar of `slot` holding the last trade, from the exchange's own trades: (open, high,
    /// low, close, volume, turnover, count, `t`).
    private func expectedBar(_ ex: SimulatedExchange, _ slot: String) throws -> [String] {
        let all = ex.recentTrades(btcUSDT, limit: 1_000)
        let last = try #require(all.last)
        let id = LBankKbar.open(last.trade.timestamp, slot: slot)
        let ts = all.filter { LBankKbar.open($0.trade.timestamp, slot: slot) == id }
        let p = ts.map(\.trade.price)
        let v = ts.dropFirst().reduce(ts[0].trade.quantity) { $0 + $1.trade.quantity }
        let a = ts.dropFirst().reduce(ts[0].trade.price * ts[0].trade.quantity) { $0 + $1.trade.price * $1.trade.quantity }
        return [p.first!.description, p.max()!.description, p.min()!.description, p.last!.description,
                v.description, a.description, "\(ts.count)", LBankTime.string(id * 1_000_000)]
    }

    private func fields(_ m: TJ) -> [String] {
        let k = m["kbar"]
        return [k["o"].raw, k["h"].raw, k["l"].raw, k["c"].raw, k["v"].raw, k["a"].raw, k["n"].raw, k["t"].string]
            .map { $0 ?? "?" }
    }

    @Test func kbarPushesTheCurrentBarAfterTradesUntilUnsubscribed() async throws {
        try await withLBank { h in
            let ws = try await h.connect()
            // No acknowledgement (§3): no error, the socket stays usable.
            ws.send(#"{"action":"subscribe","subscribe":"kbar","kbar":"day","pair":"btc_usdt"}"#)
            ws.send(#"{"action":"ping","ping":"fence1"}"#)
            _ = try await ws.next { $0["pong"].string == "fence1" }
            #expect(!ws.texts.items.contains { TJ.parse($0)["status"].string == "error" })
            // A cross: one push of the day bar that matches the exchange's trades exactly.
            _ = try h.exchange.placeOrder(AccountID(1), .market(btcUSDT, .buy, quantity: "0.2500"))
            _ = try h.exchange.placeOrder(AccountID(2), .market(btcUSDT, .sell, quantity: "0.1000"))
            let day = try expectedBar(h.exchange, "day")
            let push = try await ws.next { m in
                m["type"].string == "kbar" && m["kbar"]["slot"].string == "day" && m["kbar"]["n"].raw == day[6]
            }
            #expect(fields(push) == day)
            #expect(push["pair"].string == "btc_usdt" && push["SERVER"].string == "V2" && push["TS"].string?.count == 23)
            // A later subscribe pushes its slot's current bar at once (the option's default).
            ws.send(#"{"action":"subscribe","subscribe":"kbar","kbar":"1hr","pair":"btc_usdt"}"#)
            let hour = try await ws.next { $0["type"].string == "kbar" && $0["kbar"]["slot"].string == "1hr" }
            #expect(fields(hour) == (try expectedBar(h.exchange, "1hr")))
            // Unsubscribed: no more kbar pushes.
            ws.send(#"{"action":"unsubscribe","subscribe":"kbar","kbar":"day","pair":"btc_usdt"}"#)
            ws.send(#"{"action":"unsubscribe","subscribe":"kbar","kbar":"1hr","pair":"btc_usdt"}"#)
            ws.send(#"{"action":"ping","ping":"fence2"}"#)
            _ = try await ws.next { $0["pong"].string == "fence2" }
            let seen = ws.texts.items.count
            _ = try h.exchange.placeOrder(AccountID(1), .market(btcUSDT, .buy, quantity: "0.0500"))
            try await Task.sleep(for: .milliseconds(200))
            #expect(!ws.texts.items.dropFirst(seen).contains { TJ.parse($0)["type"].string == "kbar" })
            await ws.disconnect()
        }
    }

    @Test func kbarBadRequestsGetTheErrorReply() async throws {
        try await withLBank { h in
            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"kbar","kbar":"2min","pair":"btc_usdt"}"#)
            let bad = try await ws.lbankError()
            #expect(bad["message"].string == "Invalid kbar '2min'" && bad["SERVER"].string == "V2" && bad["TS"].string != nil)
            ws.send(#"{"action":"subscribe","subscribe":"kbar","pair":"btc_usdt"}"#)
            #expect(try await ws.lbankError()["message"].string == "Missing parameter ['kbar']")
            ws.send(#"{"action":"subscribe","subscribe":"kbar","kbar":"5min","pair":"nope_usdt"}"#)
            #expect(try await ws.lbankError()["message"].string == "Invalid pair 'nope_usdt'")
            ws.send(#"{"action":"unsubscribe","subscribe":"kbar","kbar":"7min","pair":"btc_usdt"}"#)
            #expect(try await ws.lbankError()["message"].string == "Invalid kbar '7min'")
            // Still serving: a valid subscribe pushes after a cross.
            ws.send(#"{"action":"subscribe","subscribe":"kbar","kbar":"5min","pair":"btc_usdt"}"#)
            ws.send(#"{"action":"ping","ping":"alive"}"#)
            _ = try await ws.next { $0["pong"].string == "alive" }
            _ = try h.exchange.placeOrder(AccountID(1), .market(btcUSDT, .buy, quantity: "0.0100"))
            let k = try await ws.lbank("kbar", pair: "btc_usdt")
            #expect(k["kbar"]["slot"].string == "5min" && k["kbar"]["n"].int ?? 0 >= 1)
            await ws.disconnect()
        }
    }
}
