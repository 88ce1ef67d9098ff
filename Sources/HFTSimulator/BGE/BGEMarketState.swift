import HFTCore

/// One connection's public state on one product: the whole book as streamed (Kraken's mirror,
/// reused), the channels subscribed (each with its `zip` flag) and the ticker figures.
/// Confined to the connection's event loop.
final class BGEMarketState {
    let market: BGEMarket
    let subscription: SubscriptionID
    var mirror: KrakenBookMirror
    /// `orderbook` subscriptions: interval code → (sent as a number?, zip).
    var orderbook: [Int: (numeric: Bool, zip: Bool)] = [:]
    /// `percent10` zip flag (nil: not subscribed) and the level keys of its last push.
    var percent10: Bool?
    var lastPercent10: (bids: [Int64], asks: [Int64]) = ([], [])
    var fills: Bool?
    var ticker: Bool?
    /// `candles` subscriptions: interval name → zip and the current bar.
    var candles: [String: (zip: Bool, bar: TradeBar?)] = [:]
    var candlesDue = false
    var lastTradeID: Int64
    var stats: SimTradeStats
    var pendingTrades: [TradeEvent] = []
    var bookDue = false
    var tickerDue = false

    init(market: BGEMarket, feed: SimMarketFeed) {
        self.market = market
        subscription = feed.subscription
        mirror = feed.mirror
        lastTradeID = feed.lastTradeID
        stats = SimTradeStats(priceScale: market.priceScale, quantityScale: market.quantityScale, recent: feed.recentTrades)
    }

    var isIdle: Bool { orderbook.isEmpty && percent10 == nil && fills == nil && ticker == nil && candles.isEmpty }
}
