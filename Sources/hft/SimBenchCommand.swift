import ArgumentParser
import HFTKit
import Synchronization

/// `hft bench sim`: how many book changes/s one venue simulator pushes to one client on this
/// machine. Per venue: the engine alone (synthetic flow, no subscriber) is the baseline; then the
/// same flow runs with the venue's own client subscribed to a book over loopback, and the rate
/// counts the time until the client's book equals the simulator's (every change pushed,
/// decoded, applied and verified). Reported as changes/s and as a ratio to the baseline.
struct SimBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Book changes/s one simulator pushes to one client (its venue's own), vs the engine alone."
    )

    @Option(name: .customLong("venue"), help: "A venue (repeatable; default: every venue with a simulator and a client).")
    var venues: [String] = []
    @Option(help: "Seconds of flow per measurement.") var seconds: Double = 2
    @Option(help: "Book levels the client subscribes to.") var depth: Int = 10

    func validate() throws {
        for v in venues { _ = try CLISymbol.venue(v) }
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60]") }
        guard depth > 0 else { throw ValidationError("--depth must be positive") }
    }

    func run() async throws {
        let available = Set(VenueSimulators.available).intersection(VenueFactories.builtIn.ws.keys)
        let chosen = venues.isEmpty ? Venue.allCases.filter { available.contains($0) } : try venues.map { try CLISymbol.venue($0) }
        var failed = false
        for venue in chosen {
            guard available.contains(venue) else {
                Output.human("bench sim: \(venue) has no simulator and client in this build yet")
                failed = true
                continue
            }
            do {
                let baseline = try await Self.engineOnly(venue, seconds: seconds)
                let pushed = try await Self.toClient(venue, seconds: seconds, depth: depth)
                Output.line(ordered: [
                    ("type", "bench"), ("bench", "sim"), ("venue", .string(venue.rawValue)),
                    ("engine_changes_per_s", .int(Int64(baseline))), ("client_changes_per_s", .int(Int64(pushed.rate))),
                    ("ratio", .string(String(format2: pushed.rate / max(baseline, 1)))),
                    ("changes", .int(Int64(pushed.changes))), ("catch_up_ms", .int(Int64(pushed.catchUpMillis))),
                ])
            } catch {
                Output.human("bench sim: \(venue): \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// The synthetic flow with nobody listening: book changes/s.
    static func engineOnly(_ venue: Venue, seconds: Double) async throws -> Double {
        let exchange = try SimulatedExchange(config: .preset(for: venue, flowSeed: 11))
        let symbol = try flowSymbol(exchange)
        exchange.stepFlow(actions: 300, symbol: symbol)
        let clock = ContinuousClock()
        let start = clock.now
        var changes = 0
        while (clock.now - start) < .milliseconds(Int64(seconds * 1000)) {
            changes += exchange.stepFlow(actions: 256, symbol: symbol)
        }
        return Double(changes) / (clock.now - start).seconds
    }

    struct Pushed { var rate: Double; var changes: Int; var catchUpMillis: Double }

    /// The same flow pushed to the venue's client: changes / (flow time + time until the client's book matches).
    static func toClient(_ venue: Venue, seconds: Double, depth: Int) async throws -> Pushed {
        let host = SimulatorHost(options: .init(flowRate: 0, seed: 11))
        let running = try await host.start([venue])[0]
        let exchange = running.exchange
        let symbol = try flowSymbol(exchange)
        exchange.stepFlow(actions: 300, symbol: symbol)
        let registry = Exchanges(factories: .builtIn)
        let api: any ExchangeWsAPI
        do { api = try registry.createWsAPI(VenueAPISettings(venue: venue, endpoints: running.endpoints)) } catch {
            await host.shutdown()
            throw error
        }
        defer { Task { await registry.shutdownAll(); await host.shutdown() } }
        try await api.start()
        let stream = try await api.watchOrderBook(symbol, depth: depth)
        let latest = Mutex<OrderBook?>(nil)
        let consumer = Task { for await u in stream { latest.withLock { $0 = u.book } } }
        defer { consumer.cancel() }
        try await waitUntil(seconds: 15, "first book") { latest.withLock { $0 != nil } }

        let clock = ContinuousClock()
        let start = clock.now
        var changes = 0
        while (clock.now - start) < .milliseconds(Int64(seconds * 1000)) {
            changes += exchange.stepFlow(actions: 256, symbol: symbol)
            await Task.yield()
        }
        let flowEnd = clock.now
        let target = try exchange.bookSnapshot(symbol, depth: depth)
        try await waitUntil(seconds: 30, "client book to catch up") {
            latest.withLock { $0.map { sameTop($0, target, depth) } ?? false }
        }
        let end = clock.now
        return Pushed(rate: Double(changes) / (end - start).seconds, changes: changes, catchUpMillis: (end - flowEnd).seconds * 1000)
    }

    static func flowSymbol(_ exchange: SimulatedExchange) throws -> Symbol {
        guard let s = exchange.flowSymbols().first else { throw HFTError.configuration("the simulator has no flow symbol") }
        return s
    }

    static func sameTop(_ a: OrderBook, _ b: OrderBook, _ n: Int) -> Bool {
        let (ab, aa) = a.top(n), (bb, ba) = b.top(n)
        return ab.elementsEqual(bb, by: { $0.price == $1.price && $0.quantity == $1.quantity })
            && aa.elementsEqual(ba, by: { $0.price == $1.price && $0.quantity == $1.quantity })
    }

    static func waitUntil(seconds: Double, _ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition() {
            guard ContinuousClock.now < deadline else { throw BenchTimeout(what: what, seconds: seconds) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

struct BenchTimeout: Error, CustomStringConvertible {
    let what: String
    let seconds: Double
    var description: String { "no \(what) within \(seconds) s" }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

extension String {
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let frac = abs(hundredths % 100)
        self = "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
