import HFTCore

/// One connection's public state on one pair: the whole book as streamed (Kraken's mirror,
/// reused), its channels, the last trade accounted for and the ticker statistics. Confined to
/// the connection's event loop.
final class LBankMarketState {
    let market: LBankMarket
    let subscription: SubscriptionID
    var mirror: KrakenBookMirror
    /// Levels per side of the `depth` subscription (nil: not subscribed).
    var depthLevels: Int?
    var trade = false
    var tick = false
    /// Subscribed `kbar` slots and their current bars.
    var kbars: [String: LBankKbarSlot] = [:]
    /// Bars that closed with unpushed changes (slot, final bar), oldest first.
    var closedKbars: [(String, TradeBar)] = []
    var lastTradeID: Int64
    var stats: SimTradeStats
    /// New trades waiting for their operation's book update.
    var pendingTrades: [TradeEvent] = []
    var depthDue = false
    var tickDue = false

    init(market: LBankMarket, feed: SimMarketFeed) {
        self.market = market
        subscription = feed.subscription
        mirror = feed.mirror
        lastTradeID = feed.lastTradeID
        stats = SimTradeStats(priceScale: market.priceScale, quantityScale: market.quantityScale, recent: feed.recentTrades)
    }

    var isIdle: Bool { depthLevels == nil && !trade && !tick && kbars.isEmpty }
}
