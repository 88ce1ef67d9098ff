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
    var stats: DigiFinexTickerStats
    /// New trades waiting for their operation's book update (pushed newest first).
    var pendingTrades: [TradeEvent] = []
    var tickerDue = false

    init(market: DigiFinexMarket, subscription: SubscriptionID, mirror: KrakenBookMirror, lastTradeID: Int64,
         stats: DigiFinexTickerStats) {
        self.market = market
        self.subscription = subscription
        self.mirror = mirror
        self.lastTradeID = lastTradeID
        self.stats = stats
    }
}

/// Ticker figures from the trades since the simulator started (it never runs 24 h): open,
/// low, high, last and volumes, kept exact.
struct DigiFinexTickerStats {
    let priceScale: UInt8
    let quantityScale: UInt8
    var open: FixedDecimal?
    var low: FixedDecimal?
    var high: FixedDecimal?
    var last: FixedDecimal?
    var lastQuantity: FixedDecimal?
    var baseVolume: FixedDecimal
    var quoteVolume: FixedDecimal

    init(market: DigiFinexMarket, recent: [TradeEvent]) {
        priceScale = market.priceScale
        quantityScale = market.quantityScale
        baseVolume = FixedDecimal(mantissa: 0, scale: market.quantityScale)
        quoteVolume = FixedDecimal(mantissa: 0, scale: market.priceScale + market.quantityScale)
        for t in recent { add(t) }
    }

    mutating func add(_ t: TradeEvent) {
        let p = t.trade.price, q = t.trade.quantity
        if open == nil { open = p }
        if low.map({ p < $0 }) ?? true { low = p }
        if high.map({ p > $0 }) ?? true { high = p }
        last = p
        lastQuantity = q
        baseVolume += q
        quoteVolume += p * q
    }
}
