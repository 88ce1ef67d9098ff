import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Synchronization
import Testing

/// The Binance network layer against a scripted Binance endpoint (`FakeBinance`): book sync and
/// per-symbol resync, gap-free rotation, logon and user data, order entry with latency, 429
/// back-off, and reconciliation of requests cut off by a disconnect.
@Suite("Binance client (scripted endpoint)", .serialized)
struct BinanceClientScriptedTests {
    enum Keys { case none, hmac, ed25519 }

    struct Harness {
        let fake: FakeBinance
        let api: BinanceWsAPI
        let status = KrakenRecorder<VenueStatus>()

        static func make(_ keys: Keys = .ed25519, _ options: [String: String] = [:]) async throws -> Harness {
            let fake = FakeBinance()
            try await fake.start()
            let creds: BinanceCredentials? = switch keys {
            case .none: nil
            case .hmac: try BinanceTestSupport.hmacCredentials()
            case .ed25519: try BinanceTestSupport.ed25519Credentials()
            }
            let api = try BinanceWsAPI(credentials: creds, endpoints: fake.endpoints, options: try binanceTestOptions(options),
                                       account: "scripted-\(UUID().uuidString)")
            let h = Harness(fake: fake, api: api)
            h.status.drain(api.status)
            return h
        }

        func close() async {
            await api.stop()
            await fake.shutdown()
        }
    }

    static func isOrder(_ e: OrderEvent, _ id: String?, _ status: OrderStatus) -> Bool {
        if case .order(let o) = e { return o.orderID == id && o.status == status }
        return false
    }

    // MARK: Books

    @Test func depthSyncsAndAGapResyncsOnlyThatSymbol() async throws {
        let h = try await Harness.make(.none)
        let btc = KrakenRecorder<BookUpdate>(), eth = KrakenRecorder<BookUpdate>()
        btc.drain(try await h.api.watchOrderBook("BTC/USDT", depth: 10))
        eth.drain(try await h.api.watchOrderBook("ETH/USDT", depth: 1))
        try await btc.wait("BTC snapshot") { $0.contains { $0.isSnapshot } }
        try await eth.wait("ETH snapshot") { $0.contains { $0.isSnapshot } }
        let first = try #require(btc.items.first { $0.isSnapshot }).book
        #expect(first.bids.first?.price.description == "45283.50")
        #expect(first.asks.first?.quantity.description == "0.00100000")
        #expect(eth.items.last?.book.bids.count == 1)
        #expect(h.fake.depthCalls("BTCUSDT") == 1 && h.fake.depthCalls("ETHUSDT") == 1)
        #expect(h.fake.received("/stream").isEmpty || h.fake.received("/stream").allSatisfy { $0.contains("SUBSCRIBE") })

        h.fake.publishDepth("BTCUSDT", bids: [("45283.60", "0.20000000")])
        h.fake.publishDepth("ETHUSDT", asks: [("3000.50", "0")])
        try await btc.wait("BTC update") { $0.contains { !$0.isSnapshot && $0.book.bestBid?.price.description == "45283.60" } }
        try await eth.wait("ETH update") { $0.contains { !$0.isSnapshot && $0.book.bestAsk?.price.description == "3001.00" } }

        // A lost BTC event: BTC is invalidated and resynced from a new snapshot; ETH flows on.
        let ethBefore = eth.count
        h.fake.publishDepth("BTCUSDT", bids: [("45283.70", "0.30000000")], gap: true)
        h.fake.publishDepth("ETHUSDT", bids: [("3000.20", "1.0000")])
        try await h.status.wait(.bookInvalid, symbol: "BTC/USDT")
        try await eth.wait("ETH update after the BTC gap") { $0.count > ethBefore }
        try await h.status.wait(.bookResynced, symbol: "BTC/USDT")
        try await btc.wait("BTC resnapshot") { $0.filter(\.isSnapshot).count >= 2 }
        #expect(btc.items.last?.book.bestBid?.price.description == "45283.70")
        #expect(h.fake.depthCalls("BTCUSDT") == 2)
        #expect(h.fake.depthCalls("ETHUSDT") == 1)
        #expect(h.status.count(.bookInvalid, symbol: "ETH/USDT") == 0)
        // Updates apply again after the resync.
        h.fake.publishDepth("BTCUSDT", asks: [("45285.20", "0.00200000")])
        try await btc.wait("BTC update after resync") { $0.last?.book.bestAsk?.quantity.description == "0.00200000" }
        #expect(h.api.streamConnections == [2])
        await h.close()
    }

    @Test func tradesTickersAndMalformedFrames() async throws {
        let h = try await Harness.make(.none)
        let trades = KrakenRecorder<Trade>(), tickers = KrakenRecorder<Ticker>()
        trades.drain(try await h.api.watchTrades("BTC/USDT"))
        tickers.drain(try await h.api.watchTicker("BTC/USDT"))
        // The second stream is a paced SUBSCRIBE: wait for its ack.
        try await h.status.wait(.subscribed, symbol: "BTC/USDT")
        h.fake.publishTrade("BTCUSDT", id: 7, price: "45284.10", qty: "0.01000000", buyerIsMaker: true)
        h.fake.sendGarbage()
        h.fake.publishTrade("BTCUSDT", id: 7, price: "45284.10", qty: "0.01000000", buyerIsMaker: true)  // duplicate
        h.fake.publishTrade("BTCUSDT", id: 8, price: "45284.20", qty: "0.02000000")
        h.fake.publishTicker("BTCUSDT", u: 5, bid: "45283.50", ask: "45285.20")
        try await trades.wait("two trades") { $0.count >= 2 }
        try await tickers.wait("ticker") { !$0.isEmpty }
        #expect(trades.items.map(\.id) == ["7", "8"])
        #expect(trades.items[0].side == .sell && trades.items[1].side == .buy)
        #expect(trades.items[1].quantity.description == "0.02000000")
        #expect(tickers.items[0].ask?.description == "45285.20")
        try await h.status.wait(.malformed)
        #expect(h.api.malformedCounts.malformed == 1)
        await h.close()
    }

    /// The connection is replaced every second while depth and trades flow: every book update
    /// continues the previous one, every trade arrives once, nothing is invalidated.
    @Test func rotationOpensTheReplacementFirstAndLosesNothing() async throws {
        let h = try await Harness.make(.none, ["rotation_interval_s": "1", "rotation_overlap_s": "3"])
        let btc = KrakenRecorder<BookUpdate>(), trades = KrakenRecorder<Trade>()
        btc.drain(try await h.api.watchOrderBook("BTC/USDT", depth: 5))
        trades.drain(try await h.api.watchTrades("BTC/USDT"))
        try await btc.wait("snapshot") { $0.contains(where: \.isSnapshot) }
        try await h.status.wait(.subscribed, symbol: "BTC/USDT")
        let fake = h.fake
        let publisher = Task {
            var n: Int64 = 0
            while !Task.isCancelled && n < 250 {
                n += 1
                fake.publishDepth("BTCUSDT", bids: [("45000.\(String(format: "%02d", n % 100))", "1.00000000")])
                fake.publishTrade("BTCUSDT", id: n, price: "45000.00", qty: "0.00100000")
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        try await h.status.wait(.connected, count: 2, detail: "rotation done", timeout: .seconds(15))
        await publisher.value
        try await trades.wait("all trades") { $0.count >= 250 }
        #expect(trades.items.map(\.id) == (1...250).map { String($0) })
        let seqs = btc.items.filter { !$0.isSnapshot }.map(\.book.sequence)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
        #expect(h.status.count(.bookInvalid) == 0, "\(h.status.items.filter { $0.event == .bookInvalid }.map(\.detail))")
        #expect(btc.items.filter(\.isSnapshot).count == 1)
        #expect(fake.depthCalls("BTCUSDT") == 1)
        await h.close()
    }

    @Test func serverShutdownRotatesAtOnce() async throws {
        let h = try await Harness.make(.none)
        let btc = KrakenRecorder<BookUpdate>()
        btc.drain(try await h.api.watchOrderBook("BTC/USDT", depth: 5))
        try await btc.wait("snapshot") { $0.contains(where: \.isSnapshot) }
        let before = h.fake.sessions("/stream")
        #expect(before.count == 1)
        h.fake.sendStreamShutdown()
        h.fake.publishDepth("BTCUSDT", bids: [("45283.60", "0.20000000")])
        try await h.status.wait(.connected, detail: "rotation done")
        h.fake.publishDepth("BTCUSDT", bids: [("45283.70", "0.20000000")])
        try await btc.wait("update on the new connection") { $0.last?.book.bestBid?.price.description == "45283.70" }
        await before[0].waitClosed()
        #expect(h.fake.sessions("/stream").count == 1 && h.fake.sessions("/stream")[0].id != before[0].id)
        #expect(h.status.count(.bookInvalid) == 0)
        await h.close()
    }

    // MARK: WS API

    @Test func ed25519LogsOnAndUserDataFlows() async throws {
        let h = try await Harness.make(.ed25519)
        try await h.api.start()
        let sent = h.fake.received("/ws-api/v3")
        #expect(sent.first?.contains("\"session.logon\"") == true)
        #expect(sent.dropFirst().first?.contains("\"userDataStream.subscribe\"") == true)
        try await h.status.wait(.authenticated)
        let orders = KrakenRecorder<OrderEvent>(), balances = KrakenRecorder<Balance>()
        orders.drain(try await h.api.watchOrders())
        balances.drain(try await h.api.watchBalance())
        let placed = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "40000.00", postOnly: true))
        #expect(placed.ok, "\(placed)")
        // Logged on: no apiKey or signature on the order.
        let wire = try #require(h.fake.received("/ws-api/v3").last { $0.contains("order.place") })
        #expect(!wire.contains("signature") && !wire.contains("apiKey") && wire.contains("\"timestamp\""))
        #expect(wire.contains("\"type\":\"LIMIT_MAKER\"") && wire.contains("\"quantity\":\"0.00100\""))
        try await orders.wait("order open") { $0.contains { Self.isOrder($0, placed.orderID, .open) } }
        try await balances.wait("balance") { $0.contains { $0.asset == "USDT" && $0.frozen.description == "1000.00000000" } }

        // The stream ends (logout elsewhere): subscribed again.
        h.fake.terminateUserData()
        try await h.status.wait(.subscribed, count: 2, detail: "user data")
        let cancelled = await h.api.cancelOrder(CancelOrder(orderIDs: [placed.orderID!], symbol: "BTC/USDT"))
        #expect(cancelled.ok, "\(cancelled)")
        try await orders.wait("order cancelled") { $0.contains { Self.isOrder($0, placed.orderID, .canceled) } }
        await h.close()
    }

    /// `serverShutdown` on the WS API: the replacement logs on and subscribes first; orders keep
    /// working throughout and the old connection closes.
    @Test func webSocketAPIRotatesOnServerShutdown() async throws {
        let h = try await Harness.make(.ed25519)
        try await h.api.start()
        let orders = KrakenRecorder<OrderEvent>()
        orders.drain(try await h.api.watchOrders())
        let old = h.fake.sessions("/ws-api/v3")
        #expect(old.count == 1)
        let first = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "40000.00"))
        #expect(first.ok, "\(first)")
        h.fake.sendAPIShutdown()
        try await h.status.wait(.connected, detail: "ws-api: rotation done")
        await old[0].waitClosed()
        let now = h.fake.sessions("/ws-api/v3")
        #expect(now.count == 1 && now[0].id != old[0].id)
        #expect(h.fake.received("/ws-api/v3").filter { $0.contains("session.logon") }.count == 2)
        #expect(h.api.webSocketAPIRotations == 1)
        let second = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00200", price: "40000.00"))
        #expect(second.ok, "\(second)")
        try await orders.wait("user data on the new connection") { $0.contains { Self.isOrder($0, second.orderID, .open) } }
        #expect(h.status.count(.disconnected) == 0, "\(h.status.items)")
        await h.close()
    }

    @Test func hmacSignsEveryRequest() async throws {
        let h = try await Harness.make(.hmac)
        try await h.api.start()
        let sent = h.fake.received("/ws-api/v3")
        #expect(!sent.contains { $0.contains("session.logon") })
        #expect(sent.first?.contains("\"userDataStream.subscribe.signature\"") == true && sent.first?.contains("\"signature\"") == true)
        let placed = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .sell, quantity: "0.00100", price: "50000.00"))
        #expect(placed.ok, "\(placed)")
        let wire = try #require(h.fake.received("/ws-api/v3").last { $0.contains("order.place") })
        #expect(wire.contains("\"signature\"") && wire.contains("\"apiKey\""))
        #expect(!placed.request.contains(BinanceTestSupport.apiKey) && placed.request.contains("<redacted>"))
        await h.close()
    }

    @Test func orderEntryResultsCarryRequestResponseAndLatency() async throws {
        let h = try await Harness.make(.ed25519)
        try await h.api.start()
        let orders = KrakenRecorder<OrderEvent>()
        orders.drain(try await h.api.watchOrders())
        let myID = h.api.nextRequestID()
        let placed = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.01000", price: "40000.00",
                                                       clientOrderID: "my-order-1", requestID: myID))
        #expect(placed.ok && placed.requestID == myID && placed.method == "order.place", "\(placed)")
        #expect(placed.clientOrderID == "my-order-1")
        #expect(placed.latencyMicros > 0)
        #expect(placed.response?.contains("\"status\":200") == true)
        #expect(placed.request.contains("\"id\":\(myID)"))
        #expect(h.api.latency.summary("order.place")?.count == 1)
        let orderID = try #require(placed.orderID)
        try await orders.wait("open") { $0.contains { Self.isOrder($0, orderID, .open) } }

        // Quantity down: keepPriority.
        let smaller = await h.api.amendOrder(AmendOrder(orderID: orderID, symbol: "BTC/USDT", quantity: "0.00500"))
        #expect(smaller.ok && smaller.method == "order.amend.keepPriority" && smaller.orderID == orderID, "\(smaller)")
        try await orders.wait("amended") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.quantity.description == "0.00500" }; return false } }
        // Price change: cancelReplace from the open order, a new id.
        let moved = await h.api.amendOrder(AmendOrder(orderID: orderID, symbol: "BTC/USDT", price: "40001.00"))
        #expect(moved.ok && moved.method == "order.cancelReplace" && moved.orderID != orderID, "\(moved)")
        let replaced = try #require(h.fake.received("/ws-api/v3").last { $0.contains("order.cancelReplace") })
        #expect(replaced.contains("\"quantity\":\"0.00500\"") && replaced.contains("\"price\":\"40001.00\"") && replaced.contains("STOP_ON_FAILURE"))
        let newID = try #require(moved.orderID)
        try await orders.wait("replacement open") { $0.contains { Self.isOrder($0, newID, .open) } }

        let cancelled = await h.api.cancelOrder(CancelOrder(orderIDs: [newID], symbol: "BTC/USDT"))
        #expect(cancelled.ok && cancelled.method == "order.cancel", "\(cancelled)")
        let again = await h.api.cancelOrder(CancelOrder(orderIDs: [newID], symbol: "BTC/USDT"))
        #expect(!again.ok && again.error == .venueRejected(code: "-2011", message: "Unknown order sent."))
        #expect(again.response?.contains("-2011") == true)

        let rejected = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "46000.00", postOnly: true))
        #expect(!rejected.ok && rejected.error == .venueRejected(code: "-2010", message: "Order would immediately match and take."))
        // Filters from exchangeInfo refuse a bad tick before anything is sent.
        let offTick = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "40000.001"))
        guard case .invalidArgument? = offTick.error else { Issue.record("\(offTick)"); return }

        _ = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "39000.00"))
        let all = await h.api.cancelAllOrders(symbol: "BTC/USDT")
        #expect(all.ok && all.method == "openOrders.cancelAll", "\(all)")
        let ping = await h.api.ping()
        #expect(ping.ok && ping.method == "ping")
        #expect(Set(h.api.latency.methods.keys).isSuperset(of: ["order.place", "order.cancel", "order.amend.keepPriority", "order.cancelReplace", "openOrders.cancelAll"]))
        await h.close()
    }

    @Test func requestsLeaveInCallOrder() async throws {
        let h = try await Harness.make(.hmac)
        try await h.api.start()
        let results = KrakenRecorder<OrderResult>()
        var ids: [RequestID] = []
        for i in 0..<30 {
            ids.append(h.api.placeOrder(PlaceOrder(symbol: "ETH/USDT", side: .buy, quantity: "0.0100", price: FixedDecimal("\(2000 + i).00")!)) {
                results.append($0)
            })
        }
        try await results.wait("30 results") { $0.count == 30 }
        #expect(results.items.allSatisfy { $0.ok })
        let wire = h.fake.received("/ws-api/v3").filter { $0.contains("order.place") }.compactMap { text -> RequestID? in
            guard let r = text.range(of: "\"id\":") else { return nil }
            return RequestID(text[r.upperBound...].prefix { $0.isNumber })
        }
        #expect(wire == ids)
        await h.close()
    }

    // MARK: Limits

    @Test func rateLimitedReplyBacksOffUntilRetryAfter() async throws {
        let h = try await Harness.make(.ed25519)
        try await h.api.start()
        h.fake.state.withLock { $0.rateLimitNext = ("order.place", 429, -1003, 600) }
        let limited = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "40000.00"))
        guard case .rateLimited(let after?)? = limited.error else { Issue.record("\(limited)"); return }
        #expect(after > 400_000 && after <= 600_000)
        #expect(limited.response?.contains("retryAfter") == true)
        try await h.status.wait(.rateLimited)
        let refusedAt = MonotonicClock.nanoseconds()
        // The next request waits for the back-off instead of hammering.
        let next = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "40000.00"))
        #expect(next.ok, "\(next)")
        let sentAt = try #require(h.fake.receivedAt("/ws-api/v3", containing: "order.place").last)
        #expect(sentAt - refusedAt > 350_000_000, "sent \((sentAt - refusedAt) / 1_000_000) ms after the 429")

        // A ban longer than max_rate_limit_wait_s: queued requests fail at once, typed.
        h.fake.state.withLock { $0.rateLimitNext = ("order.place", 418, -1003, 20_000) }
        let banned = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "40000.00"))
        guard case .rateLimited? = banned.error else { Issue.record("\(banned)"); return }
        let start = ContinuousClock.now
        let blocked = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "40000.00"))
        guard case .rateLimited(let wait?)? = blocked.error else { Issue.record("\(blocked)"); return }
        #expect(wait > 10_000_000 && ContinuousClock.now - start < .seconds(1))
        #expect(blocked.response == nil)
        #expect(h.fake.received("/ws-api/v3").filter { $0.contains("order.place") }.count == 3)
        await h.close()
    }

    @Test func restSnapshot429BacksOffAndRetries() async throws {
        let h = try await Harness.make(.none)
        h.fake.state.withLock { $0.depthRateLimit = 1 }
        let btc = KrakenRecorder<BookUpdate>()
        let start = ContinuousClock.now
        btc.drain(try await h.api.watchOrderBook("BTC/USDT", depth: 5))
        try await h.status.wait(.rateLimited, symbol: "BTC/USDT")
        try await btc.wait("snapshot after the back-off") { $0.contains(where: \.isSnapshot) }
        #expect(ContinuousClock.now - start >= .milliseconds(900))
        #expect(h.fake.depthCalls("BTCUSDT") == 2)
        await h.close()
    }

    // MARK: Reconciliation

    @Test func orderCutOffByADisconnectIsReconciled() async throws {
        let h = try await Harness.make(.ed25519)
        try await h.api.start()
        // Placed, then the socket dies before the reply: order.status finds it.
        h.fake.state.withLock { $0.dropOnPlace = 1 }
        let placed = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00100", price: "40000.00"))
        #expect(placed.ok, "\(placed)")
        let open = h.fake.state.withLock { Array($0.open.values) }
        #expect(placed.orderID == open.first.map { String($0.id) } && placed.clientOrderID == open.first?.cl)
        #expect(placed.response?.contains("\"status\":200") == true)
        let sent = h.fake.received("/ws-api/v3")
        #expect(sent.filter { $0.contains("session.logon") }.count == 2)
        #expect(sent.contains { $0.contains("order.status") && $0.contains(placed.clientOrderID ?? "?") })

        // Dropped before it was placed: the result says so.
        h.fake.state.withLock { $0.dropOnPlace = 2 }
        let lost = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00200", price: "40000.00"))
        #expect(!lost.ok)
        guard case .venueRejected(let code, _)? = lost.error else { Issue.record("\(lost)"); return }
        #expect(code == "not_placed")
        #expect(h.fake.state.withLock { $0.open.count } == 1)

        // Usable again.
        let next = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.00300", price: "40000.00"))
        #expect(next.ok, "\(next)")
        await h.close()
    }
}
