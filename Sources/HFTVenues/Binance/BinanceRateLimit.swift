/// One `rateLimits` entry (binance.md §3): on WS API responses with the current `count`, in
/// `exchangeInfo` without it. Windows are calendar-aligned (UTC), so a window's end is the
/// next multiple of its length since the epoch.
import HFTCore
import HFTTransport

public struct BinanceRateLimit: Sendable, Hashable {
    public enum LimitType: Sendable, Hashable {
        case requestWeight, orders, rawRequests, connections
        case other(String)

        public init(wire: String) {
            switch wire {
            case "REQUEST_WEIGHT": self = .requestWeight
            case "ORDERS": self = .orders
            case "RAW_REQUESTS": self = .rawRequests
            case "CONNECTIONS": self = .connections
            default: self = .other(wire)
            }
        }
    }

    public enum Interval: String, Sendable, Hashable {
        case second = "SECOND", minute = "MINUTE", hour = "HOUR", day = "DAY"

        public var millis: Int64 {
            switch self {
            case .second: 1_000
            case .minute: 60_000
            case .hour: 3_600_000
            case .day: 86_400_000
            }
        }
    }

    public var type: LimitType
    public var interval: Interval
    public var intervalNum: Int
    public var limit: Int
    /// Used in the current window (responses only).
    public var count: Int?

    public init(type: LimitType, interval: Interval, intervalNum: Int, limit: Int, count: Int? = nil) {
        self.type = type
        self.interval = interval
        self.intervalNum = intervalNum
        self.limit = limit
        self.count = count
    }

    /// The window length in milliseconds.
    public var windowMillis: Int64 { interval.millis * Int64(max(1, intervalNum)) }

    /// Units left in the window, when `count` is known.
    public var remaining: Int? { count.map { max(0, limit - $0) } }

    /// The epoch-ms instant the window containing `nowMillis` ends (the count resets).
    public func windowEnd(nowMillis: Int64) -> Int64 {
        (nowMillis / windowMillis + 1) * windowMillis
    }

    /// Tells a limiter how much of this window the server says is used.
    public func report(to limiter: RateLimiter) {
        guard let count, limit > 0 else { return }
        limiter.reportUsage(used: Double(count), limit: Double(limit))
    }

    /// Reads one entry; entries with an unknown interval or missing numbers are skipped (nil),
    /// so an odd entry never costs the response it rides on.
    static func read(_ v: JSONValue) -> BinanceRateLimit? {
        guard v.kind == .object, let type = v["rateLimitType"]?.string,
              let interval = v["interval"]?.string.flatMap(Interval.init(rawValue:)),
              let num = v["intervalNum"]?.int64, let limit = v["limit"]?.int64 else { return nil }
        let count = v["count"]?.int64
        return BinanceRateLimit(type: LimitType(wire: type), interval: interval, intervalNum: Int(num),
                                limit: Int(limit), count: count.map { Int($0) })
    }

    static func readAll(_ v: JSONValue?) throws(BinanceDecodeError) -> [BinanceRateLimit] {
        guard let v, !v.isNull else { return [] }
        var out: [BinanceRateLimit] = []
        try BinanceFields.elements(v, "rateLimits") { e in if let r = read(e) { out.append(r) } }
        return out
    }
}
