import NIOCore
import NIOPosix
import Synchronization

/// The listening side of a venue front-end: one event-loop group and its `LoopbackServer`s,
/// started once and shut down together. The front-end adds only its routes and endpoint names.
final class SimulatorListener: Sendable {
    private struct Running {
        var group: MultiThreadedEventLoopGroup?
        var servers: [LoopbackServer] = []
        var endpoints: [String: String] = [:]
    }

    private let running = Mutex(Running())

    /// Endpoint name → URL once started.
    var endpoints: [String: String] { running.withLock { $0.endpoints } }

    /// One server per entry of `ports` on `host`, all on one group of `threads` event loops:
    /// `routes` adds their routes, they bind in order, and `endpoints` names their URLs. When
    /// already running, returns the current endpoints. When a bind fails, closes everything
    /// and rethrows.
    func start(host: String, ports: [Int], tls: ServerTLS?, threads: Int,
               routes: ([LoopbackServer]) -> Void,
               endpoints: ([LoopbackServer]) -> [String: String]) async throws -> [String: String] {
        if let e = running.withLock({ $0.servers.isEmpty ? nil : $0.endpoints }) { return e }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let servers = ports.map { LoopbackServer(configuration: .init(host: host, port: $0, tls: tls), group: group) }
        routes(servers)
        do {
            for s in servers { try await s.start() }
        } catch {
            for s in servers { await s.shutdown() }
            try? await group.shutdownGracefully()
            throw error
        }
        let named = endpoints(servers)
        running.withLock { $0 = Running(group: group, servers: servers, endpoints: named) }
        return named
    }

    /// `start` with a single server.
    func start(host: String, port: Int, tls: ServerTLS?, threads: Int,
               routes: (LoopbackServer) -> Void,
               endpoints: (LoopbackServer) -> [String: String]) async throws -> [String: String] {
        try await start(host: host, ports: [port], tls: tls, threads: threads,
                        routes: { routes($0[0]) }, endpoints: { endpoints($0[0]) })
    }

    /// Closes the servers (listeners and connections), runs `afterServers` (close the
    /// front-end's sessions there: their event loops still run), then stops the event loops.
    func shutdown(afterServers: () -> Void = {}) async {
        let r = running.withLock { r in defer { r = Running() }; return r }
        for s in r.servers { await s.shutdown() }
        afterServers()
        try? await r.group?.shutdownGracefully()
    }
}
