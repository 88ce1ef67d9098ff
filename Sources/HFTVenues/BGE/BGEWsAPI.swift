/// BGE spot behind the unified `ExchangeWsAPI` (bge.md): one WebSocket V2 for public and
/// private channels (`login` on every connect when credentials were given), one subscription
/// per channel and product, paced below the venue's 50 msgs/s; server `{"ping":ts}` answered
/// with `{"pong":ts}` by the transport. The venue takes no orders over WebSocket: order entry
/// goes over signed REST (`BGEOrderEntry`) with the same `OrderResult` and callbacks.
import HFTCore
import HFTTransport
import Synchronization

public final class BGEWsAPI: ExchangeWsAPI {
    public let venue = Venue.bge
    public let endpoints: BGEEndpoints
    public let options: BGEClientOptions
    /// Round-trip latency per REST method (`POST /v1/orders`, …), in µs.
    public let latency = LatencyBook()
    public let account: String

    public var status: EventStream<VenueStatus> { reporter.status }
    public var errors: EventStream<VenueErrorReply> { reporter.errors }

    public let rest: BGERestAPI
    private let ownsRest: Bool
    let reporter = BGEReporter()
    let feed = BGEPrivateFeed()
    let market: BGEMarketState
    let connection: WebSocketConnection
    /// Order entry over signed REST (`BGEOrderEntry`).
    let orderEntry: RESTOrderEntry
    private let started = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let watcher = Mutex<Task<Void, Never>?>(nil)
    private let followed = Mutex<[String]>([])
    private let reconnectAction = BGEReconnectAction()

    public convenience init(settings: VenueAPISettings, rest: BGERestAPI? = nil) throws(HFTError) {
        guard settings.venue == .bge else { throw .configuration("BGEWsAPI created for \(settings.venue)") }
        let options = try BGEClientOptions(settings.options)
        let endpoints = try BGEDescriptor.endpoints(settings.endpoints)
        let creds = try settings.credentials.map { (c) throws(HFTError) in try BGECredentials(c) }
        try self.init(credentials: creds, endpoints: endpoints, options: options, rest: rest, account: settings.account)
    }

    public init(credentials: BGECredentials?, endpoints: BGEEndpoints = .production, options: BGEClientOptions? = nil,
                rest: BGERestAPI? = nil, account: String? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.endpoints = endpoints
        self.options = opts
        self.account = account ?? "default"
        (self.rest, ownsRest) = try WsAPISupport.rest(rest, withCredentials: credentials != nil) { () throws(HFTError) in
            try BGERestAPI(credentials: credentials, endpoints: endpoints, options: opts)
        }
        orderEntry = RESTOrderEntry(venue: .bge, rest: self.rest, latency: latency,
                                    onRateLimited: { [reporter] in reporter.report(.rateLimited, $0) })
        let reporter = self.reporter, feed = self.feed
        let market = BGEMarketState(reporter: reporter, bookChannel: opts.bookChannel)
        self.market = market
        let action = reconnectAction
        let hooks = BGEHooks(credentials: self.rest.credentials, slot: BGELoginSlot(), market: market, reporter: reporter,
                             connects: BGEConnectCounter(), onReconnect: { action.run() })
        connection = try WebSocketConnection(configuration: try opts.webSocketConfiguration(url: endpoints.webSocket), hooks: hooks,
                                             onMessage: { m in
                                                 let decoded: Result<BGEInbound, BGEDecodeError> = m.withBytes { b in
                                                     do throws(BGEDecodeError) { return .success(try BGEDecoder.decode(b)) } catch { return .failure(error) }
                                                 }
                                                 switch decoded {
                                                 case .success(let inbound): Self.route(inbound, market: market, feed: feed, reporter: reporter)
                                                 case .failure(let e): reporter.malformed(e.description, unknown: e.isUnknown)
                                                 }
                                             })
        reconnectAction.set { [weak self] in self?.resyncPrivate() }
    }

    public var hasCredentials: Bool { rest.hasCredentials }

    // MARK: Hot path

    static func route(_ inbound: BGEInbound, market: BGEMarketState, feed: BGEPrivateFeed, reporter: BGEReporter) {
        switch inbound {
        case .book(let p): market.apply(p)
        case .percent10(let p): market.applyPercent10(p)
        case .fills(let product, let list): market.apply(product: product, fills: list)
        case .ticker(let product, let t): market.apply(product: product, ticker: t)
        case .candles(let product, let interval, let list): market.apply(product: product, interval: interval, candles: list)
        case .orders(_, let list): for o in list { feed.apply(o) }
        case .assets(_, let list): for a in list { feed.apply(a) }
        case .ack(let a):
            if a.event == "sub" { reporter.report(.subscribed, symbol: a.product, a.type) }
        case .error(let e, _): reporter.venueError(e)
        case .ping, .other: break
        }
    }

    // MARK: Lifecycle

    /// Connects; with credentials, waits until `login` succeeded and the subscriptions were
    /// replayed (a refused login fails at once with BGE's code; the socket keeps retrying).
    public func start() async throws {
        guard !stopped.load(ordering: .acquiring) else { throw HFTError.notConnected }
        startConnection()
        guard hasCredentials else { return }
        let reporter = self.reporter, connection = self.connection
        let wait = options.authTimeout + options.requestTimeout + .seconds(5)
        try await WsAPISupport.ready({ try await connection.waitUntilReady(timeout: wait) }, authFailure: { reporter.authFailure })
    }

    func startConnection() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        watcher.withLock { $0 = reporter.watch(connection) }
        connection.start()
    }

    /// Closes the socket and ends every stream; cancels no order.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await connection.stop()
        await watcher.withLock({ $0 })?.value
        market.finishAll()
        feed.finishAll()
        reporter.status.finish()
        reporter.errors.finish()
        if ownsRest { await rest.shutdown() }
    }

    public func nextRequestID() -> RequestID { RequestIDGenerator.next() }

    // MARK: Subscriptions

    /// Registers `topic` (replayed after every reconnect) and sends its `sub` when connected,
    /// paced by the transport.
    public func subscribe(_ topic: BGETopic) async throws(HFTError) {
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        let text = BGERequest.subscribe(topic, zip: options.zip)
        startConnection()
        try await connection.subscribe(Subscription(key: topic.key, text: text))
    }

    /// Forgets `topic` and sends its `unsub` (inside the socket's message window).
    public func unsubscribe(_ topic: BGETopic) async throws(HFTError) {
        try await connection.unsubscribe(key: topic.key, message: .text(BGERequest.unsubscribe(topic, zip: options.zip)))
    }

    /// Sends a `req` (ticker, assets, open orders, candles); the reply arrives like a push.
    public func request(_ topic: BGETopic) async throws(HFTError) {
        try await connection.sendPaced(.text(BGERequest.request(topic, zip: options.zip)))
    }

    /// The registered subscription keys (`orderbook:BTC_USDT:0`, …).
    public var subscriptionKeys: [String] { get async { await connection.subscriptionKeys } }

    // MARK: Market data

    /// Local book from `orderbook` pushes (each a full snapshot that replaces the book) or, with
    /// `book_channel=percent10`, from `percent10` pushes applied level by level onto an empty
    /// book; cut to `depth` levels. Invalidated on every reconnect until the next push.
    public func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws -> EventStream<BookUpdate> {
        guard depth > 0 else { throw HFTError.invalidArgument("BGE book depth must be positive") }
        let product = try BGESymbols.native(symbol)
        let stream = EventStream<BookUpdate>(policy: delivery)
        if market.addBookSink(product: product, symbol: symbol, stream: stream, depth: depth) {
            switch options.bookChannel {
            case .orderbook: try await subscribe(BGETopic(.orderbook, product, interval: options.orderbookInterval))
            case .percent10: try await subscribe(BGETopic(.percent10, product))
            }
        }
        try await follow(product)
        return stream
    }

    /// Public trades (`fills`), deduplicated by id, oldest first.
    public func watchTrades(_ symbol: Symbol) async throws -> EventStream<Trade> {
        let product = try BGESymbols.native(symbol)
        let stream = EventStream<Trade>(policy: .dropOldest(capacity: 10_000))
        if market.addTradeSink(product: product, stream: stream) { try await subscribe(BGETopic(.fills, product)) }
        try await follow(product)
        return stream
    }

    /// 24 h ticker (`close` = last, `vol` = base volume); conflated. BGE sends no best bid/ask.
    public func watchTicker(_ symbol: Symbol) async throws -> EventStream<Ticker> {
        let product = try BGESymbols.native(symbol)
        let stream = EventStream<Ticker>(policy: .conflate)
        if market.addTickerSink(product: product, stream: stream) { try await subscribe(BGETopic(.ticker, product)) }
        try await follow(product)
        return stream
    }

    /// `candles` bars (`interval` ∈ 1m 5m 15m 30m 1h 4h 1d 1w 1M), drop-oldest; BGE does not say
    /// whether a bar is final (`isClosed` nil).
    public func watchCandles(_ symbol: Symbol, interval: CandleInterval) async throws -> EventStream<Candle> {
        let product = try BGESymbols.native(symbol)
        let native = interval == .oneHour ? options.candleHourInterval : try BGEMarketState.candleIntervals.native(interval)
        let (stream, isNew) = market.candles.add(BGEMarketState.candleKey(product, interval))
        if isNew { try await subscribe(BGETopic(.candles, product, interval: native)) }
        try await follow(product)
        return stream
    }

    /// The current local book of `symbol` (nil before its first snapshot).
    public func currentBook(_ symbol: Symbol) -> OrderBook? {
        (try? BGESymbols.native(symbol)).flatMap { market.book($0) }
    }

    // MARK: Private

    /// Order states and derived fills from `orders` pushes, never dropped. Covers every product
    /// this API watches or trades (one `orders` subscription per product).
    public func watchOrders() async throws -> EventStream<OrderEvent> { try await watchOrders(symbols: []) }

    public func watchOrders(symbols: [Symbol]) async throws -> EventStream<OrderEvent> {
        try requireCredentials()
        let products = try symbols.map { (s) throws(HFTError) in try BGESymbols.native(s) }
        let stream = EventStream<OrderEvent>(policy: .neverDrop(alarmThreshold: 100_000))
        feed.addOrderSink(stream)
        for p in products { addFollowed(p) }
        for p in followed.withLock({ $0 }) { try await subscribe(BGETopic(.orders, p)) }
        return stream
    }

    /// Balances: the REST snapshot first (when it answers), then `assets` pushes per product.
    public func watchBalance() async throws -> EventStream<Balance> {
        try requireCredentials()
        let stream = EventStream<Balance>(policy: .neverDrop(alarmThreshold: 100_000))
        feed.addBalanceSink(stream)
        do {
            for a in try await rest.balances() { feed.apply(a) }
        } catch {
            reporter.errors.push(VenueErrorReply(venue: .bge, code: "rest", message: "balance snapshot: \(error)"))
        }
        for p in followed.withLock({ $0 }) { try await subscribe(BGETopic(.assets, p)) }
        return stream
    }

    /// Adds `product` to the private channels that are watched.
    func follow(_ product: String) async throws(HFTError) {
        guard hasCredentials, addFollowed(product) else { return }
        if feed.watchingOrders { try await subscribe(BGETopic(.orders, product)) }
        if feed.watchingBalances { try await subscribe(BGETopic(.assets, product)) }
    }

    @discardableResult
    private func addFollowed(_ product: String) -> Bool {
        followed.withLock { f in
            guard !f.contains(product) else { return false }
            f.append(product)
            return true
        }
    }

    func requireCredentials() throws(HFTError) {
        guard hasCredentials else { throw .authenticationFailed("BGE private channels and order entry need API credentials") }
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
    }

    /// After a reconnect pushes may have been lost: every order believed open is queried by id,
    /// and balances come again from REST (both best effort).
    func resyncPrivate() {
        Task { [weak self] in
            guard let self else { return }
            for o in self.feed.orders.openOrders {
                if let u = try? await self.rest.order(id: o.orderID) { self.feed.apply(u) }
            }
            if self.feed.watchingBalances, let list = try? await self.rest.balances() {
                for a in list { self.feed.apply(a) }
            }
        }
    }

    // MARK: Introspection

    public var openOrders: [Order] { feed.orders.openOrders }
    public var malformedCounts: (malformed: UInt64, unknown: UInt64) { reporter.malformedCounts }
    /// `percent10` pushes skipped because their `seq_id` was not above the last applied one.
    public var skippedBookPushes: BGESkippedBookPushes { market.skippedBookPushes }
}
