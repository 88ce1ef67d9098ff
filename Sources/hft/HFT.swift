import ArgumentParser
import Foundation
import HFTKit
import Logging

@main
struct HFT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hft",
        abstract: "HFTKit: one fast WebSocket API over Kraken, Binance, DigiFinex, LBank, BGE and FMex.",
        discussion: "Output is one JSON object per line on stdout; human messages go to stderr. Exit codes: 0 done, 1 the venue refused or a check failed, 2 usage or config error.",
        version: HFTKitVersion.string,
        subcommands: [DemoCommand.self, VenuesCommand.self, SimCommand.self, StreamCommand.self, OrderCommand.self, RunCommand.self, BenchCommand.self, VersionCommand.self]
    )

    static func main() async {
        Output.configureLineBuffering()
        LogSetup.bootstrap()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // The contract's exit code for usage errors is 2 (ArgumentParser's default is 64).
            if exitCode(for: error) == .validationFailure {
                Output.human(fullMessage(for: error))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the HFTKit version.")
    func run() {
        Output.line(["type": .string("version"), "version": .string(HFTKitVersion.string)])
    }
}

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks on loopback; figures are reported as ratios against a baseline measured in the same run.",
        subcommands: [TransportBenchCommand.self, SimBenchCommand.self]
    )
}

/// Log lines go to stderr (stdout carries only JSON lines); `HFT_LOG_LEVEL` (trace … critical,
/// default warning) sets how much.
enum LogSetup {
    static func bootstrap() {
        let name = ProcessInfo.processInfo.environment["HFT_LOG_LEVEL"]?.lowercased() ?? "warning"
        let level = Logger.Level(rawValue: name) ?? .warning
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
    }
}
