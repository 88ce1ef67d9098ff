import Foundation
import HFTCore
import HFTSimulator
@testable import HFTTransport
import NIOCore
import Synchronization
import Testing

struct WaitTimeout: Error, CustomStringConvertible {
    let what: String
    let seen: String
    var description: String { "timed out waiting for \(what); seen: \(seen)" }
}

/// Collects values from callbacks and lets a test await a condition over them, with a deadline
/// (no blind sleeps).
final class Recorder<T: Sendable>: Sendable {
    private struct Waiter {
        let predicate: @Sendable ([T]) -> Bool
        let continuation: CheckedContinuation<[T], any Error>
    }
    private struct State {
        var items: [T] = []
        var waiters: [Int: Waiter] = [:]
        var next = 0
    }
    private let state = Mutex(State())

    func append(_ value: T) {
        let ready: [(CheckedContinuation<[T], any Error>, [T])] = state.withLock { s in
            s.items.append(value)
            var out: [(CheckedContinuation<[T], any Error>, [T])] = []
            for (id, w) in s.waiters where w.predicate(s.items) {
                out.append((w.continuation, s.items))
                s.waiters[id] = nil
            }
            return out
        }
        for (c, items) in ready { c.resume(returning: items) }
    }

    var items: [T] { state.withLock { $0.items } }
    var count: Int { state.withLock { $0.items.count } }

    /// Waits until `predicate` holds for everything recorded so far.
    @discardableResult
    func wait(_ what: String, timeout: Duration = .seconds(20),
              until predicate: @escaping @Sendable ([T]) -> Bool) async throws -> [T] {
        let id = state.withLock { s -> Int in s.next += 1; return s.next }
        let timer = Task {
            try await Task.sleep(for: timeout)
            let c = self.state.withLock { s in s.waiters.removeValue(forKey: id) }
            c?.continuation.resume(throwing: WaitTimeout(what: what, seen: "\(self.items)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { c in
            let now: [T]? = state.withLock { s in
                if predicate(s.items) { return s.items }
                s.waiters[id] = Waiter(predicate: predicate, continuation: c)
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }

    /// Waits until at least `n` values were recorded.
    @discardableResult
    func wait(count n: Int, _ what: String = "values", timeout: Duration = .seconds(20)) async throws -> [T] {
        try await wait("\(n) \(what)", timeout: timeout) { $0.count >= n }
    }
}

/// Runs `body` or fails after `timeout`.
func within<T: Sendable>(_ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw WaitTimeout(what: what, seen: "")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

enum Fixtures {
    static func text(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw HFTError.configuration("missing fixture \(name)")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func serverTLS() throws -> ServerTLS {
        ServerTLS(certificateChainPEM: try text("server.pem"), privateKeyPEM: try text("server.key.pem"))
    }

    static func caPEM() throws -> String { try text("test-ca.pem") }
}

/// What a test server session received.
struct Seen: Sendable, CustomStringConvertible {
    let session: Int
    let message: ServerInbound
    var text: String? { message.text }
    var description: String { "#\(session) \(message)" }
}

/// A loopback server whose every session and inbound message is recorded.
struct TestServer: Sendable {
    let server: LoopbackServer
    let inbound = Recorder<Seen>()
    let sessions = Recorder<ServerSession>()

    static func start(tls: ServerTLS? = nil,
                      reply: @escaping @Sendable (ServerSession, ServerInbound) -> Void = { _, _ in }) async throws -> TestServer {
        let t = TestServer(server: LoopbackServer(configuration: .init(tls: tls)))
        let inbound = t.inbound
        let sessions = t.sessions
        t.server.route(WebSocketRoute("/", prefix: true, onOpen: { sessions.append($0) }, onMessage: { s, m in
            inbound.append(Seen(session: s.id, message: m))
            reply(s, m)
        }))
        try await t.server.start()
        return t
    }

    func url(_ path: String = "/ws") -> String { server.webSocketURL(path) }

    /// The n-th session (1-based), waiting for it to open.
    func session(_ n: Int) async throws -> ServerSession {
        try await sessions.wait(count: n, "sessions")[n - 1]
    }

    /// Texts session `id` received, in order.
    func texts(_ id: Int) -> [String] { inbound.items.filter { $0.session == id }.compactMap(\.text) }

    @discardableResult
    func waitTexts(session id: Int, count n: Int, timeout: Duration = .seconds(20)) async throws -> [String] {
        try await inbound.wait("\(n) texts on session \(id)", timeout: timeout) { items in
            items.filter { $0.session == id && $0.text != nil }.count >= n
        }
        return texts(id)
    }

    func shutdown() async { await server.shutdown() }
}

/// A connection with its events and messages recorded.
struct TestClient: Sendable {
    let connection: WebSocketConnection
    let events = Recorder<ConnectionEvent>()
    let messages = Recorder<String>()

    init(_ config: WebSocketConfiguration, hooks: any ConnectionHooks = ClosureHooks()) throws {
        let messages = self.messages
        connection = try WebSocketConnection(configuration: config, hooks: hooks) { m in
            messages.append(m.text)
        }
        let events = self.events
        let stream = connection.events
        Task { for await e in stream { events.append(e) } }
    }

    func start() { connection.start() }

    func ready(_ n: Int = 1, timeout: Duration = .seconds(20)) async throws {
        try await events.wait("\(n)× ready", timeout: timeout) { $0.filter { $0 == .ready }.count >= n }
    }

    /// Waits for an event matching `predicate`.
    @discardableResult
    func event(_ what: String, timeout: Duration = .seconds(20),
               _ predicate: @escaping @Sendable (ConnectionEvent) -> Bool) async throws -> ConnectionEvent {
        let all = try await events.wait(what, timeout: timeout) { $0.contains(where: predicate) }
        return all.first(where: predicate)!
    }

    func stop() async { await connection.stop() }
}

/// Fast reconnects and short timeouts for tests.
func testConfig(_ url: String, _ modify: (inout WebSocketConfiguration) throws -> Void = { _ in }) throws -> WebSocketConfiguration {
    var c = WebSocketConfiguration(url: try WebSocketURL(url))
    c.reconnect = ReconnectPolicy(base: .milliseconds(10), cap: .milliseconds(100), jitter: 0)
    c.connectTimeout = .seconds(5)
    c.closeTimeout = .milliseconds(500)
    c.subscriptionsPerSecond = 1_000
    c.subscriptionBurst = 100
    try modify(&c)
    return c
}

extension ConnectionEvent {
    var isDisconnect: Bool { if case .disconnected = self { return true }; return false }
    var error: HFTError? { if case .error(let e) = self { return e }; return nil }
}
