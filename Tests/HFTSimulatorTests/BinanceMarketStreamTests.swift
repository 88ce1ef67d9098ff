import HFTCore
@testable import HFTSimulator
import Testing

@Suite("Binance market streams", .serialized)
struct BinanceMarketStreamTests {
    /// A client-side book following §10 from a buffered diff stream and a REST snapshot.
    struct Bridge {
        var bids: [FixedDecimal: String] = [:]
        var asks: [FixedDecimal: String] = [:]
        var id: Int64 = 0

        mutating func apply(_ e: TJ) -> Bool {
            let first = e["U"].int!, last = e["u"].int!
            if last <= id { return true }
            guard first <= id + 1 else { return false }   // gap
            for l in e["b"].array { set(&bids, l) }
            for l in e["a"].array { set(&asks, l) }
            id = last
            return true
        }

        private func set(_ side: inout [FixedDecimal: String], _ l: TJ) {
            let p = FixedDecimal(l[0].string!)!, q = l[1].string!
            side[p] = FixedDecimal(q)!.isZero ? nil : q
        }

        var topBids: [(String, String)] { bids.sorted { $0.key > $1.key }.map { (BinanceNumber.text($0.key), $0.value) } }
        var topAsks: [(String, String)] { asks.sorted { $0.key < $1.key }.map { (BinanceNumber.text($0.key), $0.value) } }
    }

    static func exchangeBook(_ ex: SimulatedExchange) throws -> (bids: [(String, String)], asks: [(String, String)]) {
        let b = try ex.bookSnapshot(binanceBTC, depth: 1_000)
        return (b.bids.map { (BinanceNumber.text($0.price), BinanceNumber.text($0.quantity)) },
                b.asks.map { (BinanceNumber.text($0.price), BinanceNumber.text($0.quantity)) })
    }

    @Test func diffDepthBridgesWithTheRESTSnapshot() async throws {
        try await withBinance { h in
            for i in 0..<5 { try h.rest(1, .buy, "0.01", at: FixedDecimal(mantissa: Int128(7_900_000 - i * 100), scale: 2)) }
            let ws = try await h.stream("/ws/btcusdt@depth@100ms")
            // Changes before the snapshot…
            try h.rest(1, .sell, "0.02", at: "80100.00")
            try await Task.sleep(for: .milliseconds(250))
            let (status, body) = try await h.rest("/api/v3/depth?symbol=BTCUSDT&limit=1000")
            #expect(status == 200)
            let snap = TJ.parse(body)
            #expect(snap.keys == ["lastUpdateId", "bids", "asks"])
            // …and after it.
            try h.rest(1, .sell, "0.03", at: "80200.00")
            _ = try h.exchange.placeOrder(AccountID(0), .market(binanceBTC, .sell, quantity: "0.015"))
            var bridge = Bridge(id: snap["lastUpdateId"].int!)
            for l in snap["bids"].array { bridge.bids[FixedDecimal(l[0].string!)!] = l[1].string! }
            for l in snap["asks"].array { bridge.asks[FixedDecimal(l[0].string!)!] = l[1].string! }
            let expected = try Self.exchangeBook(h.exchange)
            var events: [TJ] = []
            while !(same(bridge.topBids, expected.bids) && same(bridge.topAsks, expected.asks)) {
                let e = TJ.parse(try await ws.next(timeout: .seconds(5)))
                #expect(e["e"].string == "depthUpdate")
                #expect(e["pu"].isNull)   // spot: no pu
                if let last = events.last { #expect(e["U"].int == last["u"].int! + 1) }
                events.append(e)
                let applied = bridge.apply(e)
                #expect(applied)
            }
            // The snapshot lies inside the stream: some event straddles it.
            #expect(events.first!["U"].int! <= snap["lastUpdateId"].int! + 1)
            #expect(events.first!.keys == ["e", "E", "s", "U", "u", "b", "a"])
            await ws.disconnect()
        }
    }

    @Test func combinedStreamWrapsEvents() async throws {
        try await withBinance { h in
            try h.rest(1, .sell, "0.01", at: "80000.00")
            let ws = try await h.stream("/stream?streams=btcusdt@trade/btcusdt@bookTicker")
            _ = try h.exchange.placeOrder(AccountID(0), .market(binanceBTC, .buy, quantity: "0.004"))
            let trade = try await ws.next(where: { $0["stream"].string == "btcusdt@trade" })
            #expect(trade.keys == ["stream", "data"])
            #expect(trade["data"].keys == ["e", "E", "s", "t", "p", "q", "T", "m", "M"])
            #expect(trade["data"]["p"].string == "80000.00000000")
            #expect(trade["data"]["q"].string == "0.00400000")
            #expect(trade["data"]["m"].bool == false)   // the taker bought: the buyer is not the maker
            let ticker = try await ws.next(where: { $0["stream"].string == "btcusdt@bookTicker" })
            #expect(ticker["data"].keys == ["u", "s", "b", "B", "a", "A"])
            #expect(ticker["data"]["A"].string == "0.00600000")
            // Raw stream: the bare event.
            let raw = try await h.stream("/ws/btcusdt@trade")
            _ = try h.exchange.placeOrder(AccountID(0), .market(binanceBTC, .buy, quantity: "0.001"))
            let bare = TJ.parse(try await raw.next())
            #expect(bare["e"].string == "trade")
            await ws.disconnect()
            await raw.disconnect()
        }
    }

    @Test func controlMessagesAndErrors() async throws {
        try await withBinance { h in
            let ws = try await h.stream("/ws", sync: false)
            ws.send(#"{"method":"SUBSCRIBE","params":["btcusdt@trade","ethusdt@depth5@100ms"],"id":1}"#)
            let r1 = try await ws.next(where: { $0["id"].int == 1 })
            #expect(r1.description == #"{"result":null,"id":1}"#)
            ws.send(#"{"method":"LIST_SUBSCRIPTIONS","id":"list2"}"#)
            let list = try await ws.next(where: { $0["id"].string == "list2" })
            #expect(list["result"].array.compactMap(\.string) == ["btcusdt@trade", "ethusdt@depth5@100ms"])
            ws.send(#"{"method":"UNSUBSCRIBE","params":["ethusdt@depth5@100ms"],"id":3}"#)
            _ = try await ws.next(where: { $0["id"].int == 3 })
            try await Task.sleep(for: .milliseconds(1_000))   // stay under 5 messages per second
            ws.send(#"{"method":"SET_PROPERTY","params":["combined","yes"],"id":4}"#)
            let r2 = try await ws.next(where: { $0["id"].int == 4 })
            #expect(r2["error"]["code"].int == 1)
            ws.send(#"{"method":"SET_PROPERTY","params":["colour",true],"id":5}"#)
            let r3 = try await ws.next(where: { $0["id"].int == 5 })
            #expect(r3["error"]["code"].int == 0)
            try await Task.sleep(for: .milliseconds(1_000))
            ws.send(#"{"method":"SUBSCRIBER","params":["btcusdt@trade"],"id":6}"#)
            let r4 = try await ws.next(where: { $0["id"].int == 6 })
            #expect(r4["error"]["code"].int == 2)
            ws.send(#"{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":7"#)
            let bad = try await ws.next(where: { !$0["error"].isNull && $0["error"]["code"].int == 3 })
            #expect(bad["id"].isNull)
            ws.send(#"{"method":"SET_PROPERTY","params":["combined",true],"id":8}"#)
            _ = try await ws.next(where: { $0["id"].int == 8 })
            try await Task.sleep(for: .milliseconds(1_000))
            ws.send(#"{"method":"GET_PROPERTY","params":["combined"],"id":9}"#)
            let r5 = try await ws.next(where: { $0["id"].int == 9 })
            #expect(r5["result"].bool == true)
            try h.rest(1, .sell, "0.01", at: "80000.00")
            _ = try h.exchange.placeOrder(AccountID(0), .market(binanceBTC, .buy, quantity: "0.001"))
            let wrapped = try await ws.next(where: { !$0["stream"].isNull })
            #expect(wrapped["stream"].string == "btcusdt@trade")
            ws.send(#"{"method":"SUBSCRIBE","params":["btcusdt@nonsense"],"id":10}"#)
            let r6 = try await ws.next(where: { $0["id"].int == 10 })
            #expect(r6["error"]["code"].int == 2)
            await ws.disconnect()
        }
    }

    @Test func tooManyIncomingMessagesDisconnects() async throws {
        try await withBinance { h in
            let ws = try await h.stream("/ws", sync: false)
            for i in 1...7 { ws.send(#"{"method":"LIST_SUBSCRIPTIONS","id":\#(i)}"#) }
            try await ws.waitClosed()
            #expect(ws.texts.items.count <= 5)
        }
    }

    @Test func streamCapPerConnection() async throws {
        try await withBinance(options: .init(maxStreamsPerConnection: 2)) { h in
            let ws = try await h.stream("/ws/btcusdt@trade")
            ws.send(#"{"method":"SUBSCRIBE","params":["btcusdt@bookTicker","ethusdt@trade"],"id":1}"#)
            let r7 = try await ws.next(where: { $0["id"].int == 1 })
            #expect(r7["error"]["code"].int == 2)
            ws.send(#"{"method":"SUBSCRIBE","params":["btcusdt@bookTicker"],"id":2}"#)
            let r8 = try await ws.next(where: { $0["id"].int == 2 })
            #expect(r8["result"].isNull)
            await ws.disconnect()
        }
    }

    @Test func partialDepthSnapshots() async throws {
        try await withBinance { h in
            for i in 0..<7 { try h.rest(1, .buy, "0.01", at: FixedDecimal(mantissa: Int128(7_900_000 - i * 100), scale: 2)) }
            let ws = try await h.stream("/ws/btcusdt@depth5@100ms")
            let m = TJ.parse(try await ws.next(timeout: .seconds(3)))
            #expect(m.keys == ["lastUpdateId", "bids", "asks"])
            #expect(m["bids"].array.count == 5)
            #expect(m["bids"][0][0].string == "79000.00000000")
            #expect(m["asks"].array.isEmpty)
            await ws.disconnect()
        }
    }

    @Test func serverPingsAndPongTimeout() async throws {
        try await withBinance(options: .init(pingInterval: .milliseconds(100), pongTimeout: .milliseconds(300))) { h in
            // The raw client answers each ping with its payload: the connection stays up
            // (on the WS API, where pongs do not count toward the streams' 5 msg/s).
            let live = try await h.api()
            try await Task.sleep(for: .milliseconds(800))
            #expect(!live.events.items.contains("closed"))
            let r = try await live.call(1, "ping")
            #expect(r["status"].int == 200)
            // A client that stops reading never answers: the server closes it.
            let mute = try await h.stream("/ws/btcusdt@trade")
            try await mute.channel.setOption(.autoRead, value: false).get()
            let deadline = ContinuousClock.now + .seconds(5)
            while h.simulator.connectionCount > 1 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(h.simulator.connectionCount == 1)
            await live.disconnect()
            await mute.disconnect()
        }
    }

    @Test func pongsCountTowardTheStreamMessageLimit() async throws {
        try await withBinance(options: .init(pingInterval: .milliseconds(100))) { h in
            let ws = try await h.stream("/ws/btcusdt@trade", sync: false)
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.events.items.contains("close:1008"))
        }
    }

    @Test func serverShutdownEvent() async throws {
        try await withBinance { h in
            let raw = try await h.stream("/ws/btcusdt@trade")
            let combined = try await h.stream("/stream?streams=btcusdt@trade")
            let api = try await h.api()
            _ = try await api.call(1, "ping")
            h.simulator.announceShutdown(closeAfter: .milliseconds(100))
            let r9 = try await raw.next(where: { $0["e"].string == "serverShutdown" })
            #expect(r9["E"].int != nil)
            let r10 = try await combined.next(where: { $0["stream"].string == "!serverShutdown" })
            #expect(r10["data"]["e"].string == "serverShutdown")
            let r11 = try await api.next(where: { $0["event"]["e"].string == "serverShutdown" })
            #expect(r11["event"]["E"].int != nil)
            try await raw.waitClosed()
            try await api.waitClosed()
        }
    }
}
