/// Candles (klines): one bar of one symbol at one interval, with every decimal exactly as the
/// venue sent it.

/// The intervals the unified API asks for. Each venue maps these to its own spelling
/// (`1min`, `M1`, `60min`, …) and refuses the ones it does not serve; `seconds` is the
/// nominal length (a month counts 30 days, a year 365).
public enum CandleInterval: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case oneMinute = "1m", threeMinutes = "3m", fiveMinutes = "5m", fifteenMinutes = "15m", thirtyMinutes = "30m"
    case oneHour = "1h", fourHours = "4h", sixHours = "6h"
    case oneDay = "1d", oneWeek = "1w", oneMonth = "1M", oneYear = "1y"

    public var seconds: Int64 {
        switch self {
        case .oneMinute: 60
        case .threeMinutes: 180
        case .fiveMinutes: 300
        case .fifteenMinutes: 900
        case .thirtyMinutes: 1_800
        case .oneHour: 3_600
        case .fourHours: 14_400
        case .sixHours: 21_600
        case .oneDay: 86_400
        case .oneWeek: 604_800
        case .oneMonth: 2_592_000
        case .oneYear: 31_536_000
        }
    }

    public var description: String { rawValue }
}

/// One bar. `volume` is in the base asset (contracts on inverse perpetuals, as the venue counts);
/// fields a venue does not send are nil.
public struct Candle: Sendable, Hashable {
    public var venue: Venue
    public var symbol: Symbol
    public var interval: CandleInterval
    /// Bar open time, µs since the Unix epoch.
    public var openTime: Timestamp
    public var open: FixedDecimal
    public var high: FixedDecimal
    public var low: FixedDecimal
    public var close: FixedDecimal
    public var volume: FixedDecimal
    public var quoteVolume: FixedDecimal?
    public var tradeCount: Int64?
    /// True when the venue marks the bar final, false when it marks it still open; nil when it says nothing.
    public var isClosed: Bool?

    public init(venue: Venue, symbol: Symbol, interval: CandleInterval, openTime: Timestamp, open: FixedDecimal, high: FixedDecimal,
                low: FixedDecimal, close: FixedDecimal, volume: FixedDecimal, quoteVolume: FixedDecimal? = nil,
                tradeCount: Int64? = nil, isClosed: Bool? = nil) {
        self.venue = venue
        self.symbol = symbol
        self.interval = interval
        self.openTime = openTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.quoteVolume = quoteVolume
        self.tradeCount = tradeCount
        self.isClosed = isClosed
    }
}
