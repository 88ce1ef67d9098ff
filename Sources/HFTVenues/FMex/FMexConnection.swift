/// The two FMex sockets. Public (`/v2/ws`): one `WebSocketConnection` whose hook invalidates the
/// books on every (re)connect before the paced replay. Private (`/v2/user/ws`): signed in its
/// query string with a timestamp that must be within 30 s of the server's clock, so every
/// connect needs a freshly signed URL — `FMexPrivateLink` builds a new connection (no retries of
/// its own) per attempt, replays the private topics on it, and backs off between attempts.
import HFTCore
import HFTTransport
import Synchronization

/// A late-bound action (set once the API object exists).
final class FMexAction<T: Sendable>: Sendable {
    private let action = Mutex<(@Sendable (T) -> Void)?>(nil)
    func set(_ a: @escaping @Sendable (T) -> Void) { action.withLock { $0 = a } }
    func run(_ v: T) { action.withLock { $0 }?(v) }
}

struct FMexPublicHooks: ConnectionHooks {
    let market: FMexMarketState
    var authenticates: Bool { true }

    /// No login on the public socket: invalidate the books so each waits for a new snapshot.
    func authenticate(_ connection: WebSocketConnection) async throws { market.invalidateBooks() }
}

final class FMexPrivateLink: Sendable {
    typealias Factory = @Sendable () throws(HFTError) -> WebSocketConnection

    private struct State {
        var current: WebSocketConnection?
        var subs: [(key: String, text: String)] = []
        var task: Task<Void, Never>?
        var started = false
        var stopped = false
        var connects = 0
        var ready = false
    }

    private let make: Factory
    private let reporter: FMexReporter
    private let policy: ReconnectPolicy
    /// Called with the connect count (1 = first) once the socket is ready.
    private let onReady: @Sendable (Int) -> Void
    private let state = Mutex(State())

    init(make: @escaping Factory, reporter: FMexReporter, policy: ReconnectPolicy, onReady: @escaping @Sendable (Int) -> Void) {
        self.make = make
        self.reporter = reporter
        self.policy = policy
        self.onReady = onReady
    }

    var isReady: Bool { state.withLock { $0.ready } }
    var connectCount: Int { state.withLock { $0.connects } }

    func start() {
        let go: Bool = state.withLock { s in
            guard !s.started, !s.stopped else { return false }
            s.started = true
            return true
        }
        guard go else { return }
        let task = Task { [self] in await supervise() }
        state.withLock { $0.task = task }
    }

    func stop() async {
        let (task, current) = state.withLock { s in
            s.stopped = true
            return (s.task, s.current)
        }
        await current?.stop()
        task?.cancel()
        await task?.value
    }

    /// Closes the current socket; the next one is signed afresh.
    func forceReconnect(reason: String) {
        guard let current = state.withLock({ $0.current }) else { return }
        Task { await current.stop(code: 1000, reason: reason) }
    }

    /// Registers a private topic (replayed on every new socket) and sends it when ready.
    func subscribe(key: String, text: String) async throws(HFTError) {
        let current: WebSocketConnection? = state.withLock { s in
            if !s.subs.contains(where: { $0.key == key }) { s.subs.append((key, text)) }
            return s.current
        }
        try await current?.subscribe(Subscription(key: key, text: text))
    }

    var subscriptionKeys: [String] { state.withLock { $0.subs.map(\.key) } }

    private func supervise() async {
        var failures = 0
        while !state.withLock({ $0.stopped }) {
            let connection: WebSocketConnection
            do throws(HFTError) { connection = try make() } catch {
                reporter.authFailed(error)
                reporter.report(.disconnected, "private: \(error)")
                return
            }
            let subs: [(key: String, text: String)] = state.withLock { s in
                s.current = connection
                return s.subs
            }
            for sub in subs { try? await connection.subscribe(Subscription(key: sub.key, text: sub.text)) }
            if state.withLock({ $0.stopped }) { state.withLock { $0.current = nil }; return }
            connection.start()
            var pending: HFTError?
            var wasReady = false
            for await e in connection.events {
                switch e {
                case .ready:
                    wasReady = true
                    failures = 0
                    let n = state.withLock { s -> Int in
                        s.connects += 1
                        s.ready = true
                        return s.connects
                    }
                    reporter.authFailed(nil)
                    reporter.report(.authenticated, "private socket accepted the signed address")
                    onReady(n)
                case .disconnected:
                    state.withLock { $0.ready = false }
                case .error(.connectFailed(let why)) where why.contains("HTTP 401") || why.contains("HTTP 403"):
                    let e = HFTError.authenticationFailed("FMex private socket refused: \(why) (wrong API key, signature or timestamp)")
                    reporter.authFailed(e)
                    reporter.venueError(FMexError(code: why.contains("HTTP 401") ? 401 : 403, message: "", context: "user ws"))
                default: break
                }
                reporter.handle(e, socket: "private", pending: &pending)
                if case .closed = e { break }
            }
            state.withLock { s in
                s.ready = false
                s.current = nil
            }
            if state.withLock({ $0.stopped }) { return }
            failures = wasReady ? 1 : failures + 1
            let delay = policy.delay(attempt: failures)
            reporter.report(.reconnecting, "private: attempt \(failures) in \(delay)" + (pending.map { " after: \($0)" } ?? ""))
            do { try await Task.sleep(for: delay) } catch { return }
        }
    }
}
