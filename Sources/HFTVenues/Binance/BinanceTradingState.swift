/// Everything the WS API connection's messages and replies touch, confined to its event loop (no
/// locks): the request gate and requests in flight, the open orders and balances the user-data
/// stream describes, the watchers, and the requests waiting for reconciliation.
import HFTCore
import HFTTransport
import NIOCore
import Synchronization

final class BinanceTradingState {
    let options: BinanceClientOptions
    let reporter: BinanceReporter
    let credentials: BinanceCredentials
    let limits: BinanceLimits
    let latency: LatencyBook
    let symbols: @Sendable () -> BinanceSymbolMap
    let loop: any EventLoop
    let openMirror: BinanceOpenOrders
    static let endpoint = BinanceEndpoints.webSocketAPIName
    static let unit = BinanceTimeUnit.milliseconds

    /// The connection requests go to (replaced by a rotation).
    var connection: WebSocketConnection?
    var gateOpen = false
    var stopping = false
    var loggedOn = false
    /// Server minus local clock, in ms (from `time` after a -1021).
    var clockOffsetMillis: Int64 = 0
    var parked: [(id: Int, op: BinanceOrderOp)] = []
    var nextParkID = 0

    struct Inflight: Sendable {
        let op: BinanceOrderOp
        let request: String
    }
    var inflight: [RequestID: Inflight] = [:]

    struct Pending: Sendable {
        let op: BinanceOrderOp
        let request: String
        let reason: String
        let deadline: UInt64
    }
    /// Requests whose outcome is unknown: settled by `order.status` once the connection is ready.
    var reconciles: [Pending] = []
    var reconciling = false

    var open: [Int64: Order] = [:]
    var balances: [String: Balance] = [:]
    var orderSinks: [EventStream<OrderEvent>] = []
    var balanceSinks: [EventStream<Balance>] = []
    /// (orderId, executionId) of recent reports: a rotation's overlap delivers them twice.
    var seenExecutions = Set<Int64>()
    var seenOrder: [Int64] = []

    init(options: BinanceClientOptions, reporter: BinanceReporter, credentials: BinanceCredentials, limits: BinanceLimits,
         latency: LatencyBook, symbols: @escaping @Sendable () -> BinanceSymbolMap, openMirror: BinanceOpenOrders, loop: any EventLoop) {
        self.openMirror = openMirror
        self.options = options
        self.reporter = reporter
        self.credentials = credentials
        self.limits = limits
        self.latency = latency
        self.symbols = symbols
        self.loop = loop
    }

    /// Auth for a request built now: the logged-on session, or a signature of its own.
    func auth() -> BinanceAuth {
        let ts = Self.unit.now() + clockOffsetMillis
        return loggedOn ? .session(timestamp: ts, recvWindow: options.recvWindow)
                        : .signed(credentials, timestamp: ts, recvWindow: options.recvWindow)
    }

    // MARK: Inbound (pushes and replies nobody waits for)

    @inline(__always)
    func handle(_ m: InboundMessage) {
        switch BinanceWire.decode(m, Self.unit) {
        case .success(let inbound): route(inbound)
        case .failure(let e): reporter.malformed(Self.endpoint, e)
        }
    }

    func route(_ inbound: BinanceInbound) {
        switch inbound {
        case .userData(let event, _):
            userData(event)
        case .response(let r):
            limits.observe(r.rateLimits)
            if let e = r.error {
                // `id:null`: the request could not be read, or the session was revoked (401 -2015).
                reporter.venueError(e, context: "\(Self.endpoint) reply \(r.id)")
                if r.status == 401 {
                    reporter.report(.disconnected, "\(Self.endpoint): session revoked (\(e)); reconnecting")
                    connection?.forceReconnect(reason: "session revoked")
                }
            }
        case .serverShutdown:
            reporter.report(.reconnecting, "\(Self.endpoint): serverShutdown; rotating now")
            onShutdown?()
        case .market, .streamReply:
            reporter.malformed(Self.endpoint, "stream frame on the WS API connection", unknown: true)
        }
    }

    var onShutdown: (@Sendable () -> Void)?
    var resubscribe: (@Sendable () -> Void)?

    func userData(_ event: BinanceUserEvent) {
        switch event {
        case .executionReport(let x):
            if let e = x.executionID {
                let key = x.orderID &* 1_000_003 &+ e
                guard seenExecutions.insert(key).inserted else { return }
                seenOrder.append(key)
                if seenOrder.count > 4_096 { seenExecutions.remove(seenOrder.removeFirst()) }
            }
            let map = symbols()
            guard let order = try? x.unifiedOrder(symbols: map) else {
                return reporter.malformed(Self.endpoint, "executionReport symbol \(x.symbol)")
            }
            if order.status.isFinal { open[x.orderID] = nil } else { open[x.orderID] = order }
            openMirror.set(x.orderID, order.status.isFinal ? nil : order)
            let fill = try? x.unifiedFill(symbols: map)
            var dropped = false
            for s in orderSinks {
                if !s.push(.order(order)) { dropped = true }
                if let fill { s.push(.fill(fill)) }
            }
            if dropped { orderSinks.removeAll { $0.isFinished } }
        case .accountPosition(let p):
            var dropped = false
            for b in p.unified() {
                balances[b.asset] = b
                for s in balanceSinks where !s.push(b) { dropped = true }
            }
            if dropped { balanceSinks.removeAll { $0.isFinished } }
        case .eventStreamTerminated:
            reporter.report(.reconnecting, "\(Self.endpoint): user-data stream terminated; subscribing again")
            if gateOpen && !stopping { resubscribe?() }
        case .balanceUpdate, .externalLockUpdate, .listStatus:
            // Deltas; the absolute balances follow in outboundAccountPosition.
            break
        }
    }

    // MARK: Gate

    /// After every (re)connect of the current connection, before logon.
    func connectionReset(_ c: WebSocketConnection) {
        guard c === connection else { return }
        gateOpen = false
        loggedOn = false
    }

    func openGate(_ c: WebSocketConnection) {
        guard c === connection else { return }
        gateOpen = true
        let waiting = parked
        parked.removeAll()
        for p in waiting {
            if gateOpen { transmit(p.op) } else { parked.append(p) }
        }
        runReconciles()
    }

    func closeGate(_ c: WebSocketConnection) {
        guard c === connection else { return }
        gateOpen = false
    }

    func dispatch(_ op: BinanceOrderOp) {
        if stopping { return op.finish(op.failure(.notConnected)) }
        guard gateOpen, parked.isEmpty else { return park(op) }
        transmit(op)
    }

    func park(_ op: BinanceOrderOp, front: Bool = false) {
        nextParkID += 1
        let id = nextParkID
        if front { parked.insert((id, op), at: 0) } else { parked.append((id, op)) }
        let wait = options.readyWait > .zero ? options.readyWait : .seconds(10)
        loop.assumeIsolated().scheduleTask(in: .nanoseconds(BinanceWire.nanos(wait))) { [self] in
            guard let i = parked.firstIndex(where: { $0.id == id }) else { return }
            let p = parked.remove(at: i)
            p.op.finish(p.op.failure(.notConnected))
        }
    }

    /// Builds the frame (fresh timestamp, session or signature) and writes it.
    func transmit(_ op: BinanceOrderOp) {
        guard let connection else { return park(op, front: true) }
        let request: BinanceRequest
        do throws(HFTError) {
            request = try op.build(auth(), op.requestID, open)
        } catch {
            return op.finish(op.failure(error))
        }
        let redacted = request.redactedText
        inflight[op.requestID] = Inflight(op: op, request: redacted)
        let text = request.text
        let bound = NIOLoopBound(self, eventLoop: loop)
        let id = op.requestID
        connection.sendRequest(method: request.method.rawValue, id: id, { _ in text }) { result in
            bound.value.completed(id, result)
        }
    }

    // MARK: Replies

    func completed(_ id: RequestID, _ result: Result<RequestResult, HFTError>) {
        guard let info = inflight.removeValue(forKey: id) else { return }
        let op = info.op
        switch result {
        case .success(let reply):
            latency.record(op.method.rawValue, micros: reply.latencyMicros)
            let decoded = BinanceWire.response(reply, Self.unit)
            if let d = decoded { limits.observe(d.rateLimits) }
            let r = op.result(reply, decoded, request: info.request, unit: Self.unit)
            if let e = decoded?.error {
                let kind = e.kind(status: decoded?.status)
                switch kind {
                case .rateLimited, .banned:
                    var after: UInt64?
                    if case .rateLimited(let a)? = r.error { after = a }
                    limits.backOff(code: e.code, retryAfterMicros: after)
                    reporter.report(.rateLimited, "\(op.method.rawValue): \(e) — backing off \(after.map { "\($0 / 1000) ms" } ?? "1 s")")
                case .invalidTimestamp:
                    syncClock()
                case .unknownOutcome:
                    if case .query = op.kind {} else {
                        return startReconcile(Pending(op: op, request: info.request, reason: e.description, deadline: reconcileDeadline()))
                    }
                default:
                    break
                }
            }
            op.finish(r, decoded)
        case .failure(.notConnected):
            // Nothing was written: wait for the connection, ahead of everything queued after it.
            if stopping { return op.finish(op.failure(.notConnected, request: info.request)) }
            park(op, front: true)
        case .failure(.outcomeUnknown(_, let reason)):
            if case .query = op.kind, !op.retried.exchange(true, ordering: .acquiringAndReleasing) {
                return park(op, front: true)
            }
            startReconcile(Pending(op: op, request: info.request, reason: reason, deadline: reconcileDeadline()))
        case .failure(let error):
            op.finish(op.failure(error, request: info.request))
        }
    }

    /// `time` → the offset between the server's clock and ours (after a -1021).
    func syncClock() {
        guard let connection, gateOpen else { return }
        let bound = NIOLoopBound(self, eventLoop: loop)
        let sentAt = Self.unit.now()
        connection.sendRequest(method: "time", { id in BinanceRequest.time(id: id).text }) { result in
            guard case .success(let reply) = result, let r = BinanceWire.response(reply, Self.unit),
                  case .serverTime(let micros) = r.result else { return }
            let now = Self.unit.now()
            bound.value.clockOffsetMillis = micros / 1_000 - (sentAt + now) / 2
        }
    }

    // MARK: Reconciliation

    func reconcileDeadline() -> UInt64 {
        let wait = options.reconcileTimeout > .zero ? options.reconcileTimeout : .seconds(30)
        return MonotonicClock.nanoseconds() + UInt64(BinanceWire.nanos(wait))
    }

    func startReconcile(_ p: Pending) {
        if stopping { return p.op.finish(p.op.failure(.outcomeUnknown(requestID: p.op.requestID, reason: "\(p.reason); stopped"), request: p.request)) }
        reconciles.append(p)
        let op = p.op
        let wait = Int64(p.deadline) - Int64(MonotonicClock.nanoseconds())
        loop.assumeIsolated().scheduleTask(in: .nanoseconds(max(0, wait))) { [self] in
            guard let i = reconciles.firstIndex(where: { $0.op === op }) else { return }
            let p = reconciles.remove(at: i)
            p.op.finish(p.op.failure(.outcomeUnknown(requestID: op.requestID, reason: "\(p.reason); not settled within the reconcile timeout"),
                                     request: p.request))
        }
        runReconciles()
    }

    /// Settles every cut-off request with one query each, once the connection is ready.
    func runReconciles() {
        guard gateOpen, !reconciling, let p = reconciles.first else { return }
        reconciling = true
        let symbol: String
        let ref: BinanceOrderRef?
        switch p.op.kind {
        case .place(let s, let cl): symbol = s; ref = .clientOrderID(cl)
        case .cancel(let s, let o), .amend(let s, let o, _): symbol = s; ref = o
        case .cancelReplace(let s, _, let cl): symbol = s; ref = .clientOrderID(cl)
        case .cancelAll(let s): symbol = s; ref = nil
        case .query:
            reconciles.removeFirst()
            reconciling = false
            park(p.op, front: true)
            return runReconciles()
        }
        let method: BinanceMethod = ref == nil ? .openOrdersStatus : .orderStatus
        let bound = self.bound
        let query = BinanceOrderOp(requestID: BinanceWire.nextID(), method: method, kind: .query, build: { auth, id, _ throws(HFTError) in
            if let ref { return try BinanceRequest.orderStatus(id: id, symbol: symbol, order: ref, auth: auth) }
            return try BinanceRequest.openOrdersStatus(id: id, symbol: symbol, auth: auth)
        }, completion: { [loop] r, response in
            loop.execute { bound.value.settle(p.op, r, response) }
        })
        let limits = self.limits, maxWait = options.maxRateLimitWait, loop = self.loop
        Task {
            do throws(HFTError) {
                try await limits.charge(weight: query.weight, maxWait: maxWait)
                loop.execute { bound.value.transmit(query) }
            } catch {
                loop.execute { bound.value.settle(p.op, query.failure(error), nil) }
            }
        }
    }

    var bound: NIOLoopBound<BinanceTradingState> { NIOLoopBound(self, eventLoop: loop) }

    /// Reads the query's reply against what the cut-off request meant to do.
    func settle(_ op: BinanceOrderOp, _ q: OrderResult, _ response: BinanceResponse?) {
        reconciling = false
        guard let i = reconciles.firstIndex(where: { $0.op === op }) else { return runReconciles() }
        let p = reconciles[i]
        func done(_ ok: Bool, _ orderID: String? = nil, _ code: String = "", _ message: String = "") {
            reconciles.remove(at: i)
            op.finish(op.reconciled(ok: ok, orderID: orderID, error: ok ? nil : .venueRejected(code: code, message: message),
                                    request: p.request, response: q.response), response)
        }
        let unknownOrder = response?.error.map { [.unknownOrder].contains($0.kind(status: response?.status)) } ?? false
        var report: BinanceOrderReport?
        if case .order(let o)? = response?.result { report = o }
        switch op.kind {
        case .place(_, let cl):
            if let report { done(true, String(report.orderID)) }
            else if unknownOrder { done(false, nil, "not_placed", "order \(cl) was not placed (\(p.reason); order.status: unknown order)") }
            else { retryLater(q) }
        case .cancel:
            if let report, let status = report.status {
                if status == .canceled { done(true, String(report.orderID)) }
                else { done(false, String(report.orderID), "not_cancelled", "order is \(status.wire) after the reconnect (\(p.reason))") }
            } else if unknownOrder { done(false, nil, "-2011", "Unknown order sent.") }
            else { retryLater(q) }
        case .amend(_, _, let qty):
            if let report {
                if report.origQty == qty { done(true, String(report.orderID)) }
                else { done(false, String(report.orderID), "not_amended", "quantity is still \(report.origQty.map { "\($0)" } ?? "?") (\(p.reason))") }
            } else if unknownOrder { done(false, nil, "not_amended", "the order is unknown after the reconnect") }
            else { retryLater(q) }
        case .cancelReplace(_, _, let cl):
            if let report { done(true, String(report.orderID)) }
            else if unknownOrder { done(false, nil, "not_replaced", "replacement \(cl) was not placed (\(p.reason))") }
            else { retryLater(q) }
        case .cancelAll:
            if case .orders(let rows)? = response?.result {
                if rows.isEmpty { done(true) } else { done(false, nil, "not_cancelled", "\(rows.count) order(s) still open after the reconnect") }
            } else { retryLater(q) }
        case .query:
            retryLater(q)
        }
        runReconciles()
    }

    /// The query itself failed (connection again, rate limit): try again shortly.
    func retryLater(_ q: OrderResult) {
        reconciling = true
        loop.assumeIsolated().scheduleTask(in: .milliseconds(200)) { [self] in
            reconciling = false
            runReconciles()
        }
    }

    // MARK: Watchers

    func addOrderSink(_ s: EventStream<OrderEvent>) {
        orderSinks.append(s)
        for o in open.values.sorted(by: { $0.timestamp < $1.timestamp }) { s.push(.order(o)) }
    }

    func addBalanceSink(_ s: EventStream<Balance>) {
        balanceSinks.append(s)
        for asset in balances.keys.sorted() { s.push(balances[asset]!) }
    }

    /// Fails what waits, finishes the streams (after `stop()`).
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

/// The open orders as the user-data stream last described them, readable from any thread (for
/// order entry that needs the current order, e.g. an amend that becomes a cancel-replace).
final class BinanceOpenOrders: Sendable {
    private let orders = Mutex<[Int64: Order]>([:])
    func set(_ id: Int64, _ order: Order?) { orders.withLock { $0[id] = order } }
    subscript(_ id: Int64) -> Order? { orders.withLock { $0[id] } }
    func first(clientOrderID: String) -> Order? { orders.withLock { $0.values.first { $0.clientOrderID == clientOrderID } } }
    var all: [Order] { orders.withLock { Array($0.values) } }
}
