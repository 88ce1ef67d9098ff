/// DigiFinex spot behind the unified `ExchangeWsAPI`.
///
/// One socket carries public and private channels (`server.auth` on every connect when
/// credentials were given). The venue takes no orders over WebSocket, so order entry goes over
/// the signed REST v3 API (`DigiFinexOrderEntry`) with the same `OrderResult` and callbacks;
/// its latency is measured around the HTTP exchange. The private channels need symbols
/// (`order.subscribe`) and currencies (`balance.subscribe`): the order channel follows every
/// symbol this API watches or trades, the balance channel the currencies of the assets
/// snapshot plus those of every symbol traded.
import HFTCore
import HFTTransport
import Synchronization

public final class DigiFinexWsAPI: ExchangeWsAPI {
    public let venue = Venue.digifinex
    public let endpoints: DigiFinexEndpoints
    public let options: DigiFinexClientOptions
    /// Round-trip latency per REST method (`POST /v3/spot/order/new`, …), in µs.
    public let latency = LatencyBook()
    public let account: String

    public var status: EventStream<VenueStatus> { reporter.status }
    public var errors: EventStream<VenueErrorReply> { reporter.errors }

    public let rest: DigiFinexRestAPI
    private let ownsRest: Bool
    let reporter = DigiFinexReporter()
    let feed = DigiFinexPrivateFeed()
    private let sessionBox = Mutex<DigiFinexSession?>(nil)
    /// Order entry over signed REST (`DigiFinexOrderEntry`).
    let orderEntry: RESTOrderEntry
    private let stopped = Atomic<Bool>(false)
    private let resyncs = Mutex<Task<Void, Never>?>(nil)

    public convenience init(settings: VenueAPISettings, rest: DigiFinexRestAPI? = nil) throws(HFTError) {
        guard settings.venue == .digifinex else { throw .configuration("DigiFinexWsAPI created for \(settings.venue)") }
        let options = try DigiFinexClientOptions(settings.options)
        let endpoints = try DigiFinexDescriptor.endpoints(settings.endpoints)
        let creds = try settings.credentials.map { (c) throws(HFTError) in try DigiFinexCredentials(c) }
        try self.init(credentials: creds, endpoints: endpoints, options: options, rest: rest, account: settings.account)
    }

    public init(credentials: DigiFinexCredentials?, endpoints: DigiFinexEndpoints = .production,
                options: DigiFinexClientOptions? = nil, rest: DigiFinexRestAPI? = nil, account: String? = nil) throws(HFTError) {
        let opts = try options.orDefaults()
        self.endpoints = endpoints
        self.options = opts
        self.account = account ?? "default"
        (self.rest, ownsRest) = try WsAPISupport.rest(rest, withCredentials: credentials != nil) { () throws(HFTError) in
            try DigiFinexRestAPI(credentials: credentials, endpoints: endpoints, options: opts)
        }
        orderEntry = RESTOrderEntry(venue: .digifinex, rest: self.rest, latency: latency,
                                    onRateLimited: { [reporter] in reporter.report(.rateLimited, $0) })
        // Creating the session checks the WebSocket URL now rather than at the first watch.
        _ = try session()
    }

    public var hasCredentials: Bool { rest.hasCredentials }
    var credentials: DigiFinexCredentials? { rest.credentials }

    // MARK: Lifecycle

    /// Connects; with credentials, waits until `server.auth` succeeded and subscriptions are
    /// replayed (a refused `server.auth` fails at once; the socket keeps retrying).
    public func start() async throws {
        let s = try session()
        s.start()
        guard hasCredentials else { return }
        let reporter = self.reporter, wait = options.authTimeout + options.requestTimeout + .seconds(5)
        try await WsAPISupport.ready({ try await s.waitUntilReady(timeout: wait) }, authFailure: { reporter.authFailure })
    }

    /// Closes the socket and ends every stream; cancels no order.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        resyncs.withLock { $0?.cancel() }
        await sessionBox.withLock({ $0 })?.stop()
        reporter.status.finish()
        reporter.errors.finish()
        if ownsRest { await rest.shutdown() }
    }

    public func nextRequestID() -> RequestID { RequestIDGenerator.next() }

    func session() throws(HFTError) -> DigiFinexSession {
        guard !stopped.load(ordering: .acquiring) else { throw .notConnected }
        return try sessionBox.withLock { (box) throws(HFTError) -> DigiFinexSession in
            if let box { return box }
            let s = try DigiFinexSession(url: endpoints.webSocket, options: options, credentials: rest.credentials, reporter: reporter,
                                         feed: feed, onReconnect: { [weak self] in self?.resyncPrivate() })
            box = s
            return s
        }
    }

    // MARK: Market data

    /// Local book from `depth.update` (`clean` snapshot, then deltas; sorted), each update cut
    /// to `depth` levels. Conflated. Invalidated on every reconnect (`book_invalid`) until the
    /// new socket's snapshot (`book_resynced`).
    public func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws -> EventStream<BookUpdate> {
        guard depth > 0 else { throw HFTError.invalidArgument("DigiFinex book depth must be positive") }
        let native = try DigiFinexSymbols.native(symbol)
        let s = try session()
        s.start()
        let stream = EventStream<BookUpdate>(policy: delivery)
        if try await s.onLoop({ $0.addBookSink(native: native, symbol: symbol, stream: stream, depth: depth) }) {
            try await s.add(.depth, [native])
        }
        try await follow(native)
        return stream
    }

    /// Public trades, deduplicated by id, oldest first (drop-oldest beyond 10 000 unread).
    public func watchTrades(_ symbol: Symbol) async throws -> EventStream<Trade> {
        let native = try DigiFinexSymbols.native(symbol)
        let s = try session()
        s.start()
        let stream = EventStream<Trade>(policy: .dropOldest(capacity: 10_000))
        if try await s.onLoop({ $0.addTradeSink(native: native, stream: stream) }) {
            try await s.add(.trades, [native])
        }
        try await follow(native)
        return stream
    }

    /// `ticker.update` (conflated).
    public func watchTicker(_ symbol: Symbol) async throws -> EventStream<Ticker> {
        let native = try DigiFinexSymbols.native(symbol)
        let s = try session()
        s.start()
        let stream = EventStream<Ticker>(policy: .conflate)
        if try await s.onLoop({ $0.addTickerSink(native: native, stream: stream) }) {
            try await s.add(.ticker, [native])
        }
        try await follow(native)
        return stream
    }

    /// Order states and derived fills from `order.update`, never dropped. The channel covers
    /// the symbols this API watches or trades (add more with `watchOrders(symbols:)`); with
    /// symbols, returns once the venue acknowledged them.
    public func watchOrders() async throws -> EventStream<OrderEvent> {
        try await watchOrders(symbols: [])
    }

    public func watchOrders(symbols: [Symbol]) async throws -> EventStream<OrderEvent> {
        let s = try privateSession()
        let natives = try symbols.map { (x) throws(HFTError) in try DigiFinexSymbols.native(x) }
        let stream = EventStream<OrderEvent>(policy: .neverDrop(alarmThreshold: 100_000))
        feed.addOrderSink(stream)
        s.start()
        try await s.add(.order, natives, force: true, waitForAck: true)
        return stream
    }

    /// Balances: the REST assets snapshot first (the socket pushes none), then `balance.update`.
    public func watchBalance() async throws -> EventStream<Balance> {
        let s = try privateSession()
        let stream = EventStream<Balance>(policy: .neverDrop(alarmThreshold: 100_000))
        for b in feed.balances.all { stream.push(b) }
        feed.addBalanceSink(stream)
        s.start()
        let assets = try await rest.assets()
        for a in assets { feed.apply(a) }
        var currencies = assets.filter { !$0.total.isZero || !$0.free.isZero }.map(\.currency)
        for native in s.lists.list(.order) {
            if let u = DigiFinexSymbols.unified(native) { currencies += [u.base, u.quote] }
        }
        try await s.add(.balance, currencies, force: true, waitForAck: true)
        return stream
    }

    /// Adds `native` to the order channel, and its currencies to the balance channel, when watched.
    func follow(_ native: String) async throws(HFTError) {
        guard hasCredentials, let s = sessionBox.withLock({ $0 }) else { return }
        if feed.watchingOrders { try await s.add(.order, [native]) } else { s.lists.add(.order, [native]) }
        if feed.watchingBalances, let u = DigiFinexSymbols.unified(native) { try await s.add(.balance, [u.base, u.quote]) }
    }

    func privateSession() throws(HFTError) -> DigiFinexSession {
        guard hasCredentials else { throw .authenticationFailed("DigiFinex private channels and order entry need API credentials") }
        return try session()
    }

    // MARK: Resync after a reconnect

    /// The socket was down: pushes may be lost. Balances come again from REST; every order we
    /// believe open is queried by id.
    func resyncPrivate() {
        let task = Task { [weak self] in
            guard let self else { return }
            do {
                if self.feed.watchingBalances {
                    for a in try await self.rest.assets() { self.feed.apply(a) }
                }
                let open = self.feed.orders.openOrders.map(\.orderID)
                var i = 0
                while i < open.count {
                    let chunk = Array(open[i..<min(i + 20, open.count)])
                    for o in try await self.rest.orders(ids: chunk) { self.feed.apply(o) }
                    i += 20
                }
            } catch {
                self.reporter.report(.disconnected, "resync after reconnect failed: \(error)")
            }
        }
        resyncs.withLock { $0 = task }
    }

    // MARK: Introspection

    /// Open orders as the pushes and REST replies last described them.
    public var openOrders: [Order] { feed.orders.openOrders }

    public var malformedCounts: (malformed: UInt64, unknown: UInt64) { reporter.malformedCounts }

    /// Completed proactive recycles.
    public var recycleCount: Int { sessionBox.withLock { $0 }?.recycleCount ?? 0 }

    /// Replaces the socket now, without a gap (the same as the `recycle_interval_s` timer does).
    @discardableResult
    public func recycleNow() async throws -> Bool {
        try await session().recycle()
    }

    /// The symbols (or currencies) each channel is subscribed with.
    public func subscribedList(_ channel: DigiFinexChannel) -> [String] {
        sessionBox.withLock { $0 }?.lists.list(channel) ?? []
    }
}
