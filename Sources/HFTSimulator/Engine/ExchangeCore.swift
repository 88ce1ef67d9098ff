import HFTCore

/// The whole mutable state of one simulated exchange. Only `SimulatedExchange` touches it,
/// under its lock; every method here runs single-threaded.
struct ExchangeCore: Sendable {
    let venue: Venue
    let rules: MatchingRules
    let defaultFees: FeeSchedule
    var engines: [MatchingEngine]
    let symbolIndex: [Symbol: Int]
    var ledger: Ledger
    var nextOrderID: SimOrderID = 1
    var interest = PrivateInterest()
    var flows: [MarketFlow] = []

    init(config: ExchangeConfig) throws(HFTError) {
        venue = config.venue
        rules = config.rules
        guard config.fees.isValid else { throw .configuration("fee rates must lie in 0…1") }
        defaultFees = config.fees
        var names = Set<String>()
        for a in config.assets where !names.insert(a.name).inserted { throw .configuration("asset \(a.name) listed twice") }
        var engines: [MatchingEngine] = []
        var index: [Symbol: Int] = [:]
        for (i, spec) in config.instruments.enumerated() {
            guard index[spec.symbol] == nil else { throw .configuration("symbol \(spec.symbol) listed twice") }
            index[spec.symbol] = i
            engines.append(MatchingEngine(inst: try InstrumentRuntime(index: i, spec: spec, venue: config.venue, assets: config.assets)))
        }
        self.engines = engines
        symbolIndex = index
        ledger = Ledger(assets: config.assets)
        for setup in config.accounts { _ = try addAccount(setup, participant: false) }
    }

    mutating func addAccount(_ setup: AccountSetup, participant: Bool) throws(HFTError) -> Int {
        if !participant && ledger.keyIndex[setup.credentials.apiKey] != nil {
            throw .configuration("API key \(setup.credentials.apiKey) already exists")
        }
        let fees = setup.fees ?? defaultFees
        guard fees.isValid else { throw .configuration("fee rates must lie in 0…1") }
        let id = ledger.addAccount(credentials: setup.credentials, label: setup.label, fees: fees, participant: participant)
        for (asset, amount) in setup.balances.sorted(by: { $0.key < $1.key }) {
            try deposit(id, asset: asset, amount: amount)
        }
        ledger.touchedBalances.removeAll()
        return id
    }

    /// Adds (or with a negative amount withdraws) funds from outside the exchange: the only
    /// operation that changes the per-asset totals.
    mutating func deposit(_ account: Int, asset: String, amount: FixedDecimal) throws(HFTError) {
        guard ledger.accounts.indices.contains(account) else { throw .invalidArgument("unknown account") }
        guard let a = ledger.assetIndex[asset.uppercased()] else { throw .invalidArgument("unknown asset \(asset)") }
        guard let m = amount.exactlyRescaled(to: ledger.assets[a].scale) else {
            throw .invalidArgument("\(amount) has more digits than \(asset)'s scale \(ledger.assets[a].scale)")
        }
        guard ledger.accounts[account].available[a] + m.mantissa >= 0 else { throw .invalidArgument("withdrawal exceeds available \(asset)") }
        ledger.credit(account, a, m.mantissa)
    }

    func engineIndex(_ symbol: Symbol) throws(RejectReason) -> Int {
        guard let i = symbolIndex[symbol] else { throw .unknownSymbol(symbol.description) }
        return i
    }

    func checkAccount(_ account: Int) throws(RejectReason) {
        guard ledger.accounts.indices.contains(account) else { throw .unknownAccount }
    }

    /// Publishes what the operation changed beyond order events: coalesced book deltas per
    /// symbol, then balances and positions of the accounts that changed.
    mutating func finishOperation(_ ctx: inout OpContext) {
        for i in engines.indices {
            if let u = engines[i].flushBookUpdate(now: ctx.now), ctx.wantsPublic { ctx.events.append(.book(u)) }
        }
        for key in ledger.touchedBalances {
            let account = Int(key >> 16), asset = Int(key & 0xFFFF)
            if ctx.interest.wants(account) {
                ctx.events.append(.balance(BalanceEvent(account: AccountID(account),
                                                        balance: ledger.balance(account, asset: asset, venue: venue, now: ctx.now))))
            }
        }
        ledger.touchedBalances.removeAll(keepingCapacity: true)
        for key in ledger.touchedPositions {
            let account = Int(key >> 16), inst = Int(key & 0xFFFF)
            if ctx.interest.wants(account), let p = ledger.accounts[account].positions[inst] {
                ctx.events.append(.position(PositionEvent(account: AccountID(account),
                                                          position: engines[inst].inst.position(p, now: ctx.now))))
            }
        }
        ledger.touchedPositions.removeAll(keepingCapacity: true)
    }
}
