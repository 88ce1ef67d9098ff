/// LBank spot behind the unified `ExchangeWsAPI`.
///
/// One socket carries public and private channels (lbank.md §1). The server's
/// `{"action":"ping"}` is answered on the event loop (`ServerPingReply.action`); we also ping on
/// a timer as the stall probe. Private channels carry a `subscribeKey` from signed REST, kept
/// alive by `LBankKeySupervisor`; every subscribe renders the current key at send time, so
/// replays after a reconnect and resubscribes after a key change use the live one. The venue
/// takes no orders over WebSocket: order entry goes over signed REST (`LBankOrderEntry`) with the
/// same `OrderResult` and callbacks, its latency measured around the HTTP exchange.
import HFTCore
import HFTTransport
import Synchronization

public final class LBankWsAPI: ExchangeWsAPI {
    public let venue = Venue.lbank
    public let endpoints: LBankEndpoints
    public let options: LBankClientOptions
    /// Round-trip latency per REST method (`POST /v2/supplement/create_order.do`, …), in µs.
    public let latency = LatencyBook()
    public var status: EventStream<VenueStatus> { reporter.status }
    public var errors: EventStream<VenueErrorReply> { reporter.errors }

    public let rest: LBankRestAPI
    private let ownsRest: Bool
    let reporter = LBankReporter()
    let router: LBankRouter
    let keys: LBankKeySupervisor?
    let connection: WebSocketConnection
    let sender: OrderedSender
    private let started = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let depths = Mutex<[String: Int]>([:])
    private let privateChannels = Mutex<[LBankRequest.Channel]>([])
    private let watcher = Mutex<Task<Void, Never>?>(nil)

    public convenience init(settings: VenueAPISettings, rest: LBankRestAPI? = nil) throws(HFTError) {
        guard settings.venue == .lbank else { throw .configuration("LBankWsAPI created for \(settings.venue)") }
        let creds = try settings.credentials.map { (c) throws(HFTError) in try LBankCredentials(c) }
        try self.init(credentials: creds, endpoints: try LBankDescriptor.endpoints(settings.endpoints),
                      options: try LBankClientOptions(settings.options), rest: rest)
    }

    public init(credentials: LBankCredentials?, endpoints: LBankEndpoints = .production,
                options: LBankClientOptions? = nil, rest: LBankRestAPI? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.endpoints = endpoints
        self.options = opts
        (self.rest, ownsRest) = try WsAPISupport.rest(rest, withCredentials: credentials != nil) { () throws(HFTError) in
            try LBankRestAPI(credentials: credentials, endpoints: endpoints, options: opts)
        }
        let router = LBankRouter(reporter: reporter)
        self.router = router
        keys = self.rest.hasCredentials ? LBankKeySupervisor(rest: self.rest, refreshEvery: opts.keyRefresh, retry: opts.keyRetry, reporter: reporter) : nil
        connection = try WebSocketConnection(configuration: try opts.webSocketConfiguration(url: endpoints.webSocket),
                                             onMessage: { m in router.handle(m) })
        sender = OrderedSender(limiter: self.rest.orderLimiter)
        if let keys {
            keys.setOnNewKey { [weak self] _ in self?.resubscribePrivate() }
            router.setOnKeyError { [weak keys] m in keys?.keyRejected(m) }
        }
    }

    public var hasCredentials: Bool { rest.hasCredentials }

    // MARK: Lifecycle

    /// Connects; with credentials, also creates the subscribeKey (and starts its refresh loop).
    public func start() async throws {
        guard !stopped.load(ordering: .acquiring) else { throw HFTError.notConnected }
        connect()
        if let keys { _ = try await keys.key() }
    }

    func connect() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let router = self.router
        let task = reporter.watch(connection, onConnected: { [weak self] again in if again { self?.resyncAfterReconnect() } },
                                  onDisconnected: { router.invalidateBooks() })
        watcher.withLock { $0 = task }
        connection.start()
    }

    /// Destroys the subscribeKey, closes the socket and ends every stream; cancels no order.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await keys?.stop()
        await connection.stop()
        await watcher.withLock({ $0 })?.value
        router.finishAll()
        reporter.status.finish()
        reporter.errors.finish()
        if ownsRest { await rest.shutdown() }
    }

    public func nextRequestID() -> RequestID { RequestIDGenerator.next() }

    func subscribe(_ c: LBankRequest.Channel) async throws(HFTError) {
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        let keys = self.keys
        if c.isPrivate { privateChannels.withLock { l in if !l.contains(c) { l.append(c) } } }
        connect()
        try await connection.subscribe(Subscription(key: c.key) {
            .text(LBankRequest.subscribe(c, subscribeKey: c.isPrivate ? keys?.currentKey : nil))
        })
    }

    /// A new subscribeKey: send the private subscribes again with it.
    func resubscribePrivate() {
        let channels = privateChannels.withLock { $0 }
        Task { [weak self] in
            for c in channels { try? await self?.subscribe(c) }
        }
    }

    /// Pushes sent while the socket was down are lost: balances come again from REST.
    /// (Subscriptions are replayed by the connection with the live subscribeKey.)
    func resyncAfterReconnect() {
        guard keys != nil, router.watchingBalances else { return }
        let rest = self.rest, router = self.router, reporter = self.reporter
        Task {
            do { router.applySnapshot(try await rest.userAssets()) } catch {
                reporter.report(.disconnected, "balance resync after reconnect failed: \(error)")
            }
        }
    }

    // MARK: Market data

    /// Full top-N snapshots (`depth` 10/50/100, the smallest covering `depth`); each push
    /// replaces the local book. Conflated.
    public func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws -> EventStream<BookUpdate> {
        guard depth > 0 else { throw HFTError.invalidArgument("LBank book depth must be positive") }
        let pair = try LBankSymbols.native(symbol)
        let stream = EventStream<BookUpdate>(policy: delivery)
        router.state.withLock { $0.bookSinks[pair, default: []].append(.init(stream: stream, depth: depth)) }
        let level = LBankRequest.depthLevel(for: depth)
        let send: Bool = depths.withLock { d in
            guard (d[pair] ?? 0) < level else { return false }
            d[pair] = level
            return true
        }
        if send { try await subscribe(.depth(pair: pair, levels: level)) }
        return stream
    }

    /// Public trades (one per push, no venue id: the id is the trade's `TS` in µs). Drop-oldest beyond 10 000 unread.
    public func watchTrades(_ symbol: Symbol) async throws -> EventStream<Trade> {
        let pair = try LBankSymbols.native(symbol)
        let stream = EventStream<Trade>(policy: .dropOldest(capacity: 10_000))
        let first = router.state.withLock { s -> Bool in
            defer { s.tradeSinks[pair, default: []].append(stream) }
            return s.tradeSinks[pair] == nil
        }
        if first { try await subscribe(.trade(pair: pair)) }
        return stream
    }

    /// `tick` (last price and 24 h volume; the venue sends no best bid/ask). Conflated.
    public func watchTicker(_ symbol: Symbol) async throws -> EventStream<Ticker> {
        let pair = try LBankSymbols.native(symbol)
        let stream = EventStream<Ticker>(policy: .conflate)
        let first = router.state.withLock { s -> Bool in
            defer { s.tickerSinks[pair, default: []].append(stream) }
            return s.tickerSinks[pair] == nil
        }
        if first { try await subscribe(.tick(pair: pair)) }
        return stream
    }

    /// `kbar` bars (1m 5m 15m 30m 1h 4h 1d 1w 1M 1y), drop-oldest; LBank does not say whether a
    /// bar is final (`isClosed` nil).
    public func watchCandles(_ symbol: Symbol, interval: CandleInterval) async throws -> EventStream<Candle> {
        let pair = try LBankSymbols.native(symbol)
        let channel = LBankRequest.Channel.kbar(pair: pair, interval: try LBankRouter.candleIntervals.native(interval))
        let (stream, isNew) = router.candles.add(channel.key)
        if isNew { try await subscribe(channel) }
        return stream
    }

    /// `orderUpdate` for all pairs: order states and fills, never dropped.
    public func watchOrders() async throws -> EventStream<OrderEvent> {
        guard let keys else { throw HFTError.authenticationFailed("LBank private channels need API credentials") }
        _ = try await keys.key()
        let stream = EventStream<OrderEvent>(policy: .neverDrop(alarmThreshold: 100_000))
        router.state.withLock { $0.orderSinks.append(stream) }
        try await subscribe(.orderUpdate(pair: "all"))
        return stream
    }

    /// Balances: the REST snapshot first (the socket pushes none), then `assetUpdate`.
    public func watchBalance() async throws -> EventStream<Balance> {
        guard let keys else { throw HFTError.authenticationFailed("LBank private channels need API credentials") }
        _ = try await keys.key()
        let stream = EventStream<Balance>(policy: .neverDrop(alarmThreshold: 100_000))
        router.state.withLock { $0.balanceSinks.append(stream) }
        try await subscribe(.assetUpdate)
        let snapshot = try await rest.userAssets()
        for b in snapshot { stream.push(b) }
        router.state.withLock { s in for b in snapshot { s.balances[b.asset] = b } }
        return stream
    }

    // MARK: Introspection

    public var malformedCounts: (malformed: UInt64, unknown: UInt64) { reporter.malformedCounts }
    /// The live subscribeKey (nil without credentials or before the first private call).
    public var subscribeKey: String? { keys?.currentKey }
    /// Successful refreshes and re-creations of the subscribeKey so far.
    public var keyCounts: (refreshes: Int, recreations: Int) { keys?.counts ?? (0, 0) }
}
