import HFTCore

/// What a front-end is about to send.
public enum OutboundKind: Sendable, Hashable {
    case bookSnapshot
    case bookUpdate
    case trade
    case ticker
    /// Orders, fills, balances, positions.
    case privateUpdate
    /// The reply to a request.
    case response
    case heartbeat
    case other

    var isBook: Bool { self == .bookSnapshot || self == .bookUpdate }
}

/// What to do with one outbound message.
public enum FaultAction: Sendable, Hashable {
    /// Send it normally.
    case send
    /// Close the TCP connection abruptly (no close frame), now and for every later message.
    case dropConnection
    /// Send nothing more, keep the socket open (this and every later message).
    case stall
    /// Send it with a wrong checksum (venues without checksums: send normally).
    case corruptChecksum
    /// Do not send it, but count its sequence numbers, so the next message shows a gap.
    case skipSequence
    /// Send `FaultDecider.malformedFrame` first, then the message.
    case malformed
}

/// Per-connection fault decisions. A value type owned by the connection's handler (one event
/// loop, no locks); it re-reads the controller's plan only when the plan changed.
///
/// When several faults hit the same message the strongest wins: drop > stall > malformed >
/// corrupt checksum > skip sequence. Every counter still advances.
public struct FaultDecider: Sendable {
    public let controller: FaultController
    public let endpoint: String
    /// 1-based number of this connection on its venue.
    public let ordinal: Int
    public let connectedAt: Timestamp
    public private(set) var plan: FaultPlan
    private var generation: UInt64
    private var rng: SeededRandom
    public private(set) var messages = 0
    public private(set) var bookMessages = 0
    public private(set) var bookUpdates = 0
    private var dropped = false
    private var stalled = false
    private var windowStart: Timestamp
    private var windowRequests = 0

    /// A frame no venue's decoder accepts (truncated JSON).
    public static let malformedFrame: [UInt8] = Array(#"{"channel":"book","type":"update","data":[{"symbol":"#.utf8)

    init(controller: FaultController, endpoint: String, ordinal: Int) {
        self.controller = controller
        self.endpoint = endpoint
        self.ordinal = ordinal
        generation = controller.generation.load(ordering: .acquiring)
        plan = controller.effectivePlan(endpoint: endpoint, ordinal: ordinal)
        rng = SeededRandom(seed: plan.seed ?? 0).derived(UInt64(ordinal))
        connectedAt = controller.clock.nowMicros()
        windowStart = connectedAt
    }

    private mutating func refresh() {
        let g = controller.generation.load(ordering: .acquiring)
        guard g != generation else { return }
        generation = g
        let seed = plan.seed
        plan = controller.effectivePlan(endpoint: endpoint, ordinal: ordinal)
        if plan.seed != seed { rng = SeededRandom(seed: plan.seed ?? 0).derived(UInt64(ordinal)) }
    }

    /// Decide the fate of the next outbound message.
    public mutating func onOutboundMessage(kind: OutboundKind) -> FaultAction {
        refresh()
        if dropped { return .dropConnection }
        if stalled { return .stall }
        let sentBefore = messages
        messages += 1
        if kind.isBook { bookMessages += 1 }
        if kind == .bookUpdate { bookUpdates += 1 }

        if let n = plan.dropAfterMessages, sentBefore >= n { dropped = true; return .dropConnection }
        if let p = plan.dropProbability, rng.chance(p) { dropped = true; return .dropConnection }
        if let n = plan.stallAfterMessages, sentBefore >= n { stalled = true; return .stall }
        if let n = plan.malformedEvery, messages % n == 0 { return .malformed }
        if let n = plan.corruptChecksumEvery, kind.isBook, bookMessages % n == 0 { return .corruptChecksum }
        if let n = plan.skipSequenceEvery, kind == .bookUpdate, bookUpdates % n == 0 { return .skipSequence }
        return .send
    }

    /// Call once per inbound request: true when it exceeds `rate_limit_after` in the current
    /// window and must get the venue's rate-limit error (and a close, where the venue closes).
    public mutating func shouldRejectForRateLimit() -> Bool {
        refresh()
        guard let limit = plan.rateLimitAfterRequests else { return false }
        let now = controller.clock.nowMicros()
        if now - windowStart >= plan.rateLimitWindowMicros {
            windowStart = now
            windowRequests = 0
        }
        windowRequests += 1
        return windowRequests > limit
    }

    /// The plan in force now (the cached one unless the controller changed since).
    public func currentPlan() -> FaultPlan {
        controller.generation.load(ordering: .acquiring) == generation
            ? plan : controller.effectivePlan(endpoint: endpoint, ordinal: ordinal)
    }

    /// How long to hold each response.
    public func responseDelay() -> Duration {
        .milliseconds(currentPlan().responseDelayMillis ?? 0)
    }

    /// True once `expire_token_after_s` has passed since `issuedAt` (default: since this
    /// connection logged in / connected).
    public func isTokenExpired(issuedAt: Timestamp? = nil) -> Bool {
        guard let s = currentPlan().expireTokenAfterSeconds else { return false }
        return controller.clock.nowMicros() - (issuedAt ?? connectedAt) >= Int64(s * 1_000_000)
    }

    /// When the forced periodic disconnect is due (nil = never); front-ends schedule a close for it.
    public func forcedDisconnectDeadline() -> Timestamp? {
        currentPlan().forceDisconnectAfterSeconds.map { connectedAt + Int64($0 * 1_000_000) }
    }

    /// True once the forced periodic disconnect is due.
    public func shouldForceDisconnect() -> Bool {
        guard let deadline = forcedDisconnectDeadline() else { return false }
        return controller.clock.nowMicros() >= deadline
    }
}
