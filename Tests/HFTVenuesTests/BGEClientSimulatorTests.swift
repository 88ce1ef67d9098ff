import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The BGE client against the BGE simulator over loopback (no synthetic flow, fixed seed, flow
/// stepped by hand). Both were written from the protocol notes independently.
@Suite("BGE client ↔ simulator", .serialized, .enabled(if: VenueSimulators.available.contains(.bge)))
struct BGEClientSimulatorTests {
    struct Sim {
        let host: SimulatorHost
        let running: SimulatorHost.Running
        let api: BGEWsAPI
        let status = KrakenRecorder<VenueStatus>()
        let errors = KrakenRecorder<VenueErrorReply>()
        let credentials: SimCredentials

        var exchange: SimulatedExchange { running.exchange }
        var symbol: Symbol { exchange.flowSymbols()[0] }

        static func start(credentials: Bool = true) async throws -> Sim {
            let host = SimulatorHost(options: .init(flowRate: 0, seed: 42))
            let running = try await host.start([.bge])[0]
            for symbol in running.exchange.flowSymbols() { running.exchange.stepFlow(actions: 300, symbol: symbol) }
            let creds = running.credentials[0]
            let api = try BGEWsAPI(credentials: credentials ? try BGECredentials(apiKey: creds.apiKey, secret: creds.apiSecret) : nil,
                                   endpoints: try BGEDescriptor.endpoints(running.endpoints), options: try bgeTestOptions(),
                                   account: "sim-\(UUID().uuidString)")
            let sim = Sim(host: host, running: running, api: api, credentials: creds)
            sim.status.drain(api.status)
            sim.errors.drain(api.errors)
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
            for _ in 0..<10 { sim.exchange.stepFlow(actions: 20, symbol: symbol) }
            try await book.wait("updates match the venue", timeout: .seconds(15)) { items in
                guard let last = items.last, let venue = try? exchange.bookSnapshot(symbol, depth: 10) else { return false }
                return Self.sameTop(last.book, venue)
            }
            #expect(sim.api.malformedCounts.malformed == 0, "\(sim.status.items.filter { $0.event == .malformed })")
        }
    }

    @Test func placedOrderArrivesAsPrivatePush() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            let symbol = sim.symbol
            try await sim.api.start()
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await sim.api.watchOrders(symbols: [symbol]))
            try await sim.status.wait(.subscribed, symbol: symbol, detail: "orders")
            let bid = try #require(try sim.exchange.bookSnapshot(symbol, depth: 10).bestBid?.price)
            let low = bid.divided(by: FixedDecimal(2), scale: bid.scale)!
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: low))
            #expect(placed.ok, "\(placed)")
            #expect(placed.method == "POST /v1/orders" && placed.latencyMicros > 0)
            let orderID = try #require(placed.orderID)
            try await orders.wait("orders push open") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .open }; return false } }
            let cancelled = await sim.api.cancelOrder(CancelOrder(orderID: orderID, symbol: symbol))
            #expect(cancelled.ok, "\(cancelled)")
            try await orders.wait("orders push canceled") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .canceled }; return false } }
        }
    }
}
