/// The `status` and `errors` streams of one `FMexWsAPI`: connection events of both sockets, FMex
/// error replies (its own code and text) and undecodable frames. Never carries a key or signature.
import HFTCore
import HFTTransport
import Synchronization

final class FMexReporter: Sendable {
    let status = EventStream<VenueStatus>(policy: .neverDrop(alarmThreshold: 10_000))
    let errors = EventStream<VenueErrorReply>(policy: .neverDrop(alarmThreshold: 10_000))
    private let counts = Mutex<(malformed: UInt64, unknown: UInt64)>((0, 0))
    private let lastAuthFailure = Mutex<HFTError?>(nil)

    func authFailed(_ e: HFTError?) { lastAuthFailure.withLock { $0 = e } }
    var authFailure: HFTError? { lastAuthFailure.withLock { $0 } }

    func report(_ event: VenueStatus.Event, symbol: String? = nil, _ detail: String = "") {
        status.push(VenueStatus(venue: .fmex, event: event, symbol: symbol.flatMap { FMexSymbols.unified($0) }, detail: detail))
    }

    func venueError(_ e: FMexError) {
        errors.push(VenueErrorReply(venue: .fmex, code: String(e.code), message: (e.context.isEmpty ? "" : e.context + ": ") + e.text))
    }

    func malformed(_ why: String, unknown: Bool = false) {
        let (m, u) = counts.withLock { c -> (UInt64, UInt64) in
            if unknown { c.unknown &+= 1 } else { c.malformed &+= 1 }
            return (c.malformed, c.unknown)
        }
        report(.malformed, "\(why) (malformed: \(m), unknown: \(u))")
    }

    var malformedCounts: (malformed: UInt64, unknown: UInt64) { counts.withLock { $0 } }

    /// One connection event of the socket named `socket` (`public`/`private`).
    func handle(_ e: ConnectionEvent, socket: String, pending: inout HFTError?) {
        switch e {
        case .connecting, .closed, .authenticated: break
        case .ready: pending = nil
        case .connected: report(.connected, socket)
        case .reconnecting(let attempt, let delay):
            report(.reconnecting, "\(socket): attempt \(attempt) in \(delay)" + (pending.map { " after: \($0)" } ?? ""))
            pending = nil
        case .disconnected(let reason): report(.disconnected, "\(socket): \(reason)")
        case .error(let error):
            switch error {
            case .malformedFrame, .invalidUTF8, .decompressionFailed, .oversizedMessage: malformed("\(socket): \(error)")
            case .unknownMessage: malformed("\(socket): \(error)", unknown: true)
            default: pending = error
            }
        }
    }

    /// Turns the public connection's events into status values until it closes.
    func watch(_ connection: WebSocketConnection, socket: String) -> Task<Void, Never> {
        Task { [self] in
            var pending: HFTError?
            for await e in connection.events { handle(e, socket: socket, pending: &pending) }
        }
    }
}
