/// Turns the `balances` channel (kraken.md §8.2) into unified `Balance`s: a snapshot sets each
/// asset's wallets, a ledger entry sets its wallet's post-entry balance. `Balance.available`
/// sums the counted wallet types (spot by default); Kraken publishes no reserved amount here,
/// so `frozen` is zero.
import HFTCore

public struct KrakenBalanceTracker: Sendable {
    struct WalletKey: Sendable, Hashable {
        var type: String
        var id: String
    }

    /// Wallet types that count towards `Balance.available`.
    public var countedWalletTypes: Set<String>
    var wallets: [String: [WalletKey: FixedDecimal]] = [:]

    public init(countedWalletTypes: Set<String> = ["spot"]) {
        self.countedWalletTypes = countedWalletTypes
    }

    /// Applies a message and returns the balances it changed.
    public mutating func apply(_ message: KrakenBalancesMessage, receivedAt: Timestamp = WallClock.microseconds()) -> [Balance] {
        var changed: [String] = []
        var when: [String: Timestamp] = [:]
        switch message.payload {
        case .snapshot(let entries):
            wallets.removeAll(keepingCapacity: true)
            for e in entries {
                var w: [WalletKey: FixedDecimal] = [:]
                if e.wallets.isEmpty {
                    w[WalletKey(type: "spot", id: "main")] = e.balance
                } else {
                    for x in e.wallets { w[WalletKey(type: x.type, id: x.id)] = x.balance }
                }
                wallets[e.asset] = w
                changed.append(e.asset)
            }
        case .update(let entries):
            for e in entries {
                wallets[e.asset, default: [:]][WalletKey(type: e.walletType ?? "spot", id: e.walletID ?? "main")] = e.balance
                if !changed.contains(e.asset) { changed.append(e.asset) }
                if let t = e.timestamp { when[e.asset] = t }
            }
        }
        return changed.compactMap { balance($0, timestamp: when[$0] ?? receivedAt) }
    }

    public func balance(_ asset: String, timestamp: Timestamp = WallClock.microseconds()) -> Balance? {
        guard let w = wallets[asset] else { return nil }
        var total = FixedDecimal.zero
        for (k, v) in w where countedWalletTypes.contains(k.type) { total += v }
        return Balance(venue: .kraken, asset: asset, available: total, frozen: .zero, timestamp: timestamp)
    }
}
