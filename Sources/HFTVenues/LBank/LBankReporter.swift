/// The `status` and `errors` streams of one `LBankWsAPI`: connection events, venue error
/// replies and undecodable frames become `VenueStatus` / `VenueErrorReply` values.
import HFTCore
import HFTTransport
import Synchronization

final class LBankReporter: Sendable {
    let status = EventStream<VenueStatus>(policy: .neverDrop(alarmThreshold: 10_000))
    let errors = EventStream<VenueErrorReply>(policy: .neverDrop(alarmThreshold: 10_000))
    private let counts = Mutex<(malformed: UInt64, unknown: UInt64)>((0, 0))

    func report(_ event: VenueStatus.Event, symbol: Symbol? = nil, _ detail: String = "") {
        status.push(VenueStatus(venue: .lbank, event: event, symbol: symbol, detail: detail))
    }

    func venueError(_ e: LBankError) {
        errors.push(VenueErrorReply(venue: .lbank, code: e.code == 0 ? "error" : String(e.code), message: e.text))
        if e.kind == .rateLimited { report(.rateLimited, e.text) }
    }

    func malformed(_ why: String, unknown: Bool = false) {
        let (m, u) = counts.withLock { c -> (UInt64, UInt64) in
            if unknown { c.unknown &+= 1 } else { c.malformed &+= 1 }
            return (c.malformed, c.unknown)
        }
        report(.malformed, "\(why) (malformed: \(m), unknown: \(u))")
    }

    var malformedCounts: (malformed: UInt64, unknown: UInt64) { counts.withLock { $0 } }

    /// Turns the connection's events into status values until it closes; `onConnected` gets
    /// true on every connect after the first, `onDisconnected` runs on each loss.
    func watch(_ connection: WebSocketConnection, onConnected: @escaping @Sendable (Bool) -> Void,
               onDisconnected: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task { [self] in
            var connects = 0
            for await e in connection.events {
                switch e {
                case .connected:
                    report(.connected, "ws")
                    connects += 1
                    onConnected(connects > 1)
                case .reconnecting(let attempt, let delay): report(.reconnecting, "attempt \(attempt) in \(delay)")
                case .disconnected(let reason):
                    report(.disconnected, "\(reason)")
                    onDisconnected()
                case .error(let error):
                    switch error {
                    case .malformedFrame, .invalidUTF8, .decompressionFailed, .oversizedMessage: malformed("\(error)")
                    default: break
                    }
                default: break
                }
            }
        }
    }
}
