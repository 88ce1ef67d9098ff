import HFTCore

/// `subscribe` / `unsubscribe` (§5): one ack per symbol, per-symbol errors, Kraken's quirks
/// (`Subscription Not Found` answers with `"method":"subscribe"`).
extension KrakenSession {
    static let bookDepths: Set<Int> = [10, 25, 100, 500, 1000]

    func subscribe(_ p: KrakenSubscribeParams, reqID: Int64?, timeIn: Timestamp) {
        switch p.channel {
        case "book", "trade", "ticker": subscribePublic(p, reqID: reqID, timeIn: timeIn)
        case "instrument": subscribeInstrument(p, reqID: reqID, timeIn: timeIn)
        case "executions", "balances": subscribePrivate(p, reqID: reqID, timeIn: timeIn)
        default: fail("subscribe", reqID, KrakenFailure(KrakenError.subscriptionNameInvalid), timeIn)
        }
        if hasSubscriptions { ensureHeartbeat() }
    }

    func unsubscribe(_ p: KrakenSubscribeParams, reqID: Int64?, timeIn: Timestamp) {
        switch p.channel {
        case "book", "trade", "ticker": unsubscribePublic(p, reqID: reqID, timeIn: timeIn)
        case "instrument":
            guard instrumentSubscribed else {
                fail("subscribe", reqID, KrakenFailure(KrakenError.subscriptionNotFound), timeIn)
                return
            }
            instrumentSubscribed = false
            respond("unsubscribe", reqID, timeIn) { $0.object { $0.field("channel", "instrument") } }
        case "executions", "balances": unsubscribePrivate(p, reqID: reqID, timeIn: timeIn)
        default: fail("unsubscribe", reqID, KrakenFailure(KrakenError.subscriptionNameInvalid), timeIn)
        }
    }

    // MARK: Public

    private func subscribePublic(_ p: KrakenSubscribeParams, reqID: Int64?, timeIn: Timestamp) {
        guard let symbols = p.symbols, !symbols.isEmpty else {
            fail("subscribe", reqID, KrakenFailure(KrakenError.invalidArgument("symbol")), timeIn)
            return
        }
        let channel = p.channel
        let depth = p.depth ?? 10
        if channel == "book" && !Self.bookDepths.contains(depth) {
            for s in symbols { fail("subscribe", reqID, KrakenFailure(KrakenError.depthNotSupported, symbol: s), timeIn) }
            return
        }
        var trigger = KrakenMarketState.TickerTrigger.trades
        if channel == "ticker", let t = p.eventTrigger {
            guard let parsed = KrakenMarketState.TickerTrigger(rawValue: t) else {
                fail("subscribe", reqID, KrakenFailure(KrakenError.invalidArgument("event_trigger")), timeIn)
                return
            }
            trigger = parsed
        }
        let snapshot = p.snapshot ?? (channel != "trade")
        for s in symbols {
            guard let pair = context.markets.pair(s), let m = market(pair) else {
                fail("subscribe", reqID, KrakenFailure(KrakenError.pairNotSupported(s), symbol: s), timeIn)
                continue
            }
            switch channel {
            case "book":
                guard !m.bookDepths.contains(depth) else { alreadySubscribed(s, reqID, timeIn); continue }
                m.bookDepths.append(depth)
                m.bookDepths.sort()
                respond("subscribe", reqID, timeIn) { j in
                    j.object { j in
                        j.field("channel", "book")
                        j.field("depth", depth)
                        j.field("snapshot", snapshot)
                        j.field("symbol", s)
                    }
                }
                if snapshot { sendBookSnapshot(m, depth: depth) }
            case "trade":
                guard !m.trade else { alreadySubscribed(s, reqID, timeIn); continue }
                m.trade = true
                respond("subscribe", reqID, timeIn) { j in
                    j.object { j in
                        j.field("channel", "trade")
                        j.field("snapshot", snapshot)
                        j.field("symbol", s)
                    }
                }
                if snapshot { sendTradeSnapshot(m) }
            default:
                guard m.ticker == nil else { alreadySubscribed(s, reqID, timeIn); continue }
                m.ticker = trigger
                respond("subscribe", reqID, timeIn) { j in
                    j.object { j in
                        j.field("channel", "ticker")
                        j.field("event_trigger", trigger.rawValue)
                        j.field("snapshot", snapshot)
                        j.field("symbol", s)
                    }
                }
                if snapshot { sendTicker(m, snapshot: true) }
            }
        }
        dropIdleMarkets()
    }

    private func alreadySubscribed(_ symbol: String, _ reqID: Int64?, _ timeIn: Timestamp) {
        fail("subscribe", reqID, KrakenFailure(KrakenError.alreadySubscribed, symbol: symbol), timeIn)
    }

    private func unsubscribePublic(_ p: KrakenSubscribeParams, reqID: Int64?, timeIn: Timestamp) {
        guard let symbols = p.symbols, !symbols.isEmpty else {
            fail("unsubscribe", reqID, KrakenFailure(KrakenError.invalidArgument("symbol")), timeIn)
            return
        }
        let depth = p.depth ?? 10
        for s in symbols {
            guard let pair = context.markets.pair(s) else {
                fail("unsubscribe", reqID, KrakenFailure(KrakenError.pairNotSupported(s), symbol: s), timeIn)
                continue
            }
            let m = markets[pair.symbol]
            var found = false
            var trigger: KrakenMarketState.TickerTrigger = .trades
            if let m {
                switch p.channel {
                case "book":
                    if let i = m.bookDepths.firstIndex(of: depth) { m.bookDepths.remove(at: i); found = true }
                case "trade":
                    found = m.trade
                    m.trade = false
                    m.pendingTrades.removeAll()
                default:
                    if let t = m.ticker { trigger = t; found = true }
                    m.ticker = nil
                }
            }
            guard found else {
                // Kraken's quirk: the error names method "subscribe".
                fail("subscribe", reqID, KrakenFailure(KrakenError.subscriptionNotFound, symbol: s), timeIn)
                continue
            }
            let channel = p.channel
            respond("unsubscribe", reqID, timeIn) { j in
                j.object { j in
                    j.field("channel", channel)
                    if channel == "book" { j.field("depth", depth) }
                    if channel == "ticker" { j.field("event_trigger", trigger.rawValue) }
                    j.field("symbol", s)
                }
            }
        }
        dropIdleMarkets()
    }

    /// The symbol's market state, subscribing to the exchange first when new. The trade
    /// counters are read before subscribing and the book is snapshotted atomically with the
    /// subscription, so later events neither miss nor repeat anything.
    private func market(_ pair: KrakenPair) -> KrakenMarketState? {
        if let m = markets[pair.symbol] { return m }
        guard !isDead else { return nil }
        let ex = context.exchange
        let recent = ex.recentTrades(pair.symbol, limit: 1_000)
        let volume = ex.ticker(pair.symbol)?.volume24h
        let handler: @Sendable (SimEvent) -> Void = { [weak connection] e in connection?.enqueue(e) }
        guard let (sub, book) = try? ex.subscribe(.market([pair.symbol]), snapshotOf: pair.symbol, depth: Int.max, handler: handler) else {
            return nil
        }
        let m = KrakenMarketState(
            pair: pair, subscription: sub,
            mirror: KrakenBookMirror(book, priceScale: pair.priceScale, quantityScale: pair.quantityScale),
            lastTradeID: recent.last?.tradeID ?? 0,
            stats: KrakenTickerStats(pair: pair, recent: recent, volume: volume))
        markets[pair.symbol] = m
        return m
    }

    private func dropIdleMarkets() {
        for (symbol, m) in markets where m.isIdle {
            context.exchange.unsubscribe(m.subscription)
            markets[symbol] = nil
        }
    }

    // MARK: Instrument

    private func subscribeInstrument(_ p: KrakenSubscribeParams, reqID: Int64?, timeIn: Timestamp) {
        guard !instrumentSubscribed else {
            fail("subscribe", reqID, KrakenFailure(KrakenError.alreadySubscribed), timeIn)
            return
        }
        instrumentSubscribed = true
        let snapshot = p.snapshot ?? true
        respond("subscribe", reqID, timeIn) { j in
            j.object { j in
                j.field("channel", "instrument")
                j.field("snapshot", snapshot)
            }
        }
        if snapshot { sendInstrumentSnapshot() }
    }

    /// Reference data (§5.4): assets and pairs with the precisions the checksum needs.
    private func sendInstrumentSnapshot() {
        let markets = context.markets
        send(.other) { j, _ in
            j.object { j in
                j.field("channel", "instrument")
                j.field("type", "snapshot")
                j.key("data")
                j.object { j in
                    j.key("assets")
                    j.beginArray()
                    for a in markets.assets {
                        j.object { j in
                            j.field("id", a.name)
                            j.field("status", "enabled")
                            j.field("precision", Int(a.scale))
                            j.field("precision_display", Int(min(a.scale, 5)))
                            j.field("borrowable", false)
                            j.field("collateral_value", number: FixedDecimal(mantissa: 10, scale: 1))
                        }
                    }
                    j.endArray()
                    j.key("pairs")
                    j.beginArray()
                    for p in markets.pairs {
                        j.object { j in
                            j.field("symbol", p.name)
                            j.field("base", p.symbol.base)
                            j.field("quote", p.symbol.quote)
                            j.field("status", "online")
                            j.field("qty_precision", Int(p.quantityScale))
                            j.field("qty_increment", number: p.spec.lotSize)
                            j.field("price_precision", Int(p.priceScale))
                            j.field("cost_precision", Int(p.quoteScale))
                            j.field("marginable", false)
                            j.field("has_index", false)
                            j.field("cost_min", number: p.spec.minNotional)
                            j.field("tick_size", number: p.spec.tickSize)
                            j.field("price_increment", number: p.spec.tickSize)
                            j.field("qty_min", number: p.spec.minQuantity)
                        }
                    }
                    j.endArray()
                }
            }
        }
    }
}
