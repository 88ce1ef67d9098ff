import ArgumentParser
import Foundation
import HFTKit


struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the embedded simulators and run the demo market maker on each, with a live view.",
        discussion: "No keys, no network: everything runs on 127.0.0.1. Without --seconds it runs until Ctrl-C."
    )

    @Option(name: .customLong("venue"), help: "A venue (repeatable; default: every venue this build can simulate and trade).")
    var venues: [String] = []
    @Option(help: "Run for N seconds, then print a summary.") var seconds: Int?
    @Option(help: "Synthetic book updates per second per venue.") var rate: Double = 200
    @Option(help: "Seed of the synthetic market flow.") var seed: UInt64 = 7

    func validate() throws {
        for v in venues where Venue(name: v) == nil { throw ValidationError("unknown venue '\(v)'") }
        if let seconds, seconds <= 0 { throw ValidationError("--seconds must be positive") }
    }

    func run() async throws {
        let tradeable = Set(VenueSimulators.available).intersection(VenueFactories.builtIn.ws.keys)
        let chosen = venues.isEmpty ? Venue.allCases.filter { tradeable.contains($0) } : venues.compactMap { Venue(name: $0) }
        for v in chosen where !tradeable.contains(v) {
            Output.human("hft demo: \(v) has no simulator and client in this build yet")
            throw ExitCode(2)
        }
        guard !chosen.isEmpty else { Output.human("hft demo: no venue available"); throw ExitCode(1) }
        let config = try DemoConfig.services(for: chosen)
        let simulators = SimulatorHost(options: .init(flowRate: rate, seed: seed))
        let host = ServiceHost(config: config, simulators: simulators)
        let counters: [SimFillCounter]
        do {
            counters = try await simulators.start(chosen).map { SimFillCounter(venue: $0.venue, exchange: $0.exchange) }
            try await host.start()
        } catch {
            Output.human("hft demo: \(error)")
            await host.stop()
            throw ExitCode(1)
        }
        let services = host.services.compactMap { $0 as? MMDemoService }
        let terminal = Output.isTerminal
        let started = ContinuousClock.now
        let stop = StopFlag()
        let signals = Task { _ = await Signals.waitForTermination(); stop.set() }
        if terminal { print("\u{1B}[2J", terminator: "") }
        var elapsed = 0
        while !stop.isSet {
            try? await Task.sleep(for: .seconds(1))
            elapsed = Int((ContinuousClock.now - started).components.seconds)
            let rows = services.map { $0.dashboardRow() }
            if terminal {
                print(DashboardRenderer.screen(rows, elapsedSeconds: elapsed, title: "HFTKit demo — market maker on simulated venues"), terminator: "")
                Output.flush()
            } else {
                for r in rows { print(DashboardRenderer.compactLine(r, elapsedSeconds: elapsed)) }
            }
            if let seconds, elapsed >= seconds { break }
        }
        signals.cancel()
        await host.stop()
        let rows = services.map { $0.dashboardRow() }
        let records = counters.map { DemoSummary.SimRecord($0) }
        if terminal { print("") }
        Output.human(DemoSummary.table(rows: rows, records: records, seconds: elapsed))
        for line in DemoSummary.jsonLines(rows: rows, records: records) { print(line) }
    }
}

import Synchronization

final class StopFlag: Sendable {
    private let flag = Atomic(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
