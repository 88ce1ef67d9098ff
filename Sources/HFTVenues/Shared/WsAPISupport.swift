/// Lifecycle pieces the WebSocket APIs share: which REST API they go through, and waiting for a
/// signed-in socket while a refused login fails at once.
import HFTCore

/// A venue REST API that says whether it can sign.
protocol SigningRESTAPI: ExchangeRestAPI {
    var hasCredentials: Bool { get }
}

enum WsAPISupport {
    /// `given` when it can serve the caller (one without credentials takes any), else a new one
    /// from `make`, which the WebSocket API then owns and shuts down.
    static func rest<R: SigningRESTAPI>(_ given: R?, withCredentials: Bool,
                                        make: () throws(HFTError) -> R) throws(HFTError) -> (R, owned: Bool) {
        if let given, !withCredentials || given.hasCredentials { return (given, false) }
        return (try make(), true)
    }

    /// Waits for `ready`; a login refusal (`authFailure`, looked at every 20 ms) fails at once.
    static func ready(_ ready: @escaping @Sendable () async throws -> Void,
                      authFailure: @escaping @Sendable () -> HFTError?) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ready() }
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(20))
                    if let e = authFailure() { throw e }
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
