import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The Kraken client against the Kraken simulator over loopback (`SimulatorHost`, no synthetic
/// flow, fixed seed): the simulator speaks the wire protocol on its own, so these tests check
/// the client's reading of it, checksums included. Market activity is made by stepping the
/// simulator's flow explicitly; faults are switched on through its fault controller.
@Suite("Kraken client ↔ simulator", .serialized, .enabled(if: VenueSimulators.available.contains(.kraken)))
struct KrakenClientSimulatorTests {
    typealias Sim = SimulatorHarness<KrakenSimulator, KrakenWsAPI>

    @Test func bookSnapshotAndUpdatesVerify() async throws {
        let sim = try await Sim.start(credentials: false)
        let btc = KrakenRecorder<BookUpdate>(), eth = KrakenRecorder<BookUpdate>()
        btc.drain(try await sim.api.watchOrderBook("BTC/USD", depth: 10))
        eth.drain(try await sim.api.watchOrderBook("ETH/USD", depth: 10))
        try await btc.wait("BTC snapshot") { $0.contains(where: \.isSnapshot) }
        try await eth.wait("ETH snapshot") { $0.contains(where: \.isSnapshot) }
        #expect(await sim.api.precisionSource == "instrument")
        #expect(sim.api.knownInstruments.precision(for: "BTC/USD") == KrakenPrecision(price: 1, qty: 8))
        for _ in 0..<10 {
            sim.exchange.stepFlow(actions: 20, symbol: "BTC/USD")
            sim.exchange.stepFlow(actions: 20, symbol: "ETH/USD")
        }
        try await sim.waitMatches(btc, "BTC/USD", "BTC matches the venue")
        try await sim.waitMatches(eth, "ETH/USD", "ETH matches the venue")
        #expect(btc.items.filter { !$0.isSnapshot }.count > 0)
        #expect(sim.status.count(.bookInvalid) == 0)
        #expect(sim.api.malformedCounts.malformed == 0 && sim.api.malformedCounts.unknown == 0)
        await sim.close()
    }

    /// `.neverDrop` keeps one book per venue message for a consumer that starts late; the
    /// same flow read at once gives the same books in the same order.
    @Test func neverDropDeliveryKeepsEveryBookState() async throws {
        let sim = try await Sim.start(credentials: false)
        let eager = KrakenRecorder<BookUpdate>(), late = KrakenRecorder<BookUpdate>()
        eager.drain(try await sim.api.watchOrderBook("BTC/USD", depth: 10, delivery: .neverDrop(alarmThreshold: 100_000)))
        let held = try await sim.api.watchOrderBook("BTC/USD", depth: 10, delivery: .neverDrop(alarmThreshold: 100_000))
        try await eager.wait("snapshot") { $0.contains(where: \.isSnapshot) }
        for _ in 0..<20 { sim.exchange.stepFlow(actions: 10, symbol: "BTC/USD") }
        let all = try await sim.waitMatches(eager, "BTC/USD", "BTC matches the venue")
        #expect(all.count > 2)
        late.drain(held)
        let replay = try await late.wait("the held stream's every state") { $0.count >= all.count }
        #expect(held.droppedCount == 0 && replay.count == all.count)
        #expect(zip(replay, all).allSatisfy { sameTop($0.book, $1.book) })
        await sim.close()
    }

    @Test func corruptChecksumResyncsOnlyThatSymbol() async throws {
        let sim = try await Sim.start(credentials: false)
        let btc = KrakenRecorder<BookUpdate>(), eth = KrakenRecorder<BookUpdate>()
        btc.drain(try await sim.api.watchOrderBook("BTC/USD", depth: 10))
        eth.drain(try await sim.api.watchOrderBook("ETH/USD", depth: 10))
        try await btc.wait("BTC snapshot") { $0.contains(where: \.isSnapshot) }
        try await eth.wait("ETH snapshot") { $0.contains(where: \.isSnapshot) }

        sim.exchange.faults.setPlan(FaultPlan(corruptChecksumEvery: 1), forEndpoint: "ws")
        sim.exchange.stepFlow(actions: 20, symbol: "BTC/USD")
        try await sim.status.wait(.bookInvalid, symbol: "BTC/USD")
        sim.exchange.faults.clear()
        let ethBefore = eth.count
        sim.exchange.stepFlow(actions: 20, symbol: "ETH/USD")
        try await eth.wait("ETH goes on") { $0.count > ethBefore }
        try await sim.status.wait(.bookResynced, symbol: "BTC/USD")
        sim.exchange.stepFlow(actions: 20, symbol: "BTC/USD")
        try await sim.waitMatches(btc, "BTC/USD", "BTC matches the venue after the resync")
        #expect(sim.status.count(.bookInvalid, symbol: "ETH/USD") == 0)
        #expect(sim.status.count(.bookResynced, symbol: "ETH/USD") == 0)
        #expect(eth.items.filter(\.isSnapshot).count == 1)
        await sim.close()
    }

    @Test func tradesAndTicker() async throws {
        let sim = try await Sim.start(credentials: false)
        let trades = KrakenRecorder<Trade>(), tickers = KrakenRecorder<Ticker>()
        trades.drain(try await sim.api.watchTrades("BTC/USD"))
        tickers.drain(try await sim.api.watchTicker("BTC/USD"))
        try await sim.status.wait(.subscribed, symbol: "BTC/USD", count: 2)
        try await tickers.wait("ticker") { !$0.isEmpty }
        var n = 0
        while trades.count == 0 && n < 200 {
            sim.exchange.stepFlow(actions: 20, symbol: "BTC/USD")
            n += 1
            if trades.count == 0 { _ = try? await trades.wait("a trade", timeout: .milliseconds(50)) { !$0.isEmpty } }
        }
        try await trades.wait("trades") { !$0.isEmpty }
        let venue = sim.exchange.recentTrades("BTC/USD", limit: 500).map(\.trade)
        for t in trades.items {
            let match = venue.first { $0.id == t.id }
            #expect(match?.price == t.price && match?.quantity == t.quantity && match?.side == t.side, "\(t)")
        }
        #expect(tickers.items.last?.symbol == "BTC/USD")
        await sim.close()
    }

    @Test func privateChannelsAndOrderEntry() async throws {
        let sim = try await Sim.start()
        try await sim.api.start()
        try await sim.status.wait(.authenticated)
        let orders = KrakenRecorder<OrderEvent>(), balances = KrakenRecorder<Balance>()
        orders.drain(try await sim.api.watchOrders())
        balances.drain(try await sim.api.watchBalance())
        try await balances.wait("balances snapshot") { items in items.contains { $0.asset == "USD" } }
        #expect(balances.items.first { $0.asset == "USD" }?.available == FixedDecimal("1000000"))

        let book = try sim.exchange.bookSnapshot("BTC/USD", depth: 10)
        let bestAsk = try #require(book.bestAsk?.price)
        let low: FixedDecimal = "1000.0"
        let placed = await sim.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: low, postOnly: true))
        #expect(placed.ok, "\(placed)")
        #expect(placed.method == "add_order" && placed.latencyMicros > 0)
        #expect(placed.request.contains("\"token\":\"<token>\""))
        let orderID = try #require(placed.orderID)
        let cl = try #require(placed.clientOrderID)
        #expect(sim.openOrders().contains { $0.clientOrderID == cl })
        try await orders.wait("open order event") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .open }; return false } }

        let amended = await sim.api.amendOrder(AmendOrder(orderID: orderID, price: FixedDecimal("1001.0")))
        #expect(amended.ok && amended.method == "amend_order", "\(amended)")
        #expect(sim.openOrders().first { $0.clientOrderID == cl }?.price == FixedDecimal("1001.0"))

        let cancelled = await sim.api.cancelOrder(CancelOrder(orderID: orderID))
        #expect(cancelled.ok && cancelled.method == "cancel_order", "\(cancelled)")
        try await orders.wait("cancel event") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .canceled }; return false } }
        #expect(!sim.openOrders().contains { $0.clientOrderID == cl })

        let rejected = await sim.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: bestAsk, postOnly: true))
        #expect(!rejected.ok)
        #expect(rejected.error.map { "\($0)" }?.contains("Post only") == true, "\(rejected)")

        for i in 0..<2 {
            let r = await sim.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: FixedDecimal("\(900 + i).0")!))
            #expect(r.ok, "\(r)")
        }
        #expect(sim.openOrders().count == 2)
        let all = await sim.api.cancelAllOrders()
        #expect(all.ok && all.method == "cancel_all", "\(all)")
        #expect(all.response?.contains("\"count\":2") == true)
        #expect(sim.openOrders().isEmpty)
        #expect(sim.api.latency.summary("add_order")?.count == 4)
        await sim.close()
    }

    @Test func tokenExpiryReauthenticatesAndThePrivateStreamGoesOn() async throws {
        let sim = try await Sim.start()
        try await sim.api.start()
        let orders = KrakenRecorder<OrderEvent>()
        orders.drain(try await sim.api.watchOrders())
        try await sim.status.wait(.subscribed, detail: "executions")
        // Tokens now expire 1 s after they were issued; the current one is older than that
        // once the expiry has elapsed (the fault is time-based, so wait it out). The fresh token
        // then has 1 s for the resent order, room for a loaded machine.
        sim.exchange.faults.setPlan(FaultPlan(expireTokenAfterSeconds: 1))
        try await Task.sleep(for: .milliseconds(1_100))
        let r = await sim.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: "1000.0"))
        #expect(r.ok, "\(r)")
        try await sim.status.wait(.keyRefreshed)
        let id = try #require(r.orderID)
        try await orders.wait("the order on the private stream") { $0.contains { if case .order(let o) = $0 { return o.orderID == id }; return false } }
        sim.exchange.faults.clear()
        await sim.close()
    }

    @Test func dropWithAnOrderInFlightEndsInAKnownState() async throws {
        let sim = try await Sim.start(["reconnect_base_s": "0.05"])
        try await sim.api.start()
        let results = KrakenRecorder<OrderResult>()
        // Replies are held back, so the order is in flight when the socket dies.
        sim.exchange.faults.setPlan(FaultPlan(responseDelayMillis: 300), forEndpoint: "ws-auth")
        let cl = "drop-test-1"
        sim.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: "1000.0", clientOrderID: cl)) {
            results.append($0)
        }
        let exchange = sim.exchange, account = sim.account
        try await sim.eventually("the venue has the order") { exchange.openOrders(account).contains { $0.order.clientOrderID == cl } }
        sim.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 0, responseDelayMillis: 300), forEndpoint: "ws-auth")
        try await sim.status.wait(.disconnected, detail: "ws-auth")
        sim.exchange.faults.clear()
        let r = try await results.wait("the result") { !$0.isEmpty }[0]
        let onVenue = sim.openOrders().first { $0.clientOrderID == cl }
        #expect(r.ok, "\(r)")
        #expect(r.clientOrderID == cl)
        #expect(r.response == nil, "settled from the executions snapshot, not by a reply")
        #expect(r.orderID != nil && onVenue != nil)
        // Still usable.
        let next = await sim.api.placeOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "0.001", price: "1000.0"))
        #expect(next.ok, "\(next)")
        await sim.close()
    }

    @Test func reconnectReplaysSubscriptions() async throws {
        let sim = try await Sim.start(credentials: false, ["reconnect_base_s": "0.05"])
        let btc = KrakenRecorder<BookUpdate>(), trades = KrakenRecorder<Trade>()
        btc.drain(try await sim.api.watchOrderBook("BTC/USD", depth: 10))
        trades.drain(try await sim.api.watchTrades("BTC/USD"))
        try await btc.wait("snapshot") { $0.contains(where: \.isSnapshot) }
        try await sim.status.wait(.subscribed, symbol: "BTC/USD", count: 2)
        sim.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 0), forEndpoint: "ws")
        sim.exchange.stepFlow(actions: 5, symbol: "BTC/USD")
        try await sim.status.wait(.disconnected, detail: "ws")
        sim.exchange.faults.clear()
        try await sim.status.wait(.bookResynced, symbol: "BTC/USD")
        try await sim.status.wait(.subscribed, symbol: "BTC/USD", count: 4)
        try await btc.wait("a new snapshot") { $0.filter(\.isSnapshot).count >= 2 }
        for _ in 0..<5 { sim.exchange.stepFlow(actions: 20, symbol: "BTC/USD") }
        try await sim.waitMatches(btc, "BTC/USD", "BTC matches the venue")
        await sim.close()
    }
}

extension SimulatorHarness where Simulator == KrakenSimulator, API == KrakenWsAPI {
    /// The Kraken simulator, and a client with `options` over the test defaults.
    static func start(credentials: Bool = true, _ options: [String: String] = [:]) async throws -> Self {
        try await start(.kraken, simulator: { KrakenSimulator(exchange: $0) }) { endpoints, creds in
            try KrakenWsAPI(credentials: credentials ? try KrakenCredentials(apiKey: creds.apiKey, secret: creds.apiSecret) : nil,
                            endpoints: try KrakenDescriptor.endpoints(endpoints),
                            options: try krakenTestOptions(options), account: "sim-\(UUID().uuidString)")
        }
    }
}
