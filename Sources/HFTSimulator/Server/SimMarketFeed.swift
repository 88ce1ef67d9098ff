import HFTCore

/// The start of one connection's public feed on one symbol: its exchange subscription, the
/// book as of that subscription, and the trades before it (ticker figures start from them).
struct SimMarketFeed {
    let subscription: SubscriptionID
    let mirror: KrakenBookMirror
    /// Up to the last 1,000 trades, oldest first.
    let recentTrades: [TradeEvent]

    /// The last trade already accounted for.
    var lastTradeID: Int64 { recentTrades.last?.tradeID ?? 0 }
}

extension SimWireSession where Self: SimFrontEndSession, Self.Handled == Self {
    /// Subscribes this connection to `symbol`'s market events (nil when dead or refused). The
    /// recent trades are read first and the book is snapshotted atomically with the
    /// subscription, so later events neither miss nor repeat anything.
    func subscribeMarket(_ symbol: Symbol, on exchange: SimulatedExchange,
                         priceScale: UInt8, quantityScale: UInt8) -> SimMarketFeed? {
        guard !isDead else { return nil }
        let recent = exchange.recentTrades(symbol, limit: 1_000)
        let handler: @Sendable (SimEvent) -> Void = { [weak connection] e in connection?.enqueue(e) }
        guard let (sub, book) = try? exchange.subscribe(.market([symbol]), snapshotOf: symbol, depth: Int.max, handler: handler) else {
            return nil
        }
        return SimMarketFeed(subscription: sub,
                             mirror: KrakenBookMirror(book, priceScale: priceScale, quantityScale: quantityScale),
                             recentTrades: recent)
    }
}
