import HFTCore

/// Faults a simulated venue injects into its front-end connections. Every field is optional;
/// an empty plan injects nothing. Counts are per connection.
public struct FaultPlan: Sendable, Hashable {
    /// Close the connection abruptly instead of sending message N + 1.
    public var dropAfterMessages: Int?
    /// Close the connection instead of sending any message, with this probability (seeded).
    public var dropProbability: Double?
    /// After N messages, stop sending (keep the socket open).
    public var stallAfterMessages: Int?
    /// Delay every response to a request by this many milliseconds.
    public var responseDelayMillis: Int?
    /// Corrupt the checksum of every Nth book message (snapshot or update).
    public var corruptChecksumEvery: Int?
    /// Leave a sequence gap at every Nth book update.
    public var skipSequenceEvery: Int?
    /// Send a malformed frame before every Nth outbound message.
    public var malformedEvery: Int?
    /// Treat tokens/keys (or a connection's login) as expired after S seconds.
    public var expireTokenAfterSeconds: Double?
    /// Reject requests beyond N per window with the venue's rate-limit error.
    public var rateLimitAfterRequests: Int?
    /// The rate-limit window (nil = 1 s).
    public var rateLimitWindowSeconds: Double?
    /// Force the venue's periodic disconnect (Binance 24 h, DigiFinex ~2 h) after S seconds.
    public var forceDisconnectAfterSeconds: Double?
    /// Seeds random faults (`dropProbability`); each connection derives its own stream (nil = 0).
    public var seed: UInt64?

    public init(dropAfterMessages: Int? = nil, dropProbability: Double? = nil, stallAfterMessages: Int? = nil,
                responseDelayMillis: Int? = nil, corruptChecksumEvery: Int? = nil, skipSequenceEvery: Int? = nil,
                malformedEvery: Int? = nil, expireTokenAfterSeconds: Double? = nil, rateLimitAfterRequests: Int? = nil,
                rateLimitWindowSeconds: Double? = nil, forceDisconnectAfterSeconds: Double? = nil, seed: UInt64? = nil) {
        self.dropAfterMessages = dropAfterMessages
        self.dropProbability = dropProbability
        self.stallAfterMessages = stallAfterMessages
        self.responseDelayMillis = responseDelayMillis
        self.corruptChecksumEvery = corruptChecksumEvery
        self.skipSequenceEvery = skipSequenceEvery
        self.malformedEvery = malformedEvery
        self.expireTokenAfterSeconds = expireTokenAfterSeconds
        self.rateLimitAfterRequests = rateLimitAfterRequests
        self.rateLimitWindowSeconds = rateLimitWindowSeconds
        self.forceDisconnectAfterSeconds = forceDisconnectAfterSeconds
        self.seed = seed
    }

    public static let none = FaultPlan()

    /// True when the plan injects nothing.
    public var isEmpty: Bool {
        var p = self
        p.rateLimitWindowSeconds = nil
        p.seed = nil
        return p == FaultPlan()
    }

    var rateLimitWindowMicros: Int64 { Int64((rateLimitWindowSeconds ?? 1) * 1_000_000) }

    /// This plan with every field `other` sets taken from `other`.
    public func merging(_ other: FaultPlan) -> FaultPlan {
        var p = self
        if let v = other.dropAfterMessages { p.dropAfterMessages = v }
        if let v = other.dropProbability { p.dropProbability = v }
        if let v = other.stallAfterMessages { p.stallAfterMessages = v }
        if let v = other.responseDelayMillis { p.responseDelayMillis = v }
        if let v = other.corruptChecksumEvery { p.corruptChecksumEvery = v }
        if let v = other.skipSequenceEvery { p.skipSequenceEvery = v }
        if let v = other.malformedEvery { p.malformedEvery = v }
        if let v = other.expireTokenAfterSeconds { p.expireTokenAfterSeconds = v }
        if let v = other.rateLimitAfterRequests { p.rateLimitAfterRequests = v }
        if let v = other.rateLimitWindowSeconds { p.rateLimitWindowSeconds = v }
        if let v = other.forceDisconnectAfterSeconds { p.forceDisconnectAfterSeconds = v }
        if let v = other.seed { p.seed = v }
        return p
    }
}

/// Fault plans for every venue of an `hft sim` process: one for all, plus per-venue overrides.
public struct FaultConfiguration: Sendable, Hashable {
    public var all: FaultPlan
    public var perVenue: [Venue: FaultPlan]

    public init(all: FaultPlan = FaultPlan(), perVenue: [Venue: FaultPlan] = [:]) {
        self.all = all
        self.perVenue = perVenue
    }

    /// The plan for one venue: the common plan with the venue's own settings on top.
    public func plan(for venue: Venue) -> FaultPlan {
        perVenue[venue].map { all.merging($0) } ?? all
    }

    /// Adds one `--fault` argument: `[venue:]key=value[,key=value…]`.
    public mutating func apply(_ argument: String) throws(FaultParseError) {
        let (venue, plan) = try FaultPlan.parseScoped(argument)
        if let venue {
            perVenue[venue] = (perVenue[venue] ?? FaultPlan()).merging(plan)
        } else {
            all = all.merging(plan)
        }
    }

    /// Parses every `--fault` argument in order (later ones win).
    public init(parsing arguments: [String]) throws(FaultParseError) {
        self.init()
        for a in arguments { try apply(a) }
    }
}
