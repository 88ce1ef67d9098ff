import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The Kraken network layer against a scripted Kraken endpoint (`FakeKraken`): routing,
/// resync, token handling, order entry and reconciliation, each driven step by step.
@Suite("Kraken client (scripted endpoint)", .serialized)
struct KrakenClientScriptedTests {
    struct Harness {
        let fake: FakeKraken
        let api: KrakenWsAPI
        let status = KrakenRecorder<VenueStatus>()

        static func make(credentials: Bool = true, _ options: [String: String] = [:]) async throws -> Harness {
            let fake = FakeKraken()
            try await fake.start()
            let api = try KrakenWsAPI(credentials: credentials ? fakeKrakenCredentials : nil, endpoints: fake.endpoints,
                                      options: try krakenTestOptions(options), account: "scripted-\(UUID().uuidString)")
            let h = Harness(fake: fake, api: api)
            h.status.drain(api.status)
            return h
        }

        func close() async {
            await api.stop()
            await fake.shutdown()
        }
    }

    @Test func booksVerifyAndAMismatchResyncsOnlyThatSymbol() async throws {
        let h = try await Harness.make(credentials: false)
        let btc = KrakenRecorder<BookUpdate>(), eth = KrakenRecorder<BookUpdate>()
        btc.drain(try await h.api.watchOrderBook("BTC/USD", depth: 10))
        eth.drain(try await h.api.watchOrderBook("ETH/USD", depth: 5))
        try await btc.wait("BTC snapshot") { $0.contains { $0.isSnapshot } }
        try await eth.wait("ETH snapshot") { $0.contains { $0.isSnapshot } }
        #expect(await h.api.precisionSource == "instrument")
        let first = btc.items[0].book
        #expect(first.bids.first?.price.description == "45283.5")
        #expect(first.asks.first?.quantity.description == "0.00100000")
        #expect(eth.items[0].book.bids.count <= 5)

        h.fake.publishBook("BTC/USD", bids: [("45283.6", "0.20000000")])
        h.fake.publishBook("ETH/USD", asks: [("3000.50", "0")])
        try await btc.wait("BTC update") { $0.contains { !$0.isSnapshot && $0.book.bestBid?.price.description == "45283.6" } }
        try await eth.wait("ETH update") { $0.contains { !$0.isSnapshot && $0.book.bestAsk?.price.description == "3001.00" } }

        // Corrupt BTC: BTC is invalidated and resubscribed; ETH flows on untouched.
        let ethBefore = eth.count
        h.fake.publishBook("BTC/USD", bids: [("45283.7", "0.30000000")], corrupt: true)
        h.fake.publishBook("ETH/USD", bids: [("3000.20", "1.00000000")])
        try await h.status.wait(.bookInvalid, symbol: "BTC/USD")
        try await eth.wait("ETH update after the BTC mismatch") { $0.count > ethBefore }
        try await h.status.wait(.bookResynced, symbol: "BTC/USD")
        try await btc.wait("BTC resnapshot") { $0.filter(\.isSnapshot).count >= 2 }
        #expect(btc.items.last?.book.bestBid?.price.description == "45283.7")
        #expect(h.status.count(.bookInvalid, symbol: "ETH/USD") == 0)
        let sent = h.fake.received("/pub")
        #expect(sent.filter { $0.contains("\"unsubscribe\"") && $0.contains("BTC/USD") && $0.contains("\"depth\":10") }.count == 1)
        #expect(!sent.contains { $0.contains("\"unsubscribe\"") && $0.contains("ETH/USD") })
        // After the resync, updates verify again.
        h.fake.publishBook("BTC/USD", asks: [("45285.2", "0.00200000")])
        try await btc.wait("BTC update after resync") { $0.last?.book.bestAsk?.quantity.description == "0.00200000" }
        await h.close()
    }

    @Test func tradesTickerAndMalformedFrames() async throws {
        let h = try await Harness.make(credentials: false)
        let trades = KrakenRecorder<Trade>(), tickers = KrakenRecorder<Ticker>()
        trades.drain(try await h.api.watchTrades("BTC/USD"))
        tickers.drain(try await h.api.watchTicker("BTC/USD"))
        try await tickers.wait("ticker snapshot") { !$0.isEmpty }
        #expect(tickers.items[0].bid?.description == "45283.5")
        try await h.status.wait(.subscribed, symbol: "BTC/USD", count: 2)
        h.fake.publishTrade("BTC/USD", id: 7, price: "45284.1", qty: "0.01000000")
        h.fake.sendGarbage()
        h.fake.publishTrade("BTC/USD", id: 8, price: "45284.2", qty: "0.02000000")
        try await trades.wait("two trades") { $0.count >= 2 }
        #expect(trades.items.map(\.id) == ["7", "8"])
        #expect(trades.items[1].quantity.description == "0.02000000")
        try await h.status.wait(.malformed)
        #expect(h.api.malformedCounts.malformed == 1)
        await h.close()
    }

    @Test func orderEntryRoundTrips() async throws {
        let h = try await Harness.make()
        try await h.api.start()
        #expect(h.fake.tokenCalls == 1)
        let orders = KrakenRecorder<OrderEvent>()
        orders.drain(try await h.api.watchOrders())
        let balances = KrakenRecorder<Balance>()
        balances.drain(try await h.api.watchBalance())
        try await balances.wait("balances snapshot") { $0.count >= 2 }
        #expect(balances.items.first { $0.asset == "USD" }?.available.description == "1000000.0")

        let placed = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: "40000.0", postOnly: true))
        #expect(placed.ok, "\(placed)")
        #expect(placed.method == "add_order")
        #expect(placed.orderID?.hasPrefix("OFAKE") == true)
        #expect(placed.latencyMicros > 0)
        #expect(placed.clientOrderID?.count == 32)
        #expect(placed.request.contains("<token>") && !placed.request.contains("fake-token"))
        #expect(placed.response?.contains("\"success\":true") == true)
        #expect(h.api.latency.summary("add_order")?.count == 1)
        let orderID = try #require(placed.orderID)
        try await orders.wait("order open") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .open }; return false } }

        // hftpy style: the caller's request id is the one on the wire and in the result.
        let myID = h.api.nextRequestID()
        let second = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .sell, quantity: "0.002", price: "50000.0",
                                                        clientOrderID: "my-order-1", requestID: myID))
        #expect(second.ok && second.requestID == myID && second.clientOrderID == "my-order-1")
        #expect(h.fake.received("/priv").contains { $0.contains("\"req_id\":\(myID)") && $0.contains("my-order-1") })

        let amended = await h.api.amendOrder(AmendOrder(orderID: orderID, price: "40001.0"))
        #expect(amended.ok && amended.method == "amend_order", "\(amended)")
        let cancelled = await h.api.cancelOrder(CancelOrder(orderID: orderID))
        #expect(cancelled.ok && cancelled.method == "cancel_order", "\(cancelled)")
        try await orders.wait("order cancelled") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .canceled }; return false } }
        let again = await h.api.cancelOrder(CancelOrder(orderID: orderID))
        #expect(!again.ok && again.error == .venueRejected(code: "EOrder:Invalid order", message: "EOrder:Invalid order"))

        let rejected = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: "46000.0", postOnly: true))
        #expect(!rejected.ok)
        #expect(rejected.error.map { "\($0)" }?.contains("EOrder:Post only order") == true)
        #expect(rejected.response?.contains("EOrder:Post only order") == true)

        let all = await h.api.cancelAllOrders()
        #expect(all.ok && all.method == "cancel_all" && all.response?.contains("\"count\":1") == true, "\(all)")
        #expect(h.api.latency.methods.keys.sorted() == ["add_order", "amend_order", "cancel_all", "cancel_order"])
        await h.close()
    }

    @Test func requestsLeaveInCallOrder() async throws {
        let h = try await Harness.make()
        try await h.api.start()
        let results = KrakenRecorder<OrderResult>()
        var ids: [RequestID] = []
        for i in 0..<40 {
            ids.append(h.api.placeOrder(PlaceOrder(symbol: "ETH/USD", side: .buy, quantity: "0.01", price: FixedDecimal("\(2000 + i).00")!)) {
                results.append($0)
            })
        }
        try await results.wait("40 results") { $0.count == 40 }
        #expect(results.items.allSatisfy { $0.ok })
        let wire = h.fake.received("/priv").filter { $0.contains("add_order") }.compactMap { text -> RequestID? in
            guard let r = text.range(of: "\"req_id\":") else { return nil }
            return RequestID(text[r.upperBound...].prefix { $0.isNumber })
        }
        #expect(wire == ids)
        await h.close()
    }

    @Test func rejectedTokenIsRefreshedAndTheOrderResent() async throws {
        let h = try await Harness.make()
        try await h.api.start()
        let orders = KrakenRecorder<OrderEvent>()
        orders.drain(try await h.api.watchOrders())
        h.fake.invalidateTokens()
        let r = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: "40000.0"))
        #expect(r.ok, "\(r)")
        #expect(h.fake.tokenCalls == 2)
        try await h.status.wait(.keyRefreshed)
        // The private stream goes on with the new token.
        try await orders.wait("order event after re-auth") { $0.contains { if case .order(let o) = $0 { return o.orderID == r.orderID }; return false } }
        await h.close()
    }

    @Test func orderCutOffByADropIsSettledFromTheSnapshot() async throws {
        let h = try await Harness.make()
        try await h.api.start()
        // Placed, then the socket dies before the reply: found in the executions snapshot.
        h.fake.state.withLock { $0.dropOnAdd = 1 }
        let placed = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: "40000.0"))
        #expect(placed.ok, "\(placed)")
        let open = h.fake.state.withLock { Array($0.open.values) }
        #expect(placed.orderID == open.first?.id && placed.clientOrderID == open.first?.cl)
        #expect(placed.response == nil)
        #expect(h.fake.tokenCalls == 2)  // a fresh token for the new connection

        // Dropped before it was placed: the result says so.
        h.fake.state.withLock { $0.dropOnAdd = 2 }
        let lost = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.002", price: "40000.0"))
        #expect(!lost.ok)
        guard case .venueRejected(let code, _)? = lost.error else { Issue.record("\(lost)"); return }
        #expect(code == "not_placed")
        #expect(h.fake.state.withLock { $0.open.count } == 1)

        // And the connection is usable again.
        let next = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.003", price: "40000.0"))
        #expect(next.ok, "\(next)")
        await h.close()
    }

    @Test func reconnectReplaysSubscriptionsAndRevalidatesBooks() async throws {
        let h = try await Harness.make(credentials: false)
        let btc = KrakenRecorder<BookUpdate>()
        btc.drain(try await h.api.watchOrderBook("BTC/USD", depth: 25))
        let trades = KrakenRecorder<Trade>()
        trades.drain(try await h.api.watchTrades("BTC/USD"))
        try await btc.wait("snapshot") { $0.contains(where: \.isSnapshot) }
        try await h.status.wait(.subscribed, symbol: "BTC/USD", count: 2)
        for s in h.fake.sessions("/pub") { s.drop() }
        try await h.status.wait(.bookInvalid, symbol: "BTC/USD")
        try await h.status.wait(.bookResynced, symbol: "BTC/USD")
        try await btc.wait("second snapshot") { $0.filter(\.isSnapshot).count >= 2 }
        try await h.status.wait(.subscribed, symbol: "BTC/USD", count: 4)
        let subs = h.fake.received("/pub").filter { $0.contains("\"subscribe\"") }
        #expect(subs.filter { $0.contains("\"book\"") && $0.contains("\"depth\":25") }.count == 2)
        #expect(subs.filter { $0.contains("\"trade\"") }.count == 2)
        try await h.status.wait(.reconnecting)
        h.fake.publishTrade("BTC/USD", id: 9, price: "1.0", qty: "1.00000000")
        try await trades.wait("trade after reconnect") { $0.contains { $0.id == "9" } }
        await h.close()
    }

    @Test func precisionFallsBackToRESTAndUnknownPairsEndTheirStream() async throws {
        let h = try await Harness.make(credentials: false, ["instrument_timeout_s": "2"])
        h.fake.state.withLock { $0.instrumentChannel = false }
        let book = try await h.api.watchOrderBook("BTC/USD", depth: 10)
        let rec = KrakenRecorder<BookUpdate>()
        rec.drain(book)
        try await rec.wait("snapshot") { !$0.isEmpty }
        #expect(await h.api.precisionSource == "rest")
        #expect(h.api.knownInstruments.precision(for: "BTC/USD") == KrakenPrecision(price: 1, qty: 8))

        let errors = KrakenRecorder<VenueErrorReply>()
        errors.drain(h.api.errors)
        let bad = try await h.api.watchOrderBook("XYZ/USD", depth: 10)
        let ended = try await krakenWithin(.seconds(10), "XYZ stream ends") { () -> Int in
            var n = 0
            for await _ in bad { n += 1 }
            return n
        }
        #expect(ended == 0)
        try await errors.wait("pair error") { $0.contains { $0.message.contains("Currency pair not supported") } }
        await h.close()
    }

    @Test func publicOnlyClientRefusesPrivateCalls() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.api.start()
        let r = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: "1.0"))
        #expect(!r.ok)
        if case .authenticationFailed? = r.error {} else { Issue.record("\(r)") }
        await #expect(throws: HFTError.self) { try await h.api.watchOrders() }
        let bad = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0", price: "1.0"))
        #expect(bad.error == .invalidArgument("quantity must be positive"))
        await h.close()
    }
}

@Suite("Kraken descriptor and registry")
struct KrakenDescriptorTests {
    @Test func descriptorListsEndpointsKnobsChannels() throws {
        let d = KrakenDescriptor.descriptor
        #expect(d.endpoints.map(\.name) == ["ws", "ws-auth", "rest"])
        #expect(d.defaultURL("ws") == "wss://ws.kraken.com/v2")
        #expect(d.defaultURL("ws-auth") == "wss://ws-auth.kraken.com/v2")
        #expect(d.defaultURL("rest") == "https://api.kraken.com")
        #expect(d.channels == ["book", "trades", "ticker", "orders", "balances"])
        #expect(d.websocketOrderEntry)
        for name in ["ping_interval_s", "stall_timeout_s", "reconnect_max_s", "max_msgs_per_s", "book_checksum", "dead_man_timeout_s"] {
            #expect(d.knobs.contains { $0.name == name }, "\(name)")
        }
        #expect(VenueCatalog.descriptor(for: .kraken) != nil)
        let o = try KrakenClientOptions(["max_msgs_per_s": "2.5", "book_checksum": "0"])
        #expect(o.maxMessagesPerSecond == 2.5 && !o.verifyChecksum)
        #expect(throws: HFTError.self) { try KrakenClientOptions(["no_such_knob": "1"]) }
        #expect(throws: HFTError.self) { try KrakenDescriptor.endpoints(["nope": "ws://x"]) }
    }

    @Test func builtInRegistryCreatesKrakenWithItsRESTAPI() async throws {
        let ex = Exchanges()
        let settings = VenueAPISettings(venue: .kraken, credentials: .init(key: "k", secret: "c2ltLXNlY3JldC0x"),
                                        endpoints: ["ws": "ws://127.0.0.1:1/v2"], options: ["ping_interval_s": "15"])
        let ws = try ex.createWsAPI(settings)
        let kraken = try #require(ws as? KrakenWsAPI)
        #expect(kraken.rest === (try ex.restAPI(.kraken) as? KrakenRestAPI))
        #expect(kraken.endpoints.publicWebSocket == "ws://127.0.0.1:1/v2")
        #expect(kraken.options.pingInterval == .seconds(15))
        await ex.shutdownAll()
    }

    @Test func restErrorsAreTypedAndCarryNoSecrets() async throws {
        let fake = FakeKraken()
        try await fake.start()
        let wrong = try KrakenCredentials(apiKey: "wrong-key", secret: "c2ltLXNlY3JldC0x")
        let rest = try KrakenRestAPI(credentials: wrong, endpoints: fake.endpoints)
        do {
            _ = try await rest.webSocketToken()
            Issue.record("token with a wrong key")
        } catch {
            #expect(error == .authenticationFailed("EAPI:Invalid key"))
        }
        let good = try KrakenRestAPI(credentials: fakeKrakenCredentials, endpoints: fake.endpoints)
        let token = try await good.webSocketToken()
        #expect(token.expiresSeconds == 900 && !"\(token)".contains("fake-token"))
        let pairs = try await good.assetPairs()
        #expect(pairs.map(\.symbol).sorted() == ["BTC/USD", "ETH/USD"])
        await rest.shutdown()
        await good.shutdown()
        await fake.shutdown()
    }
}
