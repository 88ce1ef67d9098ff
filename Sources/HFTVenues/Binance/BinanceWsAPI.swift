/// Binance Spot behind the unified `ExchangeWsAPI`, plus Binance's own requests (`orderStatus`,
/// `openOrdersStatus`, `ping`, any raw `BinanceRequest`).
///
/// Connections, each made on first use: market-stream connections (`streams`: books, trades,
/// tickers; see `BinanceMarketDataSession`) and the WS API connection (`ws-api`: orders,
/// balances, order entry; needs credentials). REST (`rest`) serves depth snapshots,
/// exchangeInfo (symbol map, filters, limits) and time. `start()` loads exchangeInfo and, with
/// credentials, connects, logs on and subscribes the user-data stream.
///
/// Order entry returns the request id at once and calls back exactly once with an `OrderResult`
/// (on the WS API connection's event loop: do not block in the callback). Requests leave in call
/// order, after taking their weight and order count from the process-wide buckets.
import HFTCore
import HFTTransport
import Synchronization

public final class BinanceWsAPI: ExchangeWsAPI {
    public let venue = Venue.binance
    public let endpoints: BinanceEndpoints
    public let options: BinanceClientOptions
    /// Round-trip latency per Binance method (`order.place`, `order.cancel`, …), in µs.
    public let latency = LatencyBook()
    /// The named account ("default" when none): scopes the ORDERS bucket.
    public let account: String

    public var status: EventStream<VenueStatus> { reporter.status }
    public var errors: EventStream<VenueErrorReply> { reporter.errors }

    public let rest: BinanceRestAPI
    private let ownsRest: Bool
    let credentials: BinanceCredentials?
    let reporter = BinanceReporter()
    private let market = Mutex<BinanceMarketDataSession?>(nil)
    private let trading = Mutex<BinanceTradingSession?>(nil)
    private let infoLoad = Mutex<Task<Void, Never>?>(nil)
    private let stopped = Atomic<Bool>(false)

    /// From registry settings; `rest` is the registry's REST API (one of its own is made when nil).
    public convenience init(settings: VenueAPISettings, rest: BinanceRestAPI? = nil) throws(HFTError) {
        guard settings.venue == .binance else { throw .configuration("BinanceWsAPI created for \(settings.venue)") }
        let creds = try settings.credentials.map { (c) throws(HFTError) in try BinanceCredentials(c) }
        try self.init(credentials: creds, endpoints: try BinanceDescriptor.endpoints(settings.endpoints),
                      options: try BinanceClientOptions(settings.options), rest: rest, account: settings.account)
    }

    public init(credentials: BinanceCredentials?, endpoints: BinanceEndpoints = .production,
                options: BinanceClientOptions? = nil, rest: BinanceRestAPI? = nil, account: String? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.endpoints = endpoints
        self.options = opts
        self.account = account ?? "default"
        self.credentials = credentials
        if let rest {
            self.rest = rest
            ownsRest = false
        } else {
            self.rest = try BinanceRestAPI(credentials: credentials, endpoints: endpoints, options: opts, account: account)
            ownsRest = true
        }
    }

    public var hasCredentials: Bool { credentials != nil }

    // MARK: Lifecycle

    /// Loads exchangeInfo (bounded by `request_timeout_s`; the symbol fallback is used if it
    /// fails) and, with credentials, waits until the WS API connection is logged on and subscribed.
    public func start() async throws {
        await loadExchangeInfo()
        guard hasCredentials else { return }
        try await tradingSession().waitUntilReady(timeout: options.authTimeout + options.requestTimeout + .seconds(5))
    }

    /// Closes every connection and ends every stream. Cancels no order.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        infoLoad.withLock { $0?.cancel() }
        let m = market.withLock { $0 }, t = trading.withLock { $0 }
        await m?.stop()
        await t?.stop()
        reporter.status.finish()
        reporter.errors.finish()
        if ownsRest { await rest.shutdown() }
    }

    public func nextRequestID() -> RequestID { RequestIDGenerator.next() }

    /// exchangeInfo once (symbol map, filters, published limits); failures are reported, not fatal.
    func loadExchangeInfo() async {
        let task = infoLoad.withLock { t -> Task<Void, Never> in
            if let t { return t }
            let rest = self.rest, reporter = self.reporter
            let n = Task {
                do { _ = try await rest.exchangeInfo() } catch {
                    reporter.report(.malformed, "exchangeInfo unavailable (\(error)); symbols split by known quote assets")
                }
            }
            t = n
            return n
        }
        await task.value
    }

    func marketSession() throws(HFTError) -> BinanceMarketDataSession {
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        return market.withLock { m in
            if let m { return m }
            let s = BinanceMarketDataSession(endpoints: endpoints, options: options, rest: rest, reporter: reporter)
            m = s
            return s
        }
    }

    func tradingSession() throws(HFTError) -> BinanceTradingSession {
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        guard let credentials else { throw .authenticationFailed("Binance orders, balances and order entry need API credentials") }
        return trading.withLock { t in
            if let t { return t }
            let rest = self.rest
            let s = BinanceTradingSession(endpoints: endpoints, options: options, credentials: credentials, limits: rest.limits,
                                          reporter: reporter, latency: latency, symbols: { rest.symbols })
            t = s
            return s
        }
    }

    // MARK: Market data

    /// Local book from `<s>@depth@100ms` and REST snapshots (binance.md §10); a gap resyncs this
    /// symbol only (`book_invalid`, then `book_resynced`). Each update carries `depth` levels.
    public func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws -> EventStream<BookUpdate> {
        await loadExchangeInfo()
        return try await marketSession().watchOrderBook(symbol, depth: depth, delivery: delivery)
    }

    /// `<s>@trade` (drop-oldest beyond 10 000 unread).
    public func watchTrades(_ symbol: Symbol) async throws -> EventStream<Trade> {
        await loadExchangeInfo()
        return try await marketSession().watchTrades(symbol)
    }

    /// `<s>@bookTicker` (conflated; the receive time stands in for the missing event time).
    public func watchTicker(_ symbol: Symbol) async throws -> EventStream<Ticker> {
        await loadExchangeInfo()
        return try await marketSession().watchTicker(symbol)
    }

    /// `executionReport`s as orders and fills, never dropped; a late watcher first gets the open
    /// orders already known.
    public func watchOrders() async throws -> EventStream<OrderEvent> {
        try await tradingSession().watchOrders()
    }

    /// `outboundAccountPosition` balances (free / locked), never dropped.
    public func watchBalance() async throws -> EventStream<Balance> {
        try await tradingSession().watchBalance()
    }

    // MARK: Order entry (unified)

    /// `order.place` (RESULT response). Every order carries a client order id (generated when
    /// missing) so that a request cut off by a disconnect can be found again.
    @discardableResult
    public func placeOrder(_ order: PlaceOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = order.requestID ?? nextRequestID()
        var o = order
        if o.clientOrderID == nil { o.clientOrderID = BinanceOrderOp.makeClientOrderID() }
        let cl = o.clientOrderID!
        let native: String
        let newOrder: BinanceNewOrder
        do {
            native = try rest.symbols.native(o.symbol)
            try rest.symbolInfo(native)?.check(price: o.price, quantity: o.quantity)
            newOrder = try BinanceNewOrder(o, native: native, responseType: .result)
            try newOrder.validate()
        } catch {
            callback(Self.rejected(id, .orderPlace, error, clientOrderID: cl))
            return id
        }
        submit(BinanceOrderOp(requestID: id, method: .orderPlace, kind: .place(symbol: native, clientOrderID: cl), clientOrderID: cl,
                              build: { auth, rid, _ throws(HFTError) in try BinanceRequest.orderPlace(id: rid, order: newOrder, auth: auth) },
                              completion: { r, _ in callback(r) }))
        return id
    }

    /// `order.cancel`, one request per id (Binance cancels one order per request); several ids
    /// are answered with one result (ok when all were, the replies as a JSON array).
    @discardableResult
    public func cancelOrder(_ cancel: CancelOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = cancel.requestID ?? nextRequestID()
        let native: String
        var refs: [BinanceOrderRef] = []
        do {
            try cancel.validate()
            guard let symbol = cancel.symbol ?? cancel.orderIDs.lazy.compactMap({ Int64($0) }).compactMap({ self.openOrder($0)?.symbol }).first
            else { throw HFTError.invalidArgument("Binance cancels need the symbol") }
            native = try rest.symbols.native(symbol)
            for o in cancel.orderIDs { refs.append(try BinanceRequest.orderRef(o)) }
            refs += cancel.clientOrderIDs.map { .clientOrderID($0) }
        } catch {
            callback(Self.rejected(id, .orderCancel, (error as? HFTError) ?? .invalidArgument("\(error)")))
            return id
        }
        let ops = refs.enumerated().map { i, ref in
            { (done: @escaping OrderCallback) in
                self.submit(BinanceOrderOp(requestID: i == 0 ? id : self.nextRequestID(), method: .orderCancel,
                                           kind: .cancel(symbol: native, order: ref),
                                           clientOrderID: { if case .clientOrderID(let c) = ref { return c }; return nil }(),
                                           build: { auth, rid, _ throws(HFTError) in
                                               try BinanceRequest.orderCancel(id: rid, symbol: native, order: ref, auth: auth)
                                           }, completion: { r, _ in done(r) }))
            }
        }
        Self.combine(id, .orderCancel, ops, callback)
        return id
    }

    /// Quantity only → `order.amend.keepPriority` when it goes down (queue kept); a price change
    /// or a larger quantity → `order.cancelReplace` (STOP_ON_FAILURE) built from the open order
    /// as the user-data stream knows it, with a new client order id.
    @discardableResult
    public func amendOrder(_ amend: AmendOrder, callback: @escaping OrderCallback) -> RequestID {
        let id = amend.requestID ?? nextRequestID()
        let current: Order? = amend.orderID.flatMap { Int64($0) }.flatMap { openOrder($0) }
            ?? amend.clientOrderID.flatMap { cl in (try? tradingSession())?.openOrdersMirror.first(clientOrderID: cl) }
        do {
            try amend.validate()
            guard let symbol = amend.symbol ?? current?.symbol else { throw HFTError.invalidArgument("Binance amends need the symbol") }
            let native = try rest.symbols.native(symbol)
            let ref: BinanceOrderRef = if let oid = amend.orderID ?? current?.orderID { try BinanceRequest.orderRef(oid) }
                                       else { .clientOrderID(amend.clientOrderID!) }
            let priceSame = amend.price == nil || (current?.price).map { $0 == amend.price! } == true
            if priceSame, let qty = amend.quantity, current.map({ qty < $0.quantity }) ?? true {
                submit(BinanceOrderOp(requestID: id, method: .orderAmendKeepPriority, kind: .amend(symbol: native, order: ref, newQty: qty),
                                      clientOrderID: current?.clientOrderID ?? amend.clientOrderID,
                                      build: { auth, rid, _ throws(HFTError) in
                                          try BinanceRequest.orderAmendKeepPriority(id: rid, symbol: native, order: ref, newQty: qty, auth: auth)
                                      }, completion: { r, _ in callback(r) }))
                return id
            }
            guard let current else {
                throw HFTError.invalidArgument("Binance: a price change (or a larger quantity) is a cancel-replace and needs the open order, which the user-data stream has not described")
            }
            guard current.type == .limit else { throw HFTError.unsupported("Binance: only limit orders can be amended") }
            let cl = BinanceOrderOp.makeClientOrderID()
            var order = BinanceNewOrder(symbol: native, side: current.side, type: current.postOnly ? .limitMaker : .limit,
                                        timeInForce: current.postOnly ? nil : BinanceTimeInForce(current.timeInForce),
                                        price: amend.price ?? current.price,
                                        quantity: amend.quantity ?? (current.filledQuantity.isZero ? current.quantity : current.remainingQuantity),
                                        newClientOrderID: cl, responseType: .result)
            order.newClientOrderID = cl
            try rest.symbolInfo(native)?.check(price: order.price, quantity: order.quantity)
            let replace = BinanceCancelReplace(mode: .stopOnFailure, cancel: ref, newOrder: order)
            submit(BinanceOrderOp(requestID: id, method: .orderCancelReplace,
                                  kind: .cancelReplace(symbol: native, order: ref, newClientOrderID: cl), clientOrderID: cl,
                                  build: { auth, rid, _ throws(HFTError) in try BinanceRequest.orderCancelReplace(id: rid, replace, auth: auth) },
                                  completion: { r, _ in callback(r) }))
        } catch {
            let method: BinanceMethod = amend.price == nil ? .orderAmendKeepPriority : .orderCancelReplace
            callback(Self.rejected(id, method, (error as? HFTError) ?? .invalidArgument("\(error)"), clientOrderID: amend.clientOrderID))
        }
        return id
    }

    /// `openOrders.cancelAll` for `symbol`; without one, for every symbol with open orders (the
    /// user-data stream's view), one request each, answered with one result.
    @discardableResult
    public func cancelAllOrders(symbol: Symbol?, callback: @escaping OrderCallback) -> RequestID {
        let id = nextRequestID()
        let symbols: [Symbol]
        if let symbol { symbols = [symbol] } else {
            symbols = Array(Set(((try? tradingSession())?.openOrdersMirror.all ?? []).map(\.symbol))).sorted { "\($0)" < "\($1)" }
        }
        var natives: [String] = []
        do { for s in symbols { natives.append(try rest.symbols.native(s)) } } catch {
            callback(Self.rejected(id, .openOrdersCancelAll, error))
            return id
        }
        let ops = natives.enumerated().map { i, native in
            { (done: @escaping OrderCallback) in
                self.submit(BinanceOrderOp(requestID: i == 0 ? id : self.nextRequestID(), method: .openOrdersCancelAll,
                                           kind: .cancelAll(symbol: native),
                                           build: { auth, rid, _ throws(HFTError) in try BinanceRequest.openOrdersCancelAll(id: rid, symbol: native, auth: auth) },
                                           completion: { r, _ in
                                               // -2011 "Unknown order sent." here means nothing was open.
                                               if !r.ok, case .venueRejected("-2011", _)? = r.error {
                                                   var ok = r
                                                   ok.ok = true
                                                   ok.error = nil
                                                   return done(ok)
                                               }
                                               done(r)
                                           }))
            }
        }
        Self.combine(id, .openOrdersCancelAll, ops, callback)
        return id
    }

    // MARK: Binance extras

    /// Any WS API request, built with the session's auth (signed or logged on) and a fresh
    /// timestamp; the result carries the decoded reply too. `weight` defaults to the method's.
    @discardableResult
    public func send(_ method: BinanceMethod, weight: Int? = nil, requestID: RequestID? = nil,
                     build: @escaping @Sendable (_ id: RequestID, _ auth: BinanceAuth) throws(HFTError) -> BinanceRequest,
                     callback: @escaping @Sendable (OrderResult, BinanceResponse?) -> Void) -> RequestID {
        let id = requestID ?? nextRequestID()
        submit(BinanceOrderOp(requestID: id, method: method, kind: .query, weight: weight,
                              build: { auth, rid, _ throws(HFTError) in try build(rid, auth) }, completion: callback))
        return id
    }

    public func send(_ method: BinanceMethod, weight: Int? = nil,
                     build: @escaping @Sendable (_ id: RequestID, _ auth: BinanceAuth) throws(HFTError) -> BinanceRequest) async -> (OrderResult, BinanceResponse?) {
        await withCheckedContinuation { c in send(method, weight: weight, build: build) { c.resume(returning: ($0, $1)) } }
    }

    /// `order.status` by order id or client order id.
    public func orderStatus(symbol: Symbol, order: BinanceOrderRef) async -> (OrderResult, BinanceResponse?) {
        guard let native = try? rest.symbols.native(symbol) else {
            return (Self.rejected(nextRequestID(), .orderStatus, .invalidArgument("symbol \(symbol)")), nil)
        }
        return await send(.orderStatus) { id, auth throws(HFTError) in try BinanceRequest.orderStatus(id: id, symbol: native, order: order, auth: auth) }
    }

    /// `openOrders.status` for one symbol (weight 6) or all (80).
    public func openOrdersStatus(symbol: Symbol? = nil) async -> (OrderResult, BinanceResponse?) {
        let native = symbol.flatMap { try? rest.symbols.native($0) }
        return await send(.openOrdersStatus, weight: native == nil ? 80 : 6) { id, auth throws(HFTError) in
            try BinanceRequest.openOrdersStatus(id: id, symbol: native, auth: auth)
        }
    }

    /// `ping` (round trip of the request path).
    public func ping() async -> OrderResult {
        await send(.ping) { id, _ in BinanceRequest.ping(id: id) }.0
    }

    // MARK: Introspection

    /// Open orders as the user-data stream last described them.
    public var openOrders: [Order] {
        get async { await (try? tradingSession())?.openOrders ?? [] }
    }

    /// Frames that did not decode (malformed) or were not understood (unknown), every connection.
    public var malformedCounts: (malformed: UInt64, unknown: UInt64) { reporter.malformedCounts }

    /// Streams per market-data connection.
    public var streamConnections: [Int] { market.withLock { $0 }?.streamCounts ?? [] }

    /// Completed WS API rotations.
    public var webSocketAPIRotations: Int { trading.withLock { $0 }?.rotations ?? 0 }

    /// The weight bucket's back-off left, in µs (after a 429/418).
    public var backOffMicros: UInt64 { rest.limits.weight.blockedNanos / 1_000 }

    // MARK: Helpers

    func openOrder(_ id: Int64) -> Order? { trading.withLock { $0 }?.openOrdersMirror[id] }

    private func submit(_ op: BinanceOrderOp) {
        let session: BinanceTradingSession
        do { session = try tradingSession() } catch { return op.finish(op.failure(error)) }
        session.submit(op)
    }

    /// Runs `ops` (already ordered) and answers once: the single result, or a combined one.
    static func combine(_ id: RequestID, _ method: BinanceMethod, _ ops: [(@escaping OrderCallback) -> Void], _ callback: @escaping OrderCallback) {
        if ops.isEmpty {
            return callback(OrderResult(venue: .binance, requestID: id, method: method.rawValue, request: "", response: nil,
                                        latencyMicros: 0, ok: true))
        }
        if ops.count == 1 { return ops[0](callback) }
        let results = Mutex<[Int: OrderResult]>([:])
        let n = ops.count
        for (i, op) in ops.enumerated() {
            op { r in
                let all: [OrderResult]? = results.withLock { m in
                    m[i] = r
                    return m.count == n ? (0..<n).map { m[$0]! } : nil
                }
                guard let all else { return }
                let failed = all.first { !$0.ok }
                callback(OrderResult(venue: .binance, requestID: id, method: method.rawValue,
                                     request: "[" + all.map(\.request).joined(separator: ",") + "]",
                                     response: "[" + all.map { $0.response ?? "null" }.joined(separator: ",") + "]",
                                     latencyMicros: all.map(\.latencyMicros).max() ?? 0, ok: failed == nil,
                                     orderID: all.first?.orderID, clientOrderID: all.first?.clientOrderID, error: failed?.error))
            }
        }
    }

    static func rejected(_ id: RequestID, _ method: BinanceMethod, _ error: HFTError, clientOrderID: String? = nil) -> OrderResult {
        OrderResult(venue: .binance, requestID: id, method: method.rawValue, request: "", response: nil, latencyMicros: 0,
                    ok: false, clientOrderID: clientOrderID, error: error)
    }
}
