import HFTCore

/// A market stream a connection can carry (§9).
enum BinanceStreamKind: Hashable {
    case trade
    case aggTrade
    case bookTicker
    /// Diff depth, every 100 ms (`@depth@100ms`) or 1000 ms (`@depth`, `@depth@1000ms`).
    case diffDepth(fast: Bool)
    /// Top-N snapshots (`@depth5|10|20`, optional `@100ms`).
    case partialDepth(levels: Int, fast: Bool)

    /// The market and kind a lower-case stream name names, or nil.
    static func parse(_ name: String, _ markets: BinanceMarkets) -> (BinanceMarket, BinanceStreamKind)? {
        let parts = name.split(separator: "@", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts.count <= 3, let m = markets.market(stream: parts[0]) else { return nil }
        let speed = parts.count == 3 ? parts[2] : nil
        let fast: Bool
        switch speed {
        case nil, "1000ms"?: fast = false
        case "100ms"?: fast = true
        default: return nil
        }
        switch parts[1] {
        case "trade" where speed == nil: return (m, .trade)
        case "aggTrade" where speed == nil: return (m, .aggTrade)
        case "bookTicker" where speed == nil: return (m, .bookTicker)
        case "depth": return (m, .diffDepth(fast: fast))
        case "depth5": return (m, .partialDepth(levels: 5, fast: fast))
        case "depth10": return (m, .partialDepth(levels: 10, fast: fast))
        case "depth20": return (m, .partialDepth(levels: 20, fast: fast))
        default: return nil
        }
    }

    var isDepth: Bool {
        switch self {
        case .diffDepth, .partialDepth: true
        default: false
        }
    }
}

/// Diff-depth changes gathered over one interval: `U` of the first update, `u` of the last,
/// and each touched level's latest quantity (ticks → lots).
struct BinanceDiffAccumulator {
    var first: Int64?
    var last: Int64 = 0
    var bids: [Int64: Int64] = [:]
    var asks: [Int64: Int64] = [:]

    mutating func add(_ u: SimBookUpdate, _ m: BinanceMarket) {
        if first == nil { first = u.firstSequence }
        last = u.lastSequence
        for c in u.changes {
            let p = KrakenBookMirror.ticks(c.price, m.priceScale), q = KrakenBookMirror.ticks(c.quantity, m.quantityScale)
            if c.side == .buy { bids[p] = q } else { asks[p] = q }
        }
    }

    mutating func reset() {
        first = nil
        bids.removeAll(keepingCapacity: true)
        asks.removeAll(keepingCapacity: true)
    }
}

/// One symbol's streams on one connection: the exchange subscription, a full book mirror
/// (for `bookTicker` and partial depth) and the diff accumulators.
final class BinanceSymbolFeed {
    let market: BinanceMarket
    let subscription: SubscriptionID
    var mirror: KrakenBookMirror
    /// Subscribed kinds with the stream name they were subscribed under.
    var kinds: [BinanceStreamKind: String] = [:]
    var fast = BinanceDiffAccumulator()
    var slow = BinanceDiffAccumulator()

    init(market: BinanceMarket, subscription: SubscriptionID, book: OrderBook) {
        self.market = market
        self.subscription = subscription
        mirror = KrakenBookMirror(book, priceScale: market.priceScale, quantityScale: market.quantityScale)
    }
}
