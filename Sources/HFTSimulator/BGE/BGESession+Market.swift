import HFTCore

/// Public channels (§5, `"biz":"market"`): `orderbook` (full top-N snapshots, interval = level
/// code), `percent10` (±10 % of mid, with `"0"` for levels gone since the last push), `fills`,
/// `ticker`, `candles`; and the `req` ticker and candle history.
extension BGESession {
    static let publicTypes: Set<String> = ["orderbook", "percent10", "fills", "ticker", "candles"]

    /// Levels and price decimals of an `orderbook` interval code (§5: 0…5 → 150 levels,
    /// 6…11 → 20; precisions 18, 5, 4, 3, 2, 1).
    static func bookCode(_ code: Int) -> (levels: Int, decimals: UInt8)? {
        guard (0...11).contains(code) else { return nil }
        let decimals: [UInt8] = [18, 5, 4, 3, 2, 1]
        return (code < 6 ? 150 : 20, decimals[code % 6])
    }

    func marketRequest(_ r: BGERequest, raw: String) {
        guard let type = r.type, Self.publicTypes.contains(type), let name = r.product,
              let market = context.markets.product(name) else { return fail(event: r.event, .invalidRequest, detail: raw) }
        var code: Int?
        var barSeconds: Int64 = 0
        if type == "candles" {
            guard let s = r.interval.flatMap({ BGECandles.seconds[$0] }) else { return fail(event: r.event, .invalidRequest, detail: raw) }
            barSeconds = s
        }
        if type == "orderbook" {
            guard let i = r.interval.flatMap({ Int($0) }), Self.bookCode(i) != nil else {
                return fail(event: r.event, .invalidRequest, detail: raw)
            }
            code = i
        }
        switch r.event {
        case "sub":
            guard let m = state(market.symbol) else { return ack(r, ok: false) }
            didSubscribe()
            ack(r)
            switch type {
            case "orderbook":
                m.orderbook[code!] = (r.intervalIsNumber, r.zip)
                sendOrderbook(m, code: code!)
            case "percent10":
                m.percent10 = r.zip
                m.lastPercent10 = ([], [])
                sendPercent10(m)
            case "fills":
                m.fills = r.zip
                m.pendingTrades.removeAll()
            case "candles":
                let recent = context.exchange.recentTrades(market.symbol, limit: 1_000)
                let now = BGECandles.bucket(context.now(), interval: barSeconds)
                let bar = BGECandles.bars(recent, interval: barSeconds, from: now).last
                m.candles[r.interval!] = (r.zip, bar)
                sendCandle(m, r.interval!)
            default:
                m.ticker = r.zip
                sendTicker(m)
            }
        case "unsub":
            if let m = markets[market.symbol] {
                switch type {
                case "orderbook": m.orderbook[code!] = nil
                case "percent10": m.percent10 = nil
                case "fills": m.fills = nil
                case "candles": m.candles[r.interval!] = nil
                default: m.ticker = nil
                }
                dropIfIdle(m)
            }
            ack(r)
        default:  // req
            if type == "candles" {
                let trades = context.exchange.recentTrades(market.symbol, limit: 10_000)
                let bars = BGECandles.bars(trades, interval: barSeconds, from: r.from ?? .min, to: r.to ?? .max)
                let seq = markets[market.symbol]?.mirror.sequence ?? 0
                return ack(r) { j in
                    j.beginArray()
                    for b in bars { b.writeBGECandle(&j, seq: seq) }
                    j.endArray()
                }
            }
            guard type == "ticker" else { return fail(event: r.event, .invalidRequest, detail: raw) }
            guard let m = state(market.symbol) else { return ack(r, ok: false) }
            let now = context.now()
            ack(r) { j in Self.writeTicker(&j, m, seq: m.mirror.sequence, now: now) }
            dropIfIdle(m)
        }
    }

    private func dropIfIdle(_ m: BGEMarketState) {
        guard m.isIdle else { return }
        context.exchange.unsubscribe(m.subscription)
        markets[m.market.symbol] = nil
    }

    /// The product's state, subscribing to the exchange (atomically with a full-book snapshot) on first use.
    func state(_ symbol: Symbol) -> BGEMarketState? {
        if let m = markets[symbol] { return m }
        guard let market = context.markets.market(symbol),
              let feed = subscribeMarket(symbol, on: context.exchange, priceScale: market.priceScale,
                                         quantityScale: market.quantityScale) else { return nil }
        let m = BGEMarketState(market: market, feed: feed)
        markets[symbol] = m
        return m
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
        if m.fills != nil { m.pendingTrades.append(t) }
        m.tickerDue = true
        for (name, sub) in m.candles {
            guard let seconds = BGECandles.seconds[name] else { continue }
            let id = BGECandles.bucket(t.trade.timestamp, interval: seconds)
            var bar = sub.bar
            if let b = bar, b.id == id { bar!.add(t) } else if bar.map({ $0.id < id }) ?? true { bar = TradeBar(id: id, t) }
            m.candles[name] = (sub.zip, bar)
            m.candlesDue = true
        }
    }

    /// At the end of an event batch: one `fills` push with the batch's trades, then the books
    /// and the ticker of each product that changed.
    func flushMarkets() {
        for m in markets.values {
            if !m.pendingTrades.isEmpty {
                sendFills(m, m.pendingTrades)
                m.pendingTrades.removeAll(keepingCapacity: true)
            }
            if m.bookDue && options.bookPushesOnChange {
                m.bookDue = false
                sendBooks(m)
            }
            if m.tickerDue {
                m.tickerDue = false
                if m.ticker != nil { sendTicker(m) }
            }
            if m.candlesDue {
                m.candlesDue = false
                for name in m.candles.keys.sorted() { sendCandle(m, name) }
            }
            if isDead { return }
        }
    }

    func sendBooks(_ m: BGEMarketState) {
        for code in m.orderbook.keys.sorted() { sendOrderbook(m, code: code) }
        if m.percent10 != nil { sendPercent10(m) }
    }

    // MARK: Pushes

    /// `"id"`: the push time in seconds, as text (the examples' shape).
    private func messageID() -> String { String(context.now() / 1_000_000) }

    /// Best-first levels of one side, aggregated to `decimals` (bids down, asks up), at most `limit`.
    static func aggregated(_ m: BGEMarketState, _ side: Side, decimals: UInt8, limit: Int) -> [(price: Int64, qty: Int64)] {
        let ps = m.market.priceScale
        var step: Int64 = 1
        if decimals < ps { for _ in 0..<(ps - decimals) { step *= 10 } }
        var out: [(price: Int64, qty: Int64)] = []
        for l in m.mirror.levels(side).reversed() {
            var p = KrakenBookMirror.price(side, key: l.key)
            if step > 1 {
                let floor = p - ((p % step) + step) % step
                p = side == .buy || floor == p ? floor : floor + step
            }
            if let last = out.last, last.price == p {
                out[out.count - 1].qty += l.qty
            } else {
                if out.count == limit { break }
                out.append((p, l.qty))
            }
        }
        return out
    }

    static func writeSide(_ j: inout JSON, _ levels: [(price: Int64, qty: Int64)], priceScale: UInt8, quantityScale: UInt8) {
        j.beginArray()
        for l in levels {
            j.beginArray()
            j.string(Self.decimalText(l.price, priceScale))
            j.string(Self.decimalText(l.qty, quantityScale))
            j.endArray()
        }
        j.endArray()
    }

    static func decimalText(_ mantissa: Int64, _ scale: UInt8) -> String {
        FixedDecimal(mantissa: Int128(mantissa), scale: scale).description
    }

    /// `{"id","biz":"market","type":"orderbook","data":{"seq_id","bids","asks"},"product","interval":"<code>"}`.
    func sendOrderbook(_ m: BGEMarketState, code: Int) {
        guard let sub = m.orderbook[code], let (levels, decimals) = Self.bookCode(code) else { return }
        let ps = min(decimals, m.market.priceScale), qs = m.market.quantityScale
        let bids = Self.aggregated(m, .buy, decimals: decimals, limit: levels)
        let asks = Self.aggregated(m, .sell, decimals: decimals, limit: levels)
        let id = messageID()
        send(.bookSnapshot, zip: sub.zip) { j in
            j.object { j in
                j.field("id", id)
                j.field("biz", "market")
                j.field("type", "orderbook")
                j.key("data")
                j.object { j in
                    j.field("seq_id", m.mirror.sequence)
                    j.key("bids")
                    Self.writeSide(&j, Self.rescaled(bids, from: m.market.priceScale, to: ps), priceScale: ps, quantityScale: qs)
                    j.key("asks")
                    Self.writeSide(&j, Self.rescaled(asks, from: m.market.priceScale, to: ps), priceScale: ps, quantityScale: qs)
                }
                j.field("product", m.market.product)
                j.field("interval", String(code))
            }
        }
    }

    static func rescaled(_ levels: [(price: Int64, qty: Int64)], from: UInt8, to: UInt8) -> [(price: Int64, qty: Int64)] {
        guard to < from else { return levels }
        var div: Int64 = 1
        for _ in 0..<(from - to) { div *= 10 }
        return levels.map { ($0.price / div, $0.qty) }
    }

    /// Levels within ±10 % of mid (≤ 200 per side), plus `"0"` for levels of the previous
    /// push that are gone; `seq_id` at both levels (§5).
    func sendPercent10(_ m: BGEMarketState) {
        guard let zip = m.percent10 else { return }
        let ps = m.market.priceScale, qs = m.market.quantityScale
        var bids = Self.aggregated(m, .buy, decimals: ps, limit: 200)
        var asks = Self.aggregated(m, .sell, decimals: ps, limit: 200)
        if let b = bids.first?.price, let a = asks.first?.price {
            let mid = (a + b) / 2, band = mid / 10
            bids = bids.filter { $0.price >= mid - band }
            asks = asks.filter { $0.price <= mid + band }
        }
        let goneBids = m.lastPercent10.bids.filter { p in !bids.contains { $0.price == p } }.map { (price: $0, qty: Int64(0)) }
        let goneAsks = m.lastPercent10.asks.filter { p in !asks.contains { $0.price == p } }.map { (price: $0, qty: Int64(0)) }
        m.lastPercent10 = (bids.map(\.price), asks.map(\.price))
        let id = messageID(), seq = m.mirror.sequence
        send(.bookUpdate, zip: zip) { j in
            j.object { j in
                j.field("id", id)
                j.field("biz", "market")
                j.field("seq_id", seq)
                j.field("type", "percent10")
                j.key("data")
                j.object { j in
                    j.key("bids")
                    Self.writeSide(&j, bids + goneBids, priceScale: ps, quantityScale: qs)
                    j.key("asks")
                    Self.writeSide(&j, asks + goneAsks, priceScale: ps, quantityScale: qs)
                    j.field("seq_id", seq)
                }
                j.field("product", m.market.product)
            }
        }
    }

    /// `{"id":"<first trade id>","biz":"market","type":"fills","data":[{vol,ts,price,direction,id}],"product"}`.
    func sendFills(_ m: BGEMarketState, _ trades: [TradeEvent]) {
        guard let zip = m.fills, let first = trades.first else { return }
        send(.trade, zip: zip) { j in
            j.object { j in
                j.field("id", String(first.tradeID))
                j.field("biz", "market")
                j.field("type", "fills")
                j.key("data")
                j.beginArray()
                for t in trades {
                    j.object { j in
                        j.field("vol", quoted: t.trade.quantity)
                        j.field("ts", t.trade.timestamp / 1_000)
                        j.field("price", quoted: t.trade.price)
                        j.field("direction", t.trade.side == .buy ? "buy" : "sell")
                        j.field("id", t.tradeID)
                    }
                }
                j.endArray()
                j.field("product", m.market.product)
            }
        }
    }

    /// `{"id","biz":"market","type":"ticker","product","data":[{…}]}` (an array when pushed).
    func sendTicker(_ m: BGEMarketState) {
        guard let zip = m.ticker else { return }
        let id = messageID(), seq = m.mirror.sequence, now = context.now()
        send(.ticker, zip: zip) { j in
            j.object { j in
                j.field("id", id)
                j.field("biz", "market")
                j.field("type", "ticker")
                j.field("product", m.market.product)
                j.key("data")
                j.beginArray()
                Self.writeTicker(&j, m, seq: seq, now: now)
                j.endArray()
            }
        }
    }

    /// `{"id","biz":"market","type":"candles","data":{bar},"product","interval"}`; nothing
    /// before the first trade of the bar.
    func sendCandle(_ m: BGEMarketState, _ interval: String) {
        guard let sub = m.candles[interval], let bar = sub.bar else { return }
        let seq = m.mirror.sequence
        send(.other, zip: sub.zip) { j in
            j.object { j in
                j.field("id", String(bar.id))
                j.field("biz", "market")
                j.field("type", "candles")
                j.key("data")
                bar.writeBGECandle(&j, seq: seq)
                j.field("product", m.market.product)
                j.field("interval", interval)
            }
        }
    }

    /// One ticker object: open/close/high/low, `filled_size` (quote turnover), `vol` (base), count, change.
    static func writeTicker(_ j: inout JSON, _ m: BGEMarketState, seq: Int64, now: Timestamp) {
        let s = m.stats
        j.object { j in
            j.field("id", now / 1_000_000)
            j.field("seq_id", seq)
            j.field("open", quoted: s.open ?? s.zeroPrice)
            j.field("close", quoted: s.last ?? s.zeroPrice)
            j.field("high", quoted: s.high ?? s.zeroPrice)
            j.field("low", quoted: s.low ?? s.zeroPrice)
            j.field("filled_size", quoted: s.turnover)
            j.field("vol", quoted: s.volume)
            j.field("count", s.count)
            j.field("change", quoted: s.priceChange)
            j.field("change_percent", quoted: s.changePercent)
        }
    }
}
