import Foundation
import HFTCore
import HFTSimulator
@testable import HFTVenues
import Testing

/// A venue client against its simulator over loopback, shared by the client ↔ simulator suites:
/// the venue's preset exchange (flow seed 42, no synthetic flow: the tests step it, 300 actions per
/// symbol to start with a book), its simulator on an ephemeral port, and a client built from the
/// simulator's endpoints and the first sim account's credentials. Venue-specific bits (options,
/// typed accessors) live in each suite as constrained extensions.
struct SimulatorHarness<Simulator: VenueSimulator, API: ExchangeWsAPI>: Sendable {
    let simulator: Simulator
    let api: API
    let status = KrakenRecorder<VenueStatus>()
    let errors = KrakenRecorder<VenueErrorReply>()
    let credentials: SimCredentials
    /// Endpoint name → URL, as the simulator reported them.
    let endpoints: [String: String]

    var exchange: SimulatedExchange { simulator.exchange }
    var symbol: Symbol { exchange.flowSymbols()[0] }
    var account: AccountID { exchange.account(forAPIKey: credentials.apiKey)! }

    /// Starts `makeSimulator(exchange)`; `makeClient(endpoints, credentials)` then builds the client
    /// (not started). A failing build shuts the simulator down before rethrowing.
    static func start(_ venue: Venue, simulator makeSimulator: (SimulatedExchange) throws -> Simulator,
                      client makeClient: ([String: String], SimCredentials) throws -> API) async throws -> Self {
        let exchange = try SimulatedExchange(config: .preset(for: venue, flowSeed: 42))
        for symbol in exchange.flowSymbols() { exchange.stepFlow(actions: 300, symbol: symbol) }
        let simulator = try makeSimulator(exchange)
        let endpoints = try await simulator.start(host: "127.0.0.1", port: 0)
        let credentials = exchange.userAccounts()[0].credentials
        let api: API
        do { api = try makeClient(endpoints, credentials) } catch {
            await simulator.shutdown()
            throw error
        }
        let harness = Self(simulator: simulator, api: api, credentials: credentials, endpoints: endpoints)
        harness.status.drain(api.status)
        harness.errors.drain(api.errors)
        return harness
    }

    func close() async {
        await api.stop()
        await simulator.shutdown()
    }

    /// Runs `body`, then closes whatever happened (sockets must not outlive a failed test).
    func run(_ body: () async throws -> Void) async throws { try await runThenClose(body) { await close() } }

    /// Waits (bounded) until `condition` holds, polling every 5 ms.
    func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw KrakenWaitTimeout(what: what, seen: "") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits (bounded) until `book`'s latest update agrees with the venue's top 10 levels of `symbol`.
    @discardableResult
    func waitMatches(_ book: KrakenRecorder<BookUpdate>, _ symbol: Symbol, _ what: String,
                     timeout: Duration = .seconds(20)) async throws -> [BookUpdate] {
        let exchange = self.exchange
        return try await book.wait(what, timeout: timeout) { items in
            guard let last = items.last, let venue = try? exchange.bookSnapshot(symbol, depth: 10) else { return false }
            return sameTop(last.book, venue)
        }
    }

    func openOrders() -> [Order] { exchange.openOrders(account).map(\.order) }

    /// Half the best bid: rests without trading.
    func farBid(_ symbol: Symbol) throws -> FixedDecimal {
        let bid = try #require(try exchange.bookSnapshot(symbol, depth: 1).bestBid?.price)
        return try #require(bid.divided(by: FixedDecimal(2), scale: bid.scale))
    }
}

/// Runs `body`, then `close` whatever happened (sockets must not outlive a failed test).
func runThenClose(_ body: () async throws -> Void, close: () async -> Void) async throws {
    do { try await body() } catch {
        await close()
        throw error
    }
    await close()
}

/// Whether the top `n` levels of both sides agree, price and quantity.
func sameTop(_ a: OrderBook, _ b: OrderBook, _ n: Int = 10) -> Bool {
    let (ab, aa) = a.top(n), (bb, ba) = b.top(n)
    return ab.map(\.price) == bb.map(\.price) && ab.map(\.quantity) == bb.map(\.quantity)
        && aa.map(\.price) == ba.map(\.price) && aa.map(\.quantity) == ba.map(\.quantity)
}
