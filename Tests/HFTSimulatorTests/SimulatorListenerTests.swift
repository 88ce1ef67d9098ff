import HFTCore
@testable import HFTSimulator
import Testing

/// The shared front-end pieces in Server/: listener lifecycle, connection table, call windows.
@Suite("Simulator listener and connection table", .serialized)
struct SimulatorListenerTests {
    /// Polls `condition` until it holds or `timeout` passes.
    private func eventually(_ what: String, timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw KrakenWaitTimeout(what: what, seen: "") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func startTwiceKeepsEndpointsAndShutdownClears() async throws {
        let simulator = BGESimulator(exchange: try SimulatedExchange(config: .preset(for: .bge)))
        let first = try await simulator.start(host: "127.0.0.1", port: 0)
        let second = try await simulator.start(host: "127.0.0.1", port: 0)
        #expect(first == second)
        #expect(simulator.endpoints == first)
        await simulator.shutdown()
        #expect(simulator.endpoints.isEmpty)
        let again = try await simulator.start(host: "127.0.0.1", port: 0)
        #expect(again["ws"] != nil)
        await simulator.shutdown()
    }

    @Test func failedBindClosesTheServersAlreadyBound() async throws {
        let taken = LoopbackServer()
        let port = try await taken.start()
        let listener = SimulatorListener()
        var servers: [LoopbackServer] = []
        await #expect(throws: (any Error).self) {
            _ = try await listener.start(host: "127.0.0.1", ports: [0, port], tls: nil, threads: 1,
                                         routes: { servers = $0 }, endpoints: { _ in [:] })
        }
        await taken.shutdown()
        #expect(listener.endpoints.isEmpty)
        // The first server had bound before the second failed; it no longer answers.
        let firstPort = try #require(servers.first?.port)
        #expect(firstPort > 0)
        await #expect(throws: (any Error).self) { _ = try await rawHTTP("GET", "http://127.0.0.1:\(firstPort)/") }
        // And the listener starts afterwards.
        let e = try await listener.start(host: "127.0.0.1", port: 0, tls: nil, threads: 1,
                                         routes: { _ in }, endpoints: { ["rest": $0.httpURL("")] })
        #expect(e["rest"] != nil && listener.endpoints == e)
        await listener.shutdown()
        #expect(listener.endpoints.isEmpty)
    }

    @Test func connectionsAreCountedAndClosedAtShutdown() async throws {
        try await withBGE { h in
            let a = try await h.connect()
            let b = try await h.connect()
            try await eventually("2 connections") { h.simulator.connectionCount == 2 }
            await a.disconnect()
            try await eventually("1 connection") { h.simulator.connectionCount == 1 }
            await h.simulator.shutdown()
            #expect(h.simulator.connectionCount == 0)
            try await b.waitClosed(timeout: .seconds(5))
        }
    }

    @Test func callWindowCountsPerWindow() {
        let w = SimCallWindow()
        #expect(!w.over(limit: 2, length: 1_000_000, now: 0))
        #expect(!w.over(limit: 2, length: 1_000_000, now: 10))
        #expect(w.over(limit: 2, length: 1_000_000, now: 20))
        #expect(!w.over(limit: 2, length: 1_000_000, now: 1_000_000))
        let keyed = SimKeyedCallWindows<String>()
        #expect(!keyed.over("a", limit: 1, length: 1_000_000, now: 0))
        #expect(keyed.over("a", limit: 1, length: 1_000_000, now: 1))
        #expect(!keyed.over("b", limit: 1, length: 1_000_000, now: 1))
    }

    @Test func restFaultFollowsThePlan() throws {
        let exchange = try SimulatedExchange(config: .preset(for: .bge))
        let w = SimCallWindow()
        #expect(!w.restFault(exchange.faults, now: 0))
        exchange.faults.setPlan(FaultPlan(rateLimitAfterRequests: 1, rateLimitWindowSeconds: 1))
        #expect(!w.restFault(exchange.faults, now: 0))
        #expect(w.restFault(exchange.faults, now: 1))
        #expect(!w.restFault(exchange.faults, now: 1_000_001))
    }
}
