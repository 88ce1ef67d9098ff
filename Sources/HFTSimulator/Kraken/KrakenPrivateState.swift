import HFTCore

/// One connection's private channels (§8) for the account its token named. Confined to the
/// connection's event loop.
final class KrakenPrivateState {
    struct ExecutionOptions {
        var snapOrders: Bool
        var snapTrades: Bool
        /// False: only `new`, `filled`, `canceled` (no `pending_new`).
        var orderStatus: Bool
        var rateCounter: Bool
    }

    let account: AccountID
    /// The exchange subscription to the account's events.
    let subscription: SubscriptionID
    var executions: ExecutionOptions?
    var executionsSequence: Int64 = 0
    var balances = false
    var balancesSequence: Int64 = 0
    /// Last total per asset streamed on `balances` (ledger entries are its changes).
    var totals: [String: FixedDecimal] = [:]
    /// Fills waiting for their order's next event, which carries the order state after them.
    var pendingFills: [SimOrderID: [FillEvent]] = [:]
    /// Fees and the last trade of the operation whose balance changes come next.
    var feesSinceBalance: [String: FixedDecimal] = [:]
    var lastExecID: String?
    var inBalanceGroup = false

    init(account: AccountID, subscription: SubscriptionID) {
        self.account = account
        self.subscription = subscription
    }

    var isIdle: Bool { executions == nil && !balances }

    /// A fill or order event starts a new operation's bookkeeping once its balance changes were seen.
    func beginOperationIfNeeded() {
        guard inBalanceGroup else { return }
        inBalanceGroup = false
        feesSinceBalance.removeAll()
        lastExecID = nil
    }
}
