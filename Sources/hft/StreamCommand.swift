import ArgumentParser
import Foundation
import HFTKit
import Synchronization

struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream normalized events from one venue as JSON lines.",
        discussion: """
        CHANNEL: book, trades, ticker, candles (per SYMBOL), orders, balances, positions (private; need credentials).
        candles take --interval (1m, 3m, 5m, 15m, 30m, 1h, 4h, 6h, 1d, 1w, 1M, 1y; each venue serves a subset).
        Status lines (connected, book_invalid, book_resynced, …) are printed as they happen and not counted.
        Credentials: HFT_<VENUE>_API_KEY / HFT_<VENUE>_API_SECRET, --config, or --sim.
        """
    )

    static let channels = ["book", "trades", "ticker", "candles", "orders", "balances", "positions"]
    static let publicChannels: Set<String> = ["book", "trades", "ticker", "candles"]

    @Argument(help: "The venue (kraken, binance, digifinex, lbank, bge, fmex).") var venue: String
    @Argument(help: "book, trades, ticker, candles, orders, balances or positions.") var channel: String
    @Argument(help: "Symbols, BASE/QUOTE or the venue's spelling (market-data channels).") var symbols: [String] = []
    @Option(help: "Book levels kept and printed.") var depth: Int = 10
    @Option(help: "Candle interval (candles channel).") var interval: String = "1m"
    @Option(help: "Stop after N market-data lines.") var count: Int?
    @Option(help: "Stop after S seconds.") var seconds: Double?
    @OptionGroup var connection: VenueConnectionOptions

    func validate() throws {
        let v = try CLISymbol.venue(venue)
        guard Self.channels.contains(channel) else { throw ValidationError("unknown channel '\(channel)'; known: \(Self.channels.joined(separator: ", "))") }
        if Self.publicChannels.contains(channel), symbols.isEmpty { throw ValidationError("\(channel) needs at least one SYMBOL") }
        for s in symbols { _ = try CLISymbol.parse(s, venue: v) }
        guard depth > 0 else { throw ValidationError("--depth must be positive") }
        guard CandleInterval(rawValue: interval) != nil else {
            throw ValidationError("unknown --interval '\(interval)'; known: \(CandleInterval.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
        if let d = VenueCatalog.descriptor(for: v), !d.channels.isEmpty, !Self.venueHas(channel, d.channels) {
            throw ValidationError("\(v) has no \(channel) channel; it has: \(d.channels.joined(separator: ", "))")
        }
    }

    /// Channel names as descriptors list them (`trade`/`trades`, `balance`/`balances`, …).
    static func venueHas(_ channel: String, _ listed: [String]) -> Bool {
        let singular = channel.hasSuffix("s") ? String(channel.dropLast()) : channel
        return listed.contains(channel) || listed.contains(singular) || listed.contains(singular + "s")
            || (channel == "orders" && (listed.contains("executions") || listed.contains("order")))
    }

    func run() async throws {
        let venue = try CLISymbol.venue(venue)
        let symbols = try self.symbols.map { try CLISymbol.parse($0, venue: venue) }
        let (settings, sim) = try await cliStep { try await connection.settings(for: venue) }
        let api: any ExchangeWsAPI
        do { api = try Exchanges.shared.createWsAPI(settings) } catch {
            await sim?.shutdown()
            throw fail(CLIFailure.from(error))
        }
        let lines = LineCounter(limit: count)
        var tasks = [
            Task { for await s in api.status { print(EventLines.status(s).rendered) } },
            Task { for await e in api.errors { print(EventLines.error(e).rendered) } },
        ]
        defer { for t in tasks { t.cancel() } }
        do {
            try await api.start()
            tasks += try await subscribe(api, symbols: symbols, lines: lines)
        } catch {
            await api.stop()
            await sim?.shutdown()
            throw fail(CLIFailure.from(error))
        }
        let signals = Task { _ = await Signals.waitForTermination(); lines.stop() }
        let deadline = seconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        while !lines.isDone {
            if let deadline, ContinuousClock.now >= deadline { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        signals.cancel()
        Output.flush()
        await api.stop()
        await sim?.shutdown()
    }

    private func subscribe(_ api: any ExchangeWsAPI, symbols: [Symbol], lines: LineCounter) async throws -> [Task<Void, Never>] {
        var tasks: [Task<Void, Never>] = []
        let depth = self.depth
        switch channel {
        case "book":
            for s in symbols {
                // CLI.md: one line per applied venue message, never merged.
                let stream = try await api.watchOrderBook(s, depth: depth, delivery: .neverDrop(alarmThreshold: 1_000_000))
                tasks.append(Task {
                    for await u in stream { if !lines.emit(EventLines.book(u, depth: depth)) { break } }
                })
            }
        case "trades":
            for s in symbols {
                let stream = try await api.watchTrades(s)
                tasks.append(Task { for await t in stream { if !lines.emit(EventLines.trade(t)) { break } } })
            }
        case "ticker":
            for s in symbols {
                let stream = try await api.watchTicker(s)
                tasks.append(Task { for await t in stream { if !lines.emit(EventLines.ticker(t)) { break } } })
            }
        case "candles":
            let interval = CandleInterval(rawValue: self.interval) ?? .oneMinute
            for s in symbols {
                let stream = try await api.watchCandles(s, interval: interval)
                tasks.append(Task { for await c in stream { if !lines.emit(EventLines.candle(c)) { break } } })
            }
        case "orders":
            let stream = try await api.watchOrders(symbols: symbols)
            tasks.append(Task {
                for await e in stream {
                    let line: JSONText
                    switch e {
                    case .order(let o): line = EventLines.order(o)
                    case .fill(let f): line = EventLines.fill(f)
                    }
                    if !lines.emit(line) { break }
                }
            })
        case "balances":
            let stream = try await api.watchBalance()
            tasks.append(Task { for await b in stream { if !lines.emit(EventLines.balance(b)) { break } } })
        default:
            let stream = try await api.watchPositions()
            tasks.append(Task { for await p in stream { if !lines.emit(EventLines.position(p)) { break } } })
        }
        return tasks
    }
}

/// Counts printed data lines against `--count`, and tells the main loop when to stop.
final class LineCounter: Sendable {
    private let limit: Int?
    private let printed = Atomic(0)
    private let done = Atomic(false)

    init(limit: Int?) { self.limit = limit }

    /// Prints `line` unless the limit was reached; false once the stream should end.
    func emit(_ line: JSONText) -> Bool {
        let n = printed.wrappingAdd(1, ordering: .relaxed).newValue
        if let limit, n > limit { return false }
        print(line.rendered)
        if let limit, n == limit { done.store(true, ordering: .relaxed); return false }
        return true
    }

    func stop() { done.store(true, ordering: .relaxed) }
    var isDone: Bool { done.load(ordering: .relaxed) }
}

/// Runs a set-up step, turning its failure into the contract's exit code.
func cliStep<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw fail(CLIFailure.from(error)) }
}

/// Prints why to stderr and returns the exit code to throw.
func fail(_ failure: CLIFailure) -> ExitCode {
    Output.human("hft: \(failure.description)")
    return failure.exitCode
}
