/// Everything the private socket's messages and order replies touch, confined to its event loop
/// (no locks): the request gate and the requests in flight, the executions/balances trackers
/// with their sequence checks, the watchers, and the requests waiting for reconciliation.
import HFTCore
import HFTTransport
import NIOCore

final class KrakenTradingState {
    let options: KrakenClientOptions
    let reporter: KrakenReporter
    let keeper: KrakenTokenKeeper
    let ledger: KrakenRequestLedger
    let latency: LatencyBook
    let instruments: KrakenInstrumentCache
    let loop: any EventLoop
    weak var connection: WebSocketConnection?

    // Gate: requests wait here, in order, while the socket is not ready.
    var gateOpen = false
    var stopping = false
    var parked: [(id: Int, op: KrakenOrderOp)] = []
    var nextParkID = 0

    struct Inflight {
        let op: KrakenOrderOp
        let request: String
        let generation: Int
    }
    var inflight: [RequestID: Inflight] = [:]

    struct Pending {
        let op: KrakenOrderOp
        let request: String
        let reason: String
    }
    /// Requests whose socket died before the reply: settled by the next executions snapshot.
    var reconciles: [Pending] = []

    // Private channels.
    var orders = KrakenOrderTracker()
    var balances = KrakenBalanceTracker()
    var execSequence = KrakenSequence()
    var balanceSequence = KrakenSequence()
    var haveOrderSnapshot = false
    var balancesSubscribed = false
    var orderSinks: [EventStream<OrderEvent>] = []
    var balanceSinks: [EventStream<Balance>] = []
    /// cl_ord_id → order id, for every order the executions channel mentioned.
    var clOrdIndex: [String: String] = [:]
    var lastSnapshotRequest: UInt64 = 0
    var lastSubscriptionTokenGeneration = -1
    var system: KrakenSystemState?
    var epoch = 0

    init(options: KrakenClientOptions, reporter: KrakenReporter, keeper: KrakenTokenKeeper, ledger: KrakenRequestLedger,
         latency: LatencyBook, instruments: KrakenInstrumentCache, loop: any EventLoop) {
        self.options = options
        self.reporter = reporter
        self.keeper = keeper
        self.ledger = ledger
        self.latency = latency
        self.instruments = instruments
        self.loop = loop
    }

    static let endpoint = KrakenDescriptor.wsAuthEndpoint

    // MARK: Inbound

    @inline(__always)
    func handle(_ m: InboundMessage) {
        switch KrakenWire.decode(m) {
        case .success(let inbound): route(inbound)
        case .failure(let e):
            switch e {
            case .unknownChannel, .unknownMessage: reporter.malformed(Self.endpoint, e.description, unknown: true)
            default: reporter.malformed(Self.endpoint, e.description)
            }
        }
    }

    func route(_ inbound: KrakenInbound) {
        switch inbound {
        case .executions(let message):
            executions(message)
        case .balances(let message):
            if case .snapshot = message.payload { balanceSequence.reset() }
            if !balanceSequence.accept(message.sequence) {
                resubscribe(.balances, why: "balances sequence gap before \(message.sequence ?? 0)")
            }
            let changed = balances.apply(message)
            if !changed.isEmpty { pushBalances(changed) }
        case .response(let r):
            acknowledge(r)
        case .error(let e):
            reporter.venueError(e, context: Self.endpoint)
            if e.requiresNewToken { subscriptionTokenRejected(channel: nil) }
        case .status(let s):
            system = s.data.last?.system
        case .heartbeat:
            break
        case .book, .trade, .ticker, .instrument:
            reporter.malformed(Self.endpoint, "public channel data on the private socket", unknown: true)
        }
    }

    func executions(_ message: KrakenExecutionsMessage) {
        if message.type == .snapshot { execSequence.reset() }
        if !execSequence.accept(message.sequence) {
            resubscribe(.executions, why: "executions sequence gap before \(message.sequence ?? 0)")
        }
        for x in message.data {
            if let cl = x.clOrdID {
                if clOrdIndex.count >= 200_000 { clOrdIndex.removeAll(keepingCapacity: true) }
                clOrdIndex[cl] = x.orderID
            }
        }
        var untracked = false
        var dropped = false
        for event in orders.apply(message) {
            switch event {
            case .order(let order, let fill):
                for s in orderSinks {
                    if !s.push(.order(order)) { dropped = true }
                    if let fill { s.push(.fill(fill)) }
                }
            case .untracked:
                untracked = true
            case .late:
                continue
            }
        }
        if dropped { orderSinks.removeAll { $0.isFinished } }
        if message.type == .snapshot {
            haveOrderSnapshot = true
            resolveReconciles()
        }
        if untracked {
            // Events for an order never seen in full: a fresh snapshot describes it (throttled).
            let now = MonotonicClock.nanoseconds()
            if now &- lastSnapshotRequest > 5_000_000_000 {
                lastSnapshotRequest = now
                resubscribe(.executions, why: "executions event for an unknown order")
            }
        }
    }

    func pushBalances(_ changed: [Balance]) {
        var dropped = false
        for b in changed {
            for s in balanceSinks where !s.push(b) { dropped = true }
        }
        if dropped { balanceSinks.removeAll { $0.isFinished } }
    }

    // MARK: Subscriptions

    static func render(_ method: KrakenMethod, _ channel: KrakenTradingSession.PrivateChannel, token: String, id: RequestID) -> String {
        let s: KrakenSubscription = channel == .executions
            ? .executions(token: token, snapOrders: true, snapTrades: false) : .balances(token: token, snapshot: true)
        let r = method == .subscribe ? try? KrakenRequest.subscribe(s, reqID: id) : try? KrakenRequest.unsubscribe(s, reqID: id)
        return r?.text ?? ""
    }

    /// Unsubscribe + subscribe for a fresh snapshot (sequence gap, untracked order, new token).
    func resubscribe(_ channel: KrakenTradingSession.PrivateChannel, why: String) {
        guard let connection, gateOpen, let token = keeper.current?.token else { return }
        reporter.report(.reconnecting, "\(Self.endpoint): \(why); resubscribing \(channel.rawValue)")
        if channel == .executions { execSequence.reset() } else { balanceSequence.reset() }
        connection.write(.text(Self.render(.unsubscribe, channel, token: token, id: ledger.next(.unsubscribe, channel.rawValue, nil))))
        connection.write(.text(Self.render(.subscribe, channel, token: token, id: ledger.next(.subscribe, channel.rawValue, nil))))
    }

    func acknowledge(_ r: KrakenResponse) {
        switch r.method {
        case .subscribe, .unsubscribe:
            let entry = ledger.entry(r.reqID)
            ledger.forget(r.reqID)
            if r.success {
                if r.method == .subscribe, case .subscription(let ack) = r.result {
                    reporter.report(.subscribed, ack.channel)
                }
                return
            }
            if entry?.kind == .unsubscribe { return }
            let error = r.error ?? KrakenError("subscribe failed")
            if error.requiresNewToken {
                subscriptionTokenRejected(channel: entry.flatMap { KrakenTradingSession.PrivateChannel(rawValue: $0.channel) })
                return
            }
            if error.kind == .alreadySubscribed { return }
            reporter.venueError(error, context: "subscribe \(entry?.channel ?? "")")
        default:
            // A late reply to a request that already timed out.
            break
        }
    }

    /// A private subscription was refused for its token: fetch a new one, then subscribe again
    /// (`channel` nil: every private channel, unsubscribing first).
    func subscriptionTokenRejected(channel: KrakenTradingSession.PrivateChannel?) {
        let used = keeper.current?.generation ?? -1
        refreshToken(after: used) { state, generation in
            guard let connection = state.connection, let token = state.keeper.current?.token else { return }
            state.reporter.report(.keyRefreshed, "\(Self.endpoint): new WebSocket token")
            if let channel {
                connection.write(.text(Self.render(.subscribe, channel, token: token,
                                                   id: state.ledger.next(.subscribe, channel.rawValue, nil))))
            } else if generation > state.lastSubscriptionTokenGeneration {
                state.lastSubscriptionTokenGeneration = generation
                state.resubscribe(.executions, why: "token rejected")
                if state.balancesSubscribed { state.resubscribe(.balances, why: "token rejected") }
            }
        }
    }

    /// Fetches a new token (shared with concurrent refreshes) and continues on the loop.
    func refreshToken(after generation: Int, then: @escaping @Sendable (KrakenTradingState, Int) -> Void,
                      failed: (@Sendable (KrakenTradingState, HFTError) -> Void)? = nil) {
        let bound = NIOLoopBound(self, eventLoop: loop)
        let keeper = self.keeper, loop = self.loop
        let continuation: @Sendable (Result<Int, HFTError>) -> Void = { outcome in
            loop.execute {
                switch outcome {
                case .success(let g):
                    then(bound.value, g)
                case .failure(let error):
                    bound.value.reporter.report(.disconnected, "\(KrakenTradingState.endpoint): WebSocket token refresh failed: \(error)")
                    failed?(bound.value, error)
                }
            }
        }
        Task { continuation(await keeper.refreshResult(after: generation)) }
    }

    /// In the connect hook, before the subscriptions are replayed on a new socket.
    func connectionReset() {
        epoch += 1
        execSequence.reset()
        balanceSequence.reset()
    }

    // MARK: Gate

    func openGate() {
        gateOpen = true
        let waiting = parked
        parked.removeAll()
        for p in waiting {
            if gateOpen { transmit(p.op) } else { parked.append(p) }
        }
    }

    func closeGate() { gateOpen = false }

    func dispatch(_ op: KrakenOrderOp) {
        if stopping { return op.finish(op.failure(.notConnected)) }
        guard gateOpen, parked.isEmpty else { return park(op) }
        transmit(op)
    }

    func park(_ op: KrakenOrderOp, front: Bool = false) {
        nextParkID += 1
        let id = nextParkID
        if front { parked.insert((id, op), at: 0) } else { parked.append((id, op)) }
        let wait = options.readyWait > .zero ? options.readyWait : .seconds(10)
        loop.assumeIsolated().scheduleTask(in: .nanoseconds(KrakenWire.nanos(wait))) { [self] in
            guard let i = parked.firstIndex(where: { $0.id == id }) else { return }
            let p = parked.remove(at: i)
            p.op.finish(p.op.failure(.notConnected))
        }
    }

    /// Builds the frame with the current token and writes it; the reply comes back to `completed`.
    func transmit(_ op: KrakenOrderOp) {
        guard let connection, let (token, generation) = keeper.current else { return park(op, front: true) }
        let request: KrakenRequest
        do throws(HFTError) {
            guard let r = try op.build(token, op.requestID, Array(orders.orders.values)) else {
                // Nothing to send (cancel-all for a symbol without open orders).
                return op.finish(OrderResult(venue: .kraken, requestID: op.requestID, method: op.method.wireName, request: "",
                                             response: nil, latencyMicros: 0, ok: true, clientOrderID: op.clientOrderID))
            }
            request = r
        } catch {
            return op.finish(op.failure(error))
        }
        let redacted = request.redactedText
        inflight[op.requestID] = Inflight(op: op, request: redacted, generation: generation)
        let expect: ResponseExpectation = request.expectedResponses > 1 ? .count(request.expectedResponses) : .single
        let text = request.text
        let bound = NIOLoopBound(self, eventLoop: loop)
        let id = op.requestID
        connection.sendRequest(method: request.method.wireName, id: id, expect: expect, { _ in text }) { result in
            bound.value.completed(id, result)
        }
    }

    // MARK: Replies

    func completed(_ id: RequestID, _ result: Result<RequestResult, HFTError>) {
        guard let info = inflight.removeValue(forKey: id) else { return }
        let op = info.op
        switch result {
        case .success(let reply):
            latency.record(op.method.wireName, micros: reply.latencyMicros)
            let decoded = reply.responses.map { buf -> KrakenResponse? in
                buf.withUnsafeReadableBytes { bytes in
                    guard case .response(let r)? = try? KrakenDecoder.decode(bytes) else { return nil }
                    return r
                }
            }
            if decoded.contains(where: { $0?.error?.requiresNewToken == true }),
               !op.retried.exchange(true, ordering: .acquiringAndReleasing) {
                // Kraken refused the token (expired or invalidated): a new one, then one resend.
                refreshToken(after: info.generation, then: { state, _ in
                    state.reporter.report(.keyRefreshed, "\(Self.endpoint): new WebSocket token")
                    state.dispatch(op)
                }, failed: { _, _ in
                    op.finish(op.result(reply, decoded, request: info.request))
                })
                return
            }
            let r = op.result(reply, decoded, request: info.request)
            if case .rateLimited? = r.error { reporter.report(.rateLimited, "\(op.method.wireName): \(r.error.map { "\($0)" } ?? "")") }
            op.finish(r, decoded.compactMap { $0 })
        case .failure(.notConnected):
            // Nothing was written: wait for the socket, ahead of everything queued after it.
            if stopping { return op.finish(op.failure(.notConnected, request: info.request)) }
            gateOpen = false
            park(op, front: true)
        case .failure(.outcomeUnknown(_, let reason)):
            startReconcile(Pending(op: op, request: info.request, reason: reason))
        case .failure(let error):
            if case .noAnswer = error, case .add(let cl) = op.kind, let orderID = clOrdIndex[cl] {
                // No reply in time, but the executions channel shows the order.
                return op.finish(op.reconciled(ok: true, orderID: orderID, error: nil, request: info.request))
            }
            op.finish(op.failure(error, request: info.request))
        }
    }

    // MARK: Reconciliation

    func startReconcile(_ p: Pending) {
        if stopping {
            return p.op.finish(p.op.failure(.outcomeUnknown(requestID: p.op.requestID, reason: "\(p.reason); stopped"), request: p.request))
        }
        if case .cancelAfter = p.op.kind {
            return p.op.finish(p.op.failure(.outcomeUnknown(requestID: p.op.requestID, reason: p.reason), request: p.request))
        }
        reconciles.append(p)
        let op = p.op
        let wait = options.reconcileTimeout > .zero ? options.reconcileTimeout : .seconds(30)
        loop.assumeIsolated().scheduleTask(in: .nanoseconds(KrakenWire.nanos(wait))) { [self] in
            guard let i = reconciles.firstIndex(where: { $0.op === op }) else { return }
            let p = reconciles.remove(at: i)
            p.op.finish(p.op.failure(.outcomeUnknown(requestID: op.requestID,
                                                     reason: "\(p.reason); no executions snapshot within \(wait) to settle it"),
                                     request: p.request))
        }
    }

    /// Settles every cut-off request against the snapshot just applied.
    func resolveReconciles() {
        guard !reconciles.isEmpty else { return }
        let all = reconciles
        reconciles.removeAll()
        let open = Array(orders.orders.values)
        for p in all { resolve(p, open) }
    }

    func resolve(_ p: Pending, _ open: [Order]) {
        let op = p.op
        func done(_ ok: Bool, _ orderID: String? = nil, _ code: String = "", _ message: String = "") {
            op.finish(op.reconciled(ok: ok, orderID: orderID, error: ok ? nil : .venueRejected(code: code, message: message),
                                    request: p.request))
        }
        func placed(_ cl: String) -> String? {
            open.first(where: { $0.clientOrderID == cl })?.orderID ?? clOrdIndex[cl]
        }
        let openIDs = Set(open.map(\.orderID))
        let openCl = Set(open.compactMap(\.clientOrderID))
        switch op.kind {
        case .add(let cl):
            if let id = placed(cl) { return done(true, id) }
            done(false, nil, "not_placed",
                 "order \(cl) was not placed: the connection dropped before Kraken's reply (\(p.reason)) and the order is absent from the executions snapshot")
        case .batchAdd(let cls):
            let ids = cls.map { placed($0) }
            if ids.allSatisfy({ $0 != nil }) { return done(true, ids.first ?? nil) }
            let missing = zip(cls, ids).filter { $0.1 == nil }.map(\.0)
            done(false, ids.compactMap { $0 }.first, "not_placed", "orders not placed after the disconnect: \(missing.joined(separator: ", "))")
        case .cancel(let target):
            let still: [String]
            switch target {
            case .orderIDs(let ids): still = ids.filter { openIDs.contains($0) }
            case .clOrdIDs(let ids): still = ids.filter { openCl.contains($0) }
            case .orderUserrefs: still = []
            }
            if still.isEmpty { return done(true) }
            done(false, nil, "not_cancelled", "still open after the reconnect: \(still.joined(separator: ", "))")
        case .batchCancel(let ids, let cls):
            let still = ids.filter { openIDs.contains($0) } + cls.filter { openCl.contains($0) }
            if still.isEmpty { return done(true) }
            done(false, nil, "not_cancelled", "still open after the reconnect: \(still.joined(separator: ", "))")
        case .cancelAll(let symbol):
            let still = open.filter { o in symbol.map { KrakenSymbols.unified($0) == o.symbol } ?? true }
            if still.isEmpty { return done(true) }
            done(false, nil, "not_cancelled", "\(still.count) order(s) still open after the reconnect")
        case .amend(let a):
            let order: Order?
            switch a.order {
            case .orderID(let id): order = open.first { $0.orderID == id }
            case .clOrdID(let cl): order = open.first { $0.clientOrderID == cl }
            }
            guard let order else { return done(false, nil, "not_amended", "the order is no longer open after the reconnect") }
            let qtyOK = a.orderQty.map { $0 == order.quantity } ?? true
            let priceOK = a.limitPrice.map { $0 == order.price } ?? true
            if qtyOK && priceOK { return done(true, order.orderID) }
            done(false, order.orderID, "not_amended", "the open order still has its old price/quantity after the reconnect")
        case .cancelAfter:
            op.finish(op.failure(.outcomeUnknown(requestID: op.requestID, reason: p.reason), request: p.request))
        }
    }

    // MARK: Watchers

    func addOrderSink(_ s: EventStream<OrderEvent>) {
        orderSinks.append(s)
        // A late watcher starts from the open orders already known.
        if haveOrderSnapshot {
            for o in orders.orders.values.sorted(by: { $0.timestamp < $1.timestamp }) { s.push(.order(o)) }
        }
    }

    func addBalanceSink(_ s: EventStream<Balance>) {
        balanceSinks.append(s)
        for asset in balances.wallets.keys.sorted() {
            if let b = balances.balance(asset) { s.push(b) }
        }
    }

    /// Fails what waits, finishes the streams (after `stop()` or when the connection gave up).
    func shutDown() {
        stopping = true
        gateOpen = false
        let waiting = parked
        parked.removeAll()
        for p in waiting { p.op.finish(p.op.failure(.notConnected)) }
        let pending = reconciles
        reconciles.removeAll()
        for p in pending {
            p.op.finish(p.op.failure(.outcomeUnknown(requestID: p.op.requestID, reason: "\(p.reason); stopped before reconciliation"),
                                     request: p.request))
        }
        for s in orderSinks { s.finish() }
        for s in balanceSinks { s.finish() }
        orderSinks.removeAll()
        balanceSinks.removeAll()
    }
}
