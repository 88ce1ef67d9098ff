/// Plumbing shared by Binance's sessions: the wire facts the transport needs (response ids,
/// decoding without throwing), the connection hooks, and the reporter that turns connection
/// events, venue error pushes and undecodable frames into `VenueStatus` / `VenueErrorReply`.
import HFTCore
import HFTTransport
import Synchronization

enum BinanceWire {
    /// Whole nanoseconds of `d` (saturating; for event-loop timers and clocks).
    static func nanos(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        if s < 0 { return 0 }
        return s.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : s * 1_000_000_000 + atto / 1_000_000_000
    }

    /// Decodes one frame without throwing (the hot path's entry).
    @inline(__always)
    static func decode(_ m: InboundMessage, _ unit: BinanceTimeUnit) -> Result<BinanceInbound, BinanceDecodeError> {
        m.withBytes { bytes in
            do throws(BinanceDecodeError) { return .success(try BinanceDecoder.decode(bytes, timeUnit: unit)) } catch { return .failure(error) }
        }
    }

    /// A WS API reply the request tracker collected.
    static func response(_ reply: RequestResult, _ unit: BinanceTimeUnit) -> BinanceResponse? {
        reply.response.withUnsafeReadableBytes { bytes in
            guard case .response(let r)? = try? BinanceDecoder.decode(bytes, timeUnit: unit) else { return nil }
            return r
        }
    }

    /// A fresh id for requests and control messages (stream control ids are signed 64-bit ints).
    static func nextID() -> RequestID { RequestIDGenerator.next() }
}

/// Runs `onConnect` after every upgrade, before the subscriptions are replayed.
struct BinanceHooks: ConnectionHooks {
    let onConnect: @Sendable (WebSocketConnection) async throws -> Void
    var authenticates: Bool { true }
    func authenticate(_ connection: WebSocketConnection) async throws { try await onConnect(connection) }
    func responseID(_ message: UnsafeRawBufferPointer) -> RequestID? { BinanceDecoder.responseID(message) }
}

/// The `status` and `errors` streams of one `BinanceWsAPI`, fed by every session.
final class BinanceReporter: Sendable {
    let status = EventStream<VenueStatus>(policy: .neverDrop(alarmThreshold: 10_000))
    let errors = EventStream<VenueErrorReply>(policy: .neverDrop(alarmThreshold: 10_000))
    private let counts = Mutex<(malformed: UInt64, unknown: UInt64)>((0, 0))
    private let lastErrors = Mutex<[String: HFTError]>([:])

    func report(_ event: VenueStatus.Event, symbol: Symbol? = nil, _ detail: String = "") {
        status.push(VenueStatus(venue: .binance, event: event, symbol: symbol, detail: detail))
    }

    /// An error reply outside any request (stream control error, `id:null` reply).
    func venueError(_ e: BinanceAPIError, context: String? = nil) {
        errors.push(VenueErrorReply(venue: .binance, code: String(e.code), message: context.map { "\($0): \(e.message)" } ?? e.message))
    }

    /// A frame that did not decode: counted and reported, never fatal.
    func malformed(_ endpoint: String, _ why: String, unknown: Bool = false) {
        let (m, u) = counts.withLock { c -> (UInt64, UInt64) in
            if unknown { c.unknown &+= 1 } else { c.malformed &+= 1 }
            return (c.malformed, c.unknown)
        }
        report(.malformed, "\(endpoint): \(why) (malformed: \(m), unknown: \(u))")
    }

    func malformed(_ endpoint: String, _ e: BinanceDecodeError) {
        switch e {
        case .unknownEvent, .unknownMessage: malformed(endpoint, e.description, unknown: true)
        default: malformed(endpoint, e.description)
        }
    }

    var malformedCounts: (malformed: UInt64, unknown: UInt64) { counts.withLock { $0 } }

    func lastError(_ endpoint: String) -> HFTError? { lastErrors.withLock { $0[endpoint] } }

    /// Turns one connection's events into status values until it closes; `extra` sees each first.
    func watch(_ connection: WebSocketConnection, endpoint: String, reportAuthentication: Bool,
               extra: @escaping @Sendable (ConnectionEvent) -> Void) -> Task<Void, Never> {
        Task { [self] in
            var pending: HFTError?
            for await e in connection.events {
                extra(e)
                switch e {
                case .connecting, .closed:
                    break
                case .connected:
                    report(.connected, endpoint)
                case .authenticated:
                    if reportAuthentication { report(.authenticated, endpoint) }
                case .ready:
                    pending = nil
                case .reconnecting(let attempt, let delay):
                    report(.reconnecting, "\(endpoint): attempt \(attempt) in \(delay)\(pending.map { " after: \($0)" } ?? "")")
                    pending = nil
                case .disconnected(let reason):
                    report(.disconnected, "\(endpoint): \(reason)")
                case .error(let error):
                    lastErrors.withLock { $0[endpoint] = error }
                    switch error {
                    case .malformedFrame, .invalidUTF8, .decompressionFailed, .oversizedMessage: malformed(endpoint, error.description)
                    case .unknownMessage: malformed(endpoint, error.description, unknown: true)
                    default: pending = error
                    }
                }
            }
        }
    }
}
