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
typealias DigiFinexReporter = VenueReporter<DigiFinexSymbols>

extension DigiFinexSymbols: VenueSymbolSpelling {
    static var venue: Venue { .digifinex }
}

extension VenueReporter where Spelling == DigiFinexSymbols {
    /// A DigiFinex error reply; "too quick" and rate-limit codes are also reported as `.rateLimited`.
    func venueError(_ e: DigiFinexError, context: String) {
        errors.push(VenueErrorReply(venue: .digifinex, code: String(e.code), message: "\(context): \(e.text)"))
        if e.kind == .tooQuick || e.kind == .rateLimited { report(.rateLimited, "\(context): \(e.text)") }
    }
}

extension Duration {
    /// Whole nanoseconds (for event-loop timers).
    var digiFinexNanos: Int64 {
        let (s, atto) = components
        return s.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : s * 1_000_000_000 + atto / 1_000_000_000
    }
}
