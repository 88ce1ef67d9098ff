import HFTCore
@testable import HFTSimulator
import Synchronization
import Testing

/// The FMex front-end's public topics (protocols/fmex.md §5) against the engine's book.
@Suite(.serialized) struct FMexMarketDataTests {
    @Test func depthIsTheFullTopNOnEveryPush() async throws {
        try await withFMex { h in
            h.exchange.stepFlow(actions: 300, symbol: fmexPerp)
            let ws = try await h.connect()
            ws.send(#"{"cmd":"sub","args":["depth.L20.btcusd_p"],"id":"d"}"#)
            _ = try await ws.next { $0["id"].string == "d" }
            let first = try await ws.next { $0["type"].string == "depth.L20.btcusd_p" }
            #expect(first.keys == ["type", "ts", "seq", "bids", "asks"])
            let top = try exchangeTop(h.exchange, fmexPerp, depth: 20)
            #expect(!top.bids.isEmpty && !top.asks.isEmpty)
            #expect(same(fmexLevels(first["bids"]), top.bids) && same(fmexLevels(first["asks"]), top.asks))
            // Seven more contracts at the best bid: the next push is again the whole top 20.
            let best = try #require(h.exchange.bookSnapshot(fmexPerp, depth: 1).bids.first)
            let alice = try #require(h.exchange.account(forAPIKey: "sim-key-1"))
            try h.exchange.limit(alice, .buy, "7", at: best.price, symbol: fmexPerp)
            let grown = (best.quantity + FixedDecimal(7)).description
            let after = try await ws.next { m in
                m["type"].string == "depth.L20.btcusd_p" && fmexLevels(m["bids"]).first?.1 == grown
            }
            let now = try exchangeTop(h.exchange, fmexPerp, depth: 20)
            #expect(same(fmexLevels(after["bids"]), now.bids) && same(fmexLevels(after["asks"]), now.asks))
            #expect((after["seq"].int ?? 0) > (first["seq"].int ?? 0))
            await ws.disconnect()
        }
    }

    @Test func depthDeltaSnapshotThenChainedDeltasRebuildTheBook() async throws {
        try await withFMex { h in
            h.exchange.stepFlow(actions: 200, symbol: fmexPerp)
            let ws = try await h.connect()
            ws.send(#"{"cmd":"sub","args":["depth-delta.L20.btcusd_p"],"id":"dd"}"#)
            let ack = try await ws.next { $0["id"].string == "dd" }
            #expect(ack["topics"].array.first?.string == "depth-delta.L20.btcusd_p")
            let snap = try await ws.next { $0["type"].string == "depth.l20.btcusd_p" }
            #expect(snap.keys == ["type", "seq", "ts", "asks", "bids"])
            var book = FMexDeltaBook()
            book.apply(snap, snapshot: true, depth: 20)
            let top0 = try exchangeTop(h.exchange, fmexPerp, depth: 20)
            #expect(same(book.top(.buy), top0.bids) && same(book.top(.sell), top0.asks))
            // Trading moves the book; apply every delta as a client would.
            h.exchange.stepFlow(actions: 400, symbol: fmexPerp)
            let finalTop = try exchangeTop(h.exchange, fmexPerp, depth: 20)
            let seen = Mutex(0)
            _ = try await ws.texts.wait("book caught up", timeout: .seconds(10)) { texts in
                var b = FMexDeltaBook()
                var deltas = 0
                for t in texts {
                    let m = TJ.parse(t)
                    if m["type"].string == "depth.l20.btcusd_p" { b.apply(m, snapshot: true, depth: 20) }
                    if m["type"].string == "depth-delta.l20.btcusd_p" {
                        b.apply(m, snapshot: false, depth: 20)
                        deltas += 1
                    }
                }
                seen.withLock { $0 = deltas }
                return same(b.top(.buy), finalTop.bids) && same(b.top(.sell), finalTop.asks)
            }
            var b = FMexDeltaBook()
            var deltas: [TJ] = []
            for m in ws.received(where: { $0["type"].string?.hasPrefix("depth") == true }) {
                let snapshot = m["type"].string == "depth.l20.btcusd_p"
                if !snapshot { deltas.append(m) }
                b.apply(m, snapshot: snapshot, depth: 20)
            }
            #expect(!b.broken && !deltas.isEmpty && seen.withLock { $0 } > 0)
            #expect(deltas[0].keys == ["type", "seq", "pre_seq", "ts", "asks", "bids"])
            #expect(deltas[0]["pre_seq"].int == snap["seq"].int)
            // Resubscribing starts over with a new snapshot.
            ws.send(#"{"cmd":"sub","args":["depth-delta.L20.btcusd_p"],"id":"dd2"}"#)
            let again = try await ws.next { $0["type"].string == "depth.l20.btcusd_p" }
            #expect((again["seq"].int ?? 0) >= (b.seq))
            await ws.disconnect()
        }
    }

    @Test func tradesAndTickerAfterACross() async throws {
        try await withFMex(flow: false) { h in
            let alice = try #require(h.exchange.account(forAPIKey: "sim-key-1"))
            let bob = try #require(h.exchange.account(forAPIKey: "sim-key-2"))
            let ws = try await h.connect()
            ws.send(#"{"cmd":"sub","args":["trade.btcusd_p","ticker.btcusd_p","candle.M1.btcusd_p"],"id":"t"}"#)
            _ = try await ws.next { $0["id"].string == "t" }
            let empty = try await ws.next { $0["type"].string == "ticker.btcusd_p" }
            #expect(empty.keys == ["type", "seq", "ticker"] && empty["ticker"].array.count == 11)
            try h.exchange.limit(bob, .sell, "300", at: "9300.5", symbol: fmexPerp)
            try h.exchange.limit(bob, .sell, "200", at: "9301.0", symbol: fmexPerp)
            try h.exchange.limit(alice, .buy, "400", at: "9301.0", symbol: fmexPerp)
            let t1 = try await ws.next { $0["type"].string == "trade.btcusd_p" }
            #expect(t1.keys == ["type", "id", "amount", "ts", "side", "price"])
            #expect(t1["amount"].raw == "300" && t1["price"].raw == "9300.5" && t1["side"].string == "buy")
            let t2 = try await ws.next { $0["type"].string == "trade.btcusd_p" }
            #expect(t2["amount"].raw == "100" && t2["price"].raw == "9301.0" && (t2["id"].int ?? 0) > (t1["id"].int ?? 0))
            // Trades and book changes may reach the session in different batches: wait for the
            // ticker that shows both (last trade and the book after it).
            let ticker = try await ws.seen("ticker after trades") { m in
                m["type"].string == "ticker.btcusd_p" && m["ticker"][0].raw == "9301.0" && m["ticker"][4].raw == "9301.0"
            }
            let a = ticker["ticker"].array.map { $0.raw ?? "?" }
            // last, last qty, bid, bid qty, ask, ask qty, open, high, low, contracts, BTC (300/9300.5 + 100/9301, 12 dp, down)
            #expect(a == ["9301.0", "100", "0.0", "0", "9301.0", "100", "9300.5", "9301.0", "9300.5", "400", "0.043007862397"])
            let candle = try await ws.seen("candle") { $0["type"].string == "candle.M1.btcusd_p" && $0["count"].int == 2 }
            #expect(candle.keys == ["type", "id", "seq", "open", "close", "high", "low", "count", "base_vol", "quote_vol"])
            #expect(candle["open"].raw == "9300.5" && candle["close"].raw == "9301.0" && candle["base_vol"].raw == "400")
            #expect((candle["id"].int ?? 0) % 60 == 0)
            // req: trade history newest first, candle history.
            ws.send(#"{"cmd":"req","args":["trade.btcusd_p",20],"id":"r1"}"#)
            let r1 = try await ws.next { $0["id"].string == "r1" }
            #expect(r1.keys == ["id", "ts", "data"])
            #expect(r1["data"].array.map { $0["amount"].raw ?? "" } == ["100", "300"])
            #expect(r1["data"][0].keys == ["id", "amount", "ts", "side", "price", "iceberg"])
            ws.send(#"{"cmd":"req","args":["candle.M1.btcusd_p",5],"id":"r2"}"#)
            let r2 = try await ws.next { $0["id"].string == "r2" }
            #expect(r2["data"].array.count == 1 && r2["data"][0]["count"].int == 2)
            ws.send(#"{"cmd":"req","args":["nope.btcusd_p",5],"id":"r3"}"#)
            #expect(try await ws.next { $0["id"].string == "r3" }["status"].int == 41002)
            await ws.disconnect()
        }
    }
}
