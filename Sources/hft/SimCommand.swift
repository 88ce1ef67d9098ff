import ArgumentParser
import HFTKit

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the venue simulators on loopback until SIGINT/SIGTERM.",
        discussion: """
        Prints one JSON line per venue with its endpoint URLs and the simulator's credentials, then serves.
        Faults: --fault [VENUE:]key=value[,key=value…], keys: drop_after, drop_probability, stall_after, delay_ms,
        corrupt_checksum_every, skip_seq_every, malformed_every, expire_token_after_s, rate_limit_after,
        force_disconnect_after_s.
        """
    )

    @Option(name: .customLong("venue"), help: "A venue to simulate (repeatable; default: every venue with a simulator).")
    var venues: [String] = []
    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(help: "First port; venue i uses port + 10·i (0 = ephemeral).") var port: Int = 0
    @Option(help: "Synthetic book updates per second per venue.") var rate: Double = 50
    @Option(help: "Seed of the synthetic market flow.") var seed: UInt64 = 1
    @Option(name: .customLong("fault"), help: "A fault plan entry (repeatable).") var faults: [String] = []
    @Option(name: .customLong("symbol"), help: "Give synthetic flow only to this listed instrument, BASE/QUOTE (repeatable; default: all).")
    var symbols: [String] = []

    func validate() throws {
        guard rate >= 0 else { throw ValidationError("--rate must be ≥ 0") }
        guard (0...65_000).contains(port) else { throw ValidationError("--port must be 0…65000") }
        for v in venues where Venue(name: v) == nil {
            throw ValidationError("unknown venue '\(v)'; known: \(Venue.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        do { _ = try FaultConfiguration(parsing: faults) } catch { throw ValidationError("--fault: \(error)") }
        for s in symbols { _ = try CLISymbol.parse(s, venue: .kraken) }
    }

    func run() async throws {
        let chosen = venues.compactMap { Venue(name: $0) }
        let host = SimulatorHost(options: .init(host: self.host, basePort: port, flowRate: rate, seed: seed,
                                                faults: try FaultConfiguration(parsing: faults),
                                                flowSymbols: try symbols.map { try CLISymbol.parse($0, venue: .kraken) }))
        let running: [SimulatorHost.Running]
        do { running = try await host.start(chosen) } catch {
            Output.human("hft sim: \(error)")
            if case .invalidArgument = error as? HFTError { throw ExitCode(2) }
            throw ExitCode(1)
        }
        for r in running {
            let creds = r.credentials.first
            Output.line(ordered: [
                ("venue", .string(r.venue.rawValue)),
                ("endpoints", .object(r.endpoints.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ("credentials", .object([("api_key", .string(creds?.apiKey ?? "")), ("api_secret", .string(creds?.apiSecret ?? ""))])),
                ("flow_symbols", .array(r.exchange.flowSymbols().map { .string($0.description) })),
            ])
        }
        Output.human("hft sim: serving \(running.map(\.venue.rawValue).joined(separator: ", ")); Ctrl-C to stop")
        let sig = await Signals.waitForTermination()
        Output.human("hft sim: signal \(sig), shutting down")
        await host.shutdown()
    }
}
