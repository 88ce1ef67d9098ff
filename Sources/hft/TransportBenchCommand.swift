import ArgumentParser
import HFTKit

struct TransportBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Receive N frames from the loopback server: discard-only consumer vs the full engine path."
    )

    @Option(help: "Frames per run.") var frames: Int = 1_000_000

    func run() async throws {
        throw ValidationError("not yet implemented")
    }
}
