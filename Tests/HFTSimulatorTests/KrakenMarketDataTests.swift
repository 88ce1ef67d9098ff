import HFTCore
@testable import HFTSimulator
import Testing

/// RFC 3339 with microseconds, UTC.
func isKrakenTime(_ s: String?) -> Bool {
    guard let s else { return false }
    let b = Array(s.utf8)
    guard b.count == 27 else { return false }
    let shape = Array("dddd-dd-ddTdd:dd:dd.ddddddZ".utf8)
    return zip(b, shape).allSatisfy { c, p in p == UInt8(ascii: "d") ? (48...57).contains(c) : c == p }
}

@Suite("Kraken public WebSocket")
struct KrakenMarketDataTests {
    @Test func statusOnConnectThenPingPong() async throws {
        try await withKraken { h in
            #expect(h.endpoints["ws"]!.hasSuffix("/v2") && h.endpoints["ws-auth"]!.hasSuffix("/v2"))
            #expect(h.endpoints["ws"] != h.endpoints["ws-auth"])
            let ws = try await RawWebSocket.connect(h.endpoints["ws"]!)
            let status = try await ws.next()
            #expect(status.hasPrefix(#"{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":"#))
            #expect(status.hasSuffix(#","system":"online","version":"2.0.0"}]}"#))

            ws.send(#"{"method":"ping","req_id":101}"#)
            let pong = TJ.parse(try await ws.next())
            #expect(pong.keys == ["method", "req_id", "time_in", "time_out"])
            #expect(pong.method == "pong" && pong["req_id"].int == 101)
            #expect(isKrakenTime(pong["time_in"].string) && isKrakenTime(pong["time_out"].string))
            #expect(pong["time_in"].string! <= pong["time_out"].string!)

            ws.send(#"{"method":"ping"}"#)
            #expect(TJ.parse(try await ws.next()).keys == ["method", "time_in", "time_out"])
            await ws.disconnect()
        }
    }

    @Test func bookSnapshotAckAndChecksum() async throws {
        try await withKraken { h in
            let ex = h.exchange
            for i in 0..<12 {
                _ = try ex.placeOrder(AccountID(1), .limit(btcUSD, .buy, quantity: FixedDecimal("0.\(i + 1)0000000")!,
                                                        price: FixedDecimal(mantissa: Int128(799_990 - 10 * i), scale: 1)))
                _ = try ex.placeOrder(AccountID(1), .limit(btcUSD, .sell, quantity: FixedDecimal("1.0000000\(i % 10)")!,
                                                        price: FixedDecimal(mantissa: Int128(800_010 + 10 * i), scale: 1)))
            }
            let ws = try await h.connect()
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":1}"#)
            let ack = try await ws.next()
            #expect(ack.hasPrefix(#"{"method":"subscribe","req_id":1,"result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":""#))
            let snap = try await ws.next(where: { $0.channel == "book" })
            #expect(snap["type"].string == "snapshot")
            let data = snap["data"][0]
            #expect(data.keys == ["symbol", "bids", "asks", "checksum"])
            #expect(data["bids"].array.count == 10 && data["asks"].array.count == 10)
            #expect(data["bids"][0]["price"].raw == "79999.0" && data["bids"][0]["qty"].raw == "0.10000000")
            #expect(data["asks"][0]["price"].raw == "80001.0" && data["asks"][0]["qty"].raw == "1.00000000")
            var book = TestBook(depth: 10)
            book.apply(data, snapshot: true)
            #expect(UInt32(data["checksum"].int!) == book.checksum)
            // Exactly one ack for the one symbol.
            #expect(ws.received(where: { $0.method == "subscribe" }).count == 1)
            await ws.disconnect()
        }
    }

    /// vectors.md K3: the documented snapshot rebuilt through the matching engine.
    @Test func k3ChecksumThroughTheExchange() async throws {
        try await withKraken { h in
            let asks: [(String, String)] = [("45285.2", "0.00100000"), ("45286.4", "1.54571953"), ("45286.6", "1.54571109"),
                                            ("45289.6", "1.54560911"), ("45290.2", "0.15890660"), ("45291.8", "1.54553491"),
                                            ("45294.7", "0.04454749"), ("45296.1", "0.35380000"), ("45297.5", "0.09945542"),
                                            ("45299.5", "0.18772827")]
            let bids: [(String, String)] = [("45283.5", "0.10000000"), ("45283.4", "1.54582015"), ("45282.1", "0.10000000"),
                                            ("45281.0", "0.10000000"), ("45280.3", "1.54592586"), ("45279.0", "0.07990000"),
                                            ("45277.6", "0.03310103"), ("45277.5", "0.30000000"), ("45277.3", "1.54602737"),
                                            ("45276.6", "0.15445238")]
            let expectedInput = "45285210000045286415457195345286615457110945289615456091145290215890660452918154553491452947445474945296135380000452975994554245299518772827452835100000004528341545820154528211000000045281010000000452803154592586452790799000045277633101034527753000000045277315460273745276615445238"
            #expect(checksumInput(asks: asks, bids: bids) == expectedInput)
            #expect(referenceCRC32(Array(expectedInput.utf8)) == 3_310_070_434)
            for (p, q) in asks { _ = try h.exchange.placeOrder(AccountID(0), .limit(btcUSD, .sell, quantity: FixedDecimal(q)!, price: FixedDecimal(p)!)) }
            for (p, q) in bids { _ = try h.exchange.placeOrder(AccountID(0), .limit(btcUSD, .buy, quantity: FixedDecimal(q)!, price: FixedDecimal(p)!)) }

            let ws = try await h.connect()
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"]},"req_id":3}"#)
            let snap = try await ws.next(where: { $0.channel == "book" })
            let data = snap["data"][0]
            #expect(data["checksum"].int == 3_310_070_434)
            let gotAsks = data["asks"].array.map { ($0["price"].raw!, $0["qty"].raw!) }
            let gotBids = data["bids"].array.map { ($0["price"].raw!, $0["qty"].raw!) }
            #expect(same(gotAsks, asks) && same(gotBids, bids))
            #expect(checksumInput(asks: gotAsks, bids: gotBids) == expectedInput)
            await ws.disconnect()
        }
    }

    /// Deletions inside the window pull the next level in; inserts push levels out without
    /// deletions; every checksum matches a client that truncates to its depth.
    @Test func updatesKeepAClientBookExact() async throws {
        try await withKraken { h in
            let ex = h.exchange
            var ids: [SimOrderID] = []
            for i in 0..<14 {
                ids.append(try ex.placeOrder(AccountID(1), .limit(btcUSD, .buy, quantity: "0.5", price: FixedDecimal(mantissa: Int128(799_990 - 10 * i), scale: 1))).order.id)
                _ = try ex.placeOrder(AccountID(1), .limit(btcUSD, .sell, quantity: "0.25", price: FixedDecimal(mantissa: Int128(800_010 + 10 * i), scale: 1)))
            }
            let ws = try await h.connect()
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":1}"#)
            _ = try await ws.next(where: { $0.channel == "book" })

            // Best bid cancelled: its deletion and the 11th level entering come in one update.
            _ = try ex.cancelOrder(AccountID(1), .id(ids[0]))
            let u1 = try await ws.next(where: { $0.channel == "book" })
            #expect(u1["type"].string == "update")
            let bidEntries = u1["data"][0]["bids"].array.map { ($0["price"].raw!, $0["qty"].raw!) }
            #expect(same(bidEntries, [("79999.0", "0.00000000"), ("79989.0", "0.50000000")]))
            #expect(u1["data"][0]["asks"].array.isEmpty)
            #expect(u1["data"][0].keys == ["symbol", "bids", "asks", "checksum", "timestamp"])
            #expect(isKrakenTime(u1["data"][0]["timestamp"].string))

            // A better ask pushes the 10th out: only the insert is sent.
            _ = try ex.placeOrder(AccountID(2), .limit(btcUSD, .sell, quantity: "0.1", price: "80000.5"))
            let u2 = try await ws.next(where: { $0.channel == "book" })
            #expect(u2["data"][0]["asks"].array.count == 1)
            #expect(u2["data"][0]["asks"][0]["price"].raw == "80000.5")

            // A change beyond the window sends nothing; a taker sweeping two levels does.
            _ = try ex.placeOrder(AccountID(2), .limit(btcUSD, .buy, quantity: "0.5", price: "70000.0"))
            _ = try ex.placeOrder(AccountID(2), .market(btcUSD, .buy, quantity: "0.3"))
            // Random churn from three accounts.
            var rng = SeededRandom(seed: 42)
            var open: [(AccountID, SimOrderID)] = []
            for _ in 0..<300 {
                let a = AccountID(Int(rng.next() % 3))
                switch rng.next() % 4 {
                case 0 where !open.isEmpty:
                    let (acct, id) = open.remove(at: Int(rng.next() % UInt64(open.count)))
                    _ = try? ex.cancelOrder(acct, .id(id))
                case 1:
                    _ = try? ex.placeOrder(a, .market(btcUSD, rng.next() % 2 == 0 ? .buy : .sell, quantity: "0.05"))
                default:
                    let buy = rng.next() % 2 == 0
                    let offset = Int128(rng.next() % 300)
                    let price = FixedDecimal(mantissa: buy ? 799_950 - offset : 800_050 + offset, scale: 1)
                    let q = FixedDecimal(mantissa: Int128(1 + rng.next() % 50) * 1_000_000, scale: 8)
                    if let r = try? ex.placeOrder(a, .limit(btcUSD, buy ? .buy : .sell, quantity: q, price: price)) {
                        open.append((a, r.order.id))
                    }
                }
            }
            var follower = BookFollower(["BTC/USD": 10])
            for m in ws.texts.items.prefix(ws.consumed) { follower.feed(TJ.parse(m)) }
            try await follower.follow(ws, expected: ["BTC/USD": try exchangeTop(ex, btcUSD, depth: 10)])
            #expect(follower.checksumsOK)
            #expect(follower.messages > 20)
            await ws.disconnect()
        }
    }

    @Test func deepSubscriptionsAndTwoDepthsAtOnce() async throws {
        try await withKraken { h in
            let ex = h.exchange
            for i in 0..<40 {
                _ = try ex.placeOrder(AccountID(1), .limit(btcUSD, .buy, quantity: "0.5", price: FixedDecimal(mantissa: Int128(799_990 - 10 * i), scale: 1)))
                _ = try ex.placeOrder(AccountID(1), .limit(btcUSD, .sell, quantity: "0.5", price: FixedDecimal(mantissa: Int128(800_010 + 10 * i), scale: 1)))
            }
            let ws = try await h.connect()
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":25},"req_id":1}"#)
            let s25 = try await ws.next(where: { $0.channel == "book" })
            #expect(s25["data"][0]["bids"].array.count == 25)
            // The same checksum (top 10) whatever the depth.
            var b25 = TestBook(depth: 25)
            b25.apply(s25["data"][0], snapshot: true)
            #expect(UInt32(s25["data"][0]["checksum"].int!) == b25.checksum)
            // Sweep 30 bid levels.
            _ = try ex.placeOrder(AccountID(2), .market(btcUSD, .sell, quantity: "15.0"))
            let top = try exchangeTop(ex, btcUSD, depth: 25)
            try await ws.texts.wait("depth-25 book after the sweep") { texts in
                let r = TestBook.replay(texts, symbol: "BTC/USD", depth: 25)
                return same(r.book.sortedBids, top.bids) && same(r.book.sortedAsks, top.asks) && r.checksumsOK
            }
            await ws.disconnect()
        }
    }

    @Test func tradeAndTickerChannels() async throws {
        try await withKraken { h in
            let ex = h.exchange
            _ = try ex.placeOrder(AccountID(1), .limit(btcUSD, .sell, quantity: "1.0", price: "80000.0"))
            _ = try ex.placeOrder(AccountID(1), .limit(btcUSD, .buy, quantity: "1.0", price: "79990.0"))
            let ws = try await h.connect()
            ws.send(#"{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","ETH/USD"]},"req_id":5}"#)
            try await ws.texts.wait("two acks and two ticker snapshots") { texts in
                texts.filter { $0.contains(#""method":"subscribe""#) }.count == 2 && texts.filter { $0.hasPrefix(#"{"channel":"ticker""#) }.count == 2
            }
            let acks = ws.received(where: { $0.method == "subscribe" })
            #expect(acks.map { $0["result"]["symbol"].string } == ["BTC/USD", "ETH/USD"])
            #expect(acks.allSatisfy { $0["req_id"].int == 5 && $0["result"]["event_trigger"].string == "trades" })
            let tick = ws.received(where: { $0.channel == "ticker" && $0["data"][0]["symbol"].string == "BTC/USD" })[0]
            #expect(tick["type"].string == "snapshot")
            #expect(tick["data"][0]["bid"].raw == "79990.0" && tick["data"][0]["ask"].raw == "80000.0")
            #expect(tick["data"][0]["ask_qty"].raw == "1.00000000")
            #expect(tick["data"][0].keys == ["symbol", "bid", "bid_qty", "ask", "ask_qty", "last", "volume", "vwap", "low", "high",
                                             "change", "change_pct", "timestamp"])
            _ = try await ws.next(where: { $0.channel == "ticker" && $0["data"][0]["symbol"].string == "ETH/USD" })

            ws.send(#"{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":6}"#)
            let tradeAck = try await ws.next(where: { $0.method == "subscribe" })
            #expect(tradeAck["result"].description == #"{"channel":"trade","snapshot":false,"symbol":"BTC/USD"}"#)
            _ = try ex.placeOrder(AccountID(2), .market(btcUSD, .buy, quantity: "0.25"))
            let trade = try await ws.next(where: { $0.channel == "trade" })
            let t = trade["data"][0]
            #expect(t.keys == ["symbol", "side", "price", "qty", "ord_type", "trade_id", "timestamp"])
            #expect(t["side"].string == "buy" && t["price"].raw == "80000.0" && t["qty"].raw == "0.25000000")
            #expect(t["ord_type"].string == "market" && t["trade_id"].int == 1)
            let update = try await ws.next(where: { $0.channel == "ticker" && $0["type"].string == "update" })
            #expect(update["data"][0]["last"].raw == "80000.0" && update["data"][0]["volume"].raw == "0.25000000")
            #expect(update["data"][0]["ask_qty"].raw == "0.75000000")

            // A trade snapshot on request: the last trades.
            ws.send(#"{"method":"unsubscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":7}"#)
            let unsub = try await ws.next(where: { $0.method == "unsubscribe" })
            #expect(unsub["result"].description == #"{"channel":"trade","symbol":"BTC/USD"}"#)
            ws.send(#"{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":true},"req_id":8}"#)
            let snap = try await ws.next(where: { $0.channel == "trade" })
            #expect(snap["type"].string == "snapshot" && snap["data"].array.count == 1)
            await ws.disconnect()
        }
    }

    @Test func subscriptionErrorsAndQuirks() async throws {
        try await withKraken { h in
            let ws = try await h.connect()
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["XYZ/USD","BTC/USD"]},"req_id":7}"#)
            let bad = try await ws.next(where: { $0.method == "subscribe" })
            #expect(bad.keys == ["error", "method", "req_id", "success", "symbol", "time_in", "time_out"])
            #expect(bad["error"].string == "Currency pair not supported XYZ/USD" && bad["symbol"].string == "XYZ/USD")
            #expect(bad["success"].bool == false)
            let good = try await ws.next(where: { $0.method == "subscribe" })
            #expect(good["success"].bool == true && good["result"]["symbol"].string == "BTC/USD")

            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"]},"req_id":8}"#)
            #expect(try await ws.next(where: { $0.method == "subscribe" })["error"].string == "Already subscribed")
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["ETH/USD"],"depth":20},"req_id":9}"#)
            #expect(try await ws.next(where: { $0.method == "subscribe" })["error"].string == "Subscription depth not supported")
            ws.send(#"{"method":"subscribe","params":{"channel":"candles","symbol":["BTC/USD"]},"req_id":10}"#)
            let name = try await ws.next(where: { $0.method == "subscribe" })
            #expect(name["error"].string == "Subscription name invalid" && name["symbol"].isNull)
            // Unsubscribing what is not subscribed: the error says method "subscribe".
            ws.send(#"{"method":"unsubscribe","params":{"channel":"ticker","symbol":["BTC/USD"]},"req_id":11}"#)
            let notFound = try await ws.next(where: { $0["req_id"].int == 11 })
            #expect(notFound["error"].string == "Subscription Not Found" && notFound.method == "subscribe")
            // Book unsubscribe repeats the depth.
            ws.send(#"{"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":12}"#)
            let unsub = try await ws.next(where: { $0["req_id"].int == 12 })
            #expect(unsub["result"].description == #"{"channel":"book","depth":10,"symbol":"BTC/USD"}"#)
            // Private channels and orders are refused on the public endpoint.
            ws.send(#"{"method":"subscribe","params":{"channel":"executions","token":"x"},"req_id":13}"#)
            #expect(try await ws.next(where: { $0["req_id"].int == 13 })["error"].string == "EGeneral:Permission denied")
            ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":1.0,"limit_price":1.0,"symbol":"BTC/USD","token":"x"},"req_id":14}"#)
            #expect(try await ws.next(where: { $0["req_id"].int == 14 })["error"].string == "EGeneral:Permission denied")
            ws.send("not json")
            #expect(try await ws.next(where: { $0["success"].bool == false && $0.method == nil })["error"].string == "EGeneral:Invalid arguments")

            ws.send(#"{"method":"subscribe","params":{"channel":"instrument"},"req_id":15}"#)
            let inst = try await ws.next(where: { $0.channel == "instrument" })
            let btc = inst["data"]["pairs"].array.first { $0["symbol"].string == "BTC/USD" }
            #expect(btc?["price_precision"].int == 1 && btc?["qty_precision"].int == 8)
            #expect(btc?["qty_min"].raw == "0.0001" && btc?["price_increment"].raw == "0.1")
            #expect(inst["data"]["assets"].array.contains { $0["id"].string == "BTC" })
            await ws.disconnect()
        }
    }

    @Test func heartbeatOnlyOnceSubscribedAndIdle() async throws {
        try await withKraken(options: .init(heartbeatInterval: .milliseconds(100))) { h in
            let ws = try await h.connect()
            ws.send(#"{"method":"subscribe","params":{"channel":"ticker","symbol":["ETH/USD"]},"req_id":1}"#)
            _ = try await ws.next(where: { $0.method == "subscribe" })
            let hb = try await ws.next(timeout: .seconds(5), where: { $0.channel == "heartbeat" })
            #expect(hb.description == #"{"channel":"heartbeat"}"#)
            // Before the subscription there was none.
            let texts = ws.texts.items
            let firstHeartbeat = texts.firstIndex { TJ.parse($0).channel == "heartbeat" }!
            let ack = texts.firstIndex { TJ.parse($0).method == "subscribe" }!
            #expect(ack < firstHeartbeat)
            await ws.disconnect()
        }
    }
}
