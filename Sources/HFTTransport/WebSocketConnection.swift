import HFTCore
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One logical WebSocket connection to a venue: connects, runs the venue's hooks (authenticate,
/// then replay subscriptions, paced), keeps itself alive and reconnects with backoff until
/// `stop()`. All socket work happens on one event loop; the public API is safe from anywhere.
///
/// Inbound messages go to `onMessage` (called on the event loop with a view of the frame's
/// bytes: the fastest path) or, without it, to `messages` under `configuration.messageDelivery`.
/// State changes and typed errors go to `events` (and to `onEvent` when given, called from
/// the thread that produced them, for venues that react synchronously, e.g. invalidating books).
///
/// Gap-free rotation (e.g. Binance's 24 h cut): `let next = try await old.makeReplacement()`,
/// `next.start()`, `try await next.waitUntilReady()`, switch routing to `next`, then
/// `await old.stop()`. During the overlap both deliver; the venue layer drops duplicates by
/// sequence number.
public final class WebSocketConnection: Sendable {
    public typealias MessageHandler = @Sendable (InboundMessage) -> Void

    public let configuration: WebSocketConfiguration
    public let eventLoop: any EventLoop
    /// State changes and errors. Unconsumed, it keeps the latest 4096 (see `droppedCount`).
    public let events: DeliveryBuffer<ConnectionEvent>
    /// Inbound messages when no `onMessage` callback was given.
    public let messages: DeliveryBuffer<InboundMessage>
    public let hooks: any ConnectionHooks
    let onMessage: MessageHandler?
    let onEvent: (@Sendable (ConnectionEvent) -> Void)?

    private let core: NIOLoopBoundBox<ConnectionCore>
    private let sslContext: NIOSSLContext?
    /// Paces subscriptions (with `messageWindow`: every message the connection sends for you).
    public let pacer: RateLimiter
    /// The pacer when it is a `messageWindow` (every message counts), else nil.
    private let messageWindow: RateLimiter?
    private let control = Mutex(Control())

    private struct Control {
        var task: Task<Void, Never>?
        var started = false
        var stopping = false
        var ready = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    public init(configuration: WebSocketConfiguration, hooks: any ConnectionHooks = ClosureHooks(),
                eventLoop: (any EventLoop)? = nil, onMessage: MessageHandler? = nil,
                onEvent: (@Sendable (ConnectionEvent) -> Void)? = nil) throws(HFTError) {
        self.configuration = configuration
        self.hooks = hooks
        self.onMessage = onMessage
        self.onEvent = onEvent
        let loop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        self.eventLoop = loop
        self.sslContext = configuration.url.isSecure ? try configuration.tls.makeContext() : nil
        let events = DeliveryBuffer<ConnectionEvent>(policy: .dropOldest(capacity: 4096))
        let messages = DeliveryBuffer<InboundMessage>(policy: configuration.messageDelivery, wakeLoop: loop)
        self.events = events
        self.messages = messages
        let emit: @Sendable (ConnectionEvent) -> Void = { e in
            events.push(e)
            onEvent?(e)
        }
        let window = configuration.messageWindow.map { RateLimiter(windowLimit: $0.limit, per: $0.window) }
        let core = ConnectionCore(eventLoop: loop, hooks: hooks, onMessage: onMessage, messages: messages,
                                  messageWindow: window, emit: emit)
        self.core = NIOLoopBoundBox.makeBoxSendingValue(core, as: ConnectionCore.self, eventLoop: loop)
        self.messageWindow = window
        self.pacer = window ?? RateLimiter(capacity: Double(max(1, configuration.subscriptionBurst)),
                                           refillPerSecond: max(0.001, configuration.subscriptionsPerSecond))
    }

    // MARK: Lifecycle

    /// Starts connecting in the background (idempotent). Watch `events` or `waitUntilReady()`.
    public func start() {
        control.withLock { c in
            guard !c.started else { return }
            c.started = true
            c.task = Task { await self.run() }
        }
    }

    /// Closes the connection (close handshake with `code` and `reason`) and stops reconnecting;
    /// returns when done.
    public func stop(code: UInt16 = 1000, reason: String = "") async {
        let task: Task<Void, Never>? = control.withLock { c in
            c.stopping = true
            return c.task
        }
        onLoop { $0.closeCurrent(code: code, text: reason, reason: .requested("stop")) }
        task?.cancel()
        await task?.value
        if task == nil { finishStreams() }
    }

    /// Closes the current socket and reconnects at once (no backoff), e.g. on token expiry.
    public func forceReconnect(reason: String) {
        onLoop { core in
            guard core.current != nil else { return }
            core.forcedReconnect = true
            core.closeCurrent(reason: .requested(reason))
        }
    }

    /// True between `.ready` and the next disconnect.
    public var isReady: Bool { control.withLock { $0.ready } }

    /// Waits until the connection is ready (authenticated, subscriptions replayed).
    public func waitUntilReady(timeout: Duration = .seconds(30)) async throws(HFTError) {
        let id: Int? = control.withLock { c in
            if c.ready { return nil }
            c.nextWaiter += 1
            return c.nextWaiter
        }
        guard let id else { return }
        let timer = eventLoop.scheduleTask(in: timeout.timeAmount) { [self] in
            resumeWaiter(id, .failure(HFTError.connectFailed("not ready within \(timeout)")))
        }
        defer { timer.cancel() }
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    let now: Result<Void, any Error>? = control.withLock { s in
                        if s.ready { return .success(()) }
                        if s.stopping { return .failure(HFTError.notConnected) }
                        s.waiters[id] = c
                        return nil
                    }
                    if let now { c.resume(with: now) }
                }
            } onCancel: {
                resumeWaiter(id, .failure(HFTError.cancelled))
            }
        } catch {
            throw TransportErrors.map(error)
        }
    }

    private func resumeWaiter(_ id: Int, _ result: Result<Void, any Error>) {
        let c = control.withLock { $0.waiters.removeValue(forKey: id) }
        c?.resume(with: result)
    }

    private func setReady(_ ready: Bool) {
        let waiters: [CheckedContinuation<Void, any Error>] = control.withLock { c in
            c.ready = ready
            guard ready else { return [] }
            defer { c.waiters.removeAll() }
            return Array(c.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    private func failWaiters() {
        let waiters = control.withLock { c in
            defer { c.waiters.removeAll() }
            return Array(c.waiters.values)
        }
        for w in waiters { w.resume(throwing: HFTError.notConnected) }
    }

    private var isStopping: Bool { control.withLock { $0.stopping } }

    // MARK: Sending

    /// Sends a message; returns once it is written to the socket. Messages leave in call order.
    /// Not paced and not counted in a `messageWindow`: use `sendPaced` for that.
    public func send(_ message: OutboundMessage) async throws(HFTError) {
        let promise = eventLoop.makePromise(of: Void.self)
        onLoop { $0.send(message, promise: promise) }
        do { try await promise.futureResult.get() } catch { throw TransportErrors.map(error) }
    }

    public func send(text: String) async throws(HFTError) { try await send(.text(text)) }
    public func send(bytes: [UInt8]) async throws(HFTError) { try await send(.binary(bytes)) }

    /// Sends without waiting; `completion` (optional) runs on the event loop.
    public func write(_ message: OutboundMessage, completion: (@Sendable (Result<Void, HFTError>) -> Void)? = nil) {
        let promise: EventLoopPromise<Void>? = completion.map { done in
            let p = eventLoop.makePromise(of: Void.self)
            p.futureResult.whenComplete { r in done(r.mapError { TransportErrors.map($0) }) }
            return p
        }
        onLoop { $0.send(message, promise: promise) }
    }

    /// Sends a request built by `build` (given its id) and waits for its response(s); with a
    /// `messageWindow`, it first waits for room in it (the latency counts from the write).
    /// Fails with `.noAnswer` after `timeout`, `.outcomeUnknown` if the socket dies first,
    /// `.notConnected` if there is no socket (then nothing was sent).
    public func sendRequest(method: String, id: RequestID = RequestIDGenerator.next(), timeout: Duration? = nil,
                            expect: ResponseExpectation = .single,
                            _ build: (RequestID) -> String) async throws(HFTError) -> RequestResult {
        try await messageWindow?.acquire()
        let payload = build(id)
        let promise = eventLoop.makePromise(of: RequestResult.self)
        let t = timeout ?? configuration.requestTimeout
        onLoop { core in
            core.sendRequest(id: id, method: method, payload: payload, expectation: expect, timeout: t) { r in
                promise.completeWith(r.mapError { $0 as any Error })
            }
        }
        do {
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                onLoop { $0.tracker.fail(id: id, .cancelled) }
            }
        } catch {
            throw TransportErrors.map(error)
        }
    }

    /// Callback form of `sendRequest`; `completion` runs on the event loop. Never waits: with a
    /// `messageWindow`, the request is counted in it as it leaves.
    public func sendRequest(method: String, id: RequestID = RequestIDGenerator.next(), timeout: Duration? = nil,
                            expect: ResponseExpectation = .single, _ build: (RequestID) -> String,
                            completion: @escaping @Sendable (Result<RequestResult, HFTError>) -> Void) {
        messageWindow?.charge()
        let payload = build(id)
        let t = timeout ?? configuration.requestTimeout
        onLoop { core in
            core.sendRequest(id: id, method: method, payload: payload, expectation: expect, timeout: t, completion: completion)
        }
    }

    /// Requests written and not yet answered.
    public var pendingRequestCount: Int {
        get async { (try? await onLoopValue { $0.tracker.pendingCount }) ?? 0 }
    }

    // MARK: Subscriptions

    /// Registers a subscription (replayed after every reconnect) and sends it now when ready.
    public func subscribe(_ subscription: Subscription) async throws(HFTError) {
        let sendNow = try await onLoopValue { core -> Bool in core.register(subscription) }
        guard sendNow else { return }
        try await pacer.acquire()
        try await send(subscription.render())
    }

    /// Forgets a subscription and, when given and connected, sends `message` (the unsubscribe;
    /// paced when the configuration has a `messageWindow`).
    public func unsubscribe(key: String, message: OutboundMessage? = nil) async throws(HFTError) {
        let wasKnown = try await onLoopValue { $0.unregister(key: key) }
        guard wasKnown, let message, isReady else { return }
        try await messageWindow?.acquire()
        try await send(message)
    }

    /// Sends `message` once the pacer allows it (the `messageWindow` when configured, else the
    /// subscription pacing), in call order.
    public func sendPaced(_ message: OutboundMessage) async throws(HFTError) {
        try await pacer.acquire()
        try await send(message)
    }

    public var subscriptionKeys: [String] {
        get async { (try? await onLoopValue { $0.subscriptions.map(\.key) }) ?? [] }
    }

    /// A new, unstarted connection with the same configuration, hooks, callback and
    /// subscriptions (for gap-free rotation).
    public func makeReplacement() async throws(HFTError) -> WebSocketConnection {
        let next = try WebSocketConnection(configuration: configuration, hooks: hooks, eventLoop: eventLoop,
                                           onMessage: onMessage, onEvent: onEvent)
        let subs = try await onLoopValue { $0.subscriptions }
        try await next.onLoopValue { core in for s in subs { _ = core.register(s) } }
        return next
    }

    // MARK: Supervisor

    private func run() async {
        var failures = 0
        let policy = configuration.reconnect
        loop: while !isStopping {
            emit(.connecting(attempt: failures + 1))
            let closed: EventLoopFuture<DisconnectReason>
            do {
                closed = try await WebSocketConnector.connect(configuration, sslContext: sslContext,
                                                              eventLoop: eventLoop, core: core).get()
            } catch {
                emit(.error(TransportErrors.map(error)))
                failures += 1
                if await backoff(failures, policy) { continue loop } else { break loop }
            }
            emit(.connected)
            if isStopping {
                onLoop { $0.closeCurrent(reason: .requested("stop")) }
                emit(.disconnected((try? await closed.get()) ?? .connectionLost))
                break loop
            }
            do {
                try await authenticate()
                try await replaySubscriptions()
                failures = 0
                setReady(true)
                emit(.ready)
            } catch {
                if !isStopping { emit(.error(error)) }   // stop() cancels a running authenticate
                onLoop { $0.current?.close(code: .policyViolation, reason: .failed(error)) }
            }
            let reason = (try? await closed.get()) ?? .connectionLost
            setReady(false)
            emit(.disconnected(reason))
            if isStopping { break loop }
            let forced = (try? await onLoopValue { core -> Bool in
                defer { core.forcedReconnect = false }
                return core.forcedReconnect
            }) ?? false
            failures += 1
            if await backoff(forced ? 0 : failures, policy) { continue loop } else { break loop }
        }
        setReady(false)
        control.withLock { $0.stopping = true }
        failWaiters()
        emit(.closed)
        finishStreams()
    }

    /// Waits before the next attempt; false when the connection should stop instead.
    private func backoff(_ attempt: Int, _ policy: ReconnectPolicy) async -> Bool {
        if let max = policy.maxAttempts, attempt > max { return false }
        let delay: Duration = attempt == 0 ? .zero : policy.delay(attempt: attempt)
        emit(.reconnecting(attempt: Swift.max(1, attempt), delay: delay))
        if delay > .zero {
            do { try await Task.sleep(for: delay) } catch { return false }
        }
        return !isStopping
    }

    private func authenticate() async throws(HFTError) {
        guard hooks.authenticates else { return }
        let timeout = configuration.authenticationTimeout
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.hooks.authenticate(self) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw HFTError.authenticationFailed("no result within \(timeout)")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch let e as HFTError {
            if case .authenticationFailed = e { throw e }
            throw .authenticationFailed(e.description)
        } catch {
            throw .authenticationFailed(String(describing: error))
        }
        emit(.authenticated)
    }

    /// Sends every registered subscription, paced; marks the core ready when none is left, so a
    /// `subscribe` racing with the replay is either replayed here or sent by `subscribe`.
    private func replaySubscriptions() async throws(HFTError) {
        while true {
            let next = try await onLoopValue { core -> Subscription? in
                if let s = core.nextToReplay() { return s }
                core.ready = true
                return nil
            }
            guard let next else { return }
            try await pacer.acquire()
            try await send(next.render())
        }
    }

    private func emit(_ e: ConnectionEvent) {
        events.push(e)
        onEvent?(e)
    }

    private func finishStreams() {
        events.finish()
        messages.finish()
    }

    // MARK: Event-loop access

    private func onLoop(_ body: @escaping @Sendable (ConnectionCore) -> Void) {
        if eventLoop.inEventLoop { body(core.value) } else {
            eventLoop.execute { [core] in body(core.value) }
        }
    }

    /// Fails only when the event loop was shut down under the connection.
    private func onLoopValue<T: Sendable>(_ body: @escaping @Sendable (ConnectionCore) -> T) async throws(HFTError) -> T {
        do { return try await eventLoop.submit { [core] in body(core.value) }.get() } catch { throw .notConnected }
    }
}
