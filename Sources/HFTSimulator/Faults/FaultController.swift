import HFTCore
import Synchronization

/// The thread-safe holder of one venue's fault plans: the venue plan, optional per-endpoint
/// and per-connection replacements, changeable at any time (tests flip faults at runtime).
/// Front-ends call `makeDecider` once per accepted connection.
///
/// Resolution for a connection: its ordinal's plan, else its endpoint's plan, else the venue plan.
public final class FaultController: Sendable {
    struct Plans: Sendable {
        var venue: FaultPlan
        var endpoints: [String: FaultPlan] = [:]
        var connections: [Int: FaultPlan] = [:]
        var opened = 0
    }

    private let plans: Mutex<Plans>
    /// Bumped on every change so deciders re-read only when something changed.
    let generation = Atomic<UInt64>(0)
    public let clock: any SimClock

    public init(plan: FaultPlan = FaultPlan(), clock: any SimClock = SystemSimClock()) {
        plans = Mutex(Plans(venue: plan))
        self.clock = clock
    }

    /// The venue-wide plan.
    public var plan: FaultPlan { plans.withLock { $0.venue } }

    public func setPlan(_ plan: FaultPlan) { change { $0.venue = plan } }

    /// Edits the venue-wide plan in place.
    public func update(_ body: @Sendable (inout FaultPlan) -> Void) { change { body(&$0.venue) } }

    /// Replaces the plan for connections to one endpoint (a front-end's endpoint name such as
    /// `"ws-auth"`); nil removes the replacement.
    public func setPlan(_ plan: FaultPlan?, forEndpoint endpoint: String) { change { $0.endpoints[endpoint] = plan } }

    /// Replaces the plan for the Nth connection opened on this venue (1-based); nil removes it.
    public func setPlan(_ plan: FaultPlan?, forConnection ordinal: Int) { change { $0.connections[ordinal] = plan } }

    /// Back to no faults anywhere.
    public func clear() { change { $0 = Plans(venue: FaultPlan(), opened: $0.opened) } }

    /// Connections opened so far (the last ordinal handed out).
    public var connectionsOpened: Int { plans.withLock { $0.opened } }

    /// A decider for a new connection.
    public func makeDecider(endpoint: String = "") -> FaultDecider {
        let ordinal = plans.withLock { p -> Int in p.opened += 1; return p.opened }
        return FaultDecider(controller: self, endpoint: endpoint, ordinal: ordinal)
    }

    /// The plan that applies to one connection.
    public func effectivePlan(endpoint: String, ordinal: Int) -> FaultPlan {
        plans.withLock { p in p.connections[ordinal] ?? p.endpoints[endpoint] ?? p.venue }
    }

    /// For tokens issued outside a connection (Kraken's REST token, LBank's subscribeKey):
    /// true once `expire_token_after_s` has passed since `issuedAt`.
    public func isTokenExpired(issuedAt: Timestamp, endpoint: String = "") -> Bool {
        let plan = plans.withLock { p in p.endpoints[endpoint] ?? p.venue }
        guard let s = plan.expireTokenAfterSeconds else { return false }
        return clock.nowMicros() - issuedAt >= Int64(s * 1_000_000)
    }

    private func change(_ body: (inout Plans) -> Void) {
        plans.withLock { body(&$0) }
        generation.add(1, ordering: .releasing)
    }
}
