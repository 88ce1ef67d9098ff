import HFTCore

/// An account created at start-up.
public struct AccountSetup: Sendable, Hashable {
    public var credentials: SimCredentials
    public var label: String
    /// Opening balances by asset name (deposited, so they count toward the totals).
    public var balances: [String: FixedDecimal]
    /// nil = the exchange's default fees.
    public var fees: FeeSchedule?

    public init(credentials: SimCredentials, label: String = "", balances: [String: FixedDecimal], fees: FeeSchedule? = nil) {
        self.credentials = credentials
        self.label = label
        self.balances = balances
        self.fees = fees
    }
}

/// Everything one simulated venue instance needs at start-up.
public struct ExchangeConfig: Sendable {
    public var venue: Venue
    public var assets: [AssetSpec]
    public var instruments: [InstrumentSpec]
    public var rules: MatchingRules
    public var fees: FeeSchedule
    public var accounts: [AccountSetup]
    /// Synthetic market flow, one per symbol that should have it.
    public var flows: [FlowConfig]
    public var faults: FaultPlan

    public init(venue: Venue, assets: [AssetSpec], instruments: [InstrumentSpec], rules: MatchingRules = MatchingRules(),
                fees: FeeSchedule = .zero, accounts: [AccountSetup] = [], flows: [FlowConfig] = [], faults: FaultPlan = FaultPlan()) {
        self.venue = venue
        self.assets = assets
        self.instruments = instruments
        self.rules = rules
        self.fees = fees
        self.accounts = accounts
        self.flows = flows
        self.faults = faults
    }
}
