import HFTCore
import Synchronization

/// The limits the simulator enforces (§3), with Binance's documented example values as defaults.
public struct BinanceRateLimitConfig: Sendable, Hashable {
    /// `REQUEST_WEIGHT` per 1 MINUTE, per IP, shared by the WS API and REST.
    public var requestWeightPerMinute: Int
    /// `ORDERS` per 10 SECOND, per account.
    public var ordersPer10Seconds: Int
    /// `ORDERS` per 1 DAY, per account.
    public var ordersPerDay: Int
    /// `CONNECTIONS` per 5 MINUTE, per IP (WS API and stream handshakes).
    public var connectionsPer5Minutes: Int
    /// 429 replies within one minute window after which the IP is banned (418).
    public var banAfterViolations: Int
    /// First ban length; each later ban doubles it, up to `maxBan` (Binance: 2 min … 3 days).
    public var firstBan: Duration
    public var maxBan: Duration

    public init(requestWeightPerMinute: Int = 6_000, ordersPer10Seconds: Int = 50, ordersPerDay: Int = 160_000,
                connectionsPer5Minutes: Int = 300, banAfterViolations: Int = 5, firstBan: Duration = .seconds(120),
                maxBan: Duration = .seconds(3 * 86_400)) {
        self.requestWeightPerMinute = requestWeightPerMinute
        self.ordersPer10Seconds = ordersPer10Seconds
        self.ordersPerDay = ordersPerDay
        self.connectionsPer5Minutes = connectionsPer5Minutes
        self.banAfterViolations = banAfterViolations
        self.firstBan = firstBan
        self.maxBan = maxBan
    }
}

/// One `rateLimits` entry of a response.
struct BinanceRateLimitUsage: Sendable {
    let type: StaticString
    let interval: StaticString
    let intervalNum: Int
    let limit: Int
    let count: Int
}

/// Calendar-aligned counters (§3): request weight and connections per IP (the simulator
/// serves loopback, so every client is one IP), unfilled orders per account, and the 418 ban.
final class BinanceRateLimiter: Sendable {
    private struct Window {
        var start: Int64 = -1
        var count = 0

        /// Adds `n` in the window of length `ms` containing `now` (aligned to the epoch).
        mutating func add(_ n: Int, now: Int64, length ms: Int64) -> Int {
            let s = now - now % ms
            if s != start { start = s; count = 0 }
            count += n
            return count
        }

        func current(now: Int64, length ms: Int64) -> Int { now - now % ms == start ? count : 0 }
    }

    private struct State {
        var weight = Window()
        var connections = Window()
        var violations = Window()
        var bannedUntil: Int64 = 0
        var bans = 0
        var orders10s: [AccountID: Window] = [:]
        var ordersDay: [AccountID: Window] = [:]
    }

    static let minute: Int64 = 60_000
    static let tenSeconds: Int64 = 10_000
    static let day: Int64 = 86_400_000
    static let fiveMinutes: Int64 = 300_000

    let config: BinanceRateLimitConfig
    private let state = Mutex(State())

    init(config: BinanceRateLimitConfig) { self.config = config }

    /// Charges a request's weight at `now` (ms); the 429/418 failure when over the limit or banned.
    func chargeWeight(_ weight: Int, now: Int64) -> BinanceFailure? {
        state.withLock { s in
            if let ban = banned(&s, now) { return ban }
            let count = s.weight.add(weight, now: now, length: Self.minute)
            guard count > config.requestWeightPerMinute else { return nil }
            let retry = s.weight.start + Self.minute
            return violation(&s, now) ?? BinanceFailure(
                -1003, "Too much request weight used; current limit is \(config.requestWeightPerMinute) request weight per 1 MINUTE. "
                    + "Please use WebSocket Streams for live updates to avoid polling the API.", status: 429, retryAfter: retry)
        }
    }

    /// Counts one new order of `account`; the 429 (`-1015`) or 418 failure when over a limit.
    func chargeOrder(_ account: AccountID, now: Int64) -> BinanceFailure? {
        state.withLock { s in
            if let ban = banned(&s, now) { return ban }
            let n10 = s.orders10s[account, default: Window()].add(1, now: now, length: Self.tenSeconds)
            let nDay = s.ordersDay[account, default: Window()].add(1, now: now, length: Self.day)
            let over10 = n10 > config.ordersPer10Seconds
            guard over10 || nDay > config.ordersPerDay else { return nil }
            let (limit, interval, length) = over10 ? (config.ordersPer10Seconds, "10 SECOND", Self.tenSeconds)
                                                   : (config.ordersPerDay, "1 DAY", Self.day)
            return violation(&s, now) ?? BinanceFailure(
                -1015, "Too many new orders; current limit is \(limit) orders per \(interval).", status: 429,
                retryAfter: now - now % length + length)
        }
    }

    /// Counts a connection attempt; false when over `CONNECTIONS` (or banned).
    func admitConnection(now: Int64) -> Bool {
        state.withLock { s in
            if now < s.bannedUntil { return false }
            return s.connections.add(1, now: now, length: Self.fiveMinutes) <= config.connectionsPer5Minutes
        }
    }

    /// The usage entries a response reports; `orders` adds the account's order counters.
    func usage(now: Int64, orders account: AccountID?) -> [BinanceRateLimitUsage] {
        state.withLock { s in
            var out = [BinanceRateLimitUsage(type: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1,
                                             limit: config.requestWeightPerMinute,
                                             count: s.weight.current(now: now, length: Self.minute))]
            if let account {
                out.append(BinanceRateLimitUsage(type: "ORDERS", interval: "SECOND", intervalNum: 10, limit: config.ordersPer10Seconds,
                                                 count: s.orders10s[account]?.current(now: now, length: Self.tenSeconds) ?? 0))
                out.append(BinanceRateLimitUsage(type: "ORDERS", interval: "DAY", intervalNum: 1, limit: config.ordersPerDay,
                                                 count: s.ordersDay[account]?.current(now: now, length: Self.day) ?? 0))
            }
            return out
        }
    }

    /// Weight used in the current minute (REST `X-MBX-USED-WEIGHT-1M`).
    func usedWeight(now: Int64) -> Int { state.withLock { $0.weight.current(now: now, length: Self.minute) } }

    private func banned(_ s: inout State, _ now: Int64) -> BinanceFailure? {
        guard now < s.bannedUntil else { return nil }
        return Self.ban(until: s.bannedUntil)
    }

    /// Records a 429; returns the 418 once violations reach the threshold.
    private func violation(_ s: inout State, _ now: Int64) -> BinanceFailure? {
        guard s.violations.add(1, now: now, length: Self.minute) >= config.banAfterViolations else { return nil }
        let first = config.firstBan.components.seconds * 1_000 + config.firstBan.components.attoseconds / 1_000_000_000_000_000
        let max = config.maxBan.components.seconds * 1_000
        let length = Swift.min(max, first << Int64(Swift.min(s.bans, 20)))
        s.bans += 1
        s.bannedUntil = now + length
        s.violations = Window()
        return Self.ban(until: s.bannedUntil)
    }

    static func ban(until: Int64) -> BinanceFailure {
        BinanceFailure(-1003, "Way too much request weight used; IP banned until \(until). "
                       + "Please use WebSocket Streams for live updates to avoid bans.", status: 418, retryAfter: until)
    }
}
