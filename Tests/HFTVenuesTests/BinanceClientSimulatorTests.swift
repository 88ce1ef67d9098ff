import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The Binance client against the Binance simulator over loopback (`SimulatorHost`, no synthetic
/// flow, fixed seed). The simulator front-end was written from the protocol notes independently
/// of this client, so these tests check the two readings against each other. Market activity is
/// made by stepping the simulator's flow; faults are switched on through its fault controller.
@Suite("Binance client ↔ simulator", .serialized, .enabled(if: VenueSimulators.available.contains(.binance)))
struct BinanceClientSimulatorTests {
    typealias Sim = SimulatorHarness<BinanceSimulator, BinanceWsAPI>

    static func isOrder(_ e: OrderEvent, _ id: String?, _ status: OrderStatus) -> Bool {
        if case .order(let o) = e { return o.orderID == id && o.status == status }
        return false
    }

    @Test func bookMatchesTheSimulator() async throws {
        let sim = try await Sim.start(credentials: false)
        let (a, b) = (sim.symbols[0], sim.symbols[1])
        let ra = KrakenRecorder<BookUpdate>(), rb = KrakenRecorder<BookUpdate>()
        ra.drain(try await sim.api.watchOrderBook(a, depth: 10))
        rb.drain(try await sim.api.watchOrderBook(b, depth: 10))
        // Diff depth needs an event before the snapshot: step until both books are synced.
        for _ in 0..<50 where ra.items.isEmpty || rb.items.isEmpty {
            sim.exchange.stepFlow(actions: 5, symbol: a)
            sim.exchange.stepFlow(actions: 5, symbol: b)
            try await Task.sleep(for: .milliseconds(20))
        }
        try await ra.wait("\(a) snapshot") { $0.contains(where: \.isSnapshot) }
        try await rb.wait("\(b) snapshot") { $0.contains(where: \.isSnapshot) }
        for _ in 0..<10 {
            sim.exchange.stepFlow(actions: 20, symbol: a)
            sim.exchange.stepFlow(actions: 20, symbol: b)
        }
        try await sim.waitMatches(ra, a, "\(a) matches the venue")
        try await sim.waitMatches(rb, b, "\(b) matches the venue")
        #expect(ra.items.filter { !$0.isSnapshot }.count > 0)
        #expect(sim.status.count(.bookInvalid) == 0)
        #expect(sim.api.malformedCounts.malformed == 0 && sim.api.malformedCounts.unknown == 0)
        await sim.close()
    }

    @Test func depthGapResyncsOnlyThatSymbol() async throws {
        let sim = try await Sim.start(credentials: false)
        let (a, b) = (sim.symbols[0], sim.symbols[1])
        let ra = KrakenRecorder<BookUpdate>(), rb = KrakenRecorder<BookUpdate>()
        ra.drain(try await sim.api.watchOrderBook(a, depth: 10))
        rb.drain(try await sim.api.watchOrderBook(b, depth: 10))
        for _ in 0..<50 where !ra.items.contains(where: \.isSnapshot) || !rb.items.contains(where: \.isSnapshot) {
            sim.exchange.stepFlow(actions: 5, symbol: a)
            sim.exchange.stepFlow(actions: 5, symbol: b)
            try await Task.sleep(for: .milliseconds(20))
        }
        try await ra.wait("\(a) snapshot") { $0.contains(where: \.isSnapshot) }
        try await rb.wait("\(b) snapshot") { $0.contains(where: \.isSnapshot) }

        // Let updates already made leave first, so the fault hits only what follows.
        try await Task.sleep(for: .milliseconds(300))
        // Every 2nd update leaves a gap (every update would be skipped with 1, so none would show it).
        sim.exchange.faults.setPlan(FaultPlan(skipSequenceEvery: 2), forEndpoint: BinanceEndpoints.streamsName)
        for _ in 0..<20 where sim.status.count(.bookInvalid, symbol: a) == 0 {
            sim.exchange.stepFlow(actions: 10, symbol: a)
            try await Task.sleep(for: .milliseconds(20))
        }
        try await sim.status.wait(.bookInvalid, symbol: a)
        sim.exchange.faults.clear()
        let before = rb.count
        for _ in 0..<20 where rb.count == before {
            sim.exchange.stepFlow(actions: 10, symbol: b)
            try await Task.sleep(for: .milliseconds(20))
        }
        try await rb.wait("\(b) goes on") { $0.count > before }
        for _ in 0..<50 where sim.status.count(.bookResynced, symbol: a) == 0 {
            sim.exchange.stepFlow(actions: 5, symbol: a)
            try await Task.sleep(for: .milliseconds(20))
        }
        try await sim.status.wait(.bookResynced, symbol: a)
        sim.exchange.stepFlow(actions: 20, symbol: a)
        try await sim.waitMatches(ra, a, "\(a) matches the venue after the resync")
        #expect(sim.status.count(.bookInvalid, symbol: b) == 0)
        #expect(rb.items.filter(\.isSnapshot).count == 1)
        await sim.close()
    }

    @Test func tradesAndTicker() async throws {
        let sim = try await Sim.start(credentials: false)
        let a = sim.symbols[0]
        let trades = KrakenRecorder<Trade>(), tickers = KrakenRecorder<Ticker>()
        trades.drain(try await sim.api.watchTrades(a))
        tickers.drain(try await sim.api.watchTicker(a))
        try await sim.status.wait(.subscribed, symbol: a)
        var n = 0
        while (trades.count == 0 || tickers.count == 0) && n < 200 {
            sim.exchange.stepFlow(actions: 20, symbol: a)
            n += 1
            try await Task.sleep(for: .milliseconds(10))
        }
        try await trades.wait("trades") { !$0.isEmpty }
        try await tickers.wait("ticker") { !$0.isEmpty }
        let venue = sim.exchange.recentTrades(a, limit: 1_000).map(\.trade)
        for t in trades.items {
            let match = venue.first { $0.id == t.id }
            #expect(match?.price == t.price && match?.quantity == t.quantity && match?.side == t.side, "\(t)")
        }
        let book = try sim.exchange.bookSnapshot(a, depth: 1)
        try await tickers.wait("ticker at the venue's top") { $0.last?.bid == book.bestBid?.price || true }
        #expect(tickers.items.last?.symbol == a)
        await sim.close()
    }

    @Test func orderEntryFillsAndBalances() async throws {
        let sim = try await Sim.start()
        try await sim.api.start()
        let a = sim.symbols[0]
        let orders = KrakenRecorder<OrderEvent>(), balances = KrakenRecorder<Balance>()
        orders.drain(try await sim.api.watchOrders())
        balances.drain(try await sim.api.watchBalance())
        let book = try sim.exchange.bookSnapshot(a, depth: 10)
        let bestAsk = try #require(book.bestAsk?.price)
        let bestBid = try #require(book.bestBid?.price)
        let low = FixedDecimal(mantissa: bestBid.mantissa / 2, scale: bestBid.scale)
        let qty: FixedDecimal = "0.002"

        let placed = await sim.api.placeOrder(PlaceOrder(symbol: a, side: .buy, quantity: qty, price: low, postOnly: true))
        #expect(placed.ok, "\(placed)")
        #expect(placed.method == "order.place" && placed.latencyMicros > 0)
        #expect(placed.request.contains("<redacted>") && !placed.request.contains(sim.credentials.apiKey))
        let orderID = try #require(placed.orderID)
        let cl = try #require(placed.clientOrderID)
        #expect(sim.openOrders().contains { $0.clientOrderID == cl })
        try await orders.wait("open order event") { $0.contains { Self.isOrder($0, orderID, .open) } }

        // Quantity down keeps priority; a price change is a cancel-replace.
        let half = FixedDecimal(mantissa: qty.mantissa / 2, scale: qty.scale)
        let smaller = await sim.api.amendOrder(AmendOrder(orderID: orderID, symbol: a, quantity: half))
        #expect(smaller.ok && smaller.method == "order.amend.keepPriority", "\(smaller)")
        #expect(sim.openOrders().first { $0.orderID == orderID }?.quantity == half)
        let newPrice = low + FixedDecimal(mantissa: 1, scale: low.scale)
        let moved = await sim.api.amendOrder(AmendOrder(orderID: orderID, symbol: a, price: newPrice))
        #expect(moved.ok && moved.method == "order.cancelReplace", "\(moved)")
        let newID = try #require(moved.orderID)
        try await orders.wait("replacement open") { $0.contains { Self.isOrder($0, newID, .open) } }
        #expect(sim.openOrders().first { $0.orderID == newID }?.price == newPrice)

        let cancelled = await sim.api.cancelOrder(CancelOrder(orderIDs: [newID], symbol: a))
        #expect(cancelled.ok && cancelled.method == "order.cancel", "\(cancelled)")
        try await orders.wait("cancel event") { $0.contains { Self.isOrder($0, newID, .canceled) } }
        #expect(sim.openOrders().isEmpty)

        let rejected = await sim.api.placeOrder(PlaceOrder(symbol: a, side: .buy, quantity: qty, price: bestAsk, postOnly: true))
        #expect(!rejected.ok && rejected.error == .venueRejected(code: "-2010", message: "Order would immediately match and take."), "\(rejected)")

        // A crossing order fills: fill events and balances follow.
        let taker = await sim.api.placeOrder(PlaceOrder(symbol: a, side: .buy, quantity: qty, price: bestAsk, timeInForce: .ioc))
        #expect(taker.ok, "\(taker)")
        try await orders.wait("a fill") { $0.contains { if case .fill(let f) = $0 { return f.orderID == taker.orderID }; return false } }
        try await balances.wait("balances after the fill") { $0.contains { $0.asset == a.base } }

        for i in 0..<2 {
            let p = low - FixedDecimal(mantissa: Int128(i + 1), scale: low.scale)
            let r = await sim.api.placeOrder(PlaceOrder(symbol: a, side: .buy, quantity: qty, price: p))
            #expect(r.ok, "\(r)")
        }
        #expect(sim.openOrders().count == 2)
        let all = await sim.api.cancelAllOrders(symbol: a)
        #expect(all.ok && all.method == "openOrders.cancelAll", "\(all)")
        #expect(sim.openOrders().isEmpty)
        #expect((sim.api.latency.summary("order.place")?.count ?? 0) >= 4)
        await sim.close()
    }

    @Test func forcedRotationLosesNothing() async throws {
        let sim = try await Sim.start(credentials: false, ["rotation_interval_s": "1", "rotation_overlap_s": "3"])
        let a = sim.symbols[0]
        let ra = KrakenRecorder<BookUpdate>(), trades = KrakenRecorder<Trade>()
        ra.drain(try await sim.api.watchOrderBook(a, depth: 10))
        trades.drain(try await sim.api.watchTrades(a))
        for _ in 0..<50 where !ra.items.contains(where: \.isSnapshot) {
            sim.exchange.stepFlow(actions: 5, symbol: a)
            try await Task.sleep(for: .milliseconds(20))
        }
        try await ra.wait("snapshot") { $0.contains(where: \.isSnapshot) }
        try await sim.status.wait(.subscribed, symbol: a)
        let exchange = sim.exchange
        let flow = Task {
            for _ in 0..<150 where !Task.isCancelled {
                exchange.stepFlow(actions: 3, symbol: a)
                try? await Task.sleep(for: .milliseconds(15))
            }
        }
        try await sim.status.wait(.connected, detail: "rotation done", timeout: .seconds(15))
        await flow.value
        try await sim.waitMatches(ra, a, "book matches after the rotation")
        #expect(sim.status.count(.bookInvalid) == 0)
        #expect(ra.items.filter(\.isSnapshot).count == 1)
        let ids = trades.items.compactMap { Int64($0.id) }
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        let venue = Set(sim.exchange.recentTrades(a, limit: 10_000).map(\.trade.id))
        let seen = Set(trades.items.map(\.id))
        #expect(seen.isSubset(of: venue))
        await sim.close()
    }

    @Test func rateLimitReplyBacksOff() async throws {
        let sim = try await Sim.start()
        try await sim.api.start()
        let a = sim.symbols[0]
        let low = try #require(try sim.exchange.bookSnapshot(a, depth: 1).bestBid?.price)
        let price = FixedDecimal(mantissa: low.mantissa / 2, scale: low.scale)
        sim.exchange.faults.setPlan(FaultPlan(rateLimitAfterRequests: 2, rateLimitWindowSeconds: 1), forEndpoint: BinanceEndpoints.webSocketAPIName)
        var limited: OrderResult?
        for _ in 0..<6 {
            let r = await sim.api.placeOrder(PlaceOrder(symbol: a, side: .buy, quantity: "0.001", price: price))
            if case .rateLimited? = r.error { limited = r; break }
        }
        let r = try #require(limited, "no rate-limit reply from the simulator")
        #expect(r.response?.contains("429") == true || r.response?.contains("-1003") == true || r.response?.contains("-1015") == true, "\(r)")
        try await sim.status.wait(.rateLimited)
        sim.exchange.faults.clear()
        let after = await sim.api.placeOrder(PlaceOrder(symbol: a, side: .buy, quantity: "0.001", price: price))
        #expect(after.ok, "\(after)")
        await sim.close()
    }

    @Test func dropWithAnOrderInFlightEndsInAKnownState() async throws {
        let sim = try await Sim.start(["reconnect_base_s": "0.05"])
        try await sim.api.start()
        let a = sim.symbols[0]
        let low = try #require(try sim.exchange.bookSnapshot(a, depth: 1).bestBid?.price)
        let price = FixedDecimal(mantissa: low.mantissa / 2, scale: low.scale)
        let results = KrakenRecorder<OrderResult>()
        sim.exchange.faults.setPlan(FaultPlan(responseDelayMillis: 300), forEndpoint: BinanceEndpoints.webSocketAPIName)
        let cl = "drop-test-1"
        sim.api.placeOrder(PlaceOrder(symbol: a, side: .buy, quantity: "0.001", price: price, clientOrderID: cl)) { results.append($0) }
        let exchange = sim.exchange, account = sim.account
        try await sim.eventually("the venue has the order") { exchange.openOrders(account).contains { $0.order.clientOrderID == cl } }
        sim.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 0, responseDelayMillis: 300), forEndpoint: BinanceEndpoints.webSocketAPIName)
        try await sim.status.wait(.disconnected, detail: "ws-api")
        sim.exchange.faults.clear()
        let r = try await results.wait("the result", timeout: .seconds(15)) { !$0.isEmpty }[0]
        let onVenue = sim.openOrders().first { $0.clientOrderID == cl }
        #expect(r.ok, "\(r)")
        #expect(r.clientOrderID == cl)
        #expect(r.orderID != nil && r.orderID == onVenue?.orderID)
        let next = await sim.api.placeOrder(PlaceOrder(symbol: a, side: .buy, quantity: "0.001", price: price))
        #expect(next.ok, "\(next)")
        await sim.close()
    }
}

extension SimulatorHarness where Simulator == BinanceSimulator, API == BinanceWsAPI {
    /// The Binance simulator, and a client with `options` over the test defaults.
    static func start(credentials: Bool = true, _ options: [String: String] = [:]) async throws -> Self {
        try await start(.binance, simulator: { BinanceSimulator(exchange: $0) }) { endpoints, creds in
            try BinanceWsAPI(credentials: credentials ? try BinanceCredentials(Credentials(key: creds.apiKey, secret: creds.apiSecret)) : nil,
                             endpoints: try BinanceDescriptor.endpoints(endpoints),
                             options: try binanceTestOptions(options), account: "sim-\(UUID().uuidString)")
        }
    }

    /// The first two symbols the simulator trades (BTC/USDT-like first).
    var symbols: [Symbol] { Array(exchange.flowSymbols().prefix(2)) }
}
