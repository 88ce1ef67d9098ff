import HFTCore
@testable import HFTSimulator
import Testing

/// The DigiFinex front-end's WebSocket (protocols/digifinex.md §1–§5) over a raw loopback client.
@Suite(.serialized) struct DigiFinexWebSocketTests {
    @Test func vectorD4FramesDecodeAndRawDeflateIsRefused() {
        #expect(zlibFrameText(hexBytes("789cab564a2d2aca2f52b2ca2bcdc9d1512a4a2d2ecd2951b2522ac8cf4b57d251ca4c51b23234323634aa050027a30d0d"))
            == #"{"error":null,"result":"pong","id":12312}"#)
        #expect(zlibFrameText(hexBytes("789c05c1310a00210c04c0bf6c6da376f9cda12984e04136a9c4bf3b73a0eebf43769a15b8322d20078c2f921030c75012b7604d486dbdb6fb00206c126c"))
            == #"{"error":null,"result":{"status":"success"},"id":12312}"#)
        #expect(zlibFrameText(hexBytes("ab564a2d2aca2f52b2ca2bcdc9d1512a4a2d2ecd2951b2522ac8cf4b57d251ca4c51b23234323634aa0500")).hasPrefix("<bad zlib"))
        // The simulator's own compressor: zlib header, Adler-32 trailer.
        let text = #"{"error":null,"result":"pong","id":1}"#
        let bytes = Array(ServerCompression.zlib.compress(text).readableBytesView)
        #expect(bytes.first == 0x78)
        #expect(zlibFrameText(bytes) == text)
    }

    @Test func reusedCompressorEmitsOneCompleteStreamPerMessage() {
        let c = DigiFinexCompressor(.zlib)
        for i in 0..<3 {
            let text = #"{"method":"depth.update","params":[false,{"asks":[],"bids":[["1.0\#(i)","2"]]},"BTC_USDT"],"id":null}"#
            let bytes = Array(c.compress(Array(text.utf8)).readableBytesView)
            #expect(bytes.first == 0x78 && zlibFrameText(bytes) == text)
        }
    }

    @Test func pingTimeAndErrorsAreZlibBinaryFrames() async throws {
        try await withDigiFinex { h in
            #expect(h.endpoints["ws"]!.hasSuffix("/ws/v1/"))
            #expect(h.endpoints["rest"]!.hasSuffix("/v3"))
            let ws = try await h.connect()
            ws.send(#"{"id":7,"method":"server.ping","params":[]}"#)
            #expect(try await ws.next() == #"{"error":null,"result":"pong","id":7}"#)
            ws.send(#"{"id":8,"method":"server.time"}"#)
            let time = try await ws.reply(8)
            let now = Int64(WallClock.milliseconds() / 1_000)
            #expect(time["error"].isNull && abs((time["result"].int ?? 0) - now) <= 2)
            ws.send(#"{"id":9,"method":"depth.query","params":[]}"#)
            #expect(try await ws.next() == #"{"error":{"code":4,"message":"method not found"},"result":null,"id":9}"#)
            ws.send(#"{"id":10,"method":"depth.subscribe","params":["btc_usdt"]}"#)
            #expect(try await ws.reply(10)["error"]["code"].int == 1)
            ws.send("not json")
            #expect(try await ws.next() == #"{"error":{"code":1,"message":"invalid argument"},"result":null,"id":null}"#)
            // Every server message came as a binary frame holding a checked zlib stream.
            #expect(ws.events.items.filter { $0 == "binary" }.count == ws.texts.items.count)
            #expect(!ws.texts.items.contains { $0.hasPrefix("<bad zlib") })
            await ws.disconnect()
        }
    }

    @Test func authSuccessAndFailures() async throws {
        try await withDigiFinex { h in
            let ws = try await h.connect()
            ws.send(#"{"id":1,"method":"order.subscribe","params":["BTC_USDT"]}"#)
            #expect(try await ws.reply(1)["error"]["code"].int == 6)
            let bad = try await h.auth(ws, id: 2, secret: "wrong")
            #expect(bad["error"]["code"].int == 6 && bad["result"].isNull)
            let stale = try await h.auth(ws, id: 3, timestamp: WallClock.milliseconds() - 120_000)
            #expect(!stale["error"].isNull)
            ws.send(#"{"id":4,"method":"server.auth","params":["nobody","1","x"]}"#)
            #expect(!(try await ws.reply(4))["error"].isNull)
            let good = try await h.auth(ws, id: 5)
            #expect(good.description == #"{"error":null,"result":{"status":"success"},"id":5}"#)
            ws.send(#"{"id":6,"method":"order.subscribe","params":["BTC_USDT"]}"#)
            #expect(try await ws.reply(6)["error"].isNull)
            ws.send(#"{"id":7,"method":"balance.subscribe","params":["USDT","BTC"]}"#)
            #expect(try await ws.reply(7)["error"].isNull)
            ws.send(#"{"id":8,"method":"order_algo.subscribe","params":["BTC_USDT"]}"#)
            #expect(try await ws.reply(8)["error"].isNull)
            ws.send(#"{"id":9,"method":"balance.subscribe","params":["DOGE"]}"#)
            #expect(try await ws.reply(9)["error"]["code"].int == 1)
            await ws.disconnect()
        }
    }

    @Test func depthCleanSnapshotThenDeltasKeepTheEngineTopLevels() async throws {
        try await withDigiFinex(options: .init(depthLevels: 5)) { h in
            h.exchange.stepFlow(actions: 200, symbol: btcUSDT)
            let ws = try await h.connect()
            ws.send(#"{"id":1,"method":"depth.subscribe","params":["BTC_USDT"]}"#)
            #expect(try await ws.reply(1).description == #"{"error":null,"result":{"status":"success"},"id":1}"#)
            let snap = try await ws.push("depth.update", symbol: "BTC_USDT")
            #expect(snap["params"][0].bool == true)
            #expect(snap["id"].isNull)
            // Observed order: asks highest first in the snapshot (§5).
            let askPrices = snap["params"][1]["asks"].array.map { FixedDecimal($0[0].string!)! }
            #expect(askPrices.count == 5 && askPrices == askPrices.sorted(by: >))
            var book = DigiFinexTestBook()
            book.apply(snap)
            var top = try exchangeTop(h.exchange, btcUSDT, depth: 5)
            #expect(same(book.sortedBids, top.bids) && same(book.sortedAsks, top.asks))

            h.exchange.stepFlow(actions: 300, symbol: btcUSDT)
            top = try exchangeTop(h.exchange, btcUSDT, depth: 5)
            while !(same(book.sortedBids, top.bids) && same(book.sortedAsks, top.asks)) {
                let m = try await ws.push("depth.update", symbol: "BTC_USDT")
                #expect(m["params"][0].bool == false)
                book.apply(m)
            }
            #expect(book.deltas > 0 && book.snapshots == 1)
            // A second subscribe starts again with a clean book.
            ws.send(#"{"id":2,"method":"depth.subscribe","params":["BTC_USDT"]}"#)
            _ = try await ws.reply(2)
            let again = try await ws.push("depth.update", symbol: "BTC_USDT")
            #expect(again["params"][0].bool == true)
            await ws.disconnect()
        }
    }

    @Test func tradesCleanBatchNewestFirstThenNewTrades() async throws {
        try await withDigiFinex(flows: false) { h in
            let alice = h.exchange.account(forAPIKey: "sim-key-1")!, bob = h.exchange.account(forAPIKey: "sim-key-2")!
            _ = try h.exchange.placeOrder(alice, .limit(btcUSDT, .sell, quantity: "0.010000", price: "80000.00"))
            _ = try h.exchange.placeOrder(bob, .market(btcUSDT, .buy, quantity: "0.004000"))
            _ = try h.exchange.placeOrder(bob, .market(btcUSDT, .buy, quantity: "0.003000"))
            let ws = try await h.connect()
            ws.send(#"{"id":1,"method":"trades.subscribe","params":["BTC_USDT"]}"#)
            _ = try await ws.reply(1)
            let batch = try await ws.push("trades.update", symbol: "BTC_USDT")
            #expect(batch["params"][0].bool == true)
            let trades = batch["params"][1].array
            #expect(trades.map { $0["id"].int } == [2, 1])
            #expect(trades[0].keys == ["id", "time", "price", "amount", "type"])
            #expect(trades[0]["price"].string == "80000.00" && trades[0]["amount"].string == "0.003000")
            #expect(trades[0]["type"].string == "buy")
            let time = trades[0]["time"].raw ?? ""
            #expect(time.split(separator: ".").last?.count == 6)

            _ = try h.exchange.placeOrder(bob, .market(btcUSDT, .buy, quantity: "0.002000"))
            let next = try await ws.push("trades.update", symbol: "BTC_USDT")
            #expect(next["params"][0].bool == false)
            #expect(next["params"][1].array.map { $0["id"].int } == [3])
            #expect(next["params"][1][0]["amount"].string == "0.002000")
            await ws.disconnect()
        }
    }

    @Test func tickerShowsBookAndLastTrade() async throws {
        try await withDigiFinex(flows: false) { h in
            let alice = h.exchange.account(forAPIKey: "sim-key-1")!, bob = h.exchange.account(forAPIKey: "sim-key-2")!
            _ = try h.exchange.placeOrder(alice, .limit(btcUSDT, .sell, quantity: "0.010000", price: "80001.00"))
            _ = try h.exchange.placeOrder(alice, .limit(btcUSDT, .buy, quantity: "0.020000", price: "79999.00"))
            let ws = try await h.connect()
            ws.send(#"{"id":1,"method":"ticker.subscribe","params":["BTC_USDT"]}"#)
            _ = try await ws.reply(1)
            let t = try await ws.push("ticker.update")["params"][0]
            #expect(t.keys == ["symbol", "open_24h", "low_24h", "base_volume_24h", "quote_volume_24h", "last", "last_qty",
                               "best_bid", "best_bid_size", "best_ask", "best_ask_size", "timestamp"])
            #expect(t["symbol"].string == "BTC_USDT" && t["best_bid"].string == "79999.00" && t["best_ask_size"].string == "0.010000")
            _ = try h.exchange.placeOrder(bob, .market(btcUSDT, .buy, quantity: "0.004000"))
            let u = try await ws.push("ticker.update")["params"][0]
            #expect(u["last"].string == "80001.00" && u["last_qty"].string == "0.004000" && u["best_ask_size"].string == "0.006000")
            await ws.disconnect()
        }
    }

    @Test func allTickerPushesEverySymbolPeriodically() async throws {
        try await withDigiFinex(options: .init(allTickerInterval: .milliseconds(100))) { h in
            let ws = try await h.connect()
            ws.send(#"{"id":1,"method":"all_ticker.subscribe","params":[]}"#)
            #expect(try await ws.reply(1)["error"].isNull)
            for _ in 0..<2 {
                let m = try await ws.push("all_ticker.update", timeout: .seconds(2))
                #expect(m["params"].array.map { $0["symbol"].string } == ["BTC_USDT", "ETH_USDT"])
            }
            ws.send(#"{"id":2,"method":"all_ticker.unsubscribe","params":[]}"#)
            _ = try await ws.reply(2)
            let mark = ws.texts.items.count
            try await Task.sleep(for: .milliseconds(300))
            #expect(ws.texts.items.dropFirst(mark).isEmpty)
            await ws.disconnect()
        }
    }

    @Test func subscribeReplacesTheSymbolListAndUnsubscribeClearsIt() async throws {
        try await withDigiFinex(flows: false) { h in
            let alice = h.exchange.account(forAPIKey: "sim-key-1")!
            let ws = try await h.connect()
            ws.send(#"{"id":1,"method":"depth.subscribe","params":["BTC_USDT"]}"#)
            _ = try await ws.push("depth.update", symbol: "BTC_USDT")
            ws.send(#"{"id":2,"method":"depth.subscribe","params":["ETH_USDT"]}"#)
            _ = try await ws.push("depth.update", symbol: "ETH_USDT")
            let mark = ws.texts.items.count
            _ = try h.exchange.placeOrder(alice, .limit(btcUSDT, .buy, quantity: "0.010000", price: "70000.00"))
            _ = try h.exchange.placeOrder(alice, .limit(ethUSDT, .buy, quantity: "0.1000", price: "2000.00"))
            let eth = try await ws.push("depth.update", symbol: "ETH_USDT")
            #expect(eth["params"][0].bool == false)
            #expect(eth["params"][1]["bids"][0][0].string == "2000.00")
            ws.send(#"{"id":3,"method":"server.ping","params":[]}"#)
            _ = try await ws.reply(3)
            let btcPushes = ws.texts.items.dropFirst(mark).map(TJ.parse).filter { $0["params"].array.last?.string == "BTC_USDT" }
            #expect(btcPushes.isEmpty)

            ws.send(#"{"id":4,"method":"depth.unsubscribe","params":[]}"#)
            #expect(try await ws.reply(4)["error"].isNull)
            let after = ws.texts.items.count
            _ = try h.exchange.placeOrder(alice, .limit(ethUSDT, .buy, quantity: "0.1000", price: "2001.00"))
            ws.send(#"{"id":5,"method":"server.ping","params":[]}"#)
            _ = try await ws.reply(5)
            #expect(ws.texts.items.dropFirst(after).map(TJ.parse).filter { $0.method == "depth.update" }.isEmpty)
            await ws.disconnect()
        }
    }

    @Test func addModeKeepsEarlierSymbols() async throws {
        try await withDigiFinex(options: .init(subscribeMode: .add), flows: false) { h in
            let alice = h.exchange.account(forAPIKey: "sim-key-1")!
            let ws = try await h.connect()
            ws.send(#"{"id":1,"method":"depth.subscribe","params":["BTC_USDT"]}"#)
            _ = try await ws.push("depth.update", symbol: "BTC_USDT")
            ws.send(#"{"id":2,"method":"depth.subscribe","params":["ETH_USDT"]}"#)
            _ = try await ws.push("depth.update", symbol: "ETH_USDT")
            _ = try h.exchange.placeOrder(alice, .limit(btcUSDT, .buy, quantity: "0.010000", price: "70000.00"))
            let btc = try await ws.push("depth.update", symbol: "BTC_USDT")
            #expect(btc["params"][1]["bids"][0].array.map(\.string) == ["70000.00", "0.010000"])
            await ws.disconnect()
        }
    }
}
