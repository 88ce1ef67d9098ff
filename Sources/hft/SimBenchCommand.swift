import ArgumentParser
import HFTKit
import HFTTransport
import Synchronization

/// `hft bench sim`: per venue, in one run —
/// 1. the engine alone: synthetic-flow book changes/s with nobody listening;
/// 2. discard-only: a raw WebSocket subscribed to the same book receives and drops the frames;
///    changes/s = changes ÷ time until the last frame arrived;
/// 3. the venue's own client: the same flow through decode + apply + verify + delivery;
///    changes/s = changes ÷ time until the client's book equals the simulator's;
/// 4. order round trips (placements, one at a time): p50/p99 of the latency the client
///    measures (write → decoded reply) and, separately, the client's own overhead (call →
///    callback minus that latency: request build, signing, queueing, callback dispatch).
struct SimBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Book changes/s one simulator pushes to one client (its venue's own), vs the engine alone."
    )

    @Option(name: .customLong("venue"), help: "A venue (repeatable; default: every venue with a simulator and a client).")
    var venues: [String] = []
    @Option(help: "Seconds of flow per measurement.") var seconds: Double = 2
    @Option(help: "Book levels the client subscribes to.") var depth: Int = 10
    @Option(help: "Order placements per venue (one at a time).") var orders: Int = 100

    func validate() throws {
        for v in venues { _ = try CLISymbol.venue(v) }
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60]") }
        guard depth > 0 else { throw ValidationError("--depth must be positive") }
        guard orders >= 0 else { throw ValidationError("--orders must be ≥ 0") }
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
                let discard = try await Self.discardOnly(venue, seconds: seconds)
                let pushed = try await Self.toClient(venue, seconds: seconds, depth: depth)
                let trips = orders > 0 ? try await Self.roundTrips(venue, count: orders) : nil
                var line: [(String, JSONText)] = [
                    ("type", "bench"), ("bench", "sim"), ("venue", .string(venue.rawValue)),
                    ("engine_changes_per_s", .int(Int64(baseline))),
                    ("discard_changes_per_s", discard.map { .int(Int64($0)) } ?? .null),
                    ("client_changes_per_s", .int(Int64(pushed.rate))),
                    ("client_vs_discard", discard.map { .string(String(format2: pushed.rate / max($0, 1))) } ?? .null),
                    ("client_vs_engine", .string(String(format2: pushed.rate / max(baseline, 1)))),
                    ("changes", .int(Int64(pushed.changes))), ("catch_up_ms", .int(Int64(pushed.catchUpMillis))),
                ]
                if let trips {
                    line += [("orders", .int(Int64(trips.count))), ("order_rtt_p50_us", .int(Int64(trips.rtt.p50))),
                             ("order_rtt_p99_us", .int(Int64(trips.rtt.p99))), ("client_overhead_p50_us", .int(Int64(trips.overhead.p50))),
                             ("client_overhead_p99_us", .int(Int64(trips.overhead.p99))), ("order_failures", .int(Int64(trips.failures)))]
                }
                Output.line(ordered: line)
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
        // Diff-only streams (Binance) build their first book from changes: keep a trickle flowing.
        try await waitUntil(seconds: 15, "first book") {
            if latest.withLock({ $0 != nil }) { return true }
            exchange.stepFlow(actions: 4, symbol: symbol)
            return false
        }

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

    /// How to subscribe a raw socket to the flow symbol's book, per venue (wire facts from the notes).
    struct RawRecipe { var endpoint: String; var path: String; var subscribe: String?; var compression: PayloadCompression }

    static func recipe(_ venue: Venue) -> RawRecipe? {
        switch venue {
        case .kraken:
            RawRecipe(endpoint: "ws", path: "", subscribe: #"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10}}"#,
                      compression: .none)
        case .binance: RawRecipe(endpoint: "streams", path: "/ws/btcusdt@depth@100ms", subscribe: nil, compression: .none)
        case .digifinex: RawRecipe(endpoint: "ws", path: "", subscribe: #"{"id":1,"method":"depth.subscribe","params":["BTC_USDT"]}"#, compression: .auto)
        case .lbank:
            RawRecipe(endpoint: "ws", path: "", subscribe: #"{"action":"subscribe","subscribe":"depth","depth":"10","pair":"btc_usdt"}"#,
                      compression: .none)
        case .fmex:
            RawRecipe(endpoint: "ws", path: "", subscribe: #"{"cmd":"sub","args":["depth.L20.btcusd_p"],"id":"1"}"#, compression: .none)
        case .bge:
            RawRecipe(endpoint: "ws", path: "",
                      subscribe: #"{"event":"sub","biz":"market","type":"orderbook","product":"BTC_USDT","interval":"0","zip":false}"#,
                      compression: .auto)
        }
    }

    /// Changes/s a receiver that drops every frame sees: changes ÷ time until the last frame (nil: no recipe).
    static func discardOnly(_ venue: Venue, seconds: Double) async throws -> Double? {
        guard let recipe = recipe(venue) else { return nil }
        let host = SimulatorHost(options: .init(flowRate: 0, seed: 11))
        let running = try await host.start([venue])[0]
        defer { Task { await host.shutdown() } }
        let exchange = running.exchange
        let symbol = try flowSymbol(exchange)
        exchange.stepFlow(actions: 300, symbol: symbol)
        guard var base = running.endpoints[recipe.endpoint] else { throw BenchTimeout(what: "endpoint \(recipe.endpoint)", seconds: 0) }
        if !recipe.path.isEmpty, base.hasSuffix("/") { base.removeLast() }
        let frames = Atomic(0)
        let lastFrame = Atomic<UInt64>(0)
        let connection = try WebSocketConnection(
            configuration: WebSocketConfiguration(url: try WebSocketURL(base + recipe.path), compression: recipe.compression,
                                                  validateUTF8: false),
            onMessage: { _ in
                frames.wrappingAdd(1, ordering: .relaxed)
                lastFrame.store(MonotonicClock.nanoseconds(), ordering: .relaxed)
            })
        connection.start()
        defer { Task { await connection.stop() } }
        try await connection.waitUntilReady(timeout: .seconds(10))
        if let text = recipe.subscribe { try await connection.send(text: text) }
        // Some streams send a snapshot at once, others only changes: give the subscription time.
        try await Task.sleep(for: .milliseconds(500))
        let before = frames.load(ordering: .relaxed)
        let start = MonotonicClock.nanoseconds()
        var changes = 0
        while Double(MonotonicClock.nanoseconds() - start) < seconds * 1e9 {
            changes += exchange.stepFlow(actions: 256, symbol: symbol)
            await Task.yield()
        }
        // Drained once nothing arrived for 300 ms.
        var last = lastFrame.load(ordering: .relaxed)
        while MonotonicClock.nanoseconds() &- last < 300_000_000 || last > MonotonicClock.nanoseconds() {
            try await Task.sleep(for: .milliseconds(20))
            last = lastFrame.load(ordering: .relaxed)
        }
        guard frames.load(ordering: .relaxed) > before else { throw BenchTimeout(what: "book frames on the raw socket", seconds: seconds) }
        let elapsed = Double(Int64(bitPattern: last &- start)) / 1e9
        return Double(changes) / max(elapsed, 1e-6)
    }

    struct RoundTrips { var count: Int; var failures: Int; var rtt: LatencySummary; var overhead: LatencySummary }

    /// `count` order placements, one at a time (see below for which kind).
    static func roundTrips(_ venue: Venue, count: Int) async throws -> RoundTrips {
        let host = SimulatorHost(options: .init(flowRate: 0, seed: 11))
        let running = try await host.start([venue])[0]
        let exchange = running.exchange
        let symbol = try flowSymbol(exchange)
        exchange.stepFlow(actions: 300, symbol: symbol)
        let registry = Exchanges(factories: .builtIn)
        defer { Task { await registry.shutdownAll(); await host.shutdown() } }
        guard let c = running.credentials.first, let book = try? exchange.bookSnapshot(symbol, depth: 1), let bid = book.bestBid,
              let spec = exchange.instrument(symbol) else {
            throw BenchTimeout(what: "a book and credentials", seconds: 0)
        }
        // Our own pacing is measured elsewhere; here it would only add its queueing to the overhead.
        let knobs = Set(VenueCatalog.descriptor(for: venue)?.knobs.map(\.name) ?? [])
        let pacing = ["max_msgs_per_s", "order_burst", "order_limit", "orders_per_10s"]
        let options = Dictionary(uniqueKeysWithValues: pacing.filter(knobs.contains).map { ($0, "100000") })
        // REST order entry: the simulators enforce the venues' REST limits, so samples are spaced to
        // stay under them (the client's limiter never queues; its wait is not overhead).
        let defaults = VenueCatalog.descriptor(for: venue)?.knobs ?? []
        func knob(_ name: String) -> Double? { defaults.first { $0.name == name }.flatMap { Double($0.defaultValue.description) } }
        // Two calls a sample (place, cancel), 10 % under the client's window (which adds 5 %).
        let restPerSecond = knob("rest_limit").flatMap { limit in knob("rest_window_s").map { limit / ($0 * 1.05) } }
        let spacing: Duration? = restPerSecond.map { .milliseconds(Int64(2_200 / $0)) }
        let credentials = Credentials(apiKey: Secret(c.apiKey), apiSecret: Secret(c.apiSecret), passphrase: c.passphrase.map { Secret($0) })
        // A venue whose socket limits cap the message knobs (BGE: 50 msgs/s in all) keeps those at their defaults.
        let restOnly = options.filter { $0.key.hasPrefix("order") }
        let api = try (try? registry.createWsAPI(VenueAPISettings(venue: venue, credentials: credentials, endpoints: running.endpoints, options: options)))
            ?? registry.createWsAPI(VenueAPISettings(venue: venue, credentials: credentials, endpoints: running.endpoints, options: restOnly))
        try await api.start()
        let far = (bid.price * FixedDecimal(9)).divided(by: FixedDecimal(10), scale: bid.price.scale) ?? bid.price
        // On the instrument's tick (FMex: 0.5).
        let ticks = spec.tickSize.isZero ? nil : far.divided(by: spec.tickSize, scale: 0, rounding: .down)
        let price = ticks.map { ($0 * spec.tickSize).rescaled(to: bid.price.scale) } ?? far
        let quantity = spec.minQuantity * FixedDecimal(100)
        var rtt = LatencyHistogram(), overhead = LatencyHistogram()
        var failures = 0
        var firstFailure: String?
        // IOC bids far below the touch expire at once: one request per sample, and none of the
        // cancel penalties venues charge (Kraken's rate counter). If a venue refuses IOC, fall
        // back to GTC orders (far from the touch) cancelled right after.
        var ioc = true
        var warmedUp = false
        var done = 0
        // The Binance simulator enforces the venue's 50 orders per 10 s (per account, as the venue does).
        let count = venue == .binance ? min(count, 45) : spacing == nil ? count : min(count, 30)
        while done < count {
            // After the warm-up (and the start-up's own REST calls), let the venue's window empty once.
            if let spacing, warmedUp { try await Task.sleep(for: done == 0 ? spacing * 5 : spacing) }
            let t0 = MonotonicClock.nanoseconds()
            // The fallback rests far below the touch: a plain GTC limit (not every venue has post-only).
            let r = await api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: quantity, price: price,
                                                    timeInForce: ioc ? .ioc : .gtc))
            let wall = (MonotonicClock.nanoseconds() - t0) / 1000
            if !r.ok, ioc, done == 0, failures == 0, case .unsupported? = r.error {
                ioc = false
                Output.human("bench sim: \(venue): \(r.method) IOC: \(r.error.map { "\($0)" } ?? "failed"); using GTC + cancel")
                continue
            }
            // The first request warms the path (connection, session, caches): not a sample.
            if !warmedUp, r.ok {
                warmedUp = true
                if !ioc, let id = r.orderID { _ = await api.cancelOrder(CancelOrder(orderID: id, symbol: symbol)) }
                continue
            }
            done += 1
            guard r.ok else {
                failures += 1
                if firstFailure == nil { firstFailure = "\(r.method): \(r.error.map { "\($0)" } ?? "failed")" }
                continue
            }
            rtt.record(r.latencyMicros)
            overhead.record(wall > r.latencyMicros ? wall - r.latencyMicros : 0)
            if !ioc, let id = r.orderID { _ = await api.cancelOrder(CancelOrder(orderID: id, symbol: symbol)) }
        }
        if let firstFailure { Output.human("bench sim: \(venue): \(failures) order requests failed; first: \(firstFailure)") }
        return RoundTrips(count: count, failures: failures, rtt: rtt.summary, overhead: overhead.summary)
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
