/// FMex perpetual swaps behind the unified `ExchangeWsAPI` (fmex.md): a public socket for
/// market data (depth snapshot + deltas chained by `pre_seq`, resubscribed on a break; trades;
/// tickers) and, with credentials, a private push socket signed in its URL (orders, account,
/// positions). Both ping with `{"cmd":"ping"}` every 15 s. FMex takes no orders over WebSocket:
/// order entry goes over signed REST (`FMexOrderEntry`) with the same `OrderResult` and callbacks.
import HFTCore
import HFTTransport
import Synchronization

public final class FMexWsAPI: ExchangeWsAPI {
    public let venue = Venue.fmex
    public let endpoints: FMexEndpoints
    public let options: FMexClientOptions
    /// Round-trip latency per REST method (`POST /v3/contracts/orders`, …), in µs.
    public let latency = LatencyBook()
    public let account: String

    public var status: EventStream<VenueStatus> { reporter.status }
    public var errors: EventStream<VenueErrorReply> { reporter.errors }

    public let rest: FMexRestAPI
    private let ownsRest: Bool
    let reporter = FMexReporter()
    let feed = FMexPrivateFeed()
    let market: FMexMarketState
    /// The public market-data socket.
    let connection: WebSocketConnection
    /// The private push socket (nil without credentials).
    let privateLink: FMexPrivateLink?
    /// Order entry over signed REST (`FMexOrderEntry`).
    let orderEntry: RESTOrderEntry
    private let started = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let watcher = Mutex<Task<Void, Never>?>(nil)
    private let followed = Mutex<[String]>([])
    private let gapAction = FMexAction<FMexTopic>()
    private let readyAction = FMexAction<Int>()
    /// Completed private reconciliations (after reconnects).
    let reconciliations = Atomic<Int>(0)

    public convenience init(settings: VenueAPISettings, rest: FMexRestAPI? = nil) throws(HFTError) {
        guard settings.venue == .fmex else { throw .configuration("FMexWsAPI created for \(settings.venue)") }
        let options = try FMexClientOptions(settings.options)
        let endpoints = try FMexDescriptor.endpoints(settings.endpoints)
        let creds = try settings.credentials.map { (c) throws(HFTError) in try FMexCredentials(c) }
        try self.init(credentials: creds, endpoints: endpoints, options: options, rest: rest, account: settings.account)
    }

    public init(credentials: FMexCredentials?, endpoints: FMexEndpoints = .production, options: FMexClientOptions? = nil,
                rest: FMexRestAPI? = nil, account: String? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.endpoints = endpoints
        self.options = opts
        self.account = account ?? "default"
        (self.rest, ownsRest) = try WsAPISupport.rest(rest, withCredentials: credentials != nil) { () throws(HFTError) in
            try FMexRestAPI(credentials: credentials, endpoints: endpoints, options: opts)
        }
        orderEntry = RESTOrderEntry(venue: .fmex, rest: self.rest, latency: latency,
                                    onRateLimited: { [reporter] in reporter.report(.rateLimited, $0) })
        let reporter = self.reporter, feed = self.feed, gap = gapAction, ready = readyAction
        let market = FMexMarketState(reporter: reporter, onGap: { gap.run($0) })
        self.market = market
        let onMessage: WebSocketConnection.MessageHandler = { m in
            let decoded: Result<FMexInbound, FMexDecodeError> = m.withBytes { b in
                do throws(FMexDecodeError) { return .success(try FMexDecoder.decode(b)) } catch { return .failure(error) }
            }
            switch decoded {
            case .success(let inbound): Self.route(inbound, market: market, feed: feed, reporter: reporter)
            case .failure(let e): reporter.malformed(e.description, unknown: e.isUnknown)
            }
        }
        connection = try WebSocketConnection(
            configuration: opts.webSocketConfiguration(url: try WebSocketURL(endpoints.publicWebSocket), reconnect: opts.reconnectPolicy),
            hooks: FMexPublicHooks(market: market), onMessage: onMessage)
        if let creds = self.rest.credentials {
            var once = opts.reconnectPolicy
            once.maxAttempts = 0
            let single = once
            privateLink = FMexPrivateLink(make: { () throws(HFTError) in
                let url = try Self.signedPrivateURL(endpoints, creds, milliseconds: WallClock.milliseconds(),
                                                    percentEncode: opts.percentEncodeSignature)
                return try WebSocketConnection(configuration: opts.webSocketConfiguration(url: url, reconnect: single), onMessage: onMessage)
            }, reporter: reporter, policy: opts.reconnectPolicy, onReady: { ready.run($0) })
        } else {
            privateLink = nil
        }
        let conn = connection
        gapAction.set { topic in
            // fmex.md §5: a break in the pre_seq chain → unsubscribe and subscribe again for a new snapshot.
            conn.write(.text(FMexRequest.unsubscribe(topic)))
            conn.write(.text(FMexRequest.subscribe(topic)))
        }
        readyAction.set { [weak self] n in
            guard let self, n > 1 else { return }
            Task { await self.reconcile() }
        }
    }

    public var hasCredentials: Bool { rest.hasCredentials }

    /// `wss://…/v2/user/ws?FC-ACCESS-KEY=…&FC-ACCESS-TIMESTAMP=…&FC-ACCESS-SIGNATURE=…` with the
    /// signature over `GET` + `https://…/v2/user/ws` + ms (fmex.md §2). Never logged.
    public static func signedPrivateURL(_ e: FMexEndpoints, _ c: FMexCredentials, milliseconds: Int64,
                                        percentEncode: Bool) throws(HFTError) -> WebSocketURL {
        let sign = c.signer.webSocketSign(address: e.privateSignedAddress, milliseconds: milliseconds)
        func v(_ s: String) -> String { percentEncode ? FMexREST.pathSafe(s) : s }
        let base = e.privateWebSocket.split(separator: "?", maxSplits: 1).first.map(String.init) ?? e.privateWebSocket
        return try WebSocketURL(base + "?FC-ACCESS-KEY=" + v(c.apiKey) + "&FC-ACCESS-TIMESTAMP=" + String(milliseconds)
                                + "&FC-ACCESS-SIGNATURE=" + v(sign))
    }

    // MARK: Hot path

    static func route(_ inbound: FMexInbound, market: FMexMarketState, feed: FMexPrivateFeed, reporter: FMexReporter) {
        switch inbound {
        case .depth(let d): market.apply(d)
        case .trade(let t): market.apply(t)
        case .ticker(let t): market.apply(t)
        case .candle(let c): market.apply(c)
        case .order(let o): feed.apply(o)
        case .account(let a): feed.apply(a)
        case .position(let p): feed.apply(p)
        case .topics(_, let topics):
            for t in topics {
                let symbol = t.split(separator: ".").last.map(String.init)
                reporter.report(.subscribed, symbol: symbol, t)
            }
        case .error(let e, _): reporter.venueError(e)
        case .hello, .pong, .reply, .other: break
        }
    }

    // MARK: Lifecycle

    /// Connects the public socket; with credentials also the private one, and waits until it
    /// accepted the signed address (a refusal fails at once; the socket keeps retrying).
    public func start() async throws {
        guard !stopped.load(ordering: .acquiring) else { throw HFTError.notConnected }
        startConnection()
        guard let link = privateLink else { return }
        link.start()
        let reporter = self.reporter
        let deadline = ContinuousClock.now + (options.authTimeout > .zero ? options.authTimeout : .seconds(10)) + options.requestTimeout
        while !link.isReady {
            if let e = reporter.authFailure { throw e }
            guard ContinuousClock.now < deadline else { throw HFTError.connectFailed("FMex private socket not ready in time") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func startConnection() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        watcher.withLock { $0 = reporter.watch(connection, socket: "public") }
        connection.start()
    }

    /// Closes both sockets and ends every stream; cancels no order.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await connection.stop()
        await privateLink?.stop()
        await watcher.withLock({ $0 })?.value
        market.finishAll()
        feed.finishAll()
        reporter.status.finish()
        reporter.errors.finish()
        if ownsRest { await rest.shutdown() }
    }

    public func nextRequestID() -> RequestID { RequestIDGenerator.next() }

    // MARK: Subscriptions

    /// Registers a public topic (replayed after every reconnect) and sends its `sub`, paced.
    public func subscribe(_ topic: FMexTopic) async throws(HFTError) {
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        startConnection()
        try await connection.subscribe(Subscription(key: topic.name, text: FMexRequest.subscribe(topic)))
    }

    /// Registers a private topic on the private socket.
    func subscribePrivate(_ topic: FMexTopic) async throws(HFTError) {
        guard let link = privateLink else { throw .authenticationFailed("FMex private channels need API credentials") }
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        link.start()
        try await link.subscribe(key: topic.name, text: FMexRequest.subscribe(topic))
    }

    public func unsubscribe(_ topic: FMexTopic) async throws(HFTError) {
        try await connection.unsubscribe(key: topic.name, message: .text(FMexRequest.unsubscribe(topic)))
    }

    public var subscriptionKeys: [String] { get async { await connection.subscriptionKeys } }
    public var privateSubscriptionKeys: [String] { privateLink?.subscriptionKeys ?? [] }

    /// Closes the private socket; the next one is signed afresh (tests, key rotation).
    public func reconnectPrivate(reason: String) { privateLink?.forceReconnect(reason: reason) }

    // MARK: Market data

    /// Local book: `depth-delta.L20` snapshot then deltas (`pre_seq` must equal the last `seq`;
    /// a break invalidates the book and resubscribes), cut to `depth`; conflated. With
    /// `depth_delta=0` every `depth.L20` push replaces the book.
    public func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws -> EventStream<BookUpdate> {
        guard depth > 0 else { throw HFTError.invalidArgument("FMex book depth must be positive") }
        let native = FMexSymbols.topic(symbol)
        let level = depth > 20 ? 150 : options.depthLevel
        let topic = FMexTopic.depth(native, level: level, delta: options.depthDelta)
        let stream = EventStream<BookUpdate>(policy: delivery)
        if let t = market.addBookSink(symbol: native, unified: FMexSymbols.unified(native) ?? symbol, topic: topic,
                                      levels: options.trimBook ? level : 0, stream: stream, depth: depth) {
            try await subscribe(t)
        }
        try await follow(native)
        return stream
    }

    /// Public trades newer than the last id seen; drop-oldest.
    public func watchTrades(_ symbol: Symbol) async throws -> EventStream<Trade> {
        let native = FMexSymbols.topic(symbol)
        let stream = EventStream<Trade>(policy: .dropOldest(capacity: 10_000))
        if market.addTradeSink(symbol: native, stream: stream) { try await subscribe(.trade(native)) }
        try await follow(native)
        return stream
    }

    /// Last, best bid/ask with sizes, 24 h volume in contracts; conflated.
    public func watchTicker(_ symbol: Symbol) async throws -> EventStream<Ticker> {
        let native = FMexSymbols.topic(symbol)
        let stream = EventStream<Ticker>(policy: .conflate)
        if market.addTickerSink(symbol: native, stream: stream) { try await subscribe(.ticker(native)) }
        try await follow(native)
        return stream
    }

    /// `candle.$resolution.$symbol` bars (1m 3m 5m 15m 30m 1h 4h 6h 1d 1w 1M), drop-oldest; FMex
    /// does not say whether a bar is final (`isClosed` nil).
    public func watchCandles(_ symbol: Symbol, interval: CandleInterval) async throws -> EventStream<Candle> {
        let native = FMexSymbols.topic(symbol)
        let topic = FMexTopic.candle(try FMexMarketState.candleIntervals.native(interval), native)
        let (stream, isNew) = market.candles.add(topic.name)
        if isNew { try await subscribe(topic) }
        try await follow(native)
        return stream
    }

    public func currentBook(_ symbol: Symbol) -> OrderBook? { market.book(FMexSymbols.topic(symbol)) }

    // MARK: Private

    /// Order states and derived fills from `order.$symbol` pushes, never dropped; every symbol
    /// this API watches or trades. Open orders come first from REST (pushes are incremental).
    public func watchOrders() async throws -> EventStream<OrderEvent> { try await watchOrders(symbols: []) }

    public func watchOrders(symbols: [Symbol]) async throws -> EventStream<OrderEvent> {
        try requireCredentials()
        let stream = EventStream<OrderEvent>(policy: .neverDrop(alarmThreshold: 100_000))
        feed.addOrderSink(stream)
        for s in symbols { addFollowed(FMexSymbols.topic(s)) }
        followDefaultIfNone()
        for p in followed.withLock({ $0 }) { try await subscribePrivate(.order(p)) }
        do {
            let open = try await rest.openOrders()
            for o in open { feed.apply(o) }
            for sym in Set(open.map { $0.symbol.lowercased() }) { try await follow(sym) }
        } catch {
            reporter.errors.push(VenueErrorReply(venue: .fmex, code: "rest", message: "open orders snapshot: \(error)"))
        }
        return stream
    }

    /// Balances (available; frozen = order margin + position margin): REST snapshot, then `account` pushes.
    public func watchBalance() async throws -> EventStream<Balance> {
        try requireCredentials()
        let stream = EventStream<Balance>(policy: .neverDrop(alarmThreshold: 100_000))
        feed.addBalanceSink(stream)
        try await subscribePrivate(.account)
        do {
            for a in try await rest.balances() { feed.apply(a) }
        } catch {
            reporter.errors.push(VenueErrorReply(venue: .fmex, code: "rest", message: "balance snapshot: \(error)"))
        }
        return stream
    }

    /// Positions in contracts (USD; short negative): REST snapshot, then `position.$symbol` pushes.
    public func watchPositions() async throws -> EventStream<Position> { try await watchPositions(symbols: []) }

    public func watchPositions(symbols: [Symbol]) async throws -> EventStream<Position> {
        try requireCredentials()
        let stream = EventStream<Position>(policy: .neverDrop(alarmThreshold: 100_000))
        feed.addPositionSink(stream)
        for s in symbols { addFollowed(FMexSymbols.topic(s)) }
        followDefaultIfNone()
        for p in followed.withLock({ $0 }) { try await subscribePrivate(.position(p)) }
        do {
            let list = try await rest.positions()
            for p in list { feed.apply(p) }
            for sym in Set(list.map { $0.symbol.lowercased() }) { try await follow(sym) }
        } catch {
            reporter.errors.push(VenueErrorReply(venue: .fmex, code: "rest", message: "position snapshot: \(error)"))
        }
        return stream
    }

    /// Adds `symbol` to the private topics that are watched.
    func follow(_ symbol: String) async throws(HFTError) {
        guard hasCredentials, addFollowed(symbol) else { return }
        if feed.watchingOrders { try await subscribePrivate(.order(symbol)) }
        if feed.watchingPositions { try await subscribePrivate(.position(symbol)) }
    }

    /// The private topics need a symbol; with none named or traded yet, follow `btcusd_p` (FMex's flagship).
    private func followDefaultIfNone() {
        followed.withLock { f in if f.isEmpty { f.append(Self.defaultSymbol) } }
    }

    static let defaultSymbol = "btcusd_p"

    @discardableResult
    private func addFollowed(_ symbol: String) -> Bool {
        followed.withLock { f in
            guard !f.contains(symbol) else { return false }
            f.append(symbol)
            return true
        }
    }

    func requireCredentials() throws(HFTError) {
        guard hasCredentials else { throw .authenticationFailed("FMex private channels and order entry need API credentials") }
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
    }

    /// After a private reconnect pushes may have been lost: open orders come again from REST;
    /// an order believed open that is not listed is read by id (unreadable → status `unknown`);
    /// balances and positions are re-read when watched. Best effort.
    func reconcile() async {
        if let open = try? await rest.openOrders() {
            let listed = Set(open.map(\.id))
            for o in open { feed.apply(o) }
            for o in feed.orders.openOrders where !listed.contains(o.orderID) {
                if let row = try? await rest.order(id: o.orderID) { feed.apply(row) } else {
                    feed.deliver(feed.orders.markUnknown(o.orderID))
                }
            }
        }
        if feed.watchingBalances, let list = try? await rest.balances() { for a in list { feed.apply(a) } }
        if feed.watchingPositions, let list = try? await rest.positions() { for p in list { feed.apply(p) } }
        reconciliations.add(1, ordering: .relaxed)
    }

    // MARK: Introspection

    public var openOrders: [Order] { feed.orders.openOrders }
    public var malformedCounts: (malformed: UInt64, unknown: UInt64) { reporter.malformedCounts }
    public var bookGapCount: UInt64 { market.gapCount }
    public var reconciliationCount: Int { reconciliations.load(ordering: .relaxed) }
}
