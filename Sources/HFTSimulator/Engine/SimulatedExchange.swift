import HFTCore
import Synchronization

/// What placing (or amending) an order did: the order's state afterwards and the fills it got
/// in that same operation (for replies such as Binance `FULL`).
public struct PlaceResult: Sendable, Hashable {
    public var order: SimOrder
    public var fills: [FillEvent]

    public init(order: SimOrder, fills: [FillEvent]) {
        self.order = order
        self.fills = fills
    }
}

/// A token returned by `subscribe`.
public struct SubscriptionID: Sendable, Hashable {
    let raw: Int
}

/// One simulated venue instance: instruments, matching engines, accounts, synthetic flow, fault
/// plan and event fan-out. Thread-safe: every operation runs under one lock, in one global
/// order; events are delivered outside the lock in that order (see `subscribe`).
public final class SimulatedExchange: Sendable {
    public let venue: Venue
    public let assets: [AssetSpec]
    public let instruments: [InstrumentSpec]
    public let rules: MatchingRules
    public let clock: any SimClock
    /// Faults for this venue's front-end connections; change at runtime from tests.
    public let faults: FaultController

    struct State: Sendable {
        var core: ExchangeCore
        var flows: [MarketFlow] = []
        var hub = EventHub()
    }

    private let state: Mutex<State>

    public init(config: ExchangeConfig, clock: any SimClock = SystemSimClock()) throws(HFTError) {
        venue = config.venue
        assets = config.assets
        instruments = config.instruments
        rules = config.rules
        self.clock = clock
        faults = FaultController(plan: config.faults, clock: clock)
        var s = State(core: try ExchangeCore(config: config))
        for f in config.flows {
            s.flows.append(try MarketFlow(config: f, core: &s.core, now: clock.nowMicros()))
        }
        state = Mutex(s)
    }

    /// A venue's preset (see `ExchangeConfig.preset(for:)`).
    public convenience init(venue: Venue, clock: any SimClock = SystemSimClock()) throws(HFTError) {
        try self.init(config: .preset(for: venue), clock: clock)
    }

    // MARK: Running operations

    /// Runs one operation under the lock, publishes what it changed (even when it threw, e.g.
    /// a `.rejected` order event), then delivers queued events outside the lock.
    private func perform<R: Sendable, E: Error>(_ body: (inout State, inout OpContext) throws(E) -> R) throws(E) -> R {
        let (outcome, batch) = state.withLock { s -> (Result<R, E>, EventHub.Batch?) in
            var ctx = OpContext(now: clock.nowMicros(), interest: s.core.interest)
            let outcome: Result<R, E>
            do throws(E) { outcome = .success(try body(&s, &ctx)) } catch { outcome = .failure(error) }
            s.core.finishOperation(&ctx)
            return (outcome, ctx.events.isEmpty ? nil : s.hub.enqueue(ctx.events))
        }
        if let batch { deliver(batch) }
        return try outcome.get()
    }

    private func deliver(_ first: EventHub.Batch) {
        var batch: EventHub.Batch? = first
        while let b = batch {
            EventHub.deliver(b)
            batch = state.withLock { $0.hub.take() }
        }
    }

    func read<R: Sendable>(_ body: (borrowing State) -> R) -> R {
        state.withLock { body($0) }
    }

    // MARK: Accounts

    /// Adds an account reachable by its API key; its opening balances are deposits.
    @discardableResult
    public func addAccount(_ setup: AccountSetup) throws(HFTError) -> AccountID {
        try state.withLock { (s) throws(HFTError) -> AccountID in AccountID(try s.core.addAccount(setup, participant: false)) }
    }

    /// The account an API key belongs to (flow participants have none).
    public func account(forAPIKey key: String) -> AccountID? {
        read { $0.core.ledger.keyIndex[key].map(AccountID.init) }
    }

    public func credentials(of account: AccountID) -> SimCredentials? {
        read { s in s.core.ledger.accounts.indices.contains(account.rawValue) ? s.core.ledger.accounts[account.rawValue].credentials : nil }
    }

    /// Accounts reachable by API key, in creation order.
    public func userAccounts() -> [(id: AccountID, credentials: SimCredentials, label: String)] {
        read { s in
            s.core.ledger.accounts.enumerated().filter { !$0.element.isParticipant }
                .map { (AccountID($0.offset), $0.element.credentials, $0.element.label) }
        }
    }

    /// Adds funds from outside (negative: withdraws); the only way per-asset totals change.
    public func deposit(_ account: AccountID, asset: String, amount: FixedDecimal) throws(HFTError) {
        try perform { (s, _) throws(HFTError) in try s.core.deposit(account.rawValue, asset: asset, amount: amount) }
    }

    public func setFees(_ account: AccountID, _ fees: FeeSchedule) throws(HFTError) {
        guard fees.isValid else { throw .invalidArgument("fee rates must lie in 0…1") }
        try state.withLock { (s) throws(HFTError) in
            guard s.core.ledger.accounts.indices.contains(account.rawValue) else { throw .invalidArgument("unknown account") }
            guard s.core.ledger.accounts[account.rawValue].openOrders.isEmpty else {
                throw .invalidArgument("fees cannot change while orders are open")
            }
            s.core.ledger.accounts[account.rawValue].fees = fees
        }
    }

    public func fees(of account: AccountID) -> FeeSchedule? {
        read { s in s.core.ledger.accounts.indices.contains(account.rawValue) ? s.core.ledger.accounts[account.rawValue].fees : nil }
    }

    /// Inverse perpetuals: leverage for new positions (refused while orders or a position are open).
    public func setLeverage(_ account: AccountID, symbol: Symbol, leverage: FixedDecimal) throws(RejectReason) {
        try perform { (s, _) throws(RejectReason) in try s.core.setLeverage(account.rawValue, symbol: symbol, leverage: leverage) }
    }

    // MARK: Trading

    public func placeOrder(_ account: AccountID, _ request: OrderRequest) throws(RejectReason) -> PlaceResult {
        try perform { (s, ctx) throws(RejectReason) -> PlaceResult in
            let o = try s.core.place(account.rawValue, request, &ctx)
            let ei = s.core.symbolIndex[request.symbol]!
            return PlaceResult(order: s.core.engines[ei].view(o, s.core.ledger), fills: ctx.collectedFills)
        }
    }

    /// Cancels one open order; `symbol`, when given, must match (venues that require it).
    public func cancelOrder(_ account: AccountID, _ order: OrderRef, symbol: Symbol? = nil) throws(RejectReason) -> SimOrder {
        try perform { (s, ctx) throws(RejectReason) -> SimOrder in
            let (ei, _) = try s.core.locateOpen(account.rawValue, order, symbol: symbol)
            let o = try s.core.cancel(account.rawValue, order, symbol: symbol, &ctx)
            return s.core.engines[ei].view(o, s.core.ledger)
        }
    }

    public func amendOrder(_ account: AccountID, _ request: AmendRequest, symbol: Symbol? = nil) throws(RejectReason) -> PlaceResult {
        try perform { (s, ctx) throws(RejectReason) -> PlaceResult in
            let (ei, _) = try s.core.locateOpen(account.rawValue, request.order, symbol: symbol)
            let o = try s.core.amend(account.rawValue, request, symbol: symbol, &ctx)
            return PlaceResult(order: s.core.engines[ei].view(o, s.core.ledger), fills: ctx.collectedFills)
        }
    }

    /// Cancels every open order of the account (of one symbol when given), oldest first.
    public func cancelAllOrders(_ account: AccountID, symbol: Symbol? = nil) throws(RejectReason) -> [SimOrder] {
        try perform { (s, ctx) throws(RejectReason) -> [SimOrder] in
            let ids = s.core.ledger.accounts.indices.contains(account.rawValue) ? s.core.ledger.accounts[account.rawValue].openOrders : [:]
            return try s.core.cancelAll(account.rawValue, symbol: symbol, &ctx).map { o in
                s.core.engines[ids[o.id]!].view(o, s.core.ledger)
            }
        }
    }

    // MARK: Queries

    public func instrument(_ symbol: Symbol) -> InstrumentSpec? {
        instruments.first { $0.symbol == symbol }
    }

    /// The best `depth` levels per side; `sequence` is the last level-change number included
    /// (the next `SimBookUpdate` starts at `sequence + 1`).
    public func bookSnapshot(_ symbol: Symbol, depth: Int = 1_000) throws(RejectReason) -> OrderBook {
        try state.withLock { (s) throws(RejectReason) -> OrderBook in
            let e = s.core.engines[try s.core.engineIndex(symbol)]
            return Self.snapshot(e, depth: depth, venue: venue, now: clock.nowMicros())
        }
    }

    static func snapshot(_ e: MatchingEngine, depth: Int, venue: Venue, now: Timestamp) -> OrderBook {
        var book = OrderBook(venue: venue, symbol: e.inst.spec.symbol)
        book.replace(bids: e.levels(.buy, depth: depth), asks: e.levels(.sell, depth: depth))
        book.sequence = e.sequence
        book.timestamp = now
        return book
    }

    public func openOrders(_ account: AccountID, symbol: Symbol? = nil) -> [SimOrder] {
        read { s in
            guard s.core.ledger.accounts.indices.contains(account.rawValue) else { return [] }
            let only = symbol.flatMap { s.core.symbolIndex[$0] }
            if symbol != nil && only == nil { return [] }
            return s.core.ledger.accounts[account.rawValue].openOrders
                .filter { only == nil || $0.value == only }
                .sorted { $0.key < $1.key }
                .compactMap { id, ei in s.core.engines[ei].order(id).map { s.core.engines[ei].view($0, s.core.ledger) } }
        }
    }

    /// An order by id or client id: open ones first, then the account's recent history.
    public func order(_ account: AccountID, _ ref: OrderRef) -> SimOrder? {
        read { s in
            guard s.core.ledger.accounts.indices.contains(account.rawValue) else { return nil }
            if let (ei, id) = try? s.core.locateOpen(account.rawValue, ref, symbol: nil), let o = s.core.engines[ei].order(id) {
                return s.core.engines[ei].view(o, s.core.ledger)
            }
            return s.core.ledger.accounts[account.rawValue].history.find(ref)
        }
    }

    public func balances(_ account: AccountID) -> [Balance] {
        read { s in
            guard s.core.ledger.accounts.indices.contains(account.rawValue) else { return [] }
            let now = clock.nowMicros()
            return s.core.ledger.assets.indices.map { s.core.ledger.balance(account.rawValue, asset: $0, venue: venue, now: now) }
        }
    }

    public func balance(_ account: AccountID, asset: String) -> Balance? {
        balances(account).first { $0.asset == asset.uppercased() }
    }

    /// Inverse-perpetual positions (flat ones included once they existed).
    public func positions(_ account: AccountID) -> [Position] {
        read { s in
            guard s.core.ledger.accounts.indices.contains(account.rawValue) else { return [] }
            let now = clock.nowMicros()
            return s.core.ledger.accounts[account.rawValue].positions.sorted { $0.key < $1.key }
                .map { s.core.engines[$0.key].inst.position($0.value, now: now) }
        }
    }

    /// The last `limit` public trades, oldest first.
    public func recentTrades(_ symbol: Symbol, limit: Int = 50) -> [TradeEvent] {
        read { s in s.core.symbolIndex[symbol].map { s.core.engines[$0].recentTrades.last(limit) } ?? [] }
    }

    /// Best bid/ask, last price and volume since start.
    public func ticker(_ symbol: Symbol) -> Ticker? {
        read { s in
            guard let i = s.core.symbolIndex[symbol] else { return nil }
            let e = s.core.engines[i]
            return Ticker(venue: venue, symbol: symbol, bid: e.bids.best.map { e.inst.price($0.price) },
                          bidQuantity: e.bids.best.map { e.inst.quantity($0.total) },
                          ask: e.asks.best.map { e.inst.price($0.price) }, askQuantity: e.asks.best.map { e.inst.quantity($0.total) },
                          last: e.lastPrice.map { e.inst.price($0) },
                          volume24h: FixedDecimal(mantissa: e.volume, scale: e.inst.spec.quantityScale), timestamp: clock.nowMicros())
        }
    }

    /// Per asset: all accounts (available + frozen) + fee pool + settlement pool. Constant
    /// except for deposits — the conservation invariant.
    public func totals() -> [String: FixedDecimal] { read { $0.core.ledger.totals() } }

    /// Fees collected so far, per asset.
    public func collectedFees() -> [String: FixedDecimal] {
        read { s in
            Dictionary(uniqueKeysWithValues: s.core.ledger.assets.indices.map {
                (s.core.ledger.assets[$0].name, s.core.ledger.amount(s.core.ledger.feePool[$0], asset: $0))
            })
        }
    }

    /// The perpetuals' PnL counterparty (insurance fund) per asset; zero when every position is flat.
    public func settlementPool() -> [String: FixedDecimal] {
        read { s in
            Dictionary(uniqueKeysWithValues: s.core.ledger.assets.indices.map {
                (s.core.ledger.assets[$0].name, s.core.ledger.amount(s.core.ledger.settlementPool[$0], asset: $0))
            })
        }
    }

    // MARK: Events

    /// Calls `handler` for every matching event, in the exchange's global order, starting with
    /// the first event after this call. Handlers run on the thread of whichever operation
    /// delivers; keep them short (hop to your event loop). They may call the exchange.
    @discardableResult
    public func subscribe(_ filter: EventFilter, handler: @escaping @Sendable (SimEvent) -> Void) -> SubscriptionID {
        state.withLock { s in Self.addSubscriber(&s, filter, handler) }
    }

    /// Subscribes and takes a book snapshot atomically: the first book update delivered starts
    /// right after the snapshot's `sequence`.
    public func subscribe(_ filter: EventFilter, snapshotOf symbol: Symbol, depth: Int,
                          handler: @escaping @Sendable (SimEvent) -> Void) throws(RejectReason) -> (SubscriptionID, OrderBook) {
        try state.withLock { (s) throws(RejectReason) -> (SubscriptionID, OrderBook) in
            let e = s.core.engines[try s.core.engineIndex(symbol)]
            let book = Self.snapshot(e, depth: depth, venue: venue, now: clock.nowMicros())
            return (Self.addSubscriber(&s, filter, handler), book)
        }
    }

    private static func addSubscriber(_ s: inout State, _ filter: EventFilter,
                                      _ handler: @escaping @Sendable (SimEvent) -> Void) -> SubscriptionID {
        let id = s.hub.nextID
        s.hub.nextID += 1
        s.hub.subscribers.append(Subscriber(id: id, filter: filter, from: s.hub.nextIndex, handler: handler))
        s.core.interest.add(filter, 1)
        return SubscriptionID(raw: id)
    }

    public func unsubscribe(_ id: SubscriptionID) {
        state.withLock { s in
            guard let i = s.hub.subscribers.firstIndex(where: { $0.id == id.raw }) else { return }
            s.core.interest.add(s.hub.subscribers[i].filter, -1)
            s.hub.subscribers.remove(at: i)
        }
    }

    /// The matching events as an async sequence (unbounded buffer: private events are never
    /// dropped); ends its subscription when the consumer stops.
    public func events(_ filter: EventFilter) -> AsyncStream<SimEvent> {
        let (stream, continuation) = AsyncStream<SimEvent>.makeStream()
        let id = subscribe(filter) { continuation.yield($0) }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return stream
    }

    // MARK: Flow

    /// Runs `actions` synthetic-flow actions on every configured flow (or only `symbol`'s).
    /// Each action is its own operation (own timestamp, own book update); the lock is taken per
    /// chunk of 64 actions. Returns the number of book level changes made.
    @discardableResult
    public func stepFlow(actions: Int, symbol: Symbol? = nil) -> Int {
        var left = actions
        var changes = 0
        while left > 0 {
            let n = min(left, 64)
            left -= n
            let (made, batch) = state.withLock { s -> (Int, EventHub.Batch?) in
                let before = s.core.engines.reduce(0) { $0 + $1.sequence }
                var events: [SimEvent] = []
                for _ in 0..<n {
                    var ctx = OpContext(now: clock.nowMicros(), interest: s.core.interest, collectsReplies: false)
                    for i in s.flows.indices where symbol == nil || s.flows[i].symbol == symbol {
                        s.flows[i].step(&s.core, &ctx)
                    }
                    s.core.finishOperation(&ctx)
                    events.append(contentsOf: ctx.events)
                }
                let made = Int(s.core.engines.reduce(0) { $0 + $1.sequence } - before)
                return (made, events.isEmpty ? nil : s.hub.enqueue(events))
            }
            changes += made
            if let batch { deliver(batch) }
        }
        return changes
    }

    /// The flow participants' accounts per symbol (for tests and tools).
    public func flowSymbols() -> [Symbol] { read { $0.flows.map(\.symbol) } }
}
