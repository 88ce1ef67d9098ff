import HFTCore
@testable import HFTSimulator
import Testing

/// `[["p","q"]…]` as strings.
func bgeLevels(_ side: TJ) -> [(String, String)] { side.array.map { ($0[0].string ?? "?", $0[1].string ?? "?") } }

/// The BGE front-end's WebSocket V2 (protocols/bge.md §1–§6) over a raw loopback client.
@Suite(.serialized) struct BGEWebSocketTests {
    @Test func registeredAsBuiltIn() {
        #expect(VenueSimulators.available.contains(.bge))
        let ex = try? SimulatedExchange(config: .preset(for: .bge))
        #expect(ex.map { VenueSimulators.factories[.bge]?($0) is BGESimulator } == true)
    }

    @Test func signatureIsBase64HMACSHA256OfTheTimestamp() {
        // Expected values computed independently with Python's hmac/base64 (bge.md has no vector).
        #expect(BGESigner.sign(secret: "sim-secret-x", prehash: "1635065532000") == "nyALXwHRGnZ/hH9+ACmuOHgtGOXQyHr/88zgpxW92kU=")
        let body = #"{"product":"BTC_USDT","side":"buy","type":"limit","price":"2.00","size":"3.3"}"#
        let pre = BGESigner.prehash(timestamp: "2022-01-08T07:19:56.339Z", method: "post", path: "/hk/v1/orders", body: body)
        #expect(BGESigner.sign(secret: "c8a1d7f35e1b4a3c9f0e2d6b7a8c9d01", prehash: pre) == "4kHli+IZflA5xUVsBJbiUjZJhahsYcZqnU3xDcz/PTY=")
        #expect(BGESigner.prehash(timestamp: "1", method: "GET", path: "/v1/orders", query: "product=BTC_USDT") == "1GET/v1/orders?product=BTC_USDT")
        #expect(BGEAuth.milliseconds("2022-01-08T07:19:56.339Z") == 1_641_626_396_339)
        #expect(BGEAuth.milliseconds("1970-01-01T00:00:01Z") == 1_000)
        #expect(BGEAuth.milliseconds("2022-13-08T07:19:56Z") == nil)
        #expect(BGEAuth.milliseconds("1641626396339") == 1_641_626_396_339)
    }

    @Test func subscribeAckAndOrderbookIsTheFullTopN() async throws {
        try await withBGE { h in
            #expect(h.endpoints["ws"]!.hasSuffix("/v2/ws"))
            #expect(h.endpoints["rest"]!.hasSuffix("/hk"))
            h.exchange.stepFlow(actions: 300, symbol: btcUSDT)
            let ws = try await h.connect()
            ws.send(#"{"event":"sub","biz":"market","type":"orderbook","product":"BTC_USDT","interval":6,"zip":false}"#)
            let ack = try await ws.bge("orderbook", event: "sub")
            #expect(ack.keys == ["biz", "type", "product", "ts", "code", "status", "event", "interval"])
            #expect(ack["code"].int == 200 && ack["status"].string == "OK" && ack["interval"].int == 6)
            let push = try await ws.bge("orderbook")
            #expect(push.keys == ["id", "biz", "type", "data", "product", "interval"])
            #expect(push["interval"].string == "6" && push["product"].string == "BTC_USDT" && push["biz"].string == "market")
            let top = try exchangeTop(h.exchange, btcUSDT, depth: 20)
            #expect(!top.bids.isEmpty && !top.asks.isEmpty)
            #expect(same(bgeLevels(push["data"]["bids"]), top.bids))
            #expect(same(bgeLevels(push["data"]["asks"]), top.asks))
            #expect(push["data"]["seq_id"].int != nil)
            // Trading moves the book: the next push is again the full top 20.
            h.exchange.stepFlow(actions: 50, symbol: btcUSDT)
            try await Task.sleep(for: .milliseconds(700))
            let last = try #require(ws.received { $0["type"].string == "orderbook" && $0["event"].string == nil }.last)
            let now = try exchangeTop(h.exchange, btcUSDT, depth: 20)
            #expect(same(bgeLevels(last["data"]["bids"]), now.bids) && same(bgeLevels(last["data"]["asks"]), now.asks))
            // Unsubscribe: ack, then no more pushes.
            ws.send(#"{"event":"unsub","biz":"market","type":"orderbook","product":"BTC_USDT","interval":6,"zip":false}"#)
            _ = try await ws.bge("orderbook", event: "unsub")
            let count = ws.received { $0["type"].string == "orderbook" }.count
            try await Task.sleep(for: .milliseconds(700))
            #expect(ws.received { $0["type"].string == "orderbook" }.count == count)
            await ws.disconnect()
        }
    }

    @Test func periodicBookPushesAndAggregatedPrecision() async throws {
        try await withBGE(options: .init(bookRefreshInterval: .milliseconds(100))) { h in
            h.exchange.stepFlow(actions: 300, symbol: ethUSDT)
            let ws = try await h.connect()
            ws.send(#"{"event":"sub","biz":"market","type":"orderbook","product":"ETH_USDT","interval":"11","zip":false}"#)
            let ack = try await ws.bge("orderbook", event: "sub")
            #expect(ack["interval"].string == "11")
            try await ws.texts.wait("three pushes without trading", timeout: .seconds(5)) { items in
                items.filter { TJ.parse($0)["type"].string == "orderbook" && TJ.parse($0)["event"].string == nil }.count >= 3
            }
            let push = try await ws.bge("orderbook")
            // Code 11: one price decimal, ≤ 20 levels, bids descending, asks ascending.
            let bids = bgeLevels(push["data"]["bids"]), asks = bgeLevels(push["data"]["asks"])
            #expect(bids.count <= 20 && asks.count <= 20 && !bids.isEmpty)
            #expect(bids.allSatisfy { $0.0.split(separator: ".").last?.count == 1 })
            let bp = bids.compactMap { try? FixedDecimal.parse(bytes: Array($0.0.utf8)) }
            let ap = asks.compactMap { try? FixedDecimal.parse(bytes: Array($0.0.utf8)) }
            #expect(bp.count == bids.count && ap.count == asks.count)
            #expect(zip(bp, bp.dropFirst()).allSatisfy { $0 > $1 } && zip(ap, ap.dropFirst()).allSatisfy { $0 < $1 })
            await ws.disconnect()
        }
    }

    @Test func booksOnlyAtTheCadenceWhenPushesOnChangeAreOff() async throws {
        try await withBGE(options: .init(bookRefreshInterval: .milliseconds(500), bookPushesOnChange: false)) { h in
            h.exchange.stepFlow(actions: 300, symbol: ethUSDT)
            let ws = try await h.connect()
            ws.send(#"{"event":"sub","biz":"market","type":"orderbook","product":"ETH_USDT","interval":"0","zip":false}"#)
            _ = try await ws.bge("orderbook", event: "sub")
            let pushes: @Sendable ([String]) -> Int = { items in
                items.filter { TJ.parse($0)["type"].string == "orderbook" && TJ.parse($0)["event"].string == nil }.count
            }
            try await ws.texts.wait("the first cadence push", timeout: .seconds(5)) { pushes($0) >= 1 }
            let start = ContinuousClock.now
            let before = pushes(ws.texts.items)
            // Busy flow for ~1.2 s: on-change pushes would be dozens; the cadence allows ≤ 3.
            while ContinuousClock.now - start < .milliseconds(1_200) {
                h.exchange.stepFlow(actions: 20, symbol: ethUSDT)
                try await Task.sleep(for: .milliseconds(20))
            }
            let during = pushes(ws.texts.items) - before
            #expect(during >= 1 && during <= 4, "\(during) orderbook pushes in 1.2 s")
            await ws.disconnect()
        }
    }

    @Test func fillsTickerPercent10() async throws {
        try await withBGE { h in
            h.exchange.stepFlow(actions: 200, symbol: btcUSDT)
            let ws = try await h.connect()
            for t in ["fills", "ticker", "percent10"] {
                ws.send(#"{"event":"sub","biz":"market","type":"\#(t)","product":"BTC_USDT","zip":false}"#)
                _ = try await ws.bge(t, event: "sub")
            }
            let ticker = try await ws.seen("a ticker push") { $0["type"].string == "ticker" && $0["event"].string == nil }
            #expect(ticker["data"].array.count == 1 && ticker["data"][0]["close"].string != nil)
            let p10 = try await ws.seen("a percent10 push") { $0["type"].string == "percent10" && $0["event"].string == nil }
            #expect(p10["seq_id"].int != nil && p10["data"]["seq_id"].int == p10["seq_id"].int)
            let trades = h.exchange.recentTrades(btcUSDT, limit: 1).count
            var fills: TJ?
            for _ in 0..<20 where fills == nil {
                h.exchange.stepFlow(actions: 50, symbol: btcUSDT)
                fills = try? await ws.next(timeout: .milliseconds(500)) { $0["type"].string == "fills" }
            }
            let f = try #require(fills, "no trade in 1000 flow actions (had \(trades))")
            let t0 = f["data"][0]
            #expect(t0.keys == ["vol", "ts", "price", "direction", "id"])
            #expect(["buy", "sell"].contains(t0["direction"].string ?? "") && t0["id"].int != nil && f["id"].string != nil)
            // req ticker: data is an object.
            ws.send(#"{"event":"req","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#)
            let req = try await ws.bge("ticker", event: "req")
            #expect(req["code"].int == 200 && req["data"]["close"].string != nil && req["data"].array.isEmpty)
            await ws.disconnect()
        }
    }

    @Test func candlesPushAndHistory() async throws {
        #expect(BGECandles.bucket(1_689_144_487_000_000, interval: 900) == 1_689_144_300)
        #expect(BGECandles.bucket(1_700_000_000_000_000, interval: 604_800) == 1_699_833_600)  // Monday 2023-11-13
        try await withBGE { h in
            let ws = try await h.connect()
            ws.send(#"{"event":"sub","biz":"market","type":"candles","product":"BTC_USDT","interval":"1min","zip":false}"#)
            #expect(try await ws.bge("candles", event: "sub")["interval"].string == "1min")
            var bar: TJ?
            for _ in 0..<20 where bar == nil {
                h.exchange.stepFlow(actions: 50, symbol: btcUSDT)
                bar = try? await ws.next(timeout: .milliseconds(500)) { $0["type"].string == "candles" && $0["event"].string == nil }
            }
            let b = try #require(bar)
            #expect(b["interval"].string == "1min" && b["data"]["id"].int.map { $0 % 60 == 0 } == true)
            #expect(b["data"].keys == ["id", "open", "close", "high", "low", "filled_size", "vol", "count", "seq_id"])
            let now = WallClock.milliseconds() / 1_000
            ws.send(#"{"event":"req","biz":"market","type":"candles","product":"BTC_USDT","interval":"1min","zip":false,"from":\#(now - 3_600),"to":\#(now + 60)}"#)
            let hist = try await ws.bge("candles", event: "req")
            #expect(hist["code"].int == 200 && !hist["data"].array.isEmpty)
            let trades = h.exchange.recentTrades(btcUSDT, limit: 10_000).count
            #expect(hist["data"].array.reduce(Int64(0)) { $0 + ($1["count"].int ?? 0) } == Int64(trades))
            ws.send(#"{"event":"sub","biz":"market","type":"candles","product":"BTC_USDT","interval":"2min","zip":false}"#)
            _ = try await ws.next { $0["event"].string == "sub" && $0["code"].string == "400" }
            await ws.disconnect()
        }
    }

    @Test func zipSendsGzipBinaryPushesAcksStayText() async throws {
        try await withBGE(options: .init(bookRefreshInterval: nil)) { h in
            h.exchange.stepFlow(actions: 200, symbol: btcUSDT)
            let ws = try await h.connect()
            ws.send(#"{"event":"sub","biz":"market","type":"orderbook","product":"BTC_USDT","interval":0,"zip":true}"#)
            _ = try await ws.bge("orderbook", event: "sub")
            let push = try await ws.bge("orderbook")
            #expect(push["data"]["bids"].array.count > 0)
            // One binary frame: the snapshot; the ack came as text.
            try await Task.sleep(for: .milliseconds(200))
            #expect(ws.events.items.filter { $0 == "binary" }.count == 1 && ws.texts.items.count == 2)
            #expect(!ws.texts.items.contains { $0.hasPrefix("<bad") })
            await ws.disconnect()
        }
    }

    @Test func errorsUseTheNotesCodes() async throws {
        try await withBGE { h in
            let ws = try await h.connect()
            ws.send("not json")
            let e1 = try await ws.next { $0["code"].string == "400" }
            #expect(e1.keys == ["code", "msg"])
            ws.send(#"{"event":"sub","biz":"market","type":"orderbook","product":"DOGE_USDT","interval":0,"zip":false}"#)
            let e2 = try await ws.next { $0["event"].string == "sub" && $0["code"].string == "400" }
            #expect(e2["msg"].string?.contains("DOGE_USDT") == true)
            ws.send(#"{"event":"sub","biz":"market","type":"orderbook","product":"BTC_USDT","interval":12,"zip":false}"#)
            _ = try await ws.next { $0["event"].string == "sub" && $0["code"].string == "400" }
            ws.send(#"{"event":"sub","biz":"exchange","type":"orders","product":"all","zip":false}"#)
            _ = try await ws.next { $0["event"].string == "sub" && $0["code"].string == "401" }
            ws.send(#"{"event":"login","params":{"type":"api","access_sign":"x","access_timestamp":1}}"#)
            #expect(try await ws.next { $0["event"].string == "login" }["code"].int == 40001)
            ws.send(#"{"event":"login","params":{"type":"api","access_key":"sim-key-1","access_timestamp":1}}"#)
            #expect(try await ws.next { $0["event"].string == "login" }["code"].int == 40002)
            ws.send(#"{"event":"login","params":{"type":"api","access_key":"sim-key-1","access_sign":"x"}}"#)
            #expect(try await ws.next { $0["event"].string == "login" }["code"].int == 40003)
            ws.send(BGEHarness.loginFrame(1, timestamp: WallClock.milliseconds() - 60_000))
            #expect(try await ws.next { $0["event"].string == "login" }["code"].int == 40008)
            ws.send(BGEHarness.loginFrame(1, secret: "wrong"))
            let bad = try await ws.next { $0["event"].string == "login" }
            #expect(bad["code"].int == 40010 && bad["msg"].string == "API verification failed")
            ws.send(BGEHarness.loginFrame(1).replacingOccurrences(of: "sim-key-1", with: "nobody"))
            #expect(try await ws.next { $0["event"].string == "login" }["code"].int == 40006)
            ws.send(BGEHarness.loginFrame(1))
            let ok = try await ws.next { $0["event"].string == "login" }
            #expect(ok.keys == ["ts", "code", "status", "event"] && ok["code"].int == 200)
            await ws.disconnect()
        }
    }

    @Test func serverPingAnsweredKeepsTheSocketUnansweredClosesIt() async throws {
        let options = BGEOptions(pingInterval: .milliseconds(150), pongTimeout: .milliseconds(400))
        try await withBGE(options: options) { h in
            let ws = try await h.connect()
            ws.send(#"{"event":"sub","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#)
            for _ in 0..<4 {
                let ping = try await ws.next(timeout: .seconds(5)) { $0["ping"].int != nil }
                #expect(ping.keys == ["ping"])
                ws.send(#"{"pong":\#(ping["ping"].int!)}"#)
            }
            #expect(!ws.events.items.contains("closed"))
            await ws.disconnect()

            let silent = try await h.connect()
            silent.send(#"{"event":"sub","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#)
            _ = try await silent.next(timeout: .seconds(5)) { $0["ping"].int != nil }
            try await silent.waitClosed(timeout: .seconds(5))
        }
    }

    @Test func noSubscriptionInTimeCloses() async throws {
        try await withBGE(options: .init(subscribeTimeout: .milliseconds(300))) { h in
            let idle = try await h.connect()
            let busy = try await h.connect()
            busy.send(#"{"event":"sub","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#)
            try await idle.waitClosed(timeout: .seconds(5))
            try await Task.sleep(for: .milliseconds(300))
            #expect(!busy.events.items.contains("closed"))
            await busy.disconnect()
        }
    }

    @Test func moreThanFiftyMessagesASecondCloses() async throws {
        try await withBGE { h in
            let req = #"{"event":"req","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#
            let ok = try await h.connect()
            for _ in 0..<50 { ok.send(req) }
            try await ok.texts.wait("50 replies", timeout: .seconds(5)) { $0.count >= 50 }
            #expect(!ok.events.items.contains("closed"))
            await ok.disconnect()

            let ws = try await h.connect()
            for _ in 0..<51 { ws.send(req) }
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.events.items.contains("close:1008") && ws.texts.items.count <= 50)
        }
    }
}
