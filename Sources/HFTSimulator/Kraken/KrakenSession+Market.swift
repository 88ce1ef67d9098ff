import HFTCore

/// Public market data (§5.1–5.3): book snapshots and updates with the CRC32 checksum and
/// depth truncation, trades, tickers.
extension KrakenSession {
    typealias Level = KrakenBookMirror.Level

    // MARK: Book

    func onBook(_ u: SimBookUpdate) {
        guard let m = markets[u.symbol], u.lastSequence > m.mirror.sequence else { return }
        bidChanges.removeAll(keepingCapacity: true)
        askChanges.removeAll(keepingCapacity: true)
        let ps = m.pair.priceScale, qs = m.pair.quantityScale
        for c in u.changes {
            let level = Level(key: KrakenBookMirror.key(c.side, ticks: KrakenBookMirror.ticks(c.price, ps)),
                              qty: KrakenBookMirror.ticks(c.quantity, qs))
            if c.side == .buy { bidChanges.append(level) } else { askChanges.append(level) }
        }
        // Windows before the change: the top 10 (checksum) and each subscribed depth.
        let top10 = (bid: m.mirror.boundary(.buy, depth: 10), ask: m.mirror.boundary(.sell, depth: 10))
        let touchesTop10 = bidChanges.contains { c in top10.bid.map { c.key >= $0 } ?? true }
            || askChanges.contains { c in top10.ask.map { c.key >= $0 } ?? true }
        windows.removeAll(keepingCapacity: true)
        for d in m.bookDepths { windows.append((m.mirror.boundary(.buy, depth: d), m.mirror.boundary(.sell, depth: d))) }
        let oldBest = (m.mirror.best(.buy), m.mirror.best(.sell))

        for c in bidChanges { m.mirror.set(.buy, key: c.key, qty: c.qty) }
        for c in askChanges { m.mirror.set(.sell, key: c.key, qty: c.qty) }
        m.mirror.sequence = u.lastSequence
        if touchesTop10 { m.mirror.recomputeChecksum() }

        for (i, depth) in m.bookDepths.enumerated() {
            bidEntries.removeAll(keepingCapacity: true)
            askEntries.removeAll(keepingCapacity: true)
            m.mirror.updateEntries(.buy, depth: depth, oldBoundary: windows[i].bid, changes: bidChanges, into: &bidEntries)
            m.mirror.updateEntries(.sell, depth: depth, oldBoundary: windows[i].ask, changes: askChanges, into: &askEntries)
            guard !bidEntries.isEmpty || !askEntries.isEmpty else { continue }
            let checksum = m.mirror.checksum
            send(.bookUpdate) { j, corrupt in
                j.object { j in
                    j.field("channel", "book")
                    j.field("type", "update")
                    j.key("data")
                    j.beginArray()
                    j.object { j in
                        j.field("symbol", m.pair.name)
                        j.key("bids")
                        Self.writeLevels(&j, .buy, bidEntries, ps, qs)
                        j.key("asks")
                        Self.writeLevels(&j, .sell, askEntries, ps, qs)
                        j.key("checksum")
                        j.uint(Self.checksum(checksum, corrupt: corrupt))
                        j.field("timestamp", time: u.timestamp)
                    }
                    j.endArray()
                }
            }
        }
        if m.ticker == .bbo && (m.mirror.best(.buy) != oldBest.0 || m.mirror.best(.sell) != oldBest.1) {
            sendTicker(m, snapshot: false)
        }
        flushTrades(m)
    }

    func sendBookSnapshot(_ m: KrakenMarketState, depth: Int) {
        let ps = m.pair.priceScale, qs = m.pair.quantityScale
        let bids = Array(m.mirror.bids.suffix(depth).reversed())
        let asks = Array(m.mirror.asks.suffix(depth).reversed())
        let checksum = m.mirror.checksum
        send(.bookSnapshot) { j, corrupt in
            j.object { j in
                j.field("channel", "book")
                j.field("type", "snapshot")
                j.key("data")
                j.beginArray()
                j.object { j in
                    j.field("symbol", m.pair.name)
                    j.key("bids")
                    Self.writeLevels(&j, .buy, bids, ps, qs)
                    j.key("asks")
                    Self.writeLevels(&j, .sell, asks, ps, qs)
                    j.key("checksum")
                    j.uint(Self.checksum(checksum, corrupt: corrupt))
                }
                j.endArray()
            }
        }
    }

    /// `[{"price":P,"qty":Q},…]` with the pair's precisions (trailing zeros kept).
    static func writeLevels(_ j: inout KrakenJSON, _ side: Side, _ levels: [Level], _ ps: UInt8, _ qs: UInt8) {
        j.beginArray()
        for l in levels {
            j.object { j in
                j.key("price")
                j.number(mantissa: KrakenBookMirror.price(side, key: l.key), scale: ps)
                j.key("qty")
                j.number(mantissa: l.qty, scale: qs)
            }
        }
        j.endArray()
    }

    // MARK: Trades and ticker

    /// Trades wait for their operation's book update (which always follows them), so that a
    /// trade-triggered ticker shows the book after the trade.
    func onTrade(_ t: TradeEvent) {
        guard let m = markets[t.trade.symbol], t.tradeID > m.lastTradeID else { return }
        m.lastTradeID = t.tradeID
        m.stats.add(t)
        if m.trade { m.pendingTrades.append(t) }
        if m.ticker == .trades { m.tickerDue = true }
    }

    /// Trades and the trade-triggered ticker of the operation just applied.
    private func flushTrades(_ m: KrakenMarketState) {
        if !m.pendingTrades.isEmpty {
            let trades = m.pendingTrades
            m.pendingTrades.removeAll(keepingCapacity: true)
            sendTrades(m, trades, snapshot: false)
        }
        if m.tickerDue {
            m.tickerDue = false
            if m.ticker != nil { sendTicker(m, snapshot: false) }
        }
    }

    /// The last 50 trades up to the last one this connection has accounted for.
    func sendTradeSnapshot(_ m: KrakenMarketState) {
        let upTo = m.lastTradeID
        let trades = context.exchange.recentTrades(m.pair.symbol, limit: 200).filter { $0.tradeID <= upTo }.suffix(50)
        sendTrades(m, Array(trades), snapshot: true)
    }

    private func sendTrades(_ m: KrakenMarketState, _ trades: [TradeEvent], snapshot: Bool) {
        send(.trade) { j, _ in
            j.object { j in
                j.field("channel", "trade")
                j.field("type", snapshot ? "snapshot" : "update")
                j.key("data")
                j.beginArray()
                for t in trades {
                    j.object { j in
                        j.field("symbol", m.pair.name)
                        j.field("side", t.trade.side == .buy ? "buy" : "sell")
                        j.field("price", number: t.trade.price)
                        j.field("qty", number: t.trade.quantity)
                        j.field("ord_type", t.takerOrderType == .limit ? "limit" : "market")
                        j.field("trade_id", t.tradeID)
                        j.field("timestamp", time: t.trade.timestamp)
                    }
                }
                j.endArray()
            }
        }
    }

    func sendTicker(_ m: KrakenMarketState, snapshot: Bool) {
        let ps = m.pair.priceScale, qs = m.pair.quantityScale
        let bid = m.mirror.best(.buy), ask = m.mirror.best(.sell)
        let now = context.now()
        send(.ticker) { j, _ in
            j.object { j in
                j.field("channel", "ticker")
                j.field("type", snapshot ? "snapshot" : "update")
                j.key("data")
                j.beginArray()
                j.object { j in
                    let s = m.stats
                    j.field("symbol", m.pair.name)
                    j.key("bid")
                    j.number(mantissa: bid.map { KrakenBookMirror.price(.buy, key: $0.key) } ?? 0, scale: ps)
                    j.key("bid_qty")
                    j.number(mantissa: bid?.qty ?? 0, scale: qs)
                    j.key("ask")
                    j.number(mantissa: ask.map { KrakenBookMirror.price(.sell, key: $0.key) } ?? 0, scale: ps)
                    j.key("ask_qty")
                    j.number(mantissa: ask?.qty ?? 0, scale: qs)
                    j.field("last", number: s.price(s.last))
                    j.field("volume", number: s.volumeDecimal)
                    j.field("vwap", number: s.vwap)
                    j.field("low", number: s.price(s.low))
                    j.field("high", number: s.price(s.high))
                    j.field("change", number: s.change)
                    j.field("change_pct", number: s.changePercent)
                    j.field("timestamp", time: now)
                }
                j.endArray()
            }
        }
    }
}
