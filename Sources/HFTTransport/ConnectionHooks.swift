import HFTCore

/// What a venue plugs into a connection. On every (re)connect the connection runs, in order,
/// `authenticate` and then the replay of its registered subscriptions (paced).
public protocol ConnectionHooks: Sendable {
    /// True when `authenticate` does something (an `.authenticated` event follows it).
    var authenticates: Bool { get }

    /// Runs after each upgrade, before subscriptions are replayed. It may send requests on
    /// `connection` and await their responses. Throwing ends this connection attempt: the error
    /// is reported as `HFTError.authenticationFailed` and the connection backs off and retries.
    func authenticate(_ connection: WebSocketConnection) async throws

    /// Extracts the request id from an inbound message, for request/response correlation.
    /// Called only while requests are pending. `nil`: not a response.
    func responseID(_ message: UnsafeRawBufferPointer) -> RequestID?
}

extension ConnectionHooks {
    public var authenticates: Bool { false }
    public func authenticate(_ connection: WebSocketConnection) async throws {}
    public func responseID(_ message: UnsafeRawBufferPointer) -> RequestID? { nil }
}

/// Hooks built from closures, plus the common "id lives in a JSON member" extractor.
public struct ClosureHooks: ConnectionHooks {
    public typealias Authenticate = @Sendable (WebSocketConnection) async throws -> Void
    public typealias ResponseID = @Sendable (UnsafeRawBufferPointer) -> RequestID?

    private let auth: Authenticate?
    private let extractID: ResponseID?

    public init(authenticate: Authenticate? = nil, responseID: ResponseID? = nil) {
        self.auth = authenticate
        self.extractID = responseID
    }

    public var authenticates: Bool { auth != nil }

    public func authenticate(_ connection: WebSocketConnection) async throws {
        try await auth?(connection)
    }

    public func responseID(_ message: UnsafeRawBufferPointer) -> RequestID? { extractID?(message) }

    /// Reads the id from a top-level JSON member (`"id"`, `"req_id"`…), a number or a numeric string.
    public static func jsonMember(_ key: String) -> ResponseID {
        { bytes in
            guard let root = try? JSONValue.root(bytes), root.kind == .object,
                  let v = try? root.member(key) else { return nil }
            return v.int64
        }
    }
}

/// A subscription the connection replays after every reconnect. `render` is called at send
/// time, so it can embed a token fetched by `authenticate`.
public struct Subscription: Sendable {
    /// Identity for `unsubscribe` and de-duplication.
    public let key: String
    public let render: @Sendable () -> OutboundMessage

    public init(key: String, render: @escaping @Sendable () -> OutboundMessage) {
        self.key = key
        self.render = render
    }

    public init(key: String, text: String) {
        self.init(key: key) { .text(text) }
    }
}
