import Synchronization

/// The server's routes; sims may add routes while it runs.
final class RouteTable: Sendable {
    let inflight = InflightTasks()
    private let webSockets = Mutex<[WebSocketRoute]>([])
    private let http = Mutex<[HTTPRoute]>([])

    func add(_ r: WebSocketRoute) { webSockets.withLock { $0.append(r) } }
    func add(_ r: HTTPRoute) { http.withLock { $0.append(r) } }

    func webSocketRoute(path: String) -> WebSocketRoute? {
        webSockets.withLock { routes in routes.first { $0.matches(path) } }
    }

    func httpRoute(method: String, path: String) -> HTTPRoute? {
        http.withLock { routes in routes.first { $0.matches(method: method, path: path) } }
    }
}

/// HTTP handler tasks still running, so shutdown can cancel and await them before the event
/// loops go away.
final class InflightTasks: Sendable {
    private let tasks = Mutex<(next: Int, running: [Int: Task<Void, Never>])>((0, [:]))

    func run(_ body: @escaping @Sendable () async -> Void) {
        tasks.withLock { t in
            t.next += 1
            let id = t.next
            t.running[id] = Task {
                await body()
                _ = self.tasks.withLock { $0.running.removeValue(forKey: id) }
            }
        }
    }

    func cancelAndWait() async {
        let all = tasks.withLock { Array($0.running.values) }
        for t in all { t.cancel() }
        for t in all { await t.value }
    }
}
