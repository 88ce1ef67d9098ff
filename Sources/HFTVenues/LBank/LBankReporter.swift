/// The `status` and `errors` streams of one `LBankWsAPI`: the shared `VenueReporter`, with
/// LBank's error replies (WebSocket errors carry no code) and its one socket's events.
import HFTCore
import HFTTransport

typealias LBankReporter = VenueReporter<LBankSymbols>

extension VenueReporter where Spelling == LBankSymbols {
    func venueError(_ e: LBankError) {
        errors.push(VenueErrorReply(venue: .lbank, code: e.code == 0 ? "error" : String(e.code), message: e.text))
        if e.kind == .rateLimited { report(.rateLimited, e.text) }
    }

    /// Turns the connection's events into status values until it closes; `onConnected` gets
    /// true on every connect after the first, `onDisconnected` runs on each loss.
    func watch(_ connection: WebSocketConnection, onConnected: @escaping @Sendable (Bool) -> Void,
               onDisconnected: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task { [self] in
            var connects = 0
            var pending: HFTError?
            for await e in connection.events {
                handle(e, socket: nil, pending: &pending)
                switch e {
                case .connected:
                    connects += 1
                    onConnected(connects > 1)
                case .disconnected: onDisconnected()
                default: break
                }
            }
        }
    }
}
