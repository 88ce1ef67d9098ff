/// Plumbing shared by Kraken's public and private sessions: the few wire facts the transport
/// needs (ping text, pong and `req_id` recognition), the connection hooks, the ledger of
/// subscribe requests in flight, and the reporter that turns connection events, venue error
/// pushes and undecodable frames into `VenueStatus` / `VenueErrorReply` values.
import HFTCore
import HFTTransport
import Synchronization

enum KrakenWire {
    /// `{"method":"ping","req_id":N}` (kraken.md §2); ids stay in Kraken's int32 range.
    static func pingText(_ id: RequestID) -> String {
        "{\"method\":\"ping\",\"req_id\":\(id & Int64(Int32.max))}"
    }

    /// True for `{"method":"pong",…}`; parses only the top-level members it passes.
    static func isPong(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let root = try? JSONValue.root(bytes), root.kind == .object, let m = try? root.member("method") else { return false }
        return m.stringEquals("pong")
    }

    /// The top-level `req_id` of a reply (nil for channel pushes and malformed frames).
    static func reqID(_ bytes: UnsafeRawBufferPointer) -> RequestID? {
        guard let root = try? JSONValue.root(bytes), root.kind == .object, let v = try? root.member("req_id") else { return nil }
        return v.int64
    }

    /// Whole nanoseconds of `d` (for event-loop timers).
    static func nanos(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : s * 1_000_000_000 + atto / 1_000_000_000
    }

    /// Decodes one frame without throwing (the hot path's entry).
    @inline(__always)
    static func decode(_ m: InboundMessage) -> Result<KrakenInbound, KrakenDecodeError> {
        m.withBytes { bytes in
            do throws(KrakenDecodeError) { return .success(try KrakenDecoder.decode(bytes)) } catch { return .failure(error) }
        }
    }

    /// Decodes a reply the request tracker collected.
    static func decodeResponse(_ text: String) -> KrakenResponse? {
        guard case .response(let r)? = try? KrakenDecoder.decode(text) else { return nil }
        return r
    }
}

/// Runs `onConnect` after every upgrade, before the subscriptions are replayed: the public
/// session invalidates its books there, the private one fetches a fresh token.
struct KrakenHooks: ConnectionHooks {
    let onConnect: @Sendable (WebSocketConnection) async throws -> Void
    var authenticates: Bool { true }
    func authenticate(_ connection: WebSocketConnection) async throws { try await onConnect(connection) }
    func responseID(_ message: UnsafeRawBufferPointer) -> RequestID? { KrakenWire.reqID(message) }
}

/// What each subscribe/unsubscribe `req_id` was for: failed acks carry no channel.
final class KrakenRequestLedger: Sendable {
    enum Kind: Sendable { case subscribe, unsubscribe }
    struct Entry: Sendable {
        let kind: Kind
        let channel: String
        let symbol: String?
    }

    private let entries = Mutex<[RequestID: Entry]>([:])
    private static let limit = 4_096

    /// A fresh `req_id` remembered as `entry`.
    func next(_ kind: Kind, _ channel: String, _ symbol: String?) -> RequestID {
        let id = RequestIDGenerator.next() & Int64(Int32.max)
        entries.withLock { e in
            if e.count >= Self.limit, let oldest = e.keys.min() { e[oldest] = nil }
            e[id] = Entry(kind: kind, channel: channel, symbol: symbol)
        }
        return id
    }

    func entry(_ id: RequestID?) -> Entry? {
        guard let id else { return nil }
        return entries.withLock { $0[id] }
    }

    func forget(_ id: RequestID?) {
        guard let id else { return }
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}

/// The `status` and `errors` streams of one `KrakenWsAPI`, fed by both sessions.
final class KrakenReporter: Sendable {
    let status = EventStream<VenueStatus>(policy: .neverDrop(alarmThreshold: 10_000))
    let errors = EventStream<VenueErrorReply>(policy: .neverDrop(alarmThreshold: 10_000))
    private let counts = Mutex<(malformed: UInt64, unknown: UInt64)>((0, 0))
    private let lastErrors = Mutex<[String: HFTError]>([:])

    func report(_ event: VenueStatus.Event, symbol: String? = nil, _ detail: String = "") {
        status.push(VenueStatus(venue: .kraken, event: event, symbol: symbol.flatMap { KrakenSymbols.unified($0) }, detail: detail))
    }

    func report(_ event: VenueStatus.Event, unified symbol: Symbol?, _ detail: String = "") {
        status.push(VenueStatus(venue: .kraken, event: event, symbol: symbol, detail: detail))
    }

    /// A venue error pushed outside any request (`{"Error":…}`, a failed subscribe ack).
    func venueError(_ e: KrakenError, context: String? = nil) {
        errors.push(VenueErrorReply(venue: .kraken, code: e.code, message: context.map { "\($0): \(e.message)" } ?? e.message))
        if e.kind == .rateLimited || e.kind == .tradingRateLimited { report(.rateLimited, e.message) }
    }

    /// A frame that did not decode: counted and reported, never fatal.
    func malformed(_ endpoint: String, _ why: String, unknown: Bool = false) {
        let (m, u) = counts.withLock { c -> (UInt64, UInt64) in
            if unknown { c.unknown &+= 1 } else { c.malformed &+= 1 }
            return (c.malformed, c.unknown)
        }
        report(.malformed, "\(endpoint): \(why) (malformed: \(m), unknown: \(u))")
    }

    /// Malformed and unknown frames seen so far.
    var malformedCounts: (malformed: UInt64, unknown: UInt64) { counts.withLock { $0 } }

    /// The last transport error of an endpoint (for `start()`'s error).
    func lastError(_ endpoint: String) -> HFTError? { lastErrors.withLock { $0[endpoint] } }

    /// Turns one connection's events into status values until the connection closes.
    /// `extra` sees every event first (on the consuming task).
    func watch(_ connection: WebSocketConnection, endpoint: String, reportAuthentication: Bool,
               extra: @escaping @Sendable (ConnectionEvent) -> Void) -> Task<Void, Never> {
        Task { [self] in
            var pending: HFTError?
            for await e in connection.events {
                extra(e)
                switch e {
                case .connecting:
                    break
                case .connected:
                    report(.connected, endpoint)
                case .authenticated:
                    if reportAuthentication { report(.authenticated, endpoint) }
                case .ready:
                    pending = nil
                case .reconnecting(let attempt, let delay):
                    let why = pending.map { " after: \($0)" } ?? ""
                    report(.reconnecting, "\(endpoint): attempt \(attempt) in \(delay)\(why)")
                    pending = nil
                case .disconnected(let reason):
                    report(.disconnected, "\(endpoint): \(reason)")
                    if case .closedByPeer(code: 1008?, _) = reason {
                        // Kraken: policy violation is terminal (kraken.md §2); do not loop.
                        report(.disconnected, "\(endpoint): closed with 1008 (policy violation); not reconnecting")
                        Task { await connection.stop() }
                    }
                case .closed:
                    break
                case .error(let error):
                    lastErrors.withLock { $0[endpoint] = error }
                    switch error {
                    case .malformedFrame, .invalidUTF8, .decompressionFailed, .oversizedMessage:
                        malformed(endpoint, error.description)
                    case .unknownMessage:
                        malformed(endpoint, error.description, unknown: true)
                    default:
                        pending = error
                    }
                }
            }
        }
    }
}

/// Pair precisions shared by the public session (which loads them) and order entry.
final class KrakenInstrumentCache: Sendable {
    private let state = Mutex(KrakenInstruments())
    var value: KrakenInstruments { state.withLock { $0 } }
    func replace(_ i: KrakenInstruments) { state.withLock { $0 = i } }
    func precision(_ native: String) -> KrakenPrecision? { state.withLock { $0.precision(for: native) } }
    var isEmpty: Bool { state.withLock { $0.pairs.isEmpty } }
}
