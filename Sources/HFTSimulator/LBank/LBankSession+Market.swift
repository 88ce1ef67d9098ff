import HFTCore

/// Public channels (§3, §4): `depth` (the complete top-N book on every push), `trade` (one
/// trade per push, `amount` = quote value), `tick`, `kbar` (the current bar of a slot after
/// every trade batch that changed it); and the one-shot `request`s.
extension LBankSession {
    static let depthChoices: Set<Int> = [10, 50, 100]

    // MARK: Subscribe

    /// No acknowledgement (§3): the first push is the only confirmation. `depth` pushes its
    /// snapshot and `tick` its ticker at once; `trade` waits for the next trade.
    func subscribePublic(_ r: LBankRequest) {
        guard let name = r.pair else { return fail("Missing parameter ['pair']") }
        guard let market = context.markets.pair(name) else { return fail("Invalid pair '\(name)'") }
        var levels: Int?
        if r.subscribe == "depth" {
            guard let d = r.depth else { return fail("Missing parameter ['depth']") }
            guard let n = Int(d), Self.depthChoices.contains(n) else { return fail("Invalid depth '\(d)'") }
            levels = n
        }
        var slot = ""
        if r.subscribe == "kbar" {
            guard let k = r.kbar else { return fail("Missing parameter ['kbar']") }
            guard LBankKbar.isSlot(k) else { return fail("Invalid kbar '\(k)'") }
            slot = k
        }
        guard let m = state(market.symbol) else { return fail("Internal error") }
        switch r.subscribe {
        case "depth":
            m.depthLevels = levels
            sendDepth(m)
        case "trade":
            m.trade = true
            m.pendingTrades.removeAll()
        case "kbar":
            subscribeKbar(m, slot)
        default:
            m.tick = true
            sendTick(m)
        }
    }

    func unsubscribePublic(_ r: LBankRequest) {
        guard let name = r.pair else { return fail("Missing parameter ['pair']") }
        guard let market = context.markets.pair(name) else { return fail("Invalid pair '\(name)'") }
        var slot = ""
        if r.subscribe == "kbar" {
            guard let k = r.kbar else { return fail("Missing parameter ['kbar']") }
            guard LBankKbar.isSlot(k) else { return fail("Invalid kbar '\(k)'") }
            slot = k
        }
        guard let m = markets[market.symbol] else { return }
        switch r.subscribe {
        case "depth": m.depthLevels = nil
        case "trade": m.trade = false
        case "kbar":
            m.kbars[slot] = nil
            m.closedKbars.removeAll { $0.0 == slot }
        default: m.tick = false
        }
        if m.isIdle {
            context.exchange.unsubscribe(m.subscription)
            markets[market.symbol] = nil
        }
    }

    /// The pair's state, subscribing to the exchange (atomically with a full-book snapshot) on first use.
    func state(_ symbol: Symbol) -> LBankMarketState? {
        if let m = markets[symbol] { return m }
        guard let market = context.markets.market(symbol),
              let feed = subscribeMarket(symbol, on: context.exchange, priceScale: market.priceScale,
                                         quantityScale: market.quantityScale) else { return nil }
        let m = LBankMarketState(market: market, feed: feed)
        markets[symbol] = m
        return m
    }

    // MARK: Events

    func onBook(_ u: SimBookUpdate) {
        guard let m = markets[u.symbol], m.mirror.apply(u) else { return }
        m.depthDue = true
    }

    func onTrade(_ t: TradeEvent) {
        guard let m = markets[t.trade.symbol], t.tradeID > m.lastTradeID else { return }
        m.lastTradeID = t.tradeID
        m.stats.add(t)
        if m.trade { m.pendingTrades.append(t) }
        if !m.kbars.isEmpty { addToKbars(m, t) }
        m.tickDue = true
    }

    /// At the end of an event batch: trades, then one depth snapshot and one tick per pair that changed.
    func flushMarkets() {
        for m in markets.values {
            if !m.pendingTrades.isEmpty {
                let trades = m.pendingTrades
                m.pendingTrades.removeAll(keepingCapacity: true)
                for t in trades { sendTrade(m, t) }
            }
            if m.depthDue {
                m.depthDue = false
                if m.depthLevels != nil { sendDepth(m) }
            }
            if !m.closedKbars.isEmpty || m.kbars.values.contains(where: \.due) { flushKbars(m) }
            if m.tickDue {
                m.tickDue = false
                if m.tick { sendTick(m) }
            }
            if isDead { return }
        }
    }

    // MARK: Pushes

    /// `{"depth":{"asks":[[p,q]…],"bids":[…]},"count":N,"type":"depth","pair":…,"SERVER":"V2","TS":…}`:
    /// asks ascending, bids descending, numbers bare.
    func sendDepth(_ m: LBankMarketState) {
        guard let n = m.depthLevels else { return }
        let ts = context.now()
        let bids = Array(m.mirror.levels(.buy).suffix(n).reversed())
        let asks = Array(m.mirror.levels(.sell).suffix(n).reversed())
        let kind: OutboundKind = .bookSnapshot
        send(kind) { j, _ in
            j.object { j in
                j.key("depth")
                j.object { j in
                    Self.writeLevels(&j, m, asks: asks, bids: bids)
                }
                j.field("count", n)
                j.field("type", "depth")
                j.field("pair", m.market.pair)
                Self.writeTrailer(&j, ts)
            }
        }
    }

    static func writeLevels(_ j: inout JSON, _ m: LBankMarketState, asks: [KrakenBookMirror.Level], bids: [KrakenBookMirror.Level]) {
        let ps = m.market.priceScale, qs = m.market.quantityScale
        func side(_ j: inout JSON, _ s: Side, _ ls: [KrakenBookMirror.Level]) {
            j.beginArray()
            for l in ls {
                j.beginArray()
                j.number(mantissa: KrakenBookMirror.price(s, key: l.key), scale: ps)
                j.number(mantissa: l.qty, scale: qs)
                j.endArray()
            }
            j.endArray()
        }
        j.key("asks")
        side(&j, .sell, asks)
        j.key("bids")
        side(&j, .buy, bids)
    }

    /// `"SERVER":"V2","TS":"<UTC+8>"` closing every server message (§1).
    static func writeTrailer(_ j: inout JSON, _ now: Timestamp) {
        j.field("SERVER", "V2")
        j.field("TS", LBankTime.string(now))
    }

    /// The taker's order type as LBank names it (§4): `buy`, `sell_market`, ….
    static func direction(_ t: TradeEvent) -> String {
        (t.trade.side == .buy ? "buy" : "sell") + (t.takerOrderType == .market ? "_market" : "")
    }

    /// `{"trade":{"volume":q,"amount":p×q,"price":p,"direction":…,"TS":…},"type":"trade",…}`.
    func sendTrade(_ m: LBankMarketState, _ t: TradeEvent) {
        let now = context.now()
        send(.trade) { j, _ in
            j.object { j in
                j.key("trade")
                j.object { j in
                    j.field("volume", number: t.trade.quantity)
                    j.field("amount", number: t.trade.price * t.trade.quantity)
                    j.field("price", number: t.trade.price)
                    j.field("direction", Self.direction(t))
                    j.field("TS", LBankTime.string(t.trade.timestamp))
                }
                j.field("type", "trade")
                j.field("pair", m.market.pair)
                Self.writeTrailer(&j, now)
            }
        }
    }

    func sendTick(_ m: LBankMarketState) {
        let now = context.now()
        send(.ticker) { j, _ in
            j.object { j in
                Self.writeTick(&j, m)
                j.field("type", "tick")
                j.field("pair", m.market.pair)
                Self.writeTrailer(&j, now)
            }
        }
    }

    /// `"tick":{high, vol, low, change, dir, turnover, latest}` (no fiat conversions, README).
    static func writeTick(_ j: inout JSON, _ m: LBankMarketState) {
        let s = m.stats
        let zero = FixedDecimal(mantissa: 0, scale: m.market.priceScale)
        j.key("tick")
        j.object { j in
            j.field("high", number: s.high ?? zero)
            j.field("vol", number: s.volume)
            j.field("low", number: s.low ?? zero)
            j.field("change", number: s.changePercent)
            j.field("dir", s.lastSide == .sell ? "sell" : "buy")
            j.field("turnover", number: s.turnover)
            j.field("latest", number: s.last ?? zero)
        }
    }

    // MARK: One-shot requests (§3)

    func oneShot(_ r: LBankRequest) {
        guard let kind = r.request else { return fail("Missing parameter ['request']") }
        guard ["depth", "trade", "tick", "kbar"].contains(kind) else { return fail("Invalid request '\(kind)'") }
        guard let name = r.pair else { return fail("Missing parameter ['pair']") }
        guard let market = context.markets.pair(name) else { return fail("Invalid pair '\(name)'") }
        let ex = context.exchange
        let now = context.now()
        switch kind {
        case "kbar":
            requestKbar(r, market)
        case "depth":
            guard let d = r.depth else { return fail("Missing parameter ['depth']") }
            guard let n = Int(d), Self.depthChoices.contains(n) else { return fail("Invalid depth '\(d)'") }
            guard let book = try? ex.bookSnapshot(market.symbol, depth: n) else { return fail("Internal error") }
            respond { j in
                j.object { j in
                    j.field("SERVER", "V2")
                    j.key("asks")
                    Self.writeBookLevels(&j, book.asks)
                    j.key("bids")
                    Self.writeBookLevels(&j, book.bids)
                    j.field("count", n)
                    j.field("type", "depth")
                    j.field("pair", market.pair)
                    j.field("TS", LBankTime.string(now))
                }
            }
        case "trade":
            let size = min(600, max(1, r.size.flatMap { Int($0) } ?? 100))
            let trades = ex.recentTrades(market.symbol, limit: size)
            respond { j in
                j.object { j in
                    j.key("columns")
                    j.beginArray()
                    for c in ["timestamp", "price", "volume", "direction"] { j.string(c) }
                    j.endArray()
                    j.key("trades")
                    j.beginArray()
                    for t in trades.reversed() {
                        j.beginArray()
                        j.int(t.trade.timestamp / 1_000)
                        j.number(t.trade.price)
                        j.number(t.trade.quantity)
                        j.string(Self.direction(t))
                        j.endArray()
                    }
                    j.endArray()
                    j.field("count", trades.count)
                    j.field("type", "trade")
                    j.field("pair", market.pair)
                    Self.writeTrailer(&j, now)
                }
            }
        default:
            guard let m = state(market.symbol) else { return fail("Internal error") }
            respond { j in
                j.object { j in
                    Self.writeTick(&j, m)
                    j.field("type", "tick")
                    j.field("pair", market.pair)
                    Self.writeTrailer(&j, now)
                }
            }
            if m.isIdle {
                context.exchange.unsubscribe(m.subscription)
                markets[market.symbol] = nil
            }
        }
    }

    static func writeBookLevels(_ j: inout JSON, _ levels: [BookLevel]) {
        j.beginArray()
        for l in levels {
            j.beginArray()
            j.number(l.price)
            j.number(l.quantity)
            j.endArray()
        }
        j.endArray()
    }
}
