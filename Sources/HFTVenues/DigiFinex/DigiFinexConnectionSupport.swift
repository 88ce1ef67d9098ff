/// Plumbing of the DigiFinex socket: the channel symbol lists (every subscribe resends the whole
/// list), the ledger of subscribe ids (acks carry no channel), the connection hooks, and the
/// reporter that turns connection events, error replies and undecodable frames into
/// `VenueStatus` / `VenueErrorReply` values.
import HFTCore
import HFTTransport
import Synchronization

/// The complete symbol (or currency) list of each channel, readable from any thread.
final class DigiFinexChannelLists: Sendable {
    private let lists = Mutex<[DigiFinexChannel: [String]]>([:])

    func list(_ c: DigiFinexChannel) -> [String] { lists.withLock { $0[c] ?? [] } }

    /// Adds `items`; true when the list changed.
    @discardableResult
    func add(_ c: DigiFinexChannel, _ items: [String]) -> Bool {
        lists.withLock { m in
            var l = m[c] ?? []
            let before = l.count
            for i in items where !l.contains(i) { l.append(i) }
            m[c] = l
            return l.count != before
        }
    }

    /// Removes `item`; true when the list changed.
    @discardableResult
    func remove(_ c: DigiFinexChannel, _ item: String) -> Bool {
        lists.withLock { m in
            guard let i = m[c]?.firstIndex(of: item) else { return false }
            m[c]!.remove(at: i)
            return true
        }
    }
}

/// What each subscribe/unsubscribe id was for.
final class DigiFinexRequestLedger: Sendable {
    struct Entry: Sendable {
        let method: String
        let params: [String]
    }

    private let entries = Mutex<[RequestID: Entry]>([:])
    private static let limit = 4_096

    func next(_ method: String, _ params: [String]) -> RequestID {
        let id = RequestIDGenerator.next()
        entries.withLock { e in
            if e.count >= Self.limit, let oldest = e.keys.min() { e[oldest] = nil }
            e[id] = Entry(method: method, params: params)
        }
        return id
    }

    func take(_ id: RequestID) -> Entry? { entries.withLock { $0.removeValue(forKey: id) } }

    // MARK: Waiting for an ack

    private struct Waiter {
        let method: String
        let items: [String]
        var result: Bool?
        var continuation: CheckedContinuation<Bool, Never>?
    }
    private let waiters = Mutex<(next: Int, list: [Int: Waiter])>((0, [:]))

    /// Registers interest in the next ack of `method` whose list covers `items` (before sending).
    func expectAck(_ method: String, covering items: [String]) -> Int {
        waiters.withLock { w in
            w.next += 1
            w.list[w.next] = Waiter(method: method, items: items)
            return w.next
        }
    }

    /// True when the ack arrived without an error; false on an error reply or after `timeout`.
    func awaitAck(_ token: Int, timeout: Duration) async -> Bool {
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            settle(token, false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { c in
            let now: Bool? = waiters.withLock { w in
                guard var x = w.list[token] else { return false }
                if let r = x.result { w.list[token] = nil; return r }
                x.continuation = c
                w.list[token] = x
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }

    /// Called with every subscribe/unsubscribe reply.
    func acknowledged(_ entry: Entry, ok: Bool) {
        let ids = waiters.withLock { w in
            w.list.filter { $0.value.method == entry.method && $0.value.items.allSatisfy(entry.params.contains) }.map(\.key)
        }
        for id in ids { settle(id, ok) }
    }

    private func settle(_ token: Int, _ ok: Bool) {
        let c: CheckedContinuation<Bool, Never>? = waiters.withLock { w in
            guard var x = w.list[token], x.result == nil else { return nil }
            if let c = x.continuation { w.list[token] = nil; return c }
            x.result = ok
            w.list[token] = x
            return nil
        }
        c?.resume(returning: ok)
    }
}

/// `onConnect` runs after every upgrade, before the subscriptions are replayed (books are
/// invalidated there and `server.auth` is sent).
struct DigiFinexHooks: ConnectionHooks {
    let onConnect: @Sendable (WebSocketConnection) async throws -> Void
    var authenticates: Bool { true }
    func authenticate(_ connection: WebSocketConnection) async throws { try await onConnect(connection) }
    func responseID(_ message: UnsafeRawBufferPointer) -> RequestID? { DigiFinexDecoder.responseID(message) }
}

/// The `status` and `errors` streams of one `DigiFinexWsAPI`.
final class DigiFinexReporter: Sendable {
    let status = EventStream<VenueStatus>(policy: .neverDrop(alarmThreshold: 10_000))
    let errors = EventStream<VenueErrorReply>(policy: .neverDrop(alarmThreshold: 10_000))
    private let counts = Mutex<(malformed: UInt64, unknown: UInt64)>((0, 0))
    private let lastAuthFailure = Mutex<HFTError?>(nil)

    /// `server.auth` was refused (kept for `start()`, which then fails at once).
    func authFailed(_ e: HFTError) { lastAuthFailure.withLock { $0 = e } }
    var authFailure: HFTError? { lastAuthFailure.withLock { $0 } }

    func report(_ event: VenueStatus.Event, symbol: String? = nil, _ detail: String = "") {
        status.push(VenueStatus(venue: .digifinex, event: event, symbol: symbol.flatMap { DigiFinexSymbols.unified($0) }, detail: detail))
    }

    func venueError(_ e: DigiFinexError, context: String) {
        errors.push(VenueErrorReply(venue: .digifinex, code: String(e.code), message: "\(context): \(e.text)"))
        if e.kind == .tooQuick || e.kind == .rateLimited { report(.rateLimited, "\(context): \(e.text)") }
    }

    func malformed(_ why: String, unknown: Bool = false) {
        let (m, u) = counts.withLock { c -> (UInt64, UInt64) in
            if unknown { c.unknown &+= 1 } else { c.malformed &+= 1 }
            return (c.malformed, c.unknown)
        }
        report(.malformed, "\(why) (malformed: \(m), unknown: \(u))")
    }

    var malformedCounts: (malformed: UInt64, unknown: UInt64) { counts.withLock { $0 } }

    /// Turns one connection's events into status values until it closes.
    func watch(_ connection: WebSocketConnection, label: String) -> Task<Void, Never> {
        Task { [self] in
            var pending: HFTError?
            for await e in connection.events {
                switch e {
                case .connecting, .ready, .closed:
                    if case .ready = e { pending = nil }
                case .connected:
                    report(.connected, label)
                case .authenticated:
                    break
                case .reconnecting(let attempt, let delay):
                    report(.reconnecting, "\(label): attempt \(attempt) in \(delay)" + (pending.map { " after: \($0)" } ?? ""))
                    pending = nil
                case .disconnected(let reason):
                    report(.disconnected, "\(label): \(reason)")
                case .error(let error):
                    switch error {
                    case .malformedFrame, .invalidUTF8, .decompressionFailed, .oversizedMessage: malformed("\(label): \(error)")
                    case .unknownMessage: malformed("\(label): \(error)", unknown: true)
                    default: pending = error
                    }
                }
            }
        }
    }
}

extension Duration {
    /// Whole nanoseconds (for event-loop timers).
    var digiFinexNanos: Int64 {
        let (s, atto) = components
        return s.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : s * 1_000_000_000 + atto / 1_000_000_000
    }
}
