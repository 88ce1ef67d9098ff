/// The WS API connection (`ws-api`, binance.md §4–§8): after every (re)connect an Ed25519 key
/// logs the session on (`session.logon`) and subscribes the account (`userDataStream.subscribe`);
/// an HMAC key signs every request and subscribes with `userDataStream.subscribe.signature`.
/// User data (`executionReport`, `outboundAccountPosition`) feeds the order and balance streams;
/// `eventStreamTerminated` subscribes again.
///
/// Order entry: every request goes through one ordered queue that takes its REQUEST_WEIGHT and
/// ORDERS units from the process-wide buckets first (a 429/418 blocks them until `retryAfter`),
/// then onto the event loop, where it is built (fresh timestamp) and written; requests leave in
/// call order. A request cut off by a disconnect (or answered 5xx / -1007) is settled by
/// `order.status` after the reconnect, so each one ends in a known state.
///
/// Rotation (before the 24 h cut, at once on `serverShutdown`): a replacement connection logs on
/// and subscribes first; new requests go to it; the old one closes when its requests are answered.
import HFTCore
import HFTTransport
import NIOCore
import NIOPosix
import Synchronization

final class BinanceTradingSession: Sendable {
    static let endpoint = BinanceEndpoints.webSocketAPIName

    let loop: any EventLoop
    private let box: NIOLoopBoundBox<BinanceTradingState>
    private let queue: BinanceRequestQueue
    private let reporter: BinanceReporter
    private let options: BinanceClientOptions
    private let url: String
    private let credentials: BinanceCredentials
    private let limits: BinanceLimits
    let openOrdersMirror: BinanceOpenOrders
    private struct Control {
        var current: (connection: WebSocketConnection, events: Task<Void, Never>)?
        var started = false
        var rotating = false
        var timer: Task<Void, Never>?
        var stopped = false
        var rotations = 0
    }
    private let control = Mutex(Control())

    init(endpoints: BinanceEndpoints, options: BinanceClientOptions, credentials: BinanceCredentials, limits: BinanceLimits,
         reporter: BinanceReporter, latency: LatencyBook, symbols: @escaping @Sendable () -> BinanceSymbolMap,
         eventLoop: (any EventLoop)? = nil) {
        let loop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        self.loop = loop
        self.reporter = reporter
        self.options = options
        self.credentials = credentials
        self.limits = limits
        url = endpoints.webSocketAPIURL(timeUnit: .milliseconds)
        let mirror = BinanceOpenOrders()
        openOrdersMirror = mirror
        let state = BinanceTradingState(options: options, reporter: reporter, credentials: credentials, limits: limits,
                                        latency: latency, symbols: symbols, openMirror: mirror, loop: loop)
        box = NIOLoopBoundBox.makeBoxSendingValue(state, as: BinanceTradingState.self, eventLoop: loop)
        queue = BinanceRequestQueue(limits: limits, maxWait: options.maxRateLimitWait)
        let box = self.box
        loop.execute {
            box.value.onShutdown = { [weak self] in self?.startRotation(reason: "serverShutdown") }
            box.value.resubscribe = { [weak self] in self?.resubscribeUserData() }
        }
    }

    // MARK: Lifecycle

    func start() throws(HFTError) {
        let go = control.withLock { c -> Bool in
            guard !c.started, !c.stopped else { return false }
            c.started = true
            return true
        }
        guard go else { return }
        let connection = try makeConnection()
        install(connection, events: watch(connection))
        connection.start()
    }

    func waitUntilReady(timeout: Duration) async throws(HFTError) {
        try start()
        guard let c = control.withLock({ $0.current?.connection }) else { throw .notConnected }
        do {
            try await c.waitUntilReady(timeout: timeout)
        } catch {
            throw reporter.lastError(Self.endpoint).map { HFTError.connectFailed("Binance ws-api not ready: \($0)") } ?? error
        }
    }

    func stop() async {
        let cur = control.withLock { c -> (WebSocketConnection, Task<Void, Never>)? in
            c.stopped = true
            c.timer?.cancel()
            return c.current.map { ($0.connection, $0.events) }
        }
        let box = self.box
        loop.execute { box.value.stopping = true }
        if let (c, events) = cur {
            await c.stop()
            await events.value
        }
        try? await loop.submit { box.value.shutDown() }.get()
    }

    var isReady: Bool { control.withLock { $0.current?.connection.isReady } ?? false }
    var rotations: Int { control.withLock { $0.rotations } }

    private func makeConnection() throws(HFTError) -> WebSocketConnection {
        let box = self.box, loop = self.loop
        let hooks = BinanceHooks(onConnect: { [weak self] connection in
            try await loop.submit { box.value.connectionReset(connection) }.get()
            try await self?.logOn(connection)
        })
        return try WebSocketConnection(configuration: try options.webSocketConfiguration(url: url), hooks: hooks, eventLoop: loop,
                                       onMessage: { m in box.value.handle(m) })
    }

    private func watch(_ connection: WebSocketConnection) -> Task<Void, Never> {
        let box = self.box, loop = self.loop
        return reporter.watch(connection, endpoint: Self.endpoint, reportAuthentication: true) { e in
            switch e {
            case .ready: loop.execute { box.value.openGate(connection) }
            case .disconnected: loop.execute { box.value.closeGate(connection) }
            default: break
            }
        }
    }

    private func install(_ connection: WebSocketConnection, events: Task<Void, Never>) {
        let interval = options.rotationInterval
        let timer = Task { [weak self] in
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            self?.startRotation(reason: "age \(interval)")
        }
        control.withLock { c in
            c.timer?.cancel()
            c.current = (connection, events)
            c.timer = timer
        }
        let box = self.box
        loop.execute {
            box.value.connection = connection
            if connection.isReady { box.value.openGate(connection) }
        }
    }

    // MARK: Logon and user data

    /// Runs in the connect hook: logon (Ed25519), then the user-data subscription.
    private func logOn(_ connection: WebSocketConnection) async throws {
        let box = self.box, loop = self.loop
        var loggedOn = false
        if credentials.canLogOn {
            let r = try await call(connection, weight: BinanceMethod.sessionLogon.weight) { [credentials, options] id, ts throws(HFTError) in
                try BinanceRequest.sessionLogon(id: id, credentials: credentials, timestamp: ts, recvWindow: options.recvWindow)
            }
            guard r.isSuccess else { throw HFTError.authenticationFailed("Binance session.logon: \(r.error.map { "\($0)" } ?? "status \(r.status)")") }
            loggedOn = true
            try await loop.submit { box.value.loggedOn = true }.get()
        }
        guard options.userData else { return }
        try await subscribeUserData(connection, loggedOn: loggedOn)
    }

    private func subscribeUserData(_ connection: WebSocketConnection, loggedOn: Bool) async throws {
        let r = try await call(connection, weight: BinanceMethod.userDataStreamSubscribe.weight) { [credentials, options] id, ts throws(HFTError) in
            loggedOn ? BinanceRequest.userDataStreamSubscribe(id: id)
                     : try BinanceRequest.userDataStreamSubscribeSignature(id: id, credentials: credentials, timestamp: ts,
                                                                          recvWindow: options.recvWindow)
        }
        // -2035: already subscribed on this session — fine.
        guard r.isSuccess || r.error?.code == -2035 else {
            throw HFTError.authenticationFailed("Binance user-data subscription: \(r.error.map { "\($0)" } ?? "status \(r.status)")")
        }
        var id = ""
        if case .subscription(let n) = r.result { id = " (subscription \(n))" }
        reporter.report(.subscribed, "user data\(id)")
    }

    /// `eventStreamTerminated`: subscribe again on the current connection.
    func resubscribeUserData() {
        guard let c = control.withLock({ $0.current?.connection }) else { return }
        let box = self.box
        Task {
            let loggedOn = (try? await loop.submit { box.value.loggedOn }.get()) ?? false
            do { try await subscribeUserData(c, loggedOn: loggedOn) } catch {
                reporter.report(.disconnected, "\(Self.endpoint): user-data resubscription failed (\(error)); reconnecting")
                c.forceReconnect(reason: "user data lost")
            }
        }
    }

    /// A request outside the order queue (logon, subscriptions): weight charged, -1021 answered
    /// by one clock sync and a resend.
    private func call(_ connection: WebSocketConnection, weight: Int,
                      _ build: @escaping @Sendable (RequestID, Int64) throws(HFTError) -> BinanceRequest) async throws -> BinanceResponse {
        let box = self.box
        for attempt in 0..<2 {
            try await limits.charge(weight: weight, maxWait: options.authTimeout)
            let offset = try await loop.submit { box.value.clockOffsetMillis }.get()
            let request = try build(BinanceWire.nextID(), BinanceTimeUnit.milliseconds.now() + offset)
            let reply = try await connection.sendRequest(method: request.method.rawValue, id: request.id) { _ in request.text }
            guard let r = BinanceWire.response(reply, .milliseconds) else {
                throw HFTError.malformedFrame("Binance \(request.method.rawValue): undecodable reply")
            }
            limits.observe(r.rateLimits)
            if let e = r.error, e.kind(status: r.status) == .invalidTimestamp, attempt == 0 {
                let sentAt = BinanceTimeUnit.milliseconds.now()
                let t = try await connection.sendRequest(method: "time") { id in BinanceRequest.time(id: id).text }
                if let tr = BinanceWire.response(t, .milliseconds), case .serverTime(let micros) = tr.result {
                    let now = BinanceTimeUnit.milliseconds.now()
                    try await loop.submit { box.value.clockOffsetMillis = micros / 1_000 - (sentAt + now) / 2 }.get()
                }
                continue
            }
            if let e = r.error, let after = r.hftError(), case .rateLimited(let a) = after {
                limits.backOff(code: e.code, retryAfterMicros: a)
                reporter.report(.rateLimited, "\(request.method.rawValue): \(e)")
            }
            return r
        }
        throw HFTError.authenticationFailed("Binance: timestamp refused twice")
    }

    // MARK: Rotation

    func startRotation(reason: String) {
        let go = control.withLock { c -> Bool in
            guard !c.rotating, !c.stopped, c.current != nil else { return false }
            c.rotating = true
            return true
        }
        guard go else { return }
        Task { await rotate(reason: reason) }
    }

    private func rotate(reason: String) async {
        defer { control.withLock { $0.rotating = false } }
        guard let old = control.withLock({ $0.current }) else { return }
        reporter.report(.reconnecting, "\(Self.endpoint): rotating (\(reason)); replacement opened first")
        let next: WebSocketConnection
        do { next = try makeConnection() } catch { return }
        let events = watch(next)
        next.start()
        do {
            try await next.waitUntilReady(timeout: options.authTimeout + options.requestTimeout + .seconds(5))
        } catch {
            events.cancel()
            await next.stop()
            Task { [weak self] in
                try? await Task.sleep(for: .seconds(5))
                self?.startRotation(reason: "retry after: \(error)")
            }
            return
        }
        install(next, events: events)
        control.withLock { $0.rotations += 1 }
        reporter.report(.connected, "\(Self.endpoint): rotation done")
        // Let the old connection's requests finish (bounded), then close it.
        let deadline = ContinuousClock.now + options.requestTimeout
        while await old.connection.pendingRequestCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        old.events.cancel()
        await old.connection.stop()
        if control.withLock({ $0.stopped }) { await next.stop() }
    }

    // MARK: Order entry

    /// Queues `op` behind every earlier request; never suspends.
    func submit(_ op: BinanceOrderOp) {
        do { try start() } catch { return op.finish(op.failure(error)) }
        let box = self.box, loop = self.loop
        queue.submit(weight: op.weight, orders: op.orderCount) { result in
            switch result {
            case .success: loop.execute { box.value.dispatch(op) }
            case .failure(let e):
                if case .rateLimited = e { self.reporter.report(.rateLimited, "\(op.method.rawValue): \(e); not sent") }
                op.finish(op.failure(e))
            }
        }
    }

    // MARK: Streams

    func watchOrders() async throws(HFTError) -> EventStream<OrderEvent> {
        try start()
        let stream = EventStream<OrderEvent>(policy: .neverDrop(alarmThreshold: 100_000))
        try await onLoop { s in s.addOrderSink(stream) }
        return stream
    }

    func watchBalance() async throws(HFTError) -> EventStream<Balance> {
        try start()
        let stream = EventStream<Balance>(policy: .neverDrop(alarmThreshold: 100_000))
        try await onLoop { s in s.addBalanceSink(stream) }
        return stream
    }

    var openOrders: [Order] {
        get async { (try? await onLoop { s in s.open.values.sorted { $0.timestamp < $1.timestamp } }) ?? [] }
    }

    func openOrder(_ id: Int64) async -> Order? { try? await onLoop { s in s.open[id] } }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (BinanceTradingState) -> T) async throws(HFTError) -> T {
        let box = self.box
        do { return try await loop.submit { body(box.value) }.get() } catch { throw .notConnected }
    }
}
