/// The DigiFinex socket (public and private channels on one connection), its keep-alive,
/// authentication and proactive recycling.
///
/// Hot path, on the connection's event loop: frame → inflate (zlib, or plain text) →
/// `DigiFinexDecoder` → book apply / trade dedupe → each watcher's `EventStream`.
///
/// Every (re)connect runs, in order: books invalidated (no sequence numbers, so the state is per
/// connection), `server.auth` when credentials were given, then the replay of one subscribe per
/// channel carrying the channel's complete symbol list. Before the venue's ~2 h cut, a second
/// socket is opened (`recycle_interval_s`), subscribed, and its books built from its own
/// snapshots while the old one keeps delivering; then routing switches and the old one closes.
import HFTCore
import HFTTransport
import NIOCore
import NIOPosix
import Synchronization

final class DigiFinexSession: Sendable {
    static let order: [DigiFinexChannel] = [.depth, .trades, .ticker, .allTicker, .order, .orderAlgo, .balance]

    let loop: any EventLoop
    let box: NIOLoopBoundBox<DigiFinexState>
    let options: DigiFinexClientOptions
    let url: String
    let credentials: DigiFinexCredentials?
    let lists: DigiFinexChannelLists
    let ledger: DigiFinexRequestLedger
    let reporter: DigiFinexReporter
    let feed: DigiFinexPrivateFeed
    private let onReconnect: @Sendable () -> Void

    private struct Link {
        let connection: WebSocketConnection
        let watcher: Task<Void, Never>
    }
    private struct Links {
        var connections: [Int: Link] = [:]
        var active = 1
        var nextGeneration = 1
        var recycler: Task<Void, Never>?
        var started = false
        var stopped = false
        var recycles = 0
    }
    private let links = Mutex(Links())
    private let first: WebSocketConnection

    init(url: String, options: DigiFinexClientOptions, credentials: DigiFinexCredentials?, reporter: DigiFinexReporter,
         feed: DigiFinexPrivateFeed, eventLoop: (any EventLoop)? = nil, onReconnect: @escaping @Sendable () -> Void) throws(HFTError) {
        let loop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let lists = DigiFinexChannelLists(), ledger = DigiFinexRequestLedger()
        let state = DigiFinexState(reporter: reporter, ledger: ledger, feed: feed)
        self.loop = loop
        self.box = NIOLoopBoundBox.makeBoxSendingValue(state, as: DigiFinexState.self, eventLoop: loop)
        self.options = options
        self.url = url
        self.credentials = credentials
        self.lists = lists
        self.ledger = ledger
        self.reporter = reporter
        self.feed = feed
        self.onReconnect = onReconnect
        self.first = try Self.makeConnection(generation: 1, url: url, options: options, credentials: credentials, box: box,
                                             loop: loop, reporter: reporter, onReconnect: onReconnect)
        let box = self.box
        let onEmpty: @Sendable (DigiFinexChannel, String) -> Void = { [weak self] channel, native in
            guard let self else { return }
            Task { await self.remove(channel, native) }
        }
        loop.execute { box.value.onEmpty = onEmpty }
    }

    static func makeConnection(generation gen: Int, url: String, options: DigiFinexClientOptions, credentials: DigiFinexCredentials?,
                               box: NIOLoopBoundBox<DigiFinexState>, loop: any EventLoop, reporter: DigiFinexReporter,
                               onReconnect: @escaping @Sendable () -> Void) throws(HFTError) -> WebSocketConnection {
        let hooks = DigiFinexHooks(onConnect: { connection in
            let again = try await loop.submit { box.value.connectionReset(gen) }.get()
            if let credentials {
                do throws(HFTError) { try await authenticate(connection, credentials, reporter: reporter) } catch {
                    reporter.authFailed(error)
                    throw error
                }
            }
            if again { onReconnect() }
        })
        return try WebSocketConnection(configuration: try options.webSocketConfiguration(url: url), hooks: hooks, eventLoop: loop,
                                       onMessage: { m in box.value.handle(m, generation: gen) })
    }

    /// `server.auth` on `connection`; any non-null `error` fails this connection attempt.
    static func authenticate(_ connection: WebSocketConnection, _ credentials: DigiFinexCredentials,
                             reporter: DigiFinexReporter) async throws(HFTError) {
        let result = try await connection.sendRequest(method: DigiFinexRequest.auth) { id in
            DigiFinexRequest.auth(id: id, credentials: credentials, milliseconds: WallClock.milliseconds())
        }
        guard case .response(let r)? = try? DigiFinexDecoder.decode(result.responseText) else {
            throw .authenticationFailed("DigiFinex server.auth: unreadable reply")
        }
        if let e = r.error {
            reporter.venueError(e, context: "server.auth")
            throw .authenticationFailed("DigiFinex server.auth: \(e.code) \(e.text)")
        }
        reporter.report(.authenticated, "server.auth ok (\(result.latencyMicros) µs)")
    }

    // MARK: Lifecycle

    /// Connects (idempotent) and starts the recycle timer.
    func start() {
        let go: Bool = links.withLock { l in
            guard !l.started, !l.stopped else { return false }
            l.started = true
            l.connections[1] = Link(connection: first, watcher: reporter.watch(first, socket: "ws"))
            return true
        }
        guard go else { return }
        first.start()
        let interval = options.recycleInterval
        guard interval > .zero else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                guard let self else { return }
                await self.recycle()
            }
        }
        links.withLock { $0.recycler = task }
    }

    func stop() async {
        let (all, recycler): ([Link], Task<Void, Never>?) = links.withLock { l in
            l.stopped = true
            defer { l.connections.removeAll() }
            return (Array(l.connections.values), l.recycler)
        }
        recycler?.cancel()
        for link in all { await link.connection.stop() }
        for link in all { await link.watcher.value }
        try? await loop.submit { [box] in box.value.finishAll() }.get()
    }

    /// The connection currently routed.
    var connection: WebSocketConnection { links.withLock { $0.connections[$0.active]?.connection } ?? first }

    var recycleCount: Int { links.withLock { $0.recycles } }

    func waitUntilReady(timeout: Duration) async throws(HFTError) {
        try await connection.waitUntilReady(timeout: timeout)
    }

    private var liveConnections: [WebSocketConnection] {
        links.withLock { l in l.connections.sorted { $0.key < $1.key }.map(\.value.connection) }
    }

    // MARK: Subscriptions (replace semantics: every subscribe carries the full list)

    func subscription(_ channel: DigiFinexChannel) -> Subscription {
        let lists = self.lists, ledger = self.ledger
        return Subscription(key: channel.rawValue) {
            let l = lists.list(channel)
            return .text(DigiFinexRequest.subscribe(id: ledger.next(channel.subscribeMethod, l), channel, l))
        }
    }

    /// Adds `items` to `channel` and (re)subscribes with the whole list when it changed. With
    /// `waitForAck`, returns once the venue acknowledged a list covering `items` (bounded by
    /// `request_timeout_s`; a refusal or no answer throws), e.g. so that an order placed right
    /// after `watchOrders` cannot beat its subscription.
    func add(_ channel: DigiFinexChannel, _ items: [String], force: Bool = false, waitForAck: Bool = false) async throws(HFTError) {
        guard lists.add(channel, items) || force, !lists.list(channel).isEmpty || channel == .allTicker else { return }
        let token = waitForAck ? ledger.expectAck(channel.subscribeMethod, covering: items) : nil
        for c in liveConnections { try await c.subscribe(subscription(channel)) }
        guard let token else { return }
        guard await ledger.awaitAck(token, timeout: options.requestTimeout) else {
            throw .venueRejected(code: channel.subscribeMethod, message: "no successful ack within \(options.requestTimeout)")
        }
    }

    /// Removes one symbol; resubscribes the rest, or unsubscribes the channel when none is left.
    func remove(_ channel: DigiFinexChannel, _ item: String) async {
        guard lists.remove(channel, item) else { return }
        let rest = lists.list(channel)
        for c in liveConnections {
            if rest.isEmpty {
                let text = DigiFinexRequest.unsubscribe(id: ledger.next(channel.unsubscribeMethod, []), channel)
                try? await c.unsubscribe(key: channel.rawValue, message: .text(text))
            } else {
                try? await c.subscribe(subscription(channel))
            }
        }
    }

    // MARK: Recycling

    /// Opens a replacement socket, lets it build its own books, switches, closes the old one.
    /// On failure the old socket stays in use (tried again at the next interval).
    @discardableResult
    func recycle() async -> Bool {
        let start: (old: Link, gen: Int)? = links.withLock { l in
            guard !l.stopped, let old = l.connections[l.active] else { return nil }
            l.nextGeneration += 1
            return (old, l.nextGeneration)
        }
        guard let (old, gen) = start else { return false }
        let next: WebSocketConnection
        do {
            next = try Self.makeConnection(generation: gen, url: url, options: options, credentials: credentials, box: box,
                                           loop: loop, reporter: reporter, onReconnect: onReconnect)
        } catch {
            reporter.report(.disconnected, "recycle: \(error)")
            return false
        }
        let added = links.withLock { l -> Bool in
            guard !l.stopped else { return false }
            l.connections[gen] = Link(connection: next, watcher: reporter.watch(next, socket: "ws (replacement \(gen))"))
            return true
        }
        guard added else { return false }
        for key in await old.connection.subscriptionKeys {
            if let channel = DigiFinexChannel(rawValue: key) { try? await next.subscribe(subscription(channel)) }
        }
        _ = try? await loop.submit { [box] in box.value.beginStandby(gen) }.get()
        next.start()
        do {
            try await next.waitUntilReady(timeout: options.authTimeout + options.requestTimeout + .seconds(5))
        } catch {
            reporter.report(.disconnected, "recycle: replacement not ready (\(error)); keeping the current socket")
            let link = links.withLock { $0.connections.removeValue(forKey: gen) }
            _ = try? await loop.submit { [box] in box.value.abortStandby(gen) }.get()
            await link?.connection.stop()
            return false
        }
        let deadline = ContinuousClock.now + options.recycleSnapshotWait
        while ContinuousClock.now < deadline {
            if (try? await loop.submit({ [box] in box.value.standbyComplete }).get()) ?? true { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let oldGen: Int? = links.withLock { l in
            guard !l.stopped, l.connections[gen] != nil else { return nil }
            defer { l.active = gen; l.recycles += 1 }
            return l.active
        }
        guard let oldGen else { return false }
        _ = try? await loop.submit { [box] in box.value.switchTo(gen) }.get()
        reporter.report(.connected, "recycled: socket \(gen) replaces socket \(oldGen)")
        let gone = links.withLock { $0.connections.removeValue(forKey: oldGen) }
        await gone?.connection.stop()
        return true
    }

    // MARK: Watchers (on the loop)

    func onLoop<T: Sendable>(_ body: @escaping @Sendable (DigiFinexState) -> T) async throws(HFTError) -> T {
        let box = self.box
        do { return try await loop.submit { body(box.value) }.get() } catch { throw .notConnected }
    }
}
