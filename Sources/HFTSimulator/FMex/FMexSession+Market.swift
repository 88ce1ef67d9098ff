import HFTCore

/// Public topics (§5): `ticker`, `depth.L20|L150` (full snapshot every push),
/// `depth-delta.L20|L150` (snapshot typed `depth.l20.<sym>`, then deltas chained by
/// `pre_seq`), `trade`, `candle`; and `req` for trade and candle history.
extension FMexSession {
    func startPublic(_ t: FMexTopic) {
        guard let market = t.market, let m = state(market.symbol) else { return }
        switch t {
        case .ticker:
            m.ticker = true
            sendTicker(m)
        case .depth(let n, _):
            sendDepth(m, n, force: true)
        case .depthDelta(let n, _):
            // (Re)subscribing always starts over with a snapshot (§5: the resync recipe).
            m.deltas[n] = nil
            sendDeltaSnapshot(m, n)
        case .trade:
            if !m.trade { m.pendingTrades.removeAll() }
            m.trade = true
        case .candle(let res, _):
            let seconds = FMexBar.seconds[res]!
            let now = FMexBar.bucket(context.now(), seconds)
            let bar = FMexBar.bars(context.exchange.recentTrades(market.symbol, limit: 1_000), seconds, market).last
            m.candles[res] = bar?.id == now ? bar : nil
            sendCandle(m, res)
        default:
            break
        }
    }

    func stopPublic(_ t: FMexTopic) {
        guard let market = t.market, let m = markets[market.symbol] else { return }
        switch t {
        case .ticker: m.ticker = false
        case .depth(let n, _): m.depth[n] = nil
        case .depthDelta(let n, _): m.deltas[n] = nil
        case .trade: m.trade = false
        case .candle(let res, _): m.candles[res] = nil
        default: break
        }
        dropIfIdle(m)
    }

    private func dropIfIdle(_ m: FMexMarketState) {
        guard m.isIdle else { return }
        context.exchange.unsubscribe(m.subscription)
        markets[m.market.symbol] = nil
    }

    /// The perpetual's state, subscribing to the exchange (atomically with a full-book snapshot) on first use.
    func state(_ symbol: Symbol) -> FMexMarketState? {
        if let m = markets[symbol] { return m }
        guard let market = context.markets.market(symbol),
              let feed = subscribeMarket(symbol, on: context.exchange, priceScale: market.spec.priceScale,
                                         quantityScale: market.spec.quantityScale) else { return nil }
        let m = FMexMarketState(market: market, feed: feed)
        markets[symbol] = m
        return m
    }

    // MARK: req (§4, §5)

    /// `["trade.<sym>", limit]` → `{"id","ts","data":[trades, newest first]}`;
    /// `["candle.<res>.<sym>", limit, before?]` → `{"id","data":[bars, newest first]}`.
    func request(_ r: FMexRequest) {
        guard case .string(let text) = r.args.first, let t = FMexTopic.parse(text, context.markets) else {
            return fail(id: r.id, .invalidTopic(r.args.first?.text ?? "(no topic)"))
        }
        let limit = max(1, min(Int(r.args.count > 1 ? (r.args[1].int64 ?? 20) : 20), 1_000))
        let ts = context.nowMillis()
        switch t {
        case .trade(let m):
            let trades = context.exchange.recentTrades(m.symbol, limit: limit)
            respond { j in
                j.object { j in
                    if let id = r.id { j.field("id", id) }
                    j.field("ts", ts)
                    j.key("data")
                    j.beginArray()
                    for t in trades.reversed() { Self.writeTradeFields(&j, t, iceberg: true) }
                    j.endArray()
                }
            }
        case .candle(let res, let m):
            let before = r.args.count > 2 ? r.args[2].int64 : nil
            var bars = FMexBar.bars(context.exchange.recentTrades(m.symbol, limit: 10_000), FMexBar.seconds[res]!, m)
            if let before { bars = bars.filter { $0.id < before } }
            let seq = markets[m.symbol]?.mirror.sequence ?? ((try? context.exchange.bookSnapshot(m.symbol, depth: 1).sequence) ?? 0)
            respond { j in
                j.object { j in
                    if let id = r.id { j.field("id", id) }
                    j.key("data")
                    j.beginArray()
                    for b in bars.suffix(limit).reversed() { j.object { b.writeFields(&$0, seq: seq) } }
                    j.endArray()
                }
            }
        default:
            fail(id: r.id, .invalidTopic(text))
        }
    }

    // MARK: Events

    func onBook(_ u: SimBookUpdate) {
        guard let m = markets[u.symbol], m.mirror.apply(u) else { return }
        m.bookDue = true
    }

    func onTrade(_ t: TradeEvent) {
        guard let m = markets[t.trade.symbol], t.tradeID > m.lastTradeID else { return }
        m.lastTradeID = t.tradeID
        m.stats.add(t)
        if m.trade { m.pendingTrades.append(t) }
        m.tickerDue = true
        for (res, bar) in m.candles {
            let id = FMexBar.bucket(t.trade.timestamp, FMexBar.seconds[res]!)
            var b = bar
            if let cur = b, cur.id == id { b!.add(t, m.market) } else if b.map({ $0.id < id }) ?? true { b = FMexBar(id: id, t, m.market) }
            m.candles[res] = b
            m.candlesDue = true
        }
    }

    /// At the end of an event batch: the batch's trades (one push each), then the books, the
    /// ticker and the candles of each perpetual that changed.
    func flushMarkets() {
        for m in markets.values {
            for t in m.pendingTrades { sendTrade(m, t) }
            m.pendingTrades.removeAll(keepingCapacity: true)
            if m.bookDue {
                m.bookDue = false
                for n in m.depth.keys.sorted() { sendDepth(m, n) }
                for n in m.deltas.keys.sorted() { sendDelta(m, n) }
                if m.ticker && Self.top(m) != m.tickerTop { m.tickerDue = true }
            }
            if m.tickerDue {
                m.tickerDue = false
                if m.ticker { sendTicker(m) }
            }
            if m.candlesDue {
                m.candlesDue = false
                for res in m.candles.keys.sorted() { sendCandle(m, res) }
            }
            if isDead { return }
        }
    }

    // MARK: Pushes

    /// `[price, qty, price, qty, …]` (§5).
    static func writeFlat(_ j: inout JSON, _ levels: [FMexLevel], _ m: FMexMarket) {
        j.beginArray()
        for l in levels {
            j.number(mantissa: l.price, scale: m.spec.priceScale)
            j.number(mantissa: l.qty, scale: m.spec.quantityScale)
        }
        j.endArray()
    }

    /// `{"type":"depth.L20.btcusd_p","ts","seq","bids":[…],"asks":[…]}`; nothing when the
    /// window is what was pushed last (changes deeper in the book), unless `force`.
    func sendDepth(_ m: FMexMarketState, _ n: Int, force: Bool = false) {
        let bids = m.top(.buy, n), asks = m.top(.sell, n)
        if !force, let last = m.depth[n], last.bids == bids, last.asks == asks { return }
        let ts = context.nowMillis(), seq = m.mirror.sequence
        m.depth[n] = FMexDeltaState(bids: bids, asks: asks, seq: seq)
        let type = "depth.L\(n)." + m.market.topic
        send(.bookSnapshot) { j in
            j.object { j in
                j.field("type", type)
                j.field("ts", ts)
                j.field("seq", seq)
                j.key("bids")
                Self.writeFlat(&j, bids, m.market)
                j.key("asks")
                Self.writeFlat(&j, asks, m.market)
            }
        }
    }

    /// The delta stream's first message: `{"type":"depth.l20.btcusd_p","seq","ts","asks","bids"}`
    /// (lowercase `l`, no `-delta`, §5).
    func sendDeltaSnapshot(_ m: FMexMarketState, _ n: Int) {
        let bids = m.top(.buy, n), asks = m.top(.sell, n)
        let seq = m.mirror.sequence, ts = context.nowMillis()
        m.deltas[n] = FMexDeltaState(bids: bids, asks: asks, seq: seq)
        let type = "depth.l\(n)." + m.market.topic
        send(.bookSnapshot) { j in
            j.object { j in
                j.field("type", type)
                j.field("seq", seq)
                j.field("ts", ts)
                j.key("asks")
                Self.writeFlat(&j, asks, m.market)
                j.key("bids")
                Self.writeFlat(&j, bids, m.market)
            }
        }
    }

    /// `{"type":"depth-delta.l20.btcusd_p","seq","pre_seq","ts","asks","bids"}`: new absolute
    /// sizes inside the window, `0` for levels gone (and, with `deltaWindowRemovals`, for
    /// levels pushed out of the window). Nothing when the window did not change.
    func sendDelta(_ m: FMexMarketState, _ n: Int) {
        guard let last = m.deltas[n] else { return }
        let bids = m.top(.buy, n), asks = m.top(.sell, n)
        let db = diff(m, .buy, old: last.bids, new: bids), da = diff(m, .sell, old: last.asks, new: asks)
        guard !db.isEmpty || !da.isEmpty else { return }
        let seq = m.mirror.sequence, ts = context.nowMillis()
        m.deltas[n] = FMexDeltaState(bids: bids, asks: asks, seq: seq)
        let type = "depth-delta.l\(n)." + m.market.topic
        send(.bookUpdate) { j in
            j.object { j in
                j.field("type", type)
                j.field("seq", seq)
                j.field("pre_seq", last.seq)
                j.field("ts", ts)
                j.key("asks")
                Self.writeFlat(&j, da, m.market)
                j.key("bids")
                Self.writeFlat(&j, db, m.market)
            }
        }
    }

    /// Changed and removed levels of one side's window, best first.
    private func diff(_ m: FMexMarketState, _ side: Side, old: [FMexLevel], new: [FMexLevel]) -> [FMexLevel] {
        var before: [Int64: Int64] = [:]
        for l in old { before[l.price] = l.qty }
        var out: [FMexLevel] = []
        var kept = Set<Int64>()
        for l in new {
            kept.insert(l.price)
            if before[l.price] != l.qty { out.append(l) }
        }
        for l in old where !kept.contains(l.price) {
            let stillInBook = m.mirror.rank(side, key: KrakenBookMirror.key(side, ticks: l.price)) != nil
            if options.deltaWindowRemovals || !stillInBook { out.append(FMexLevel(price: l.price, qty: 0)) }
        }
        return side == .buy ? out.sorted { $0.price > $1.price } : out.sorted { $0.price < $1.price }
    }

    /// `"id","amount","ts","side","price"` of one trade (`iceberg` in `req` results, §5).
    static func writeTradeFields(_ j: inout JSON, _ t: TradeEvent, iceberg: Bool) {
        j.object { j in
            j.field("id", t.tradeID)
            j.field("amount", number: t.trade.quantity)
            j.field("ts", t.trade.timestamp / 1_000)
            j.field("side", t.trade.side == .buy ? "buy" : "sell")
            j.field("price", number: t.trade.price)
            if iceberg { j.field("iceberg", false) }
        }
    }

    /// `{"type":"trade.btcusd_p","id","amount","ts","side","price"}`; `side` = taker side.
    func sendTrade(_ m: FMexMarketState, _ t: TradeEvent) {
        let type = "trade." + m.market.topic
        send(.trade) { j in
            j.object { j in
                j.field("type", type)
                j.field("id", t.tradeID)
                j.field("amount", number: t.trade.quantity)
                j.field("ts", t.trade.timestamp / 1_000)
                j.field("side", t.trade.side == .buy ? "buy" : "sell")
                j.field("price", number: t.trade.price)
            }
        }
    }

    /// `{"type":"ticker.btcusd_p","seq","ticker":[last, last qty, bid, bid qty, ask, ask qty,
    /// open, high, low, volume (contracts), volume (BTC)]}` (§5); figures since start; 0 when unknown.
    func sendTicker(_ m: FMexMarketState) {
        let type = "ticker." + m.market.topic, seq = m.mirror.sequence
        let s = m.stats, spec = m.market.spec
        let zeroP = FixedDecimal(mantissa: 0, scale: spec.priceScale), zeroQ = FixedDecimal(mantissa: 0, scale: spec.quantityScale)
        let bid = m.top(.buy, 1).first, ask = m.top(.sell, 1).first
        m.tickerTop = Self.top(m)
        send(.ticker) { j in
            j.object { j in
                j.field("type", type)
                j.field("seq", seq)
                j.key("ticker")
                j.beginArray()
                j.number(s.last ?? zeroP)
                j.number(s.lastQuantity ?? zeroQ)
                j.number(mantissa: bid?.price ?? 0, scale: spec.priceScale)
                j.number(mantissa: bid?.qty ?? 0, scale: spec.quantityScale)
                j.number(mantissa: ask?.price ?? 0, scale: spec.priceScale)
                j.number(mantissa: ask?.qty ?? 0, scale: spec.quantityScale)
                j.number(s.open ?? zeroP)
                j.number(s.high ?? zeroP)
                j.number(s.low ?? zeroP)
                j.number(s.volume)
                j.number(s.value)
                j.endArray()
            }
        }
    }

    /// Best bid and ask, price and quantity.
    static func top(_ m: FMexMarketState) -> [Int64] {
        let b = m.top(.buy, 1).first, a = m.top(.sell, 1).first
        return [b?.price ?? 0, b?.qty ?? 0, a?.price ?? 0, a?.qty ?? 0]
    }

    /// `{"type":"candle.M1.btcusd_p","id","seq","open","close","high","low","count","base_vol","quote_vol"}`;
    /// nothing before the bar's first trade.
    func sendCandle(_ m: FMexMarketState, _ res: String) {
        guard let bar = m.candles[res] ?? nil else { return }
        let type = "candle." + res + "." + m.market.topic, seq = m.mirror.sequence
        send(.other) { j in
            j.object { j in
                j.field("type", type)
                bar.writeFields(&j, seq: seq)
            }
        }
    }
}
