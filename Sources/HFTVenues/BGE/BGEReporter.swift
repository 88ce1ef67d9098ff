/// The `status` and `errors` streams of one `BGEWsAPI`: connection events, BGE error replies
/// (its own code and text) and undecodable frames.
import HFTCore
import HFTTransport
import Synchronization

final class BGEReporter: Sendable {
    let status = EventStream<VenueStatus>(policy: .neverDrop(alarmThreshold: 10_000))
    let errors = EventStream<VenueErrorReply>(policy: .neverDrop(alarmThreshold: 10_000))
    private let counts = Mutex<(malformed: UInt64, unknown: UInt64)>((0, 0))
    private let lastAuthFailure = Mutex<HFTError?>(nil)

    func authFailed(_ e: HFTError?) { lastAuthFailure.withLock { $0 = e } }
    var authFailure: HFTError? { lastAuthFailure.withLock { $0 } }

    func report(_ event: VenueStatus.Event, symbol: String? = nil, _ detail: String = "") {
        status.push(VenueStatus(venue: .bge, event: event, symbol: symbol.flatMap { BGESymbols.unified($0) }, detail: detail))
    }

    func venueError(_ e: BGEError) {
        errors.push(VenueErrorReply(venue: .bge, code: String(e.code), message: (e.context.isEmpty ? "" : e.context + ": ") + e.text))
    }

    func malformed(_ why: String, unknown: Bool = false) {
        let (m, u) = counts.withLock { c -> (UInt64, UInt64) in
            if unknown { c.unknown &+= 1 } else { c.malformed &+= 1 }
            return (c.malformed, c.unknown)
        }
        report(.malformed, "\(why) (malformed: \(m), unknown: \(u))")
    }

    var malformedCounts: (malformed: UInt64, unknown: UInt64) { counts.withLock { $0 } }

    /// Turns the connection's events into status values until it closes.
    func watch(_ connection: WebSocketConnection) -> Task<Void, Never> {
        Task { [self] in
            var pending: HFTError?
            for await e in connection.events {
                switch e {
                case .connecting, .closed, .authenticated: break
                case .ready: pending = nil
                case .connected: report(.connected, "ws")
                case .reconnecting(let attempt, let delay):
                    report(.reconnecting, "attempt \(attempt) in \(delay)" + (pending.map { " after: \($0)" } ?? ""))
                    pending = nil
                case .disconnected(let reason): report(.disconnected, "\(reason)")
                case .error(let error):
                    switch error {
                    case .malformedFrame, .invalidUTF8, .decompressionFailed, .oversizedMessage: malformed("\(error)")
                    case .unknownMessage: malformed("\(error)", unknown: true)
                    default: pending = error
                    }
                }
            }
        }
    }
}
