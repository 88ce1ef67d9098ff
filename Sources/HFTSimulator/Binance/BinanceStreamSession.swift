import HFTCore
import NIOCore

/// One market-stream connection (`/ws/<streams>` raw or `/stream?streams=…` combined, §1, §9),
/// confined to its event loop: control messages, the 5 msg/s inbound limit and 1024-stream
/// cap (§3), and the trade, bookTicker, diff- and partial-depth payloads.
final class BinanceStreamSession: BinanceSocket {
    /// Events wrapped as `{"stream":…,"data":…}` (`/stream`, or `SET_PROPERTY combined true`).
    var combined: Bool
    /// Subscribed stream names in subscription order (`LIST_SUBSCRIPTIONS`).
    var streams: [String] = []
    var feeds: [Symbol: BinanceSymbolFeed] = [:]
    private var initial: [String]
    private var inboundSecond: Int64 = -1
    private var inboundCount = 0
    private var depthTimer: RepeatedTask?
    private var ticks = 0

    init(context: BinanceContext, server: ServerSession) {
        let path = server.request.path
        if path.hasPrefix("/stream") {
            combined = true
            let list = server.request.queryItems.first { $0.0 == "streams" }?.1 ?? ""
            initial = list.split(separator: "/").map(String.init)
        } else {
            combined = false
            initial = path.dropFirst("/ws".count).split(separator: "/").map(String.init)
        }
        super.init(context: context, server: server, endpoint: "streams")
    }

    override func start() {
        super.start()
        let names = initial
        initial = []
        if case .failure = subscribe(names) { closeNow(code: 1008, reason: "Invalid stream name") }
        flush()
    }

    override func released() {
        depthTimer?.cancel()
        depthTimer = nil
        for f in feeds.values { context.exchange.unsubscribe(f.subscription) }
        feeds.removeAll()
    }

    override func sendServerShutdown() {
        let now = nowTime()
        send(.other) { j in
            let body: (inout BinanceJSON) -> Void = { j in
                j.object { j in
                    j.field("e", "serverShutdown")
                    j.field("E", now)
                }
            }
            if combined {
                j.object { j in
                    j.field("stream", "!serverShutdown")
                    j.key("data")
                    body(&j)
                }
            } else {
                body(&j)
            }
        }
    }

    // MARK: Inbound

    /// Pings, pongs and control messages all count toward the per-second limit (§3).
    override func inboundAllowed(_ m: ServerInbound) -> Bool {
        let second = context.now() / 1_000_000
        if second != inboundSecond {
            inboundSecond = second
            inboundCount = 0
        }
        inboundCount += 1
        guard inboundCount > context.options.maxIncomingMessagesPerSecond else { return true }
        closeNow(code: 1008, reason: "Too many requests")
        return false
    }

    override func handle(text: String) {
        let decoded = BinanceControl.decode(text)
        switch decoded {
        case .failure(let e): replyError(e.id, e.code, e.msg)
        case .success(let c): control(c)
        }
    }

    private func control(_ c: BinanceControl) {
        switch c.method {
        case .subscribe:
            switch subscribe(c.params.compactMap(\.string)) {
            case .success: replyResult(c.id) { $0.null() }
            case .failure(let e): replyError(c.id, e.code, e.msg)
            }
        case .unsubscribe:
            unsubscribe(c.params.compactMap(\.string))
            replyResult(c.id) { $0.null() }
        case .list:
            let names = streams
            replyResult(c.id) { j in
                j.beginArray()
                for n in names { j.string(n) }
                j.endArray()
            }
        case .setProperty:
            guard c.params.first?.string == "combined" else {
                replyError(c.id, 0, "Unknown property")
                return
            }
            guard c.params.count == 2, let value = c.params[1].bool else {
                replyError(c.id, 1, "Invalid value type: expected Boolean")
                return
            }
            combined = value
            replyResult(c.id) { $0.null() }
        case .getProperty:
            guard c.params.first?.string == "combined" else {
                replyError(c.id, 0, "Unknown property")
                return
            }
            let value = combined
            replyResult(c.id) { $0.bool(value) }
        }
    }

    private func replyResult(_ id: [UInt8], _ result: (inout BinanceJSON) -> Void) {
        sendResponse { j in
            j.object { j in
                j.key("result")
                result(&j)
                j.field("id", rawJSON: id)
            }
        }
    }

    private func replyError(_ id: [UInt8], _ code: Int, _ msg: String) {
        sendResponse { j in
            j.object { j in
                j.key("error")
                j.object { j in
                    j.field("code", code)
                    j.field("msg", msg)
                }
                j.field("id", rawJSON: id)
            }
        }
    }

    // MARK: Subscriptions

    /// Adds the streams (all or none); already-subscribed names are kept once.
    private func subscribe(_ names: [String]) -> Result<Void, BinanceControl.Failure> {
        var parsed: [(String, BinanceMarket, BinanceStreamKind)] = []
        for n in names {
            guard let (m, k) = BinanceStreamKind.parse(n, context.markets) else {
                return .failure(.init(id: [], code: 2, msg: "Invalid request: unknown stream `\(n)`"))
            }
            if !streams.contains(n) && !parsed.contains(where: { $0.0 == n }) { parsed.append((n, m, k)) }
        }
        guard streams.count + parsed.count <= context.options.maxStreamsPerConnection else {
            return .failure(.init(id: [], code: 2, msg: "Invalid request: too many streams (max \(context.options.maxStreamsPerConnection))"))
        }
        for (n, m, k) in parsed {
            guard let f = feed(m) else { continue }
            f.kinds[k] = n
            streams.append(n)
            if k.isDepth { ensureDepthTimer() }
        }
        return .success(())
    }

    private func unsubscribe(_ names: [String]) {
        for n in names {
            guard let i = streams.firstIndex(of: n) else { continue }
            streams.remove(at: i)
            guard let (m, k) = BinanceStreamKind.parse(n, context.markets), let f = feeds[m.symbol] else { continue }
            if f.kinds[k] == n { f.kinds[k] = nil }
            if f.kinds.isEmpty {
                context.exchange.unsubscribe(f.subscription)
                feeds[m.symbol] = nil
            }
        }
    }

    /// The symbol's feed, subscribing to the exchange with an atomic book snapshot when new,
    /// so the first diff's `U` is the snapshot's sequence + 1.
    private func feed(_ m: BinanceMarket) -> BinanceSymbolFeed? {
        if let f = feeds[m.symbol] { return f }
        guard !isDead else { return nil }
        let handler: @Sendable (SimEvent) -> Void = { [weak connection] e in connection?.enqueue(e) }
        guard let (sub, book) = try? context.exchange.subscribe(.market([m.symbol]), snapshotOf: m.symbol, depth: Int.max,
                                                                 handler: handler) else { return nil }
        let f = BinanceSymbolFeed(market: m, subscription: sub, book: book)
        feeds[m.symbol] = f
        return f
    }

    private func ensureDepthTimer() {
        guard depthTimer == nil, !isDead else { return }
        depthTimer = server.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) {
            [weak connection] _ in
            connection?.withSession { ($0 as? BinanceStreamSession)?.depthTick() }
        }
    }

    // MARK: Events

    override func process(_ events: [SimEvent]) {
        guard !isDead else { return }
        for e in events {
            switch e {
            case .book(let u): onBook(u)
            case .trade(let t): onTrade(t)
            default: break
            }
            if isDead { return }
        }
        flush()
    }

    private func onBook(_ u: SimBookUpdate) {
        guard let f = feeds[u.symbol] else { return }
        let m = f.market
        let oldBid = f.mirror.best(.buy), oldAsk = f.mirror.best(.sell)
        guard f.mirror.apply(u) else { return }
        if f.kinds[.diffDepth(fast: true)] != nil { f.fast.add(u, m) }
        if f.kinds[.diffDepth(fast: false)] != nil { f.slow.add(u, m) }
        if let name = f.kinds[.bookTicker], f.mirror.best(.buy) != oldBid || f.mirror.best(.sell) != oldAsk {
            let bid = f.mirror.best(.buy), ask = f.mirror.best(.sell)
            let id = u.lastSequence
            emit(.ticker, stream: name) { j in
                j.object { j in
                    j.field("u", id)
                    j.field("s", m.apiName)
                    j.key("b")
                    j.raw(BinanceNumber.quoted(mantissa: bid?.key ?? 0, scale: m.priceScale))
                    j.key("B")
                    j.raw(BinanceNumber.quoted(mantissa: bid?.qty ?? 0, scale: m.quantityScale))
                    j.key("a")
                    j.raw(BinanceNumber.quoted(mantissa: ask.map { -$0.key } ?? 0, scale: m.priceScale))
                    j.key("A")
                    j.raw(BinanceNumber.quoted(mantissa: ask?.qty ?? 0, scale: m.quantityScale))
                }
            }
        }
    }

    private func onTrade(_ t: TradeEvent) {
        guard let f = feeds[t.trade.symbol] else { return }
        let m = f.market
        let now = nowTime()
        let at = time(t.trade.timestamp)
        let buyerMaker = t.trade.side == .sell
        if let name = f.kinds[.trade] {
            emit(.trade, stream: name) { j in
                j.object { j in
                    j.field("e", "trade")
                    j.field("E", now)
                    j.field("s", m.apiName)
                    j.field("t", t.tradeID)
                    j.field("p", decimal: t.trade.price)
                    j.field("q", decimal: t.trade.quantity)
                    j.field("T", at)
                    j.field("m", buyerMaker)
                    j.field("M", true)
                }
            }
        }
        if let name = f.kinds[.aggTrade] {
            emit(.trade, stream: name) { j in
                j.object { j in
                    j.field("e", "aggTrade")
                    j.field("E", now)
                    j.field("s", m.apiName)
                    j.field("a", t.tradeID)
                    j.field("p", decimal: t.trade.price)
                    j.field("q", decimal: t.trade.quantity)
                    j.field("f", t.tradeID)
                    j.field("l", t.tradeID)
                    j.field("T", at)
                    j.field("m", buyerMaker)
                    j.field("M", true)
                }
            }
        }
    }

    /// Every 100 ms: fast diffs and partials; every 1000 ms the slow ones.
    private func depthTick() {
        guard !isDead else { return }
        ticks += 1
        let slowDue = ticks % 10 == 0
        for f in feeds.values {
            if let name = f.kinds[.diffDepth(fast: true)] { emitDiff(f, fast: true, name) }
            if slowDue, let name = f.kinds[.diffDepth(fast: false)] { emitDiff(f, fast: false, name) }
            for (kind, name) in f.kinds {
                guard case .partialDepth(let levels, let fast) = kind, fast || slowDue else { continue }
                emitPartial(f, levels, name)
            }
            if isDead { return }
        }
        flush()
    }

    /// `depthUpdate` with `U`/`u` and the levels changed since the last one (spot: no `pu`).
    /// A skipped sequence (fault) drops the event, so the next `U` shows the gap.
    private func emitDiff(_ f: BinanceSymbolFeed, fast: Bool, _ name: String) {
        let acc = fast ? f.fast : f.slow
        guard let first = acc.first else { return }
        if fast { f.fast.reset() } else { f.slow.reset() }
        let m = f.market
        let last = acc.last
        let bids = acc.bids.sorted { $0.key > $1.key }
        let asks = acc.asks.sorted { $0.key < $1.key }
        let now = nowTime()
        emit(.bookUpdate, stream: name) { j in
            j.object { j in
                j.field("e", "depthUpdate")
                j.field("E", now)
                j.field("s", m.apiName)
                j.field("U", first)
                j.field("u", last)
                j.key("b")
                j.beginArray()
                for (p, q) in bids { j.level(price: p, priceScale: m.priceScale, qty: q, quantityScale: m.quantityScale) }
                j.endArray()
                j.key("a")
                j.beginArray()
                for (p, q) in asks { j.level(price: p, priceScale: m.priceScale, qty: q, quantityScale: m.quantityScale) }
                j.endArray()
            }
        }
    }

    /// `{"lastUpdateId":…,"bids":[…],"asks":[…]}` of the top `levels`.
    private func emitPartial(_ f: BinanceSymbolFeed, _ levels: Int, _ name: String) {
        let m = f.market
        let bids = f.mirror.levels(.buy).suffix(levels).reversed()
        let asks = f.mirror.levels(.sell).suffix(levels).reversed()
        let id = f.mirror.sequence
        emit(.bookSnapshot, stream: name) { j in
            j.object { j in
                j.field("lastUpdateId", id)
                j.key("bids")
                j.beginArray()
                for l in bids { j.level(price: l.key, priceScale: m.priceScale, qty: l.qty, quantityScale: m.quantityScale) }
                j.endArray()
                j.key("asks")
                j.beginArray()
                for l in asks { j.level(price: -l.key, priceScale: m.priceScale, qty: l.qty, quantityScale: m.quantityScale) }
                j.endArray()
            }
        }
    }

    /// One event, bare or wrapped as `{"stream":…,"data":…}`; `body` writes the event value.
    private func emit(_ kind: OutboundKind, stream: String, _ body: (inout BinanceJSON) -> Void) {
        let wrap = combined
        send(kind) { j in
            if wrap {
                j.object { j in
                    j.field("stream", stream)
                    j.key("data")
                    body(&j)
                }
            } else {
                body(&j)
            }
        }
    }
}
