/// Hot path of the LBank socket: frame → `LBankDecoder` → book replace / trade / ticker /
/// private push → each watcher's `EventStream`. Runs on the connection's event loop.
import HFTCore
import HFTTransport
import Synchronization

final class LBankRouter: Sendable {
    struct BookSink: Sendable { let stream: EventStream<BookUpdate>; let depth: Int }
    struct State {
        var books: [String: OrderBook] = [:]
        var bookSinks: [String: [BookSink]] = [:]
        var tradeSinks: [String: [EventStream<Trade>]] = [:]
        var tickerSinks: [String: [EventStream<Ticker>]] = [:]
        var orderSinks: [EventStream<OrderEvent>] = []
        var balanceSinks: [EventStream<Balance>] = []
        var balances: [String: Balance] = [:]
        /// Pairs whose book went stale with the socket, until their next snapshot.
        var invalid: Set<String> = []
    }

    let state = Mutex(State())
    let reporter: LBankReporter
    let candles = CandleSinks()
    private let onKeyError = Mutex<(@Sendable (String) -> Void)?>(nil)

    init(reporter: LBankReporter) { self.reporter = reporter }

    func setOnKeyError(_ f: @escaping @Sendable (String) -> Void) { onKeyError.withLock { $0 = f } }

    func handle(_ m: InboundMessage) {
        let decoded: Result<LBankMessage, LBankDecodeError> = m.withBytes { b in
            do throws(LBankDecodeError) { return .success(try LBankDecoder.decode(b)) } catch { return .failure(error) }
        }
        switch decoded {
        case .failure(let e):
            if case .unknownMessage = e { reporter.malformed("\(e)", unknown: true) } else { reporter.malformed("\(e)") }
        case .success(let msg):
            route(msg)
        }
    }

    func route(_ msg: LBankMessage) {
        switch msg {
        case .depth(let d): apply(d)
        case .trade(let t):
            guard let symbol = LBankSymbols.unified(t.pair) else { return }
            let trade = Trade(venue: .lbank, symbol: symbol, id: String(t.timestamp), price: t.price, quantity: t.quantity,
                              side: t.side, timestamp: t.timestamp)
            for s in state.withLock({ $0.tradeSinks[t.pair] ?? [] }) { s.push(trade) }
        case .tick(let t):
            guard let symbol = LBankSymbols.unified(t.pair) else { return }
            let ticker = Ticker(venue: .lbank, symbol: symbol, last: t.latest, volume24h: t.volume, timestamp: t.timestamp)
            for s in state.withLock({ $0.tickerSinks[t.pair] ?? [] }) { s.push(ticker) }
        case .kbar(let k):
            guard let symbol = LBankSymbols.unified(k.pair), let i = Self.candleIntervals.unified(k.slot) else { return }
            let bar = Candle(venue: .lbank, symbol: symbol, interval: i, openTime: k.openTime, open: k.open, high: k.high, low: k.low,
                             close: k.close, volume: k.volume, quoteVolume: k.turnover, tradeCount: k.count)
            candles.push(LBankRequest.Channel.kbar(pair: k.pair, interval: k.slot).key, [bar])
        case .orderUpdate(let u):
            let events = Self.events(u)
            for s in state.withLock({ $0.orderSinks }) { for e in events { s.push(e) } }
        case .assetUpdate(let a):
            let b = Balance(venue: .lbank, asset: a.asset, available: a.free, frozen: a.frozen, timestamp: a.timestamp)
            let sinks = state.withLock { s in
                s.balances[b.asset] = b
                return s.balanceSinks
            }
            for s in sinks { s.push(b) }
        case .error(let e):
            reporter.venueError(e)
            if e.mentionsKey { onKeyError.withLock { $0 }?(e.message) }
        case .ping, .pong, .ignored:
            break
        }
    }

    /// lbank.md §3 (`kbar` values).
    static let candleIntervals = CandleIntervalMap(venue: "LBank", [
        (.oneMinute, "1min"), (.fiveMinutes, "5min"), (.fifteenMinutes, "15min"), (.thirtyMinutes, "30min"), (.oneHour, "1hr"),
        (.fourHours, "4hr"), (.oneDay, "day"), (.oneWeek, "week"), (.oneMonth, "month"), (.oneYear, "year"),
    ])

    /// Every push is the whole top-N book: replace, never merge.
    func apply(_ d: LBankDepth) {
        guard let symbol = LBankSymbols.unified(d.pair) else { return }
        let (book, sinks, resynced): (OrderBook, [BookSink], Bool) = state.withLock { s in
            var b = s.books[d.pair] ?? OrderBook(venue: .lbank, symbol: symbol)
            b.replace(bids: d.bids, asks: d.asks)
            b.timestamp = d.timestamp
            s.books[d.pair] = b
            return (b, s.bookSinks[d.pair] ?? [], s.invalid.remove(d.pair) != nil)
        }
        for sink in sinks {
            var cut = book
            cut.truncate(to: sink.depth)
            sink.stream.push(BookUpdate(book: cut, isSnapshot: true))
        }
        if resynced { reporter.report(.bookResynced, symbol: d.pair, "first snapshot after the reconnect") }
    }

    /// The socket is gone: every watched book is stale until its next snapshot (`book_invalid`).
    func invalidateBooks() {
        let pairs: [String] = state.withLock { s in
            let watched = s.bookSinks.keys.filter { !s.invalid.contains($0) }
            s.invalid.formUnion(watched)
            return Array(watched)
        }
        for p in pairs.sorted() { reporter.report(.bookInvalid, symbol: p, "socket lost") }
    }

    /// Replaces balances from a REST snapshot and pushes them (pushes sent while disconnected are lost).
    func applySnapshot(_ balances: [Balance]) {
        let sinks = state.withLock { s in
            for b in balances { s.balances[b.asset] = b }
            return s.balanceSinks
        }
        for s in sinks { for b in balances { s.push(b) } }
    }

    var watchingBalances: Bool { state.withLock { !$0.balanceSinks.isEmpty } }

    /// An `orderUpdate` as the order's state, and a fill when it carries a `txUuid`.
    static func events(_ u: LBankOrderUpdate) -> [OrderEvent] {
        guard let symbol = LBankSymbols.unified(u.pair) else { return [] }
        let kind = u.orderType.flatMap(LBankNewOrder.read)
        let side = kind?.side ?? .buy
        let filled = u.filledQuantity ?? .zero
        let price = u.orderPrice ?? ((u.status == 1 || u.status == 2) ? nil : u.price)
        let order = Order(venue: .lbank, symbol: symbol, orderID: u.orderID, clientOrderID: u.clientOrderID, side: side,
                          type: kind?.type ?? .limit, timeInForce: kind?.tif ?? .gtc, postOnly: kind?.postOnly ?? false,
                          price: price, quantity: u.orderAmount ?? (filled + (u.remaining ?? .zero)),
                          filledQuantity: filled, averagePrice: u.averagePrice,
                          status: LBankNewOrder.status(u.status, filled: !filled.isZero), timestamp: u.timestamp)
        var out: [OrderEvent] = [.order(order)]
        if let tx = u.tradeID, let q = u.fillQuantity, !q.isZero, let p = u.price {
            out.append(.fill(Fill(venue: .lbank, symbol: symbol, tradeID: tx, orderID: u.orderID, clientOrderID: u.clientOrderID,
                                  side: side, price: p, quantity: q, fee: .zero, feeCurrency: "",
                                  liquidity: u.role == "maker" ? .maker : .taker, timestamp: u.timestamp)))
        }
        return out
    }

    func finishAll() {
        let s = state.withLock { s in defer { s = State() }; return s }
        for l in s.bookSinks.values { for x in l { x.stream.finish() } }
        for l in s.tradeSinks.values { for x in l { x.finish() } }
        for l in s.tickerSinks.values { for x in l { x.finish() } }
        for x in s.orderSinks { x.finish() }
        for x in s.balanceSinks { x.finish() }
        candles.finishAll()
    }
}
