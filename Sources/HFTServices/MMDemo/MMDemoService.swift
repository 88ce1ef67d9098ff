import HFTCore
import HFTVenues
import Logging
import Synchronization

/// A small but real market maker: quotes both sides around the mid with a spread and size,
/// skews by inventory, amends (or cancels and replaces) quotes as the book moves, uses order
/// entry with callbacks, tracks fills, position and PnL, and cancels everything on stop.
public final class MMDemoService: Service {
    public static let className = "MMDemoService"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("symbol", .symbol, required: true, help: "instrument to quote"),
        ParameterSpec("venue", .venue, help: "venue to quote on (default: the first ws_apis entry)"),
        ParameterSpec("size", .decimal, required: true, help: "quantity per quote"),
        ParameterSpec("spread_bps", .decimal, default: .number("10"), help: "full quoted spread in basis points"),
        ParameterSpec("skew_bps", .decimal, default: .number("5"), help: "mid shift at full inventory, in basis points"),
        ParameterSpec("max_position", .decimal, required: true, help: "inventory at which that side stops quoting"),
        ParameterSpec("requote_bps", .decimal, default: .number("2"), help: "move a quote when its target moved this far"),
        ParameterSpec("tick", .decimal, help: "price increment (default: the book's price precision)"),
        ParameterSpec("depth", .integer, default: .number("10"), help: "book depth to watch"),
    ]

    public let venue: Venue
    public let symbol: Symbol
    let api: any ExchangeWsAPI
    let size: FixedDecimal
    let spreadBps: FixedDecimal
    let skewBps: FixedDecimal
    let maxPosition: FixedDecimal
    let requoteBps: FixedDecimal
    let configuredTick: FixedDecimal?
    let depth: Int
    let logger: Logger
    let state = Mutex(MMState())
    private let statusTask = Mutex<Task<Void, Never>?>(nil)

    public required init(context: ServiceContext) throws {
        let p = context.parameters
        guard let symbol = p.symbol("symbol"), let size = p.decimal("size"), let maxPosition = p.decimal("max_position") else {
            throw HFTError.configuration("MMDemoService needs symbol, size and max_position")
        }
        let venue = p.string("venue").flatMap(Venue.init(name:)) ?? context.wsAPIs.keys.sorted { $0.rawValue < $1.rawValue }.first
        guard let venue else { throw HFTError.configuration("MMDemoService \(context.name) needs a ws_apis entry") }
        self.venue = venue
        self.symbol = symbol
        self.api = try context.wsAPI(venue)
        self.size = size
        self.maxPosition = maxPosition
        self.spreadBps = p.decimal("spread_bps") ?? FixedDecimal(10)
        self.skewBps = p.decimal("skew_bps") ?? FixedDecimal(5)
        self.requoteBps = p.decimal("requote_bps") ?? FixedDecimal(2)
        self.configuredTick = p.decimal("tick")
        self.depth = p.integer("depth") ?? 10
        self.logger = context.logger
    }

    public var watches: [ServiceWatch] { [.book(venue, symbol, depth: depth), .orders(venue)] }

    public func start() async throws {
        let status = api.status
        statusTask.withLock {
            $0 = Task { [weak self] in
                for await s in status {
                    guard let self else { return }
                    let level: Logger.Level = [.reconnecting, .disconnected, .bookInvalid, .rateLimited, .malformed].contains(s.event) ? .notice : .debug
                    self.logger.log(level: level, "\(s.venue) \(s.event.rawValue)\(s.symbol.map { " \($0)" } ?? ""): \(s.detail)")
                    self.state.withLock { st in
                        switch s.event {
                        case .bookResynced: st.resyncs += 1
                        case .reconnecting: st.reconnects += 1
                        default: break
                        }
                        st.connection = s.event.rawValue
                    }
                }
            }
        }
    }

    /// No request leaves after this starts; those already sent get their results (up to 5 s)
    /// before the cancel-all, so a quote placed in the meantime cannot outlive it.
    public func stop() async {
        statusTask.withLock { $0?.cancel() }
        state.withLock { $0.stopping = true }
        let deadline = ContinuousClock.now + .seconds(5)
        while state.withLock({ $0.sending > 0 }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let r = await api.cancelAllOrders(symbol: symbol)
        if !r.ok { logger.warning("cancel-all on stop: \(r.error.map { "\($0)" } ?? "failed")") }
        state.withLock { $0.quotes.removeAll() }
    }

    // MARK: Hooks

    public func onBook(_ update: BookUpdate) async {
        let book = update.book
        guard let bid = book.bestBid?.price, let ask = book.bestAsk?.price, bid < ask, let mid = book.mid else { return }
        let tick = configuredTick ?? FixedDecimal(mantissa: 1, scale: bid.scale)
        let actions = state.withLock { st -> [QuoteAction] in
            st.bestBid = book.bestBid
            st.bestAsk = book.bestAsk
            st.mid = mid
            st.bookUpdates += 1
            guard !st.stopping else { return [] }
            let inventory = maxPosition.isZero ? FixedDecimal.zero : st.position.divided(by: maxPosition, scale: 6)!
            let skew = (skewBps * inventory).rescaled(to: 6)
            let half = spreadBps.divided(by: FixedDecimal(2), scale: 6)!
            var bidTarget = QuoteMath.toTick(QuoteMath.shift(mid, bps: -(half + skew)), tick: tick, up: false)
            var askTarget = QuoteMath.toTick(QuoteMath.shift(mid, bps: half - skew), tick: tick, up: true)
            if bidTarget >= ask { bidTarget = ask - tick }
            if askTarget <= bid { askTarget = bid + tick }
            let threshold = QuoteMath.shift(mid, bps: requoteBps) - mid
            return st.plan(.buy, target: bidTarget, allowed: st.position < maxPosition, size: size, threshold: threshold)
                 + st.plan(.sell, target: askTarget, allowed: st.position > -maxPosition, size: size, threshold: threshold)
        }
        for a in actions { send(a) }
    }

    public func onOrder(_ event: OrderEvent) async {
        state.withLock { st in
            switch event {
            case .order(let o): st.apply(o)
            case .fill(let f): st.apply(f, perpetual: symbol.isPerpetual)
            }
        }
    }

    // MARK: Sending

    func send(_ action: QuoteAction) {
        let allowed = state.withLock { st -> Bool in
            guard !st.stopping else { return false }
            st.sending += 1
            return true
        }
        guard allowed else { return }
        switch action {
        case .place(let side, let price, let clientID):
            let postOnly = state.withLock { $0.postOnly }
            let order = PlaceOrder(symbol: symbol, side: side, type: .limit, quantity: size, price: price, postOnly: postOnly, clientOrderID: clientID)
            api.placeOrder(order) { [weak self] r in self?.completed(side: side, clientID: clientID, result: r) }
        case .amend(let side, let orderID, let price):
            api.amendOrder(AmendOrder(orderID: orderID, symbol: symbol, price: price)) { [weak self] r in
                self?.amended(side: side, orderID: orderID, price: price, result: r)
            }
        case .cancel(let side, let orderID):
            api.cancelOrder(CancelOrder(orderID: orderID, symbol: symbol)) { [weak self] r in
                self?.state.withLock { st in
                    st.sending -= 1
                    st.record(r)
                    if r.ok || st.quotes[side]?.orderID == orderID { st.quotes[side]?.inFlight = false }
                    if r.ok { st.quotes[side] = nil }
                }
            }
        }
    }

    func completed(side: Side, clientID: String, result r: OrderResult) {
        let droppedPostOnly = state.withLock { st -> Bool in
            st.sending -= 1
            st.record(r)
            // A venue without post-only: quote plain limits (the targets never cross the touch).
            if case .unsupported? = r.error, st.postOnly { st.postOnly = false; st.quotes[side] = nil; return true }
            guard var q = st.quotes[side], q.clientID == clientID else { return false }
            if r.ok, let id = r.orderID {
                q.orderID = id
                q.inFlight = false
                st.quotes[side] = q
            } else {
                st.quotes[side] = nil
            }
            return false
        }
        if droppedPostOnly { logger.notice("\(venue) has no post-only orders; quoting plain limit orders") }
        if !r.ok { logger.debug("place \(side) rejected: \(r.error.map { "\($0)" } ?? "")") }
    }

    func amended(side: Side, orderID: String, price: FixedDecimal, result r: OrderResult) {
        let fallback = state.withLock { st -> Bool in
            st.sending -= 1
            st.record(r)
            guard var q = st.quotes[side], q.orderID == orderID else { return false }
            q.inFlight = false
            if r.ok {
                q.price = price
                if let newID = r.orderID { q.orderID = newID }
                st.quotes[side] = q
                return false
            }
            st.quotes[side] = q
            // A venue without amend: cancel, and the next book update places afresh.
            if case .unsupported? = r.error { q.inFlight = true; st.quotes[side] = q; return true }
            return false
        }
        if fallback { send(.cancel(side, orderID)) }
    }

    // MARK: Reading

    /// The dashboard's view of this service.
    public func dashboardRow() -> DashboardRow {
        let now = MonotonicClock.microseconds()
        return state.withLock { st in
            let elapsed = Double(now &- st.rateMark.time) / 1e6
            let rate = st.rateMark.time == 0 || elapsed <= 0 ? 0 : Double(st.bookUpdates - st.rateMark.count) / elapsed
            st.rateMark = (now, st.bookUpdates)
            return DashboardRow(venue: venue, symbol: symbol, bestBid: st.bestBid, bestAsk: st.bestAsk,
                         ourBid: st.quotes[.buy].map { BookLevel(price: $0.price, quantity: size) },
                         ourAsk: st.quotes[.sell].map { BookLevel(price: $0.price, quantity: size) },
                         recentFills: st.fills.suffix(5), position: st.position, pnl: st.pnl(perpetual: symbol.isPerpetual),
                         messagesPerSecond: rate, bookUpdatesPerSecond: rate, latency: api.latency.overall, orders: st.requests, fills: st.fillCount,
                         resyncs: st.resyncs, reconnects: st.reconnects, state: st.connection)
        }
    }

    public var bookUpdates: Int { state.withLock { $0.bookUpdates } }
    public var openQuoteCount: Int { state.withLock { $0.quotes.count } }
}
