import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The DigiFinex network layer against a scripted endpoint (`FakeDigiFinex`): zlib frames,
/// auth, ping, books, trade dedupe, replace-semantics subscribes, recycling, REST orders.
@Suite("DigiFinex client (scripted endpoint)", .serialized)
struct DigiFinexClientScriptedTests {
    struct Harness {
        let fake: FakeDigiFinex
        let api: DigiFinexWsAPI
        let status = KrakenRecorder<VenueStatus>()

        static func make(credentials: Bool = true, secret: String = fakeDigiFinexSecret, _ options: [String: String] = [:]) async throws -> Harness {
            let fake = FakeDigiFinex()
            try await fake.start()
            let creds = credentials ? try DigiFinexCredentials(apiKey: fakeDigiFinexKey, secret: secret) : nil
            let api = try DigiFinexWsAPI(credentials: creds, endpoints: fake.endpoints, options: try digiFinexTestOptions(options),
                                         account: "scripted-\(UUID().uuidString)")
            let h = Harness(fake: fake, api: api)
            h.status.drain(api.status)
            return h
        }

        func close() async {
            await api.stop()
            await fake.shutdown()
        }

        /// Runs `body`, then closes whatever happened (an open REST client must not outlive a failed test).
        func run(_ body: () async throws -> Void) async throws { try await runThenClose(body) { await close() } }
    }

    @Test func zlibBooksCleanAndDeltaSortedAndDeltasBeforeSnapshotIgnored() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            h.fake.state.withLock { $0.deltaBeforeSnapshot = true }
            let btc = KrakenRecorder<BookUpdate>()
            btc.drain(try await h.api.watchOrderBook("BTC/USDT", depth: 10))
            try await btc.wait("snapshot") { $0.contains(where: \.isSnapshot) }
            let first = btc.items[0]
            #expect(first.isSnapshot && btc.items.count == 1)  // the delta before it was ignored
            #expect(first.book.asks.map(\.price.description) == ["11699.57", "11700.24", "11702.01"])
            #expect(first.book.bids.first?.price.description == "11697.89")
            // D5 delta.
            h.fake.publishDepth("BTC_USDT", asks: [("11702.81", "0.001"), ("11699.92", "0.008"), ("11788.73", "0")],
                                bids: [("11642.72", "13.1172"), ("11621.42", "0")])
            try await btc.wait("delta") { $0.count >= 2 }
            let after = btc.items[1].book
            #expect(!btc.items[1].isSnapshot)
            #expect(after.asks.map { "\($0.price)→\($0.quantity)" } == ["11699.57→0.1029", "11699.92→0.008", "11700.24→0.8716", "11702.01→0.001", "11702.81→0.001"])
            #expect(after.bids.last?.price.description == "11642.72")
            // A second watcher with a smaller depth starts from the current book.
            let small = try await h.api.watchOrderBook("BTC/USDT", depth: 2)
            var it = small.makeAsyncIterator()
            let firstSmall = await it.next()
            #expect(firstSmall?.book.asks.count == 2 && firstSmall?.book.bids.count == 2)
            // Every server frame was binary zlib; none was reported malformed.
            #expect(h.api.malformedCounts.malformed == 0)
            // vectors.md D4: a zlib pong and a zlib success reply (unknown ids: ignored, not malformed).
            h.fake.sendRaw(Self.hex("789cab564a2d2aca2f52b2ca2bcdc9d1512a4a2d2ecd2951b2522ac8cf4b57d251ca4c51b23234323634aa050027a30d0d"))
            h.fake.sendRaw(Self.hex("789c05c1310a00210c04c0bf6c6da376f9cda12984e04136a9c4bf3b73a0eebf43769a15b8322d20078c2f921030c75012b7604d486dbdb6fb00206c126c"))
            // A corrupted zlib stream (bad Adler-32) is reported, and the socket goes on.
            var bad = Self.hex("789cab564a2d2aca2f52b2ca2bcdc9d1512a4a2d2ecd2951b2522ac8cf4b57d251ca4c51b23234323634aa050027a30d0d")
            bad[bad.count - 1] ^= 0xff
            h.fake.sendRaw(bad)
            try await h.status.wait(.malformed)
            #expect(h.api.malformedCounts.malformed == 1)
            h.fake.publishDepth("BTC_USDT", bids: [("11697.95", "1")])
            try await btc.wait("delta after the bad frame") { $0.last?.book.bestBid?.price.description == "11697.95" }
        }
    }

    @Test func tradesAreDedupedAndTickersDecoded() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            let trades = KrakenRecorder<Trade>(), tickers = KrakenRecorder<Ticker>()
            trades.drain(try await h.api.watchTrades("BTC/USDT"))
            tickers.drain(try await h.api.watchTicker("BTC/USDT"))
            try await trades.wait("clean batch") { $0.count >= 3 }
            #expect(trades.items.map(\.id) == ["1", "2", "3"])
            #expect(trades.items[0].timestamp == 1523339279761838 && trades.items[0].quantity.description == "0.010")
            h.fake.publishTrade("BTC_USDT", id: 4, price: "11699.00")
            h.fake.republishTradeBatch("BTC_USDT")        // 4, 3, 2 again
            h.fake.publishTrade("BTC_USDT", id: 5, price: "11699.10")
            try await trades.wait("trade 5") { $0.contains { $0.id == "5" } }
            #expect(trades.items.map(\.id) == ["1", "2", "3", "4", "5"])
            try await tickers.wait("ticker") { !$0.isEmpty }
            #expect(tickers.items[0].ask?.description == "4000" && tickers.items[0].askQuantity?.description == "108.2542")
            #expect(tickers.items[0].volume24h?.description == "11.4")
        }
    }

    @Test func subscribesCarryTheWholeListAndUnwatchingResubscribesTheRest() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            let btc = KrakenRecorder<BookUpdate>(), eth = KrakenRecorder<BookUpdate>()
            let btcStream = try await h.api.watchOrderBook("BTC/USDT", depth: 5)
            btc.drain(btcStream)
            try await btc.wait("btc") { !$0.isEmpty }
            eth.drain(try await h.api.watchOrderBook("ETH/USDT", depth: 5))
            try await eth.wait("eth") { !$0.isEmpty }
            let depthSubs = h.fake.received().filter { $0.contains("depth.subscribe") }
            #expect(depthSubs.count == 2)
            #expect(depthSubs.last?.contains(#""params":["BTC_USDT","ETH_USDT"]"#) == true)
            let session = try #require(h.fake.openSessions.first)
            #expect(h.fake.subscriptions(session.id, "depth") == ["BTC_USDT", "ETH_USDT"])
            // Replace semantics: ETH still flows after the second subscribe replaced the list.
            h.fake.publishDepth("ETH_USDT", bids: [("3000.20", "2")])
            try await eth.wait("eth delta") { $0.last?.book.bestBid?.price.description == "3000.20" }
            // The last BTC watcher goes away: the channel is resubscribed with ETH alone.
            btcStream.finish()
            h.fake.publishDepth("BTC_USDT", bids: [("11697.99", "1")])
            try await krakenWithin(.seconds(5), "resubscribe without BTC") {
                while h.fake.subscriptions(session.id, "depth") != ["ETH_USDT"] { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(h.api.subscribedList(.depth) == ["ETH_USDT"])
        }
    }

    @Test func authPingAndReconnectReauthenticatesBeforePrivateSubscribes() async throws {
        let h = try await Harness.make(["ping_interval_s": "0.2"])
        try await h.run {
            try await h.api.start()
            try await h.status.wait(.authenticated)
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await h.api.watchOrderBook("BTC/USDT", depth: 10))
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await h.api.watchOrders())
            try await book.wait("snapshot") { !$0.isEmpty }
            try await h.status.wait(.subscribed, symbol: "BTC/USDT", count: 2)  // depth and order
            let first = try #require(h.fake.openSessions.first)
            try await krakenWithin(.seconds(5), "a server.ping") {
                while !h.fake.received(session: first.id).contains(where: { $0.contains("server.ping") }) { try await Task.sleep(for: .milliseconds(20)) }
            }
            first.drop()
            try await h.status.wait(.bookInvalid, symbol: "BTC/USDT")
            try await h.status.wait(.bookResynced, symbol: "BTC/USDT")
            try await book.wait("second snapshot") { $0.filter(\.isSnapshot).count >= 2 }
            let second = try #require(h.fake.openSessions.first { $0.id != first.id })
            try await krakenWithin(.seconds(5), "order.subscribe on the new socket") {
                while !h.fake.received(session: second.id).contains(where: { $0.contains("order.subscribe") }) { try await Task.sleep(for: .milliseconds(10)) }
            }
            let texts = h.fake.received(session: second.id)
            let auth = try #require(texts.firstIndex { $0.contains("server.auth") })
            let orderSub = try #require(texts.firstIndex { $0.contains("order.subscribe") })
            #expect(auth < orderSub)
            #expect(texts[orderSub].contains("BTC_USDT"))
        }
    }

    @Test func badSecretFailsAuthentication() async throws {
        let h = try await Harness.make(secret: "wrong", ["auth_timeout_s": "2", "request_timeout_s": "2"])
        try await h.run {
            await #expect(throws: HFTError.self) { try await krakenWithin(.seconds(20), "start") { try await h.api.start() } }
        }
    }

    @Test func recycleSwitchesSocketsWithoutAGap() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await h.api.watchOrderBook("BTC/USDT", depth: 10))
            let trades = KrakenRecorder<Trade>()
            trades.drain(try await h.api.watchTrades("BTC/USDT"))
            try await book.wait("snapshot") { !$0.isEmpty }
            try await trades.wait("batch") { $0.count >= 3 }
            let old = try #require(h.fake.openSessions.first)
            // Keep the market moving through the switch.
            let mover = Task {
                var i = 0
                while !Task.isCancelled {
                    i += 1
                    h.fake.publishDepth("BTC_USDT", bids: [("11690.\(String(format: "%02d", i % 100))", "\(i)")])
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            let switched = try await h.api.recycleNow()
            mover.cancel()
            #expect(switched)
            #expect(h.api.recycleCount == 1)
            #expect(h.status.count(.bookInvalid) == 0)
            try await krakenWithin(.seconds(5), "old socket closed") { await old.waitClosed() }
            let now = try #require(h.fake.openSessions.first)
            #expect(now.id != old.id && h.fake.openSessions.count == 1)
            #expect(h.fake.subscriptions(now.id, "depth") == ["BTC_USDT"] && h.fake.subscriptions(now.id, "trades") == ["BTC_USDT"])
            // The client's book equals the server's, and updates flow on the new socket.
            h.fake.publishDepth("BTC_USDT", asks: [("11699.00", "3")])
            try await book.wait("update on the new socket") { $0.last?.book.bestAsk?.price.description == "11699.00" }
            let server = h.fake.state.withLock { $0.books["BTC_USDT"]! }
            #expect(book.items.last?.book.bids == Array(server.bids.prefix(10)))
            #expect(book.items.last?.book.asks == Array(server.asks.prefix(10)))
            // The new socket's clean trade batch overlapped: no trade twice.
            h.fake.publishTrade("BTC_USDT", id: 9, price: "11699.50")
            try await trades.wait("trade 9") { $0.contains { $0.id == "9" } }
            #expect(trades.items.map(\.id) == ["1", "2", "3", "9"])
        }
    }

    @Test func recycleTimerIsAKnob() async throws {
        let h = try await Harness.make(credentials: false, ["recycle_interval_s": "0.5"])
        try await h.run {
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await h.api.watchOrderBook("ETH/USDT", depth: 5))
            try await book.wait("snapshot") { !$0.isEmpty }
            try await krakenWithin(.seconds(10), "two recycles") {
                while h.api.recycleCount < 2 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(h.status.count(.bookInvalid) == 0)
        }
    }

    @Test func restOrderEntryWithLatencyAndPrivatePushes() async throws {
        let h = try await Harness.make()
        try await h.run {
            try await h.api.start()
            let orders = KrakenRecorder<OrderEvent>(), balances = KrakenRecorder<Balance>()
            orders.drain(try await h.api.watchOrders(symbols: ["BTC/USDT"]))
            balances.drain(try await h.api.watchBalance())
            try await balances.wait("assets snapshot") { $0.count >= 3 }
            #expect(balances.items.first { $0.asset == "USDT" }?.available.description == "1000000")
            #expect(h.api.subscribedList(.balance).contains("USDT") && !h.api.subscribedList(.balance).contains("XRP"))
            try await h.status.wait(.subscribed, detail: "balance.subscribe")
            try await h.status.wait(.subscribed, symbol: "BTC/USDT", detail: "order.subscribe")

            let myID = h.api.nextRequestID()
            let placed = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.001", price: "11000.00",
                                                           postOnly: true, clientOrderID: "mine-1", requestID: myID))
            #expect(placed.ok, "\(placed)")
            #expect(placed.requestID == myID && placed.clientOrderID == "mine-1")
            #expect(placed.method == "POST /v3/spot/order/new")
            #expect(placed.request == "symbol=btc_usdt&price=11000.00&amount=0.001&type=buy&post_only=1")
            #expect(placed.response?.contains("\"order_id\"") == true && placed.latencyMicros > 0)
            #expect(!placed.request.contains(fakeDigiFinexKey))
            #expect(h.api.latency.summary("POST /v3/spot/order/new")?.count == 1)
            let orderID = try #require(placed.orderID)
            try await orders.wait("order open") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .open }; return false } }
            try await balances.wait("balance update") { $0.contains { $0.asset == "USDT" && $0.frozen.description == "1000" } }

            let cancelled = await h.api.cancelOrder(CancelOrder(clientOrderIDs: ["mine-1"]))
            #expect(cancelled.ok && cancelled.method == "POST /v3/spot/order/cancel" && cancelled.request == "order_id=\(orderID)", "\(cancelled)")
            try await orders.wait("order canceled") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .canceled && o.clientOrderID == "mine-1" }; return false } }
            let again = await h.api.cancelOrder(CancelOrder(orderID: orderID))
            #expect(!again.ok && again.error == .venueRejected(code: "20013", message: "no order info found"))

            let amend = await h.api.amendOrder(AmendOrder(orderID: orderID, price: "1.00"))
            if case .unsupported? = amend.error {} else { Issue.record("\(amend)") }
            let ioc = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "1", price: "1.00", timeInForce: .ioc))
            if case .unsupported? = ioc.error {} else { Issue.record("\(ioc)") }

            for p in ["10000.00", "10001.00"] {
                let r = await h.api.placeOrder(PlaceOrder(symbol: "ETH/USDT", side: .sell, quantity: "1", price: FixedDecimal(p)!))
                #expect(r.ok, "\(r)")
            }
            #expect(h.api.subscribedList(.order).contains("ETH_USDT"))
            let all = await h.api.cancelAllOrders(symbol: "ETH/USDT")
            #expect(all.ok && all.request.hasPrefix("order_id="), "\(all)")
            let none = await h.api.cancelAllOrders(symbol: "ETH/USDT")
            #expect(none.ok)
            #expect(h.fake.state.withLock { $0.badSigns } == 0)
        }
    }

    @Test func orderWhoseReplyIsLostIsSettledByQuery() async throws {
        let h = try await Harness.make(["request_timeout_s": "0.5"])
        try await h.run {
            try await h.api.start()
            h.fake.state.withLock { $0.delayNextOrderReply = .seconds(2) }
            let placed = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .sell, quantity: "0.002", price: "12000.00"))
            #expect(placed.ok, "\(placed)")
            let serverID = h.fake.state.withLock { $0.orders.keys.first }
            #expect(placed.orderID == serverID && placed.response == nil)
            #expect(h.api.openOrders.contains { $0.orderID == serverID })
        }
    }

    @Test func publicOnlyClientRefusesPrivateCalls() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            try await h.api.start()
            let r = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.001", price: "1.0"))
            if case .authenticationFailed? = r.error {} else { Issue.record("\(r)") }
            await #expect(throws: HFTError.self) { try await h.api.watchOrders() }
            await #expect(throws: HFTError.self) { try await h.api.watchBalance() }
        }
    }

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }
}
