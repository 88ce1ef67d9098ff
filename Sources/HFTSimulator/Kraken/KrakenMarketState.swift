import HFTCore

/// One connection's public subscriptions on one symbol, with the state their messages need:
/// the book mirror, the last trade streamed and the ticker statistics. Confined to the
/// connection's event loop.
final class KrakenMarketState {
    enum TickerTrigger: String {
        case trades, bbo
    }

    let pair: KrakenPair
    /// The exchange subscription feeding this symbol's book updates and trades.
    let subscription: SubscriptionID
    var mirror: KrakenBookMirror
    /// Trades up to this id are already reflected (snapshot or streamed).
    var lastTradeID: Int64
    var stats: KrakenTickerStats
    /// Subscribed book depths, ascending.
    var bookDepths: [Int] = []
    var trade = false
    var ticker: TickerTrigger?
    /// Trades (and a trade-triggered ticker) waiting for their operation's book update.
    var pendingTrades: [TradeEvent] = []
    var tickerDue = false

    init(pair: KrakenPair, subscription: SubscriptionID, mirror: KrakenBookMirror, lastTradeID: Int64, stats: KrakenTickerStats) {
        self.pair = pair
        self.subscription = subscription
        self.mirror = mirror
        self.lastTradeID = lastTradeID
        self.stats = stats
    }

    var isIdle: Bool { bookDepths.isEmpty && !trade && ticker == nil }
}
