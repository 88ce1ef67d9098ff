/// The subscribeKey lifecycle (lbank.md §5): created on first need, refreshed every
/// `key_refresh_s` whatever the user is doing (the key dies 60 min after creation or its last
/// refresh), re-created when a refresh fails or the socket says the key is bad (status
/// `key_refreshed`, subscribers told so they resubscribe), destroyed on stop.
import HFTCore
import Synchronization

final class LBankKeySupervisor: Sendable {
    private struct State {
        var key: String?
        var creating: Task<String, any Error>?
        var loop: Task<Void, Never>?
        var stopped = false
        var recreating = false
        var refreshes = 0
        var recreations = 0
    }

    private let state = Mutex(State())
    private let rest: LBankRestAPI
    private let refreshEvery: Duration
    private let retry: Duration
    private let reporter: LBankReporter
    private let onNewKey = Mutex<(@Sendable (String) -> Void)?>(nil)

    init(rest: LBankRestAPI, refreshEvery: Duration, retry: Duration, reporter: LBankReporter) {
        self.rest = rest
        self.refreshEvery = refreshEvery
        self.retry = retry > .zero ? retry : .seconds(1)
        self.reporter = reporter
    }

    /// Called with each replacement key (not the first one).
    func setOnNewKey(_ f: @escaping @Sendable (String) -> Void) { onNewKey.withLock { $0 = f } }

    var currentKey: String? { state.withLock { $0.key } }
    var counts: (refreshes: Int, recreations: Int) { state.withLock { ($0.refreshes, $0.recreations) } }

    /// The live key, creating it (once, however many callers wait) and starting the refresh loop.
    func key() async throws(HFTError) -> String {
        enum Next { case have(String), wait(Task<String, any Error>) }
        let next: Next = try state.withLock { (s) throws(HFTError) -> Next in
            guard !s.stopped else { throw .notConnected }
            if let k = s.key { return .have(k) }
            if let t = s.creating { return .wait(t) }
            let rest = self.rest
            let t = Task { try await rest.createSubscribeKey() }
            s.creating = t
            return .wait(t)
        }
        switch next {
        case .have(let k): return k
        case .wait(let t):
            do {
                let k = try await t.value
                let start: Bool = state.withLock { s in
                    s.creating = nil
                    guard !s.stopped else { return false }
                    s.key = k
                    guard s.loop == nil else { return false }
                    return true
                }
                if start { startLoop() }
                return k
            } catch {
                state.withLock { $0.creating = nil }
                throw (error as? HFTError) ?? .authenticationFailed("LBank subscribeKey: \(error)")
            }
        }
    }

    private func startLoop() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let every = self?.refreshEvery else { return }
                do { try await Task.sleep(for: every) } catch { return }
                await self?.refreshOnce()
            }
        }
        let keep = state.withLock { s -> Bool in
            guard !s.stopped, s.loop == nil else { return false }
            s.loop = task
            return true
        }
        if !keep { task.cancel() }
    }

    /// Refreshes the key; on failure replaces it.
    func refreshOnce() async {
        guard let k = currentKey else { return }
        do throws(HFTError) {
            try await rest.refreshSubscribeKey(k)
            state.withLock { $0.refreshes += 1 }
            reporter.report(.keyRefreshed, "subscribeKey refreshed")
        } catch {
            await recreate(reason: "refresh failed: \(error)")
        }
    }

    /// Creates a new key (retrying every `key_retry_s` until it works or stop), then tells
    /// subscribers. One re-creation at a time: a second caller meanwhile returns at once.
    func recreate(reason: String) async {
        guard state.withLock({ s -> Bool in
            guard !s.recreating, !s.stopped else { return false }
            s.recreating = true
            return true
        }) else { return }
        defer { state.withLock { $0.recreating = false } }
        while !Task.isCancelled {
            guard !state.withLock({ $0.stopped }) else { return }
            do throws(HFTError) {
                let k = try await rest.createSubscribeKey()
                let ok = state.withLock { s -> Bool in
                    guard !s.stopped else { return false }
                    s.key = k
                    s.recreations += 1
                    return true
                }
                guard ok else { try? await rest.destroySubscribeKey(k); return }
                reporter.report(.keyRefreshed, "subscribeKey re-created (\(reason))")
                onNewKey.withLock { $0 }?(k)
                return
            } catch {
                reporter.report(.disconnected, "subscribeKey re-creation failed: \(error); retrying")
                do { try await Task.sleep(for: retry) } catch { return }
            }
        }
    }

    /// The socket rejected the key: replace it (once per bad key).
    func keyRejected(_ message: String) {
        guard currentKey != nil else { return }
        Task { [weak self] in await self?.recreate(reason: "socket: \(message)") }
    }

    /// Stops refreshing and destroys the key.
    func stop() async {
        let (key, loop, creating): (String?, Task<Void, Never>?, Task<String, any Error>?) = state.withLock { s in
            s.stopped = true
            defer { s.key = nil; s.loop = nil; s.creating = nil }
            return (s.key, s.loop, s.creating)
        }
        loop?.cancel()
        if let creating, let k = try? await creating.value { try? await rest.destroySubscribeKey(k) }
        if let key { try? await rest.destroySubscribeKey(key) }
    }
}
