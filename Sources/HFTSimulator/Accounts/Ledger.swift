import HFTCore

/// One account's state: balances per asset (mantissas at the asset's scale), open-order
/// indexes, inverse-perpetual positions and recent order history.
struct AccountState: Sendable {
    var credentials: SimCredentials
    var label: String
    var fees: FeeSchedule
    /// Synthetic flow participants are not reachable by API key.
    var isParticipant: Bool
    var available: [Int128]
    var frozen: [Int128]
    /// Open order id → instrument index.
    var openOrders: [SimOrderID: Int] = [:]
    /// Client order id → open order id (unique among open orders).
    var clientIDs: [String: SimOrderID] = [:]
    var positions: [Int: InversePositionState] = [:]
    var leverage: [Int: FixedDecimal] = [:]
    var history = OrderHistory()
}

/// Every account of one exchange plus the house pools.
///
/// Conservation: every balance change is a transfer between an account, `feePool` or
/// `settlementPool` of the same asset (or an explicit deposit/withdrawal), so per asset
/// `Σ accounts (available + frozen) + feePool + settlementPool` only changes through
/// `deposit`. The settlement pool is the perpetuals' counterparty for realized PnL (it is zero
/// whenever all positions are flat, and stays zero on spot-only exchanges).
struct Ledger: Sendable {
    let assets: [AssetSpec]
    let assetIndex: [String: Int]
    var accounts: [AccountState] = []
    var keyIndex: [String: Int] = [:]
    var feePool: [Int128]
    var settlementPool: [Int128]
    /// (account, asset) pairs changed by the current operation, in first-touch order.
    var touchedBalances: [Int64] = []
    /// (account, instrument) pairs whose position changed in the current operation.
    var touchedPositions: [Int64] = []

    init(assets: [AssetSpec]) {
        self.assets = assets
        var idx: [String: Int] = [:]
        for (i, a) in assets.enumerated() { idx[a.name] = i }
        assetIndex = idx
        feePool = Array(repeating: 0, count: assets.count)
        settlementPool = Array(repeating: 0, count: assets.count)
    }

    mutating func addAccount(credentials: SimCredentials, label: String, fees: FeeSchedule, participant: Bool) -> Int {
        let id = accounts.count
        accounts.append(AccountState(credentials: credentials, label: label, fees: fees, isParticipant: participant,
                                     available: Array(repeating: 0, count: assets.count),
                                     frozen: Array(repeating: 0, count: assets.count)))
        if !participant { keyIndex[credentials.apiKey] = id }
        return id
    }

    // MARK: Movements (every balance change goes through these)

    @inline(__always)
    mutating func touch(_ account: Int, _ asset: Int) {
        let key = Int64(account) << 16 | Int64(asset)
        if !touchedBalances.contains(key) { touchedBalances.append(key) }
    }

    mutating func touchPosition(_ account: Int, _ instrument: Int) {
        let key = Int64(account) << 16 | Int64(instrument)
        if !touchedPositions.contains(key) { touchedPositions.append(key) }
    }

    /// available → frozen
    mutating func freeze(_ account: Int, _ asset: Int, _ amount: Int128) {
        guard amount != 0 else { return }
        accounts[account].available[asset] -= amount
        accounts[account].frozen[asset] += amount
        touch(account, asset)
    }

    /// frozen → available
    mutating func unfreeze(_ account: Int, _ asset: Int, _ amount: Int128) {
        freeze(account, asset, -amount)
    }

    /// Adds (or with a negative amount, removes) available funds.
    mutating func credit(_ account: Int, _ asset: Int, _ amount: Int128) {
        guard amount != 0 else { return }
        accounts[account].available[asset] += amount
        touch(account, asset)
    }

    mutating func chargeFee(_ account: Int, _ asset: Int, _ amount: Int128) {
        guard amount != 0 else { return }
        credit(account, asset, -amount)
        feePool[asset] += amount
    }

    /// Moves PnL between the account and the settlement pool.
    mutating func settlePnL(_ account: Int, _ asset: Int, _ amount: Int128) {
        credit(account, asset, amount)
        settlementPool[asset] -= amount
    }

    /// A negative available balance is made whole by the settlement pool (the insurance fund);
    /// only a bankrupt perpetual position can get here.
    mutating func coverShortfall(_ account: Int, _ asset: Int) {
        let a = accounts[account].available[asset]
        if a < 0 { settlePnL(account, asset, -a) }
    }

    // MARK: Views

    func amount(_ mantissa: Int128, asset: Int) -> FixedDecimal {
        FixedDecimal(mantissa: mantissa, scale: assets[asset].scale)
    }

    func balance(_ account: Int, asset: Int, venue: Venue, now: Timestamp) -> Balance {
        let a = accounts[account]
        return Balance(venue: venue, asset: assets[asset].name, available: amount(a.available[asset], asset: asset),
                       frozen: amount(a.frozen[asset], asset: asset), timestamp: now)
    }

    /// Per asset: accounts + fee pool + settlement pool.
    func totals() -> [String: FixedDecimal] {
        var out: [String: FixedDecimal] = [:]
        for (i, a) in assets.enumerated() {
            var t = feePool[i] + settlementPool[i]
            for acct in accounts { t += acct.available[i] + acct.frozen[i] }
            out[a.name] = amount(t, asset: i)
        }
        return out
    }
}
