import HFTCore
import Synchronization

/// Kraken's trading rate counter tiers (§9): cap and decay per second.
public struct KrakenRateTier: Sendable, Hashable {
    public var cap: Int
    /// Points per second, in hundredths (2.34/s = 234).
    public var decayCentiPerSecond: Int

    public init(cap: Int, decayCentiPerSecond: Int) {
        self.cap = cap
        self.decayCentiPerSecond = decayCentiPerSecond
    }

    public static let starter = KrakenRateTier(cap: 60, decayCentiPerSecond: 100)
    public static let intermediate = KrakenRateTier(cap: 125, decayCentiPerSecond: 234)
    public static let pro = KrakenRateTier(cap: 180, decayCentiPerSecond: 375)
    /// No trading limit (the counter never rejects).
    public static let unlimited = KrakenRateTier(cap: Int.max / 1_000, decayCentiPerSecond: 0)
}

/// The per-account, per-pair trading counter shared by every connection (§9): each
/// transaction adds points, the counter decays continuously, and a transaction that would
/// take it above the cap is refused with `EOrder:Rate limit exceeded` (and not counted).
final class KrakenRateCounter: Sendable {
    private struct Key: Hashable {
        let account: AccountID
        let pair: Int
    }

    let tier: KrakenRateTier
    /// Counter values in hundredths of a point, with when they were last brought up to date.
    private let counters = Mutex<[Key: (value: Int64, at: Timestamp)]>([:])
    /// Last amend time per order (order age restarts on amend).
    private let amended = Mutex<[SimOrderID: Timestamp]>([:])

    init(tier: KrakenRateTier) { self.tier = tier }

    /// Adds `points`; false (and nothing added) when that would exceed the cap.
    func charge(_ account: AccountID, pair: Int, points: Int, now: Timestamp) -> Bool {
        guard points > 0 else { return true }
        let cap = Int64(tier.cap) * 100
        return counters.withLock { c in
            let key = Key(account: account, pair: pair)
            var value: Int64 = 0
            if let (v, at) = c[key] {
                let decay = Int64(tier.decayCentiPerSecond) * max(0, now - at) / 1_000_000
                value = max(0, v - decay)
            }
            let next = value + Int64(points) * 100
            guard next <= cap else { return false }
            c[key] = (next, now)
            return true
        }
    }

    /// The counter now, in points (rounded down).
    func value(_ account: AccountID, pair: Int, now: Timestamp) -> Int {
        counters.withLock { c in
            guard let (v, at) = c[Key(account: account, pair: pair)] else { return 0 }
            return Int(max(0, v - Int64(tier.decayCentiPerSecond) * max(0, now - at) / 1_000_000) / 100)
        }
    }

    func noteAmend(_ order: SimOrderID, at now: Timestamp) {
        amended.withLock { a in
            // Ages past 300 s cost nothing extra: forget them when the table grows.
            if a.count > 10_000 { a = a.filter { now - $0.value < 300_000_000 } }
            a[order] = now
        }
    }
    func forget(_ order: SimOrderID) { _ = amended.withLock { $0.removeValue(forKey: order) } }

    /// Seconds since the order was placed or last amended.
    func age(of order: SimOrder, now: Timestamp) -> Int64 {
        let since = amended.withLock { $0[order.id] } ?? order.createdAt
        return max(0, now - since) / 1_000_000
    }

    static func amendPoints(age: Int64) -> Int { 1 + (age < 5 ? 3 : age < 10 ? 2 : age < 15 ? 1 : 0) }
    static func editPoints(age: Int64) -> Int { 1 + (age < 5 ? 6 : age < 10 ? 5 : age < 15 ? 4 : age < 45 ? 2 : age < 90 ? 1 : 0) }
    static func cancelPoints(age: Int64) -> Int {
        age < 5 ? 8 : age < 10 ? 6 : age < 15 ? 5 : age < 45 ? 4 : age < 90 ? 2 : age < 300 ? 1 : 0
    }
}
