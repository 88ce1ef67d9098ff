/// The `status` and `errors` streams of one WebSocket API (BGE, FMex): connection events,
/// the venue's error replies (its own code and text) and undecodable frames, counted. Never
/// carries a key or signature.
import HFTCore
import HFTTransport
import Synchronization

/// How a venue spells its symbols, for status values.
protocol VenueSymbolSpelling: Sendable {
    static var venue: Venue { get }
    static func unified(_ native: String) -> Symbol?
}

/// A venue error reply: numeric code, where it came from, the text to show.
protocol VenueCodedError {
    var code: Int { get }
    var context: String { get }
    var text: String { get }
}

final class VenueReporter<Spelling: VenueSymbolSpelling>: Sendable {
    let status = EventStream<VenueStatus>(policy: .neverDrop(alarmThreshold: 10_000))
    let errors = EventStream<VenueErrorReply>(policy: .neverDrop(alarmThreshold: 10_000))
    private let counts = Mutex<(malformed: UInt64, unknown: UInt64)>((0, 0))
    private let lastAuthFailure = Mutex<HFTError?>(nil)

    init() {}

    func authFailed(_ e: HFTError?) { lastAuthFailure.withLock { $0 = e } }
    var authFailure: HFTError? { lastAuthFailure.withLock { $0 } }

    /// `symbol` is the venue's spelling.
    func report(_ event: VenueStatus.Event, symbol: String? = nil, _ detail: String = "") {
        status.push(VenueStatus(venue: Spelling.venue, event: event, symbol: symbol.flatMap { Spelling.unified($0) }, detail: detail))
    }

    func venueError(_ e: some VenueCodedError) {
        errors.push(VenueErrorReply(venue: Spelling.venue, code: String(e.code), message: (e.context.isEmpty ? "" : e.context + ": ") + e.text))
    }

    func malformed(_ why: String, unknown: Bool = false) {
        let (m, u) = counts.withLock { c -> (UInt64, UInt64) in
            if unknown { c.unknown &+= 1 } else { c.malformed &+= 1 }
            return (c.malformed, c.unknown)
        }
        report(.malformed, "\(why) (malformed: \(m), unknown: \(u))")
    }

    var malformedCounts: (malformed: UInt64, unknown: UInt64) { counts.withLock { $0 } }

    /// One connection event of the socket named `socket` (its name prefixes the details); nil:
    /// the venue's only socket (no prefix, `connected` says `ws`).
    func handle(_ e: ConnectionEvent, socket: String?, pending: inout HFTError?) {
        let prefix = socket.map { $0 + ": " } ?? ""
        switch e {
        case .connecting, .closed, .authenticated: break
        case .ready: pending = nil
        case .connected: report(.connected, socket ?? "ws")
        case .reconnecting(let attempt, let delay):
            report(.reconnecting, "\(prefix)attempt \(attempt) in \(delay)" + (pending.map { " after: \($0)" } ?? ""))
            pending = nil
        case .disconnected(let reason): report(.disconnected, "\(prefix)\(reason)")
        case .error(let error):
            switch error {
            case .malformedFrame, .invalidUTF8, .decompressionFailed, .oversizedMessage: malformed("\(prefix)\(error)")
            case .unknownMessage: malformed("\(prefix)\(error)", unknown: true)
            default: pending = error
            }
        }
    }

    /// Turns the connection's events into status values until it closes.
    func watch(_ connection: WebSocketConnection, socket: String? = nil) -> Task<Void, Never> {
        Task { [self] in
            var pending: HFTError?
            for await e in connection.events { handle(e, socket: socket, pending: &pending) }
        }
    }
}
