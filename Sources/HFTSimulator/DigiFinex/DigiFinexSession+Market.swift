import HFTCore
import NIOCore

/// Public channels (§5): `depth.update` (clean snapshot, then deltas that keep the client's
/// book equal to the exchange's top `depthLevels`), `trades.update` (clean batch, then new
/// trades, newest first), `ticker.update` and `all_ticker.update`.
extension DigiFinexSession {
    typealias Level = KrakenBookMirror.Level

    // MARK: Subscribe

    /// `X.subscribe [symbols]`: one ack for the list, then a `clean=true` push per symbol.
    /// Replace semantics by default (§5); an unknown symbol refuses the whole request.
    func subscribePublic(_ r: DigiFinexRequest) {
        let channel = r.method.prefix { $0 != "." }
        var wanted: [Symbol] = []
        for name in r.params {
            guard let m = context.markets.ws(name) else { return fail(r.id, .invalidArgument) }
            if !wanted.contains(m.symbol) { wanted.append(m.symbol) }
        }
        guard !wanted.isEmpty else { return fail(r.id, .invalidArgument) }
        let old = symbols(of: channel)
        let fresh: [Symbol]
        let list: [Symbol]
        if options.subscribeMode == .replace {
            list = wanted
            fresh = wanted
        } else {
            fresh = wanted.filter { !old.contains($0) }
            list = old + fresh
        }
        for s in old where !list.contains(s) { setFlag(channel, s, false) }
        setSymbols(channel, list)
        var states: [DigiFinexMarketState] = []
        for s in fresh {
            guard let m = market(s) else { return fail(r.id, .internalError) }
            setFlag(channel, s, true)
            states.append(m)
        }
        dropIdleMarkets()
        respondSuccess(r.id)
        for m in states {
            switch channel {
            case "depth": sendDepthSnapshot(m)
            case "trades": sendTradeBatch(m)
            default: sendTicker(m)
            }
        }
    }

    /// `X.unsubscribe`: `[]` (or no params) drops every symbol of the channel, a list only those.
    func unsubscribePublic(_ r: DigiFinexRequest) {
        let channel = r.method.prefix { $0 != "." }
        var drop = Set<Symbol>()
        for name in r.params {
            guard let m = context.markets.ws(name) else { return fail(r.id, .invalidArgument) }
            drop.insert(m.symbol)
        }
        let old = symbols(of: channel)
        let keep = drop.isEmpty ? [] : old.filter { !drop.contains($0) }
        for s in old where !keep.contains(s) { setFlag(channel, s, false) }
        setSymbols(channel, keep)
        dropIdleMarkets()
        respondSuccess(r.id)
    }

    private func symbols(of channel: Substring) -> [Symbol] {
        switch channel {
        case "depth": depthSymbols
        case "trades": tradeSymbols
        default: tickerSymbols
        }
    }

    private func setSymbols(_ channel: Substring, _ list: [Symbol]) {
        switch channel {
        case "depth": depthSymbols = list
        case "trades": tradeSymbols = list
        default: tickerSymbols = list
        }
    }

    private func setFlag(_ channel: Substring, _ s: Symbol, _ on: Bool) {
        guard let m = markets[s] else { return }
        switch channel {
        case "depth":
            m.depth = on
            m.heldBids.removeAll()
            m.heldAsks.removeAll()
        case "trades":
            m.trades = on
            m.pendingTrades.removeAll()
        default: m.ticker = on
        }
    }

    /// `all_ticker.subscribe`: every symbol's ticker now and every `allTickerInterval`.
    func subscribeAllTicker(_ r: DigiFinexRequest) {
        let states = context.markets.all.map { market($0.symbol) }
        guard !states.contains(where: { $0 == nil }) else { return fail(r.id, .internalError) }
        allTicker = true
        respondSuccess(r.id)
        sendAllTickers()
        if timers.cadence == nil {
            timers.cadence = repeating(every: .microseconds(options.allTickerInterval.wholeMicros)) { s in
                guard !s.isDead else { return }
                s.sendAllTickers()
                s.flush()
            }
        }
    }

    func unsubscribeAllTicker(_ r: DigiFinexRequest) {
        allTicker = false
        timers.cadence?.cancel()
        timers.cadence = nil
        dropIdleMarkets()
        respondSuccess(r.id)
    }

    /// The symbol's state, subscribing to the exchange (atomically with a full-book snapshot)
    /// on first use.
    func market(_ symbol: Symbol) -> DigiFinexMarketState? {
        if let m = markets[symbol] { return m }
        guard let market = context.markets.market(symbol),
              let feed = subscribeMarket(symbol, on: context.exchange, priceScale: market.priceScale,
                                         quantityScale: market.quantityScale) else { return nil }
        let m = DigiFinexMarketState(market: market, feed: feed)
        markets[symbol] = m
        return m
    }

    private func dropIdleMarkets() {
        for (symbol, m) in markets where !m.depth && !m.trades && !m.ticker && !allTicker {
            context.exchange.unsubscribe(m.subscription)
            markets[symbol] = nil
        }
    }

    // MARK: Depth

    func onBook(_ u: SimBookUpdate) {
        guard let m = markets[u.symbol] else { return }
        let oldBid = m.mirror.best(.buy), oldAsk = m.mirror.best(.sell)
        guard m.mirror.apply(u) else { return }
        if m.depth { sendDepthDelta(m) }
        if m.mirror.best(.buy) != oldBid || m.mirror.best(.sell) != oldAsk { m.tickerDue = true }
        flushTrades(m)
    }

    /// `[true, {asks, bids}, "BTC_USDT"]`: the top `depthLevels` per side; the client now holds them.
    func sendDepthSnapshot(_ m: DigiFinexMarketState) {
        let n = options.depthLevels
        let bids = Array(m.mirror.levels(.buy).suffix(n).reversed())
        var asks = Array(m.mirror.levels(.sell).suffix(n).reversed())
        m.heldBids = Dictionary(uniqueKeysWithValues: bids.map { ($0.key, $0.qty) })
        m.heldAsks = Dictionary(uniqueKeysWithValues: asks.map { ($0.key, $0.qty) })
        if options.snapshotAsksDescending { asks.reverse() }
        sendDepth(m, clean: true, bids: bids, asks: asks, kind: .bookSnapshot)
    }

    /// The levels that differ between what the client holds and the new top `depthLevels`:
    /// new or changed levels with their absolute amount, levels that left the window with `"0"`.
    private func sendDepthDelta(_ m: DigiFinexMarketState) {
        let bids = delta(m.mirror.levels(.buy), held: &m.heldBids)
        let asks = delta(m.mirror.levels(.sell), held: &m.heldAsks)
        guard !bids.isEmpty || !asks.isEmpty else { return }
        sendDepth(m, clean: false, bids: bids, asks: asks, kind: .bookUpdate)
    }

    private func delta(_ levels: [Level], held: inout [Int64: Int64]) -> [Level] {
        var out: [Level] = []
        var top: [Int64: Int64] = [:]
        top.reserveCapacity(options.depthLevels)
        var i = levels.count - 1
        while i >= 0 && top.count < options.depthLevels {
            let l = levels[i]
            top[l.key] = l.qty
            if held[l.key] != l.qty { out.append(l) }
            i -= 1
        }
        var gone: [Level] = []
        for (k, _) in held where top[k] == nil { gone.append(Level(key: k, qty: 0)) }
        gone.sort { $0.key > $1.key }
        out.append(contentsOf: gone)
        held = top
        return out
    }

    private func sendDepth(_ m: DigiFinexMarketState, clean: Bool, bids: [Level], asks: [Level], kind: OutboundKind) {
        let ps = m.market.priceScale, qs = m.market.quantityScale
        let name = m.market.wsName
        send(kind) { j, corrupt in
            var corrupt = corrupt
            func levels(_ j: inout JSON, _ side: Side, _ ls: [Level]) {
                j.beginArray()
                for l in ls {
                    j.beginArray()
                    j.quoted(mantissa: KrakenBookMirror.price(side, key: l.key), scale: ps)
                    // The `corrupt_checksum_every` fault: one amount off by one lot.
                    j.quoted(mantissa: corrupt ? l.qty + 1 : l.qty, scale: qs)
                    corrupt = false
                    j.endArray()
                }
                j.endArray()
            }
            j.object { j in
                j.field("method", "depth.update")
                j.key("params")
                j.beginArray()
                j.bool(clean)
                j.object { j in
                    j.key("asks")
                    levels(&j, .sell, asks)
                    j.key("bids")
                    levels(&j, .buy, bids)
                }
                j.string(name)
                j.endArray()
                j.key("id")
                j.null()
            }
        }
    }

    // MARK: Trades

    func onTrade(_ t: TradeEvent) {
        guard let m = markets[t.trade.symbol], t.tradeID > m.lastTradeID else { return }
        m.lastTradeID = t.tradeID
        m.stats.add(t)
        if m.trades { m.pendingTrades.append(t) }
        m.tickerDue = true
    }

    /// New trades and the ticker of the operation just applied.
    private func flushTrades(_ m: DigiFinexMarketState) {
        if !m.pendingTrades.isEmpty {
            let trades = m.pendingTrades
            m.pendingTrades.removeAll(keepingCapacity: true)
            sendTrades(m, trades.reversed(), clean: false)
        }
        if m.tickerDue {
            m.tickerDue = false
            if m.ticker { sendTicker(m) }
        }
    }

    /// The `clean=true` batch: the last `tradeSnapshotCount` trades this connection accounts for.
    func sendTradeBatch(_ m: DigiFinexMarketState) {
        let upTo = m.lastTradeID
        let count = options.tradeSnapshotCount
        let trades = context.exchange.recentTrades(m.market.symbol, limit: count + 1_000).filter { $0.tradeID <= upTo }.suffix(count)
        sendTrades(m, trades.reversed(), clean: true)
    }

    /// `[clean, [{id,time,price,amount,type}…], "BTC_USDT"]`, newest first.
    private func sendTrades(_ m: DigiFinexMarketState, _ trades: [TradeEvent], clean: Bool) {
        let name = m.market.wsName
        send(.trade) { j, _ in
            j.object { j in
                j.field("method", "trades.update")
                j.key("params")
                j.beginArray()
                j.bool(clean)
                j.beginArray()
                for t in trades {
                    j.object { j in
                        j.field("id", t.tradeID)
                        j.key("time")
                        j.secondsWithMicros(t.trade.timestamp)
                        j.field("price", quoted: t.trade.price)
                        j.field("amount", quoted: t.trade.quantity)
                        j.field("type", t.trade.side == .buy ? "buy" : "sell")
                    }
                }
                j.endArray()
                j.string(name)
                j.endArray()
                j.key("id")
                j.null()
            }
        }
    }

    // MARK: Ticker

    func sendTicker(_ m: DigiFinexMarketState) {
        let now = context.now()
        send(.ticker) { j, _ in
            j.object { j in
                j.field("method", "ticker.update")
                j.key("params")
                j.beginArray()
                Self.writeTicker(&j, m, now: now)
                j.endArray()
                j.key("id")
                j.null()
            }
        }
    }

    func sendAllTickers() {
        guard allTicker else { return }
        let now = context.now()
        let states = context.markets.all.compactMap { markets[$0.symbol] }
        send(.ticker) { j, _ in
            j.object { j in
                j.field("method", "all_ticker.update")
                j.key("params")
                j.beginArray()
                for m in states { Self.writeTicker(&j, m, now: now) }
                j.endArray()
                j.key("id")
                j.null()
            }
        }
    }

    /// The documented fields, in the documented order (no `high_24h`, §5).
    static func writeTicker(_ j: inout JSON, _ m: DigiFinexMarketState, now: Timestamp) {
        let ps = m.market.priceScale, qs = m.market.quantityScale
        let s = m.stats
        let zeroPrice = FixedDecimal(mantissa: 0, scale: ps), zeroQty = FixedDecimal(mantissa: 0, scale: qs)
        let bid = m.mirror.best(.buy), ask = m.mirror.best(.sell)
        j.object { j in
            j.field("symbol", m.market.wsName)
            j.field("open_24h", quoted: s.open ?? zeroPrice)
            j.field("low_24h", quoted: s.low ?? zeroPrice)
            j.field("base_volume_24h", quoted: s.volume)
            j.field("quote_volume_24h", quoted: s.turnover)
            j.field("last", quoted: s.last ?? zeroPrice)
            j.field("last_qty", quoted: s.lastQuantity ?? zeroQty)
            j.key("best_bid")
            j.quoted(mantissa: bid.map { KrakenBookMirror.price(.buy, key: $0.key) } ?? 0, scale: ps)
            j.key("best_bid_size")
            j.quoted(mantissa: bid?.qty ?? 0, scale: qs)
            j.key("best_ask")
            j.quoted(mantissa: ask.map { KrakenBookMirror.price(.sell, key: $0.key) } ?? 0, scale: ps)
            j.key("best_ask_size")
            j.quoted(mantissa: ask?.qty ?? 0, scale: qs)
            j.field("timestamp", now / 1_000)
        }
    }
}
