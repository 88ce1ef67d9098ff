import HFTCore

/// Which events a subscriber receives.
public struct EventFilter: Sendable, Hashable {
    /// Book updates and public trades.
    public var marketData: Bool
    /// Private events of `accounts` (nil = of every account, flow participants included).
    public var privateData: Bool
    public var accounts: Set<AccountID>?
    /// Restricts market data and symbol-bound private events (balances always pass); nil = all.
    public var symbols: Set<Symbol>?

    public init(marketData: Bool, privateData: Bool, accounts: Set<AccountID>? = nil, symbols: Set<Symbol>? = nil) {
        self.marketData = marketData
        self.privateData = privateData
        self.accounts = accounts
        self.symbols = symbols
    }

    /// Book updates and trades (of `symbols`, or all).
    public static func market(_ symbols: Set<Symbol>? = nil) -> EventFilter {
        EventFilter(marketData: true, privateData: false, symbols: symbols)
    }

    /// Orders, fills, balances and positions of one account.
    public static func account(_ id: AccountID) -> EventFilter {
        EventFilter(marketData: false, privateData: true, accounts: [id])
    }

    /// Everything, every account's private events included.
    public static let everything = EventFilter(marketData: true, privateData: true)

    public func matches(_ e: SimEvent) -> Bool {
        if let account = e.account {
            guard privateData else { return false }
            if let accounts, !accounts.contains(account) { return false }
        } else if !marketData {
            return false
        }
        if let symbols, let s = e.symbol, !symbols.contains(s) { return false }
        return true
    }
}

extension PrivateInterest {
    mutating func add(_ f: EventFilter, _ delta: Int) {
        if f.marketData { publicData += delta }
        guard f.privateData else { return }
        guard let accounts = f.accounts else { all += delta; return }
        for a in accounts {
            let n = (self.accounts[a.rawValue] ?? 0) + delta
            self.accounts[a.rawValue] = n > 0 ? n : nil
        }
    }
}
