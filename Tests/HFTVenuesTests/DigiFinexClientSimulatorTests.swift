import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The DigiFinex client against the DigiFinex simulator over loopback (no synthetic flow, fixed
/// seed, flow stepped by hand). The simulator was written from the protocol notes on its own,
/// so agreement here is two independent readings of the wire format agreeing.
@Suite("DigiFinex client ↔ simulator", .serialized, .enabled(if: VenueSimulators.available.contains(.digifinex)))
struct DigiFinexClientSimulatorTests {
    struct Sim {
        let host: SimulatorHost
        let running: SimulatorHost.Running
        let api: DigiFinexWsAPI
        let status = KrakenRecorder<VenueStatus>()
        let credentials: SimCredentials

        var exchange: SimulatedExchange { running.exchange }
        var account: AccountID { exchange.account(forAPIKey: credentials.apiKey)! }
        var symbol: Symbol { exchange.flowSymbols()[0] }

        static func start(credentials: Bool = true, _ options: [String: String] = [:]) async throws -> Sim {
            let host = SimulatorHost(options: .init(flowRate: 0, seed: 42))
            let running = try await host.start([.digifinex])[0]
            for symbol in running.exchange.flowSymbols() { running.exchange.stepFlow(actions: 300, symbol: symbol) }
            let creds = running.credentials[0]
            let api = try DigiFinexWsAPI(credentials: credentials ? try DigiFinexCredentials(apiKey: creds.apiKey, secret: creds.apiSecret) : nil,
                                         endpoints: try DigiFinexDescriptor.endpoints(running.endpoints),
                                         options: try digiFinexTestOptions(options), account: "sim-\(UUID().uuidString)")
            let sim = Sim(host: host, running: running, api: api, credentials: creds)
            sim.status.drain(api.status)
            return sim
        }

        func close() async {
            await api.stop()
            await host.shutdown()
        }

        func run(_ body: () async throws -> Void) async throws {
            do { try await body() } catch {
                await close()
                throw error
            }
            await close()
        }

        func openOrders() -> [Order] { exchange.openOrders(account).map(\.order) }
    }

    static func sameTop(_ a: OrderBook, _ b: OrderBook, _ n: Int = 10) -> Bool {
        let (ab, aa) = a.top(n), (bb, ba) = b.top(n)
        return ab.map(\.price) == bb.map(\.price) && ab.map(\.quantity) == bb.map(\.quantity)
            && aa.map(\.price) == ba.map(\.price) && aa.map(\.quantity) == ba.map(\.quantity)
    }

    @Test func bookEqualsTheSimulatorBook() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await sim.api.watchOrderBook(symbol, depth: 10))
            try await book.wait("snapshot") { $0.contains(where: \.isSnapshot) }
            let exchange = sim.exchange
            try await book.wait("snapshot matches the venue") { items in
                guard let last = items.last, let venue = try? exchange.bookSnapshot(symbol, depth: 10) else { return false }
                return Self.sameTop(last.book, venue)
            }
            for _ in 0..<10 { sim.exchange.stepFlow(actions: 20, symbol: symbol) }
            try await book.wait("updates match the venue") { items in
                guard let last = items.last, let venue = try? exchange.bookSnapshot(symbol, depth: 10) else { return false }
                return Self.sameTop(last.book, venue)
            }
            #expect(book.items.contains { !$0.isSnapshot })
            #expect(sim.status.count(.bookInvalid) == 0)
            // A second symbol: the subscribe carries both; both books keep matching.
            let other = try #require(sim.exchange.flowSymbols().dropFirst().first)
            let second = KrakenRecorder<BookUpdate>()
            second.drain(try await sim.api.watchOrderBook(other, depth: 10))
            #expect(sim.api.subscribedList(.depth).count == 2)
            for _ in 0..<5 {
                sim.exchange.stepFlow(actions: 20, symbol: symbol)
                sim.exchange.stepFlow(actions: 20, symbol: other)
            }
            try await second.wait("second symbol matches the venue") { items in
                guard let last = items.last, let venue = try? exchange.bookSnapshot(other, depth: 10) else { return false }
                return Self.sameTop(last.book, venue)
            }
            try await book.wait("first symbol still matches") { items in
                guard let last = items.last, let venue = try? exchange.bookSnapshot(symbol, depth: 10) else { return false }
                return Self.sameTop(last.book, venue)
            }
            #expect(sim.api.malformedCounts.malformed == 0 && sim.api.malformedCounts.unknown == 0)
            // A recycle keeps the book whole.
            #expect(try await sim.api.recycleNow())
            for _ in 0..<5 { sim.exchange.stepFlow(actions: 20, symbol: symbol) }
            try await book.wait("matches the venue after a recycle") { items in
                guard let last = items.last, let venue = try? exchange.bookSnapshot(symbol, depth: 10) else { return false }
                return Self.sameTop(last.book, venue)
            }
            #expect(sim.status.count(.bookInvalid) == 0)
        }
    }

    @Test func tradesMatchTheSimulator() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol
            let trades = KrakenRecorder<Trade>()
            trades.drain(try await sim.api.watchTrades(symbol))
            try await sim.status.wait(.subscribed, symbol: symbol)
            var n = 0
            while trades.count < 3 && n < 200 {
                sim.exchange.stepFlow(actions: 20, symbol: symbol)
                n += 1
                _ = try? await trades.wait("trades", timeout: .milliseconds(50)) { $0.count >= 3 }
            }
            try await trades.wait("trades") { $0.count >= 3 }
            let venue = sim.exchange.recentTrades(symbol, limit: 500).map(\.trade)
            for t in trades.items {
                let match = venue.first { $0.id == t.id }
                #expect(match?.price == t.price && match?.quantity == t.quantity && match?.side == t.side, "\(t) vs \(String(describing: match))")
            }
            let seen = trades.items  // one read: more trades may still be arriving
            #expect(Set(seen.map(\.id)).count == seen.count, "\(seen.map { "\($0.id)@\($0.price)x\($0.quantity)" })")
        }
    }

    @Test func placeGivesOrderAndBalancePushesThenCancel() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            try await sim.api.start()
            try await sim.status.wait(.authenticated)
            let symbol = sim.symbol
            let orders = KrakenRecorder<OrderEvent>(), balances = KrakenRecorder<Balance>()
            orders.drain(try await sim.api.watchOrders(symbols: [symbol]))
            balances.drain(try await sim.api.watchBalance())
            try await balances.wait("assets snapshot") { $0.contains { $0.asset == symbol.quote } }
            // No wait for the subscribe acks here: watchOrders(symbols:)/watchBalance return after them.
            let before = try #require(balances.items.last { $0.asset == symbol.quote })
            let venueBook = try sim.exchange.bookSnapshot(symbol, depth: 10)
            let bid = try #require(venueBook.bestBid?.price)
            let low = bid.divided(by: FixedDecimal(2), scale: bid.scale)!
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: low, postOnly: true))
            #expect(placed.ok, "\(placed)")
            #expect(placed.method == "POST /v3/spot/order/new" && placed.latencyMicros > 0)
            let orderID = try #require(placed.orderID)
            #expect(sim.openOrders().count == 1)  // the engine's own ids differ from the 32-hex wire ids
            try await orders.wait("order.update open") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .open }; return false } }
            try await balances.wait("balance.update") { $0.contains { $0.asset == symbol.quote && $0.available < before.available } }
            let cancelled = await sim.api.cancelOrder(CancelOrder(orderID: orderID, symbol: symbol))
            #expect(cancelled.ok, "\(cancelled)")
            try await orders.wait("order.update canceled") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .canceled }; return false } }
            #expect(sim.openOrders().isEmpty)
            for i in 0..<2 {
                let r = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: low - FixedDecimal(i + 1)))
                #expect(r.ok, "\(r)")
            }
            let all = await sim.api.cancelAllOrders(symbol: symbol)
            #expect(all.ok, "\(all)")
            #expect(sim.openOrders().isEmpty)
        }
    }

    @Test func dropReauthenticatesResubscribesAndResyncsTheBook() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            try await sim.api.start()
            let symbol = sim.symbol
            let book = KrakenRecorder<BookUpdate>(), orders = KrakenRecorder<OrderEvent>()
            book.drain(try await sim.api.watchOrderBook(symbol, depth: 10))
            orders.drain(try await sim.api.watchOrders())
            try await book.wait("snapshot") { $0.contains(where: \.isSnapshot) }
            try await sim.status.wait(.subscribed, symbol: symbol, detail: "order.subscribe")
            sim.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 0))
            sim.exchange.stepFlow(actions: 20, symbol: symbol)
            try await sim.status.wait(.bookInvalid, symbol: symbol)
            sim.exchange.faults.clear()
            try await sim.status.wait(.bookResynced, symbol: symbol)
            try await sim.status.wait(.authenticated, count: 2)
            for _ in 0..<5 { sim.exchange.stepFlow(actions: 20, symbol: symbol) }
            let exchange = sim.exchange
            try await book.wait("matches the venue after the drop") { items in
                guard let last = items.last, let venue = try? exchange.bookSnapshot(symbol, depth: 10) else { return false }
                return Self.sameTop(last.book, venue)
            }
            try await sim.status.wait(.subscribed, symbol: symbol, count: 2, detail: "order.subscribe")
            let bid = try #require(try sim.exchange.bookSnapshot(symbol, depth: 1).bestBid?.price)
            let r = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01",
                                                        price: bid.divided(by: FixedDecimal(2), scale: bid.scale)!))
            #expect(r.ok, "\(r)")
            let id = try #require(r.orderID)
            try await orders.wait("order.update after the reconnect") { $0.contains { if case .order(let o) = $0 { return o.orderID == id }; return false } }
            _ = await sim.api.cancelAllOrders(symbol: symbol)
        }
    }
}
