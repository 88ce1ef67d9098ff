import HFTCore
import HFTServices
import HFTSimulator
import HFTVenues
import Synchronization
import Testing

/// Services hosted from a config against the embedded Kraken simulator over loopback: the host
/// creates the APIs the config names, hands them over, runs the watched streams into the hooks,
/// and on stop the services leave nothing open at the venue.
@Suite("services hosted on the simulator", .serialized, .enabled(if: VenueSimulators.available.contains(.kraken)))
struct ServiceHostSimulatorTests {
    /// A service that records what the host gives it and places one resting order.
    final class RecorderService: Service {
        static let className = "RecorderService"
        static let parameters = [ParameterSpec("symbol", .string, required: true), ParameterSpec("price", .decimal, required: true)]
        static let record = Mutex(Record())

        struct Record: Sendable {
            var books = 0, trades = 0, orders = 0, balances = 0
            var hadRestAPI = false
            var placed: OrderResult?
            var cancelled: OrderResult?
        }

        let api: any ExchangeWsAPI
        let symbol: Symbol
        let price: FixedDecimal

        init(context: ServiceContext) throws {
            api = try context.wsAPI(.kraken)
            symbol = try #require(context.parameters.symbol("symbol"))
            price = try #require(context.parameters.decimal("price"))
            let rest = (try? context.restAPI(.kraken)) != nil
            Self.record.withLock { $0 = Record(); $0.hadRestAPI = rest }
        }

        var watches: [ServiceWatch] { [.book(.kraken, symbol, depth: 10), .trades(.kraken, symbol), .orders(.kraken), .balances(.kraken)] }

        func start() async throws {
            api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.0100", price: price, postOnly: true, clientOrderID: "svc-1")) { r in
                Self.record.withLock { $0.placed = r }
            }
        }

        func stop() async {
            let r = await api.cancelAllOrders(symbol: nil)
            Self.record.withLock { $0.cancelled = r }
        }

        func onBook(_ update: BookUpdate) async { Self.record.withLock { $0.books += 1 } }
        func onTrade(_ trade: Trade) async { Self.record.withLock { $0.trades += 1 } }
        func onOrder(_ event: OrderEvent) async { Self.record.withLock { $0.orders += 1 } }
        func onBalance(_ balance: Balance) async { Self.record.withLock { $0.balances += 1 } }
    }

    static func eventually(_ what: String, seconds: Int = 20, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < deadline else { Issue.record("timed out waiting for \(what)"); return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("a config-named service gets its REST and WS APIs and every watched stream; stop cancels its order")
    func customServiceHooks() async throws {
        let config = try ServicesConfig.parse("""
            {"service.rec": {"class_name": "RecorderService", "setting": {
                "apis": [{"exchange": "kraken", "sim": true}], "ws_apis": [{"exchange": "kraken", "sim": true}],
                "symbol": "BTC/USD", "price": "70000.0"}}}
            """, file: "rec.json", specs: ServiceRegistry([RecorderService.self]).specs)
        let simulators = SimulatorHost(options: .init(flowRate: 300, seed: 5))
        let host = ServiceHost(config: config, registry: ServiceRegistry([RecorderService.self]), exchanges: Exchanges(), simulators: simulators)
        try await host.start()
        let record = { RecorderService.record.withLock { $0 } }
        try await Self.eventually("books, trades, order events and balances") {
            let r = record()
            return r.books > 0 && r.trades > 0 && r.orders > 0 && r.balances > 0 && r.placed != nil
        }
        let exchange = try #require(simulators.running(.kraken)).exchange
        let account = try #require(exchange.account(forAPIKey: "sim-key-1"))
        #expect(record().hadRestAPI)
        #expect(record().placed?.ok == true && record().placed?.method == "add_order" && (record().placed?.latencyMicros ?? 0) > 0)
        #expect(exchange.openOrders(account).map(\.order.clientOrderID) == ["svc-1"])
        await host.stop()
        #expect(record().cancelled?.ok == true)
        #expect(exchange.openOrders(account).isEmpty)
    }

    @Test("MMDemoService quotes both sides, gets filled by the flow, and leaves nothing open after stop")
    func marketMakerOnSimulator() async throws {
        let config = try ServicesConfig.parse("""
            {"service.mm": {"class_name": "MMDemoService", "setting": {
                "apis": [{"exchange": "kraken", "sim": true}], "ws_apis": [{"exchange": "kraken", "sim": true}],
                "symbol": "BTC/USD", "size": "0.0100", "max_position": "0.0500",
                "spread_bps": "0.025", "requote_bps": "0.0125", "skew_bps": "0.0125"}}}
            """, file: "mm.json", specs: ServiceRegistry.builtIn.specs)
        let simulators = SimulatorHost(options: .init(flowRate: 300, seed: 7))
        let host = ServiceHost(config: config, exchanges: Exchanges(), simulators: simulators)
        try await host.start()
        let mm = try #require(host.services.first as? MMDemoService)
        try await Self.eventually("two quotes and a fill", seconds: 40) {
            let row = mm.dashboardRow()
            return row.ourBid != nil && row.ourAsk != nil && row.fills > 0
        }
        let exchange = try #require(simulators.running(.kraken)).exchange
        let account = try #require(exchange.account(forAPIKey: "sim-key-1"))
        let row = mm.dashboardRow()
        #expect(row.orders >= 2 && row.fills > 0)
        #expect(row.latency.count > 0 && row.latency.p50 > 0)
        await host.stop()
        #expect(exchange.openOrders(account).isEmpty)
    }
}
