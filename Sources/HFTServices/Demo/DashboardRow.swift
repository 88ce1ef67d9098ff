import HFTCore

/// What the demo shows for one venue at one instant.
public struct DashboardRow: Sendable {
    public var venue: Venue
    public var symbol: Symbol
    public var bestBid: BookLevel?
    public var bestAsk: BookLevel?
    public var ourBid: BookLevel?
    public var ourAsk: BookLevel?
    public var recentFills: [Fill]
    /// Base-currency inventory (contracts for perpetuals).
    public var position: FixedDecimal
    /// Realized + marked-to-mid PnL in the quote currency.
    public var pnl: FixedDecimal
    public var messagesPerSecond: Double
    public var bookUpdatesPerSecond: Double
    public var latency: LatencySummary
    public var orders: Int
    public var fills: Int
    public var resyncs: Int
    public var reconnects: Int
    public var state: String

    public init(venue: Venue, symbol: Symbol, bestBid: BookLevel? = nil, bestAsk: BookLevel? = nil, ourBid: BookLevel? = nil,
                ourAsk: BookLevel? = nil, recentFills: [Fill] = [], position: FixedDecimal = .zero, pnl: FixedDecimal = .zero,
                messagesPerSecond: Double = 0, bookUpdatesPerSecond: Double = 0, latency: LatencySummary = LatencyHistogram().summary,
                orders: Int = 0, fills: Int = 0, resyncs: Int = 0, reconnects: Int = 0, state: String = "starting") {
        self.venue = venue
        self.symbol = symbol
        self.bestBid = bestBid
        self.bestAsk = bestAsk
        self.ourBid = ourBid
        self.ourAsk = ourAsk
        self.recentFills = recentFills
        self.position = position
        self.pnl = pnl
        self.messagesPerSecond = messagesPerSecond
        self.bookUpdatesPerSecond = bookUpdatesPerSecond
        self.latency = latency
        self.orders = orders
        self.fills = fills
        self.resyncs = resyncs
        self.reconnects = reconnects
        self.state = state
    }
}
