import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The LBank client against the LBank simulator over loopback (no synthetic flow, fixed seed,
/// flow stepped by hand). The simulator was written from the protocol notes on its own, so
/// agreement here is two independent readings of the wire format agreeing.
@Suite("LBank client ↔ simulator", .serialized, .enabled(if: VenueSimulators.available.contains(.lbank)))
struct LBankClientSimulatorTests {
    struct Sim {
        let host: SimulatorHost
        let running: SimulatorHost.Running
        let api: LBankWsAPI
        let status = KrakenRecorder<VenueStatus>()

        var exchange: SimulatedExchange { running.exchange }
        var symbol: Symbol { exchange.flowSymbols()[0] }

        static func start(credentials: Bool = true) async throws -> Sim {
            let host = SimulatorHost(options: .init(flowRate: 0, seed: 42))
            let running = try await host.start([.lbank])[0]
            for symbol in running.exchange.flowSymbols() { running.exchange.stepFlow(actions: 300, symbol: symbol) }
            let creds = running.credentials[0]
            let api = try LBankWsAPI(credentials: credentials ? try LBankCredentials(apiKey: creds.apiKey, secret: creds.apiSecret) : nil,
                                     endpoints: try LBankDescriptor.endpoints(running.endpoints), options: try lbankTestOptions())
            let sim = Sim(host: host, running: running, api: api)
            sim.status.drain(api.status)
            return sim
        }

        func run(_ body: () async throws -> Void) async throws {
            do { try await body() } catch {
                await api.stop()
                await host.shutdown()
                throw error
            }
            await api.stop()
            await host.shutdown()
        }
    }

    static func sameTop(_ a: OrderBook, _ b: OrderBook, _ n: Int = 10) -> Bool {
        let (ab, aa) = a.top(n), (bb, ba) = b.top(n)
        return ab.map(\.price) == bb.map(\.price) && ab.map(\.quantity) == bb.map(\.quantity)
            && aa.map(\.price) == ba.map(\.price) && aa.map(\.quantity) == ba.map(\.quantity)
    }

    @Test func bookEqualsTheSimulatorBook() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await sim.api.watchOrderBook(symbol, depth: 10))
            try await book.wait("snapshot matches the venue") { items in
                guard let last = items.last, let venue = try? exchange.bookSnapshot(symbol, depth: 10) else { return false }
                return Self.sameTop(last.book, venue)
            }
            for _ in 0..<10 { exchange.stepFlow(actions: 20, symbol: symbol) }
            try await book.wait("snapshots keep matching the venue") { items in
                guard let last = items.last, let venue = try? exchange.bookSnapshot(symbol, depth: 10) else { return false }
                return Self.sameTop(last.book, venue)
            }
            let allSnapshots = book.items.allSatisfy { $0.isSnapshot }
            #expect(allSnapshots)
        }
    }

    @Test func placedOrderArrivesAsOrderUpdate() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            let symbol = sim.symbol
            try await sim.api.start()
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await sim.api.watchOrders())
            // No subscribe ack exists: give the subscribe a moment to land before trading.
            try await Task.sleep(for: .milliseconds(200))
            let bid = try #require(try sim.exchange.bookSnapshot(symbol, depth: 10).bestBid?.price)
            let low = bid.divided(by: FixedDecimal(2), scale: bid.scale)!
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: low, clientOrderID: "sim1"))
            #expect(placed.ok, "\(placed)")
            #expect(placed.method == "POST /v2/supplement/create_order.do" && placed.latencyMicros > 0)
            let orderID = try #require(placed.orderID)
            try await orders.wait("orderUpdate open") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .open }; return false } }
            let cancelled = await sim.api.cancelOrder(CancelOrder(orderID: orderID, symbol: symbol))
            #expect(cancelled.ok, "\(cancelled)")
            try await orders.wait("orderUpdate canceled") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .canceled }; return false } }
        }
    }
}
