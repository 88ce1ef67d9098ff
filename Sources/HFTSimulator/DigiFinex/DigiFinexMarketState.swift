import HFTCore

/// One connection's public state on one symbol: the whole book as streamed (Kraken's mirror,
/// reused), the levels the client holds from `depth.update`, the last trade accounted for and
/// the ticker statistics. Confined to the connection's event loop.
final class DigiFinexMarketState {
    typealias Level = KrakenBookMirror.Level

    let market: DigiFinexMarket
    /// The exchange subscription feeding this symbol's book updates and trades.
    let subscription: SubscriptionID
    var mirror: KrakenBookMirror
    /// What the client holds after the last `depth.update`: key → quantity (lots).
    var heldBids: [Int64: Int64] = [:]
    var heldAsks: [Int64: Int64] = [:]
    /// Channels this connection has on the symbol.
    var depth = false
    var trades = false
    var ticker = false
    /// Trades up to this id are reflected (batch or streamed).
    var lastTradeID: Int64
    var stats: SimTradeStats
    /// New trades waiting for their operation's book update (pushed newest first).
    var pendingTrades: [TradeEvent] = []
    var tickerDue = false

    init(market: DigiFinexMarket, feed: SimMarketFeed) {
        self.market = market
        subscription = feed.subscription
        mirror = feed.mirror
        lastTradeID = feed.lastTradeID
        stats = SimTradeStats(priceScale: market.priceScale, quantityScale: market.quantityScale, recent: feed.recentTrades)
    }
}
