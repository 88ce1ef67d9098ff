/// The private Kraken socket (`ws-auth`): a fresh WebSocket token before every (re)connect,
/// the `executions` (with `snap_orders`) and `balances` channels, and order entry.
///
/// Order entry: every request goes through one `OrderedSender` whose limiter is process-wide per
/// account (`kraken:<account>:orders`), then onto the connection's event loop, where it is built
/// with the current token and written; requests therefore leave in call order. While the socket
/// is down requests wait (in order, up to `ready_wait_s`). A request cut off by a disconnect is
/// settled after the reconnect from the executions snapshot (matched by `cl_ord_id`, which every
/// order carries), so each one ends in a known state.
import HFTCore
import HFTTransport
import NIOCore
import NIOPosix
import Synchronization

final class KrakenTradingSession: Sendable {
    static let endpoint = KrakenDescriptor.wsAuthEndpoint

    let connection: WebSocketConnection
    let loop: any EventLoop
    let keeper: KrakenTokenKeeper
    private let box: NIOLoopBoundBox<KrakenTradingState>
    private let sender: OrderedSender
    private let reporter: KrakenReporter
    private let ledger: KrakenRequestLedger
    private let eventsTask = Mutex<Task<Void, Never>?>(nil)
    private let balancesRegistered = Mutex(false)

    init(url: String, options: KrakenClientOptions, rest: KrakenRestAPI, reporter: KrakenReporter,
         instruments: KrakenInstrumentCache, latency: LatencyBook, account: String,
         eventLoop: (any EventLoop)? = nil) throws(HFTError) {
        let loop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let keeper = KrakenTokenKeeper(rest: rest)
        let ledger = KrakenRequestLedger()
        let state = KrakenTradingState(options: options, reporter: reporter, keeper: keeper, ledger: ledger,
                                       latency: latency, instruments: instruments, loop: loop)
        let box = NIOLoopBoundBox.makeBoxSendingValue(state, as: KrakenTradingState.self, eventLoop: loop)
        let hooks = KrakenHooks(onConnect: { _ in
            // Kraken's guidance: a fresh token for every connection (kraken.md §3.2).
            _ = try await keeper.refresh(after: nil)
            try await loop.submit { box.value.connectionReset() }.get()
        })
        var config = try options.webSocketConfiguration(url: url)
        // The hook fetches the token over REST; give it the REST timeout plus slack.
        config.authenticationTimeout = max(config.authenticationTimeout, options.requestTimeout + .seconds(1))
        let connection = try WebSocketConnection(configuration: config, hooks: hooks, eventLoop: loop,
                                                 onMessage: { m in box.value.handle(m) })
        self.connection = connection
        self.loop = loop
        self.keeper = keeper
        self.box = box
        self.reporter = reporter
        self.ledger = ledger
        let limiter = RateLimiterRegistry.shared.limiter("kraken:\(account):orders", capacity: Double(max(1, options.orderBurst)),
                                                         refillPerSecond: options.maxMessagesPerSecond)
        self.sender = OrderedSender(limiter: limiter)
        loop.execute { box.value.connection = connection }
        // Keep an executions subscription on the auth socket: it carries order state and keeps
        // Kraken from dropping an idle socket (kraken.md §2).
        let execSub = Self.subscription(.executions, keeper: keeper, ledger: ledger)
        Task { try? await connection.subscribe(execSub) }
    }

    enum PrivateChannel: String, Sendable { case executions, balances }

    static func subscription(_ channel: PrivateChannel, keeper: KrakenTokenKeeper, ledger: KrakenRequestLedger) -> Subscription {
        Subscription(key: channel.rawValue) {
            .text(KrakenTradingState.render(.subscribe, channel, token: keeper.current?.token ?? "",
                                            id: ledger.next(.subscribe, channel.rawValue, nil)))
        }
    }

    func start() {
        eventsTask.withLock { t in
            guard t == nil else { return }
            let box = self.box, loop = self.loop
            t = reporter.watch(connection, endpoint: Self.endpoint, reportAuthentication: true) { e in
                switch e {
                case .ready: loop.execute { box.value.openGate() }
                case .disconnected: loop.execute { box.value.closeGate() }
                case .closed: loop.execute { box.value.shutDown() }
                default: break
                }
            }
        }
        connection.start()
    }

    func waitUntilReady(timeout: Duration) async throws(HFTError) {
        start()
        do {
            try await connection.waitUntilReady(timeout: timeout)
        } catch {
            throw reporter.lastError(Self.endpoint).map { HFTError.connectFailed("Kraken ws-auth not ready: \($0)") } ?? error
        }
    }

    func stop() async {
        let box = self.box
        loop.execute { box.value.stopping = true }
        await connection.stop()
        try? await loop.submit { box.value.shutDown() }.get()
        let t = eventsTask.withLock { $0 }
        await t?.value
    }

    // MARK: Order entry

    /// Queues `op` behind every earlier request; never suspends.
    func submit(_ op: KrakenOrderOp, cost: Double = 1) {
        start()
        let box = self.box, loop = self.loop
        sender.submit(cost: cost) { result in
            switch result {
            case .success: loop.execute { box.value.dispatch(op) }
            case .failure(let e): op.finish(op.failure(e))
            }
        }
    }

    // MARK: Streams

    func watchOrders() async throws(HFTError) -> EventStream<OrderEvent> {
        start()
        let stream = EventStream<OrderEvent>(policy: .neverDrop(alarmThreshold: 100_000))
        try await onLoop { s in s.addOrderSink(stream) }
        return stream
    }

    func watchBalance() async throws(HFTError) -> EventStream<Balance> {
        start()
        let stream = EventStream<Balance>(policy: .neverDrop(alarmThreshold: 100_000))
        try await onLoop { s in s.addBalanceSink(stream) }
        let first = balancesRegistered.withLock { r in defer { r = true }; return !r }
        if first {
            try await connection.subscribe(Self.subscription(.balances, keeper: keeper, ledger: ledger))
            try await onLoop { s in s.balancesSubscribed = true }
        }
        return stream
    }

    /// Open orders as the executions channel last described them.
    var openOrders: [Order] {
        get async { (try? await onLoop { s in s.orders.orders.values.sorted { $0.timestamp < $1.timestamp } }) ?? [] }
    }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (KrakenTradingState) -> T) async throws(HFTError) -> T {
        let box = self.box
        do { return try await loop.submit { body(box.value) }.get() } catch { throw .notConnected }
    }
}

/// The current WebSocket token; concurrent refreshes share one REST call.
final class KrakenTokenKeeper: Sendable {
    private struct State {
        var token: String?
        var generation = 0
        var inflight: Task<KrakenWebSocketToken, any Error>?
    }

    private let state = Mutex(State())
    let rest: KrakenRestAPI

    init(rest: KrakenRestAPI) { self.rest = rest }

    /// The token and its generation (bumped by every refresh).
    var current: (token: String, generation: Int)? {
        state.withLock { s in s.token.map { ($0, s.generation) } }
    }

    /// A new token, unless one newer than `generation` exists already (nil: always new).
    @discardableResult
    func refresh(after generation: Int?) async throws(HFTError) -> (token: String, generation: Int) {
        enum Step { case have(String, Int), wait(Task<KrakenWebSocketToken, any Error>) }
        let rest = self.rest
        let step = state.withLock { s -> Step in
            if let g = generation, let t = s.token, s.generation > g { return .have(t, s.generation) }
            if let t = s.inflight { return .wait(t) }
            let t = Task { () async throws -> KrakenWebSocketToken in try await rest.webSocketToken() }
            s.inflight = t
            return .wait(t)
        }
        switch step {
        case .have(let t, let g):
            return (t, g)
        case .wait(let task):
            do {
                let fresh = try await task.value
                return state.withLock { s in
                    if s.inflight == task {
                        s.inflight = nil
                        s.token = fresh.token
                        s.generation += 1
                    }
                    return (s.token ?? fresh.token, s.generation)
                }
            } catch {
                state.withLock { s in if s.inflight == task { s.inflight = nil } }
                throw (error as? HFTError) ?? .authenticationFailed("Kraken token: \(error)")
            }
        }
    }

    /// `refresh` as a value: the new generation or the error.
    func refreshResult(after generation: Int?) async -> Result<Int, HFTError> {
        do throws(HFTError) { return .success(try await refresh(after: generation).generation) } catch { return .failure(error) }
    }

    func clear() { state.withLock { $0.token = nil } }
}
