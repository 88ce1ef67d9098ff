import ArgumentParser
import HFTKit

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Host the services of a config file until SIGINT/SIGTERM, then stop them gracefully."
    )

    @Argument(help: "The services config (JSON, hftpy's shape).") var config: String

    func run() async throws {
        let parsed: ServicesConfig
        do { parsed = try ServicesConfig.load(path: config, specs: ServiceRegistry.builtIn.specs) } catch {
            Output.human("hft run: \(error)")
            throw ExitCode(2)
        }
        let host = ServiceHost(config: parsed)
        do { try await host.start() } catch {
            Output.human("hft run: \(error)")
            await host.stop()
            throw ExitCode(error is ConfigError ? 2 : 1)
        }
        Output.human("hft run: \(parsed.services.map(\.name).joined(separator: ", ")) running; Ctrl-C to stop")
        _ = await Signals.waitForTermination()
        Output.human("hft run: stopping (cancelling open orders)")
        await host.stop()
    }
}
