/// The BGE socket's hooks: on every (re)connect the books are invalidated, then `login` is sent
/// when credentials were given (the reply, which carries no id, is routed to the pending login
/// request), then the transport replays the registered subscriptions, paced.
import HFTCore
import HFTTransport
import Synchronization

/// The id of the login request awaiting its reply.
final class BGELoginSlot: Sendable {
    private let id = Mutex<RequestID?>(nil)
    func set(_ v: RequestID?) { id.withLock { $0 = v } }
    var current: RequestID? { id.withLock { $0 } }
}

/// What to run after a reconnect (set once the API object exists).
final class BGEReconnectAction: Sendable {
    private let action = Mutex<(@Sendable () -> Void)?>(nil)
    func set(_ a: @escaping @Sendable () -> Void) { action.withLock { $0 = a } }
    func run() { action.withLock { $0 }?() }
}

/// How many times the socket connected (the second and later are reconnects).
final class BGEConnectCounter: Sendable {
    private let n = Mutex(0)
    func next() -> Int { n.withLock { $0 += 1; return $0 } }
}

struct BGEHooks: ConnectionHooks {
    let credentials: BGECredentials?
    let slot: BGELoginSlot
    let market: BGEMarketState
    let reporter: BGEReporter
    let connects: BGEConnectCounter
    let onReconnect: @Sendable () -> Void

    var authenticates: Bool { true }

    func authenticate(_ connection: WebSocketConnection) async throws {
        market.invalidateBooks()
        if let credentials {
            do throws(HFTError) {
                try await Self.login(connection, credentials, slot: slot, reporter: reporter)
                reporter.authFailed(nil)
            } catch {
                reporter.authFailed(error)
                throw error
            }
        }
        let n = connects.next()
        if n > 1 { onReconnect() }
    }

    func responseID(_ message: UnsafeRawBufferPointer) -> RequestID? {
        guard let id = slot.current, BGEDecoder.isLoginReply(message) else { return nil }
        return id
    }

    /// `login` (bge.md §4); a refusal (40010 …) fails this connection attempt with BGE's code.
    static func login(_ connection: WebSocketConnection, _ c: BGECredentials, slot: BGELoginSlot,
                      reporter: BGEReporter) async throws(HFTError) {
        let id = RequestIDGenerator.next()
        slot.set(id)
        defer { slot.set(nil) }
        let result = try await connection.sendRequest(method: "login", id: id) { _ in
            BGERequest.login(c, milliseconds: WallClock.milliseconds())
        }
        switch try? BGEDecoder.decode(result.responseText) {
        case .ack?:
            reporter.report(.authenticated, "login ok (\(result.latencyMicros) µs)")
        case .error(let e, _)?:
            reporter.venueError(e)
            throw e.hftError
        default:
            throw .authenticationFailed("BGE login: unreadable reply")
        }
    }
}
