/// `balances` channel payloads (kraken.md §8.2): a snapshot of per-asset totals with wallets,
/// then ledger entries whose `balance` is the post-entry total of the named wallet.
import HFTCore

public struct KrakenWallet: Sendable, Hashable {
    /// `spot | earn`.
    public var type: String
    /// `main | flex | bonded`.
    public var id: String
    public var balance: FixedDecimal
    public init(type: String, id: String, balance: FixedDecimal) {
        self.type = type
        self.id = id
        self.balance = balance
    }
}

public struct KrakenAssetBalance: Sendable, Hashable {
    public var asset: String
    public var assetClass: String?
    public var balance: FixedDecimal
    public var wallets: [KrakenWallet]
}

public struct KrakenLedgerEntry: Sendable, Hashable {
    public var ledgerID: String?
    public var refID: String?
    public var timestamp: Timestamp?
    /// `deposit | withdrawal | trade | transfer | staking | …`.
    public var type: String?
    public var subtype: String?
    public var category: String?
    public var asset: String
    public var assetClass: String?
    public var amount: FixedDecimal?
    public var fee: FixedDecimal?
    /// Total after this entry.
    public var balance: FixedDecimal
    public var walletType: String?
    public var walletID: String?
}

public struct KrakenBalancesMessage: Sendable, Hashable {
    public enum Payload: Sendable, Hashable {
        case snapshot([KrakenAssetBalance])
        case update([KrakenLedgerEntry])
    }
    public var sequence: Int64?
    public var payload: Payload
}
