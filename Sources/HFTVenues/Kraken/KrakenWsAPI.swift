/// Kraken Spot WebSocket v2 behind the unified `ExchangeWsAPI`, plus Kraken's extras
/// (`addOrder` with every Kraken parameter, `batchAdd`, `batchCancel`, `cancelAllOrdersAfter`
/// and an auto re-armed dead-man switch).
///
/// Two connections, each created on first use: the public `ws` (books, trades, tickers) and the
/// private `ws-auth` (orders, balances, order entry; it needs credentials and the REST API for
/// its tokens). `start()` connects and authenticates the private one when credentials were given.
///
/// Order entry returns the request id at once and calls back exactly once with an
/// `OrderResult` (on the private connection's event loop: do not block in the callback).
/// Requests leave in call order through a process-wide limiter per account.
import HFTCore
import HFTTransport
import Synchronization

public final class KrakenWsAPI: ExchangeWsAPI {
    public let venue = Venue.kraken
    public let endpoints: KrakenEndpoints
    public let options: KrakenClientOptions
    /// Round-trip latency per Kraken method (`add_order`, `cancel_order`, …), in µs.
    public let latency = LatencyBook()
    /// The named account ("default" when none): scopes the order rate limiter.
    public let account: String

    public var status: EventStream<VenueStatus> { reporter.status }
    public var errors: EventStream<VenueErrorReply> { reporter.errors }

    let rest: KrakenRestAPI
    private let ownsRest: Bool
    let reporter = KrakenReporter()
    let instruments = KrakenInstrumentCache()
    private let market = Mutex<KrakenMarketDataSession?>(nil)
    private let trading = Mutex<KrakenTradingSession?>(nil)
    private let deadMan = Mutex<(task: Task<Void, Never>?, timeout: Int)>((nil, 0))
    private let stopped = Atomic<Bool>(false)

    /// From registry settings; `rest` is the registry's REST API for the same account (one of
    /// its own is made when nil).
    public convenience init(settings: VenueAPISettings, rest: KrakenRestAPI? = nil) throws(HFTError) {
        guard settings.venue == .kraken else { throw .configuration("KrakenWsAPI created for \(settings.venue)") }
        let options = try KrakenClientOptions(settings.options)
        let endpoints = try KrakenDescriptor.endpoints(settings.endpoints)
        let creds = try settings.credentials.map { (c) throws(HFTError) in try KrakenCredentials(c) }
        try self.init(credentials: creds, endpoints: endpoints, options: options, rest: rest, account: settings.account)
    }

    public init(credentials: KrakenCredentials?, endpoints: KrakenEndpoints = .production,
                options: KrakenClientOptions? = nil, rest: KrakenRestAPI? = nil, account: String? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.endpoints = endpoints
        self.options = opts
        self.account = account ?? "default"
        (self.rest, ownsRest) = try WsAPISupport.rest(rest, withCredentials: credentials != nil) { () throws(HFTError) in
            try KrakenRestAPI(credentials: credentials, endpoints: endpoints, timeout: opts.requestTimeout)
        }
    }

    public var hasCredentials: Bool { rest.hasCredentials }

    // MARK: Lifecycle

    /// With credentials: connects and authenticates the private socket (executions subscribed)
    /// and waits until it is ready; arms the dead-man switch when `dead_man_timeout_s` > 0.
    /// Without: nothing to do until the first `watch…`.
    public func start() async throws {
        guard hasCredentials else { return }
        let session = try privateSession()
        let wait = options.authTimeout + options.requestTimeout + .seconds(5)
        try await session.waitUntilReady(timeout: wait)
        if options.deadManTimeoutSeconds > 0 {
            armDeadMansSwitch(timeoutSeconds: options.deadManTimeoutSeconds, refreshEvery: options.deadManRefresh)
        }
    }

    /// Closes both sockets and ends every stream. Cancels no order; an armed dead-man switch is
    /// disarmed first (timeout 0) so that stopping does not cancel orders later either.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let armed = deadMan.withLock { d -> Bool in
            d.task?.cancel()
            defer { d = (nil, 0) }
            return d.task != nil
        }
        if armed, let t = trading.withLock({ $0 }), t.connection.isReady {
            _ = await cancelAllOrdersAfter(timeoutSeconds: 0)
        }
        let m = market.withLock { $0 }
        let t = trading.withLock { $0 }
        await m?.stop()
        await t?.stop()
        reporter.status.finish()
        reporter.errors.finish()
        if ownsRest { await rest.shutdown() }
    }

    public func nextRequestID() -> RequestID { RequestIDGenerator.next() }

    func publicSession() throws(HFTError) -> KrakenMarketDataSession {
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        return try market.withLock { (m) throws(HFTError) -> KrakenMarketDataSession in
            if let m { return m }
            let s = try KrakenMarketDataSession(url: endpoints.publicWebSocket, options: options, rest: rest,
                                                reporter: reporter, instruments: instruments)
            m = s
            return s
        }
    }

    func privateSession() throws(HFTError) -> KrakenTradingSession {
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        guard rest.hasCredentials else {
            throw .authenticationFailed("Kraken private channels and order entry need API credentials")
        }
        return try trading.withLock { (t) throws(HFTError) -> KrakenTradingSession in
            if let t { return t }
            let s = try KrakenTradingSession(url: endpoints.privateWebSocket, options: options, rest: rest, reporter: reporter,
                                             instruments: instruments, latency: latency, account: account)
            t = s
            return s
        }
    }

    // MARK: Market data

    /// Verified books: every message is checked against Kraken's CRC-32; a mismatch reports
    /// `book_invalid`, resubscribes this symbol only and reports `book_resynced` with the next
    /// verified snapshot. Subscribes with the smallest Kraken depth ≥ `depth` (10, 25, 100, 500,
    /// 1000); each update carries `depth` levels. Conflated: a slow reader sees the latest book.
    public func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws -> EventStream<BookUpdate> {
        try await publicSession().watchOrderBook(symbol, depth: depth, delivery: delivery)
    }

    /// Public trades (drop-oldest beyond 10 000 unread; `droppedCount` tells how many).
    public func watchTrades(_ symbol: Symbol) async throws -> EventStream<Trade> {
        try await publicSession().watchTrades(symbol)
    }

    /// Level-1 ticker (conflated).
    public func watchTicker(_ symbol: Symbol) async throws -> EventStream<Ticker> {
        try await publicSession().watchTicker(symbol)
    }

    /// Order state changes and own fills from `executions`, never dropped; a late watcher
    /// first gets the open orders already known.
    public func watchOrders() async throws -> EventStream<OrderEvent> {
        try await privateSession().watchOrders()
    }

    /// Balances from the `balances` channel (snapshot, then ledger updates), never dropped.
    public func watchBalance() async throws -> EventStream<Balance> {
        try await privateSession().watchBalance()
    }

    // MARK: Order entry (unified)

    @discardableResult
    public func placeOrder(_ order: PlaceOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = order.requestID ?? nextRequestID()
        let native: KrakenNewOrder
        do { native = try KrakenNewOrder(order) } catch {
            callback(Self.rejected(id, .addOrder, error, clientOrderID: order.clientOrderID))
            return id
        }
        return addOrder(native, requestID: id) { r, _ in callback(r) }
    }

    @discardableResult
    public func cancelOrder(_ cancel: CancelOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = cancel.requestID ?? nextRequestID()
        let target: KrakenCancelTarget
        do { target = try KrakenCancelTarget(cancel) } catch {
            callback(Self.rejected(id, .cancelOrder, error))
            return id
        }
        submit(KrakenOrderOp(requestID: id, method: .cancelOrder, kind: .cancel(target), clientOrderID: cancel.clientOrderIDs.first,
                             build: { token, reqID, _ throws(HFTError) in try KrakenRequest.cancelOrder(target, token: token, reqID: reqID) },
                             completion: { r, _ in callback(r) }))
        return id
    }

    @discardableResult
    public func amendOrder(_ amend: AmendOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = amend.requestID ?? nextRequestID()
        let native: KrakenAmend
        let symbol: String?
        do {
            native = try KrakenAmend(amend)
            symbol = try amend.symbol.map { (s) throws(HFTError) in try KrakenSymbols.native(s) }
        } catch {
            callback(Self.rejected(id, .amendOrder, error, clientOrderID: amend.clientOrderID))
            return id
        }
        let instruments = self.instruments
        submit(KrakenOrderOp(requestID: id, method: .amendOrder, kind: .amend(native), clientOrderID: amend.clientOrderID,
                             build: { token, reqID, open throws(HFTError) in
                                 let pair = symbol ?? Self.symbol(of: native.order, in: open)
                                 return try KrakenRequest.amendOrder(native, token: token, reqID: reqID,
                                                                     precision: pair.flatMap { instruments.precision($0) })
                             },
                             completion: { r, _ in callback(r) }))
        return id
    }

    /// Without a symbol: Kraken's `cancel_all` (every order of the account). With one: a
    /// `cancel_order` of that symbol's open orders as the executions channel knows them (an
    /// immediate ok when there are none).
    @discardableResult
    public func cancelAllOrders(symbol: Symbol?, callback: @escaping OrderCallback) -> RequestID {
        let id = nextRequestID()
        guard let symbol else {
            submit(KrakenOrderOp(requestID: id, method: .cancelAll, kind: .cancelAll(symbol: nil),
                                 build: { token, reqID, _ throws(HFTError) in try KrakenRequest.cancelAll(token: token, reqID: reqID) },
                                 completion: { r, _ in callback(r) }))
            return id
        }
        let native: String
        do { native = try KrakenSymbols.native(symbol) } catch {
            callback(Self.rejected(id, .cancelOrder, error))
            return id
        }
        submit(KrakenOrderOp(requestID: id, method: .cancelOrder, kind: .cancelAll(symbol: native),
                             build: { token, reqID, open throws(HFTError) in
                                 let ids = open.filter { $0.symbol == symbol }.map(\.orderID).sorted()
                                 guard !ids.isEmpty else { return nil }
                                 return try KrakenRequest.cancelOrder(.orderIDs(ids), token: token, reqID: reqID)
                             },
                             completion: { r, _ in callback(r) }))
        return id
    }

    // MARK: Kraken extras

    /// `add_order` with every Kraken parameter (triggers, iceberg, gtd, reduce-only, …). A
    /// `cl_ord_id` is generated when the order has neither one nor an `order_userref`, so the
    /// order can be found again after a disconnect.
    @discardableResult
    public func addOrder(_ order: KrakenNewOrder, requestID: RequestID? = nil,
                         callback: @escaping @Sendable (OrderResult, [KrakenResponse]) -> Void) -> RequestID {
        let id = requestID ?? nextRequestID()
        var o = order
        if o.clOrdID == nil && o.orderUserref == nil { o.clOrdID = KrakenOrderOp.makeClientOrderID() }
        let final = o
        let instruments = self.instruments
        submit(KrakenOrderOp(requestID: id, method: .addOrder, kind: .add(clOrdID: final.clOrdID ?? ""), clientOrderID: final.clOrdID,
                             build: { token, reqID, _ throws(HFTError) in
                                 try KrakenRequest.addOrder(final, token: token, reqID: reqID, precision: instruments.precision(final.symbol))
                             },
                             completion: callback))
        return id
    }

    /// `batch_add`: 2–15 orders on one pair, one reply row per order (in the callback's responses).
    @discardableResult
    public func batchAdd(_ orders: [PlaceOrder], deadline: Timestamp? = nil, validate: Bool? = nil,
                         callback: @escaping @Sendable (OrderResult, [KrakenOrderAck]) -> Void) -> RequestID {
        let id = nextRequestID()
        var natives: [KrakenNewOrder] = []
        do {
            for o in orders {
                var n = try KrakenNewOrder(o)
                if n.clOrdID == nil { n.clOrdID = KrakenOrderOp.makeClientOrderID() }
                natives.append(n)
            }
            guard let first = natives.first, natives.allSatisfy({ $0.symbol == first.symbol }) else {
                throw HFTError.invalidArgument("Kraken batch_add takes orders on one pair")
            }
        } catch {
            callback(Self.rejected(id, .batchAdd, (error as? HFTError) ?? .invalidArgument("\(error)")), [])
            return id
        }
        let symbol = natives[0].symbol
        let list = natives
        let instruments = self.instruments
        submit(KrakenOrderOp(requestID: id, method: .batchAdd, kind: .batchAdd(clOrdIDs: list.compactMap(\.clOrdID)),
                             clientOrderID: list.first?.clOrdID,
                             build: { token, reqID, _ throws(HFTError) in
                                 try KrakenRequest.batchAdd(symbol: symbol, orders: list, deadline: deadline, validate: validate,
                                                            token: token, reqID: reqID, precision: instruments.precision(symbol))
                             },
                             completion: { r, responses in
                                 var rows: [KrakenOrderAck] = []
                                 for resp in responses { if case .orders(let a) = resp.result { rows += a } }
                                 callback(r, rows)
                             }), cost: Double(max(1, (list.count + 1) / 2)))
        return id
    }

    /// `batch_cancel`: 2–50 ids (order ids or userrefs as strings, plus client order ids).
    @discardableResult
    public func batchCancel(orderIDs: [String], clientOrderIDs: [String] = [], callback: @escaping OrderCallback) -> RequestID {
        let id = nextRequestID()
        submit(KrakenOrderOp(requestID: id, method: .batchCancel, kind: .batchCancel(orders: orderIDs, clOrdIDs: clientOrderIDs),
                             build: { token, reqID, _ throws(HFTError) in
                                 try KrakenRequest.batchCancel(orders: orderIDs, clOrdIDs: clientOrderIDs, token: token, reqID: reqID)
                             },
                             completion: { r, _ in callback(r) }))
        return id
    }

    /// `cancel_all_orders_after`: cancel everything after `timeoutSeconds` unless re-sent; 0 disarms.
    @discardableResult
    public func cancelAllOrdersAfter(timeoutSeconds: Int, callback: @escaping OrderCallback) -> RequestID {
        let id = nextRequestID()
        submit(KrakenOrderOp(requestID: id, method: .cancelAllOrdersAfter, kind: .cancelAfter(seconds: timeoutSeconds),
                             build: { token, reqID, _ throws(HFTError) in
                                 try KrakenRequest.cancelAllOrdersAfter(timeoutSeconds: timeoutSeconds, token: token, reqID: reqID)
                             },
                             completion: { r, _ in callback(r) }))
        return id
    }

    /// Keeps the dead-man switch armed: sends `cancel_all_orders_after(timeoutSeconds)` now and
    /// every `refreshEvery` until `disarmDeadMansSwitch()` or `stop()`. Failures are reported on
    /// `status` (`disconnected`/`rate_limited`) and retried at the next tick.
    public func armDeadMansSwitch(timeoutSeconds: Int, refreshEvery: Duration) {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                let r = await self.cancelAllOrdersAfter(timeoutSeconds: timeoutSeconds)
                if !r.ok { self.reporter.report(.disconnected, "dead-man switch re-arm failed: \(r.error.map { "\($0)" } ?? "")") }
                try? await Task.sleep(for: refreshEvery)
            }
        }
        deadMan.withLock { d in
            d.task?.cancel()
            d = (task, timeoutSeconds)
        }
    }

    /// Stops re-arming and disarms on Kraken (timeout 0).
    @discardableResult
    public func disarmDeadMansSwitch() async -> OrderResult {
        deadMan.withLock { d in
            d.task?.cancel()
            d = (nil, 0)
        }
        return await cancelAllOrdersAfter(timeoutSeconds: 0)
    }

    // MARK: Async forms of the extras

    public func addOrder(_ order: KrakenNewOrder, requestID: RequestID? = nil) async -> OrderResult {
        await withCheckedContinuation { c in addOrder(order, requestID: requestID) { r, _ in c.resume(returning: r) } }
    }

    public func batchAdd(_ orders: [PlaceOrder], deadline: Timestamp? = nil, validate: Bool? = nil) async -> (OrderResult, [KrakenOrderAck]) {
        await withCheckedContinuation { c in batchAdd(orders, deadline: deadline, validate: validate) { c.resume(returning: ($0, $1)) } }
    }

    public func batchCancel(orderIDs: [String], clientOrderIDs: [String] = []) async -> OrderResult {
        await withCheckedContinuation { c in batchCancel(orderIDs: orderIDs, clientOrderIDs: clientOrderIDs) { c.resume(returning: $0) } }
    }

    public func cancelAllOrdersAfter(timeoutSeconds: Int) async -> OrderResult {
        await withCheckedContinuation { c in cancelAllOrdersAfter(timeoutSeconds: timeoutSeconds) { c.resume(returning: $0) } }
    }

    // MARK: Introspection

    /// Open orders as the executions channel last described them.
    public var openOrders: [Order] {
        get async { await (try? privateSession())?.openOrders ?? [] }
    }

    /// Frames that did not decode (malformed) or were not understood (unknown), both sockets.
    public var malformedCounts: (malformed: UInt64, unknown: UInt64) { reporter.malformedCounts }

    /// Where book checksum precisions come from: `instrument`, `rest` or `wire` (token scale).
    public var precisionSource: String {
        get async { await market.withLock({ $0 })?.precisionSource ?? "wire" }
    }

    /// Pair reference data loaded so far.
    public var knownInstruments: KrakenInstruments { instruments.value }

    // MARK: Helpers

    private func submit(_ op: KrakenOrderOp, cost: Double = 1) {
        let session: KrakenTradingSession
        do { session = try privateSession() } catch {
            op.finish(op.failure(error))
            return
        }
        session.submit(op, cost: cost)
    }

    static func rejected(_ id: RequestID, _ method: KrakenMethod, _ error: HFTError, clientOrderID: String? = nil) -> OrderResult {
        OrderResult(venue: .kraken, requestID: id, method: method.wireName, request: "", response: nil, latencyMicros: 0,
                    ok: false, clientOrderID: clientOrderID, error: error)
    }

    static func symbol(of ref: KrakenOrderRef, in open: [Order]) -> String? {
        let order: Order?
        switch ref {
        case .orderID(let id): order = open.first { $0.orderID == id }
        case .clOrdID(let cl): order = open.first { $0.clientOrderID == cl }
        }
        return order.flatMap { try? KrakenSymbols.native($0.symbol) }
    }
}
