import HFTCore
import NIOCore

/// One FMex WebSocket connection (public `/v2/ws` or private `/v2/user/ws`), confined to its
/// event loop: the hello greeting and client-driven ping (§3), the `sub`/`unsub`/`req`/`ping`
/// commands (§4), public and private topics, and the single outbound path where the fault
/// plan applies. Every frame is uncompressed text (§1).
final class FMexSession {
    typealias JSON = KrakenJSON

    let context: FMexContext
    let server: ServerSession
    /// The account of a private socket (authenticated at the upgrade, §2); nil on `/v2/ws`.
    let account: AccountID?
    weak var connection: FMexConnection?
    var decider: FaultDecider

    /// Topics subscribed, in subscription order, as the client spelled them.
    var topics: [String] = []
    /// Public state per perpetual while any public topic needs it.
    var markets: [Symbol: FMexMarketState] = [:]
    var accountTopic = false
    var orderTopics: Set<Symbol> = []
    var positionTopics: Set<Symbol> = []
    var accountFeed: SubscriptionID?
    /// Position margin per symbol, for `account.position` (§6).
    var positionMargins: [Symbol: FixedDecimal] = [:]
    /// The settlement-asset balance changed in this event batch (one `account` push per batch).
    var pendingBalance: Balance?
    /// The settlement balance last pushed or pending: a later margin change re-pushes it.
    var lastBalance: Balance?

    var outbox = SimOutbox()
    private(set) var isDead = false
    private var timers = SimSessionTimers()

    init(context: FMexContext, server: ServerSession, account: AccountID?) {
        self.context = context
        self.server = server
        self.account = account
        decider = context.exchange.faults.makeDecider(endpoint: account == nil ? "ws" : "ws-user")
    }

    var options: FMexOptions { context.options }
    var isPrivate: Bool { account != nil }

    // MARK: Lifecycle

    /// Greets (§3), arms the ping deadline and the connection-age limit, and on the private
    /// socket follows the account's exchange events.
    func start() {
        armIdleTimer()
        timers.age = scheduleAgeLimit(maxAge: options.maxConnectionAge?.wholeMicros, now: context.now())
        if let a = account {
            for p in context.exchange.positions(a) { positionMargins[p.symbol] = p.margin }
            accountFeed = context.exchange.subscribe(.account(a)) { [weak connection] e in connection?.enqueue(e) }
        }
        if !isPrivate || options.helloOnUserSocket {
            let ts = context.nowMillis()
            send(.other) { j in
                j.object { j in
                    j.field("type", "hello")
                    j.field("ts", ts)
                }
            }
        }
        flush()
    }

    /// Stops all work for this connection (idempotent).
    func die() {
        guard !isDead else { return }
        isDead = true
        for m in markets.values { context.exchange.unsubscribe(m.subscription) }
        markets.removeAll()
        if let f = accountFeed { context.exchange.unsubscribe(f) }
        accountFeed = nil
        timers.cancelAll()
        connection?.close()
    }

    /// §3: the socket closes `pingTimeout` after the last client `ping` (or the connect).
    private func armIdleTimer() {
        timers.cancelDeadline()
        guard let limit = options.pingTimeout else { return }
        timers.deadline = after(micros: limit.wholeMicros) { [self] in
            close(code: options.pingTimeoutCloseCode, reason: "ping timeout")
        }
    }

    // MARK: Inbound

    func receive(_ m: ServerInbound) {
        guard !isDead, m.isData else { return }
        if decider.shouldRejectForRateLimit() { return close(code: 1008, reason: "too many messages") }
        m.withPayload(handle)
        flush()
    }

    private func handle(_ bytes: UnsafeRawBufferPointer) {
        guard let r = FMexRequestDecoder.decode(bytes) else {
            return fail(id: nil, .badRequest(options.badRequestStatus, String(decoding: bytes.prefix(200), as: UTF8.self)))
        }
        guard r.argsValid else { return fail(id: r.id, .badRequest(options.badRequestStatus, "args must be an array")) }
        switch r.cmd {
        case "ping": ping(r)
        case "sub": subscribe(r)
        case "unsub": unsubscribe(r)
        case "req": request(r)
        default: fail(id: r.id, .badRequest(options.badRequestStatus, "unknown cmd " + (r.cmd ?? "(none)")))
        }
    }

    /// `{"id","type":"ping","ts":<server ms>,"gap":<server ms − client ts>}` (§3).
    private func ping(_ r: FMexRequest) {
        armIdleTimer()
        let ts = context.nowMillis()
        let gap = r.args.first?.int64.map { ts - $0 } ?? 0
        respond { j in
            j.object { j in
                if let id = r.id { j.field("id", id) }
                j.field("type", "ping")
                j.field("ts", ts)
                j.field("gap", gap)
            }
        }
    }

    // MARK: Subscriptions (§4)

    /// All topics valid (at most `maxTopicsPerSub`) → subscribed, ack
    /// `{"id"?,"type":"topics","topics":[…just subscribed]}`, then each topic's first push;
    /// otherwise one 41002 error naming the first bad topic and nothing subscribed (README).
    private func subscribe(_ r: FMexRequest) {
        guard !r.args.isEmpty else { return fail(id: r.id, .invalidTopic("(no topic)")) }
        guard r.args.count <= options.maxTopicsPerSub else {
            return fail(id: r.id, FMexError(status: 41002, message: "invalid sub topic, more than \(options.maxTopicsPerSub) topics"))
        }
        var parsed: [(String, FMexTopic)] = []
        for a in r.args {
            guard case .string(let text) = a, let t = FMexTopic.parse(text, context.markets), allowed(t) else {
                return fail(id: r.id, .invalidTopic(a.text ?? "(not a string)"))
            }
            parsed.append((text, t))
        }
        for (text, _) in parsed where !topics.contains(text) { topics.append(text) }
        reply(id: r.id, topics: parsed.map(\.0))
        for (_, t) in parsed { start(t) }
    }

    /// Public topics on either socket (private one: `publicTopicsOnUserSocket`); private ones
    /// only on the authenticated socket.
    private func allowed(_ t: FMexTopic) -> Bool {
        t.isPrivate ? isPrivate : (!isPrivate || options.publicTopicsOnUserSocket)
    }

    /// Unknown topics are ignored; the reply lists the topics still subscribed (§4 UNCERTAIN).
    private func unsubscribe(_ r: FMexRequest) {
        for a in r.args {
            guard case .string(let text) = a, let i = topics.firstIndex(of: text),
                  let t = FMexTopic.parse(text, context.markets) else { continue }
            topics.remove(at: i)
            stop(t)
        }
        reply(id: r.id, topics: topics)
    }

    private func reply(id: String?, topics: [String]) {
        respond { j in
            j.object { j in
                if let id { j.field("id", id) }
                j.field("type", "topics")
                j.key("topics")
                j.beginArray()
                for t in topics { j.string(t) }
                j.endArray()
            }
        }
    }

    private func start(_ t: FMexTopic) {
        switch t {
        case .account: accountTopic = true
        case .order(let m): orderTopics.insert(m.symbol)
        case .position(let m): positionTopics.insert(m.symbol)
        default: startPublic(t)
        }
    }

    private func stop(_ t: FMexTopic) {
        switch t {
        case .account: accountTopic = false
        case .order(let m): orderTopics.remove(m.symbol)
        case .position(let m): positionTopics.remove(m.symbol)
        default: stopPublic(t)
        }
    }

    // MARK: Replies

    /// `{"id"?,"status":S,"msg":M}` (§4).
    func fail(id: String?, _ e: FMexError) {
        respond { j in
            j.object { j in
                if let id { j.field("id", id) }
                j.field("status", e.status)
                j.field("msg", e.message)
            }
        }
    }

    /// A reply to the client, now or after the `delay_ms` fault.
    func respond(_ write: (inout JSON) -> Void) { sendResponse(write) }

    // MARK: Outbound

    /// Encodes and queues one message through the fault plan. Skipped-sequence and checksum
    /// faults lose the message (FMex has no checksum; the next depth delta's `pre_seq` then
    /// shows the gap).
    func send(_ kind: OutboundKind, _ encode: (inout JSON) -> Void) {
        guard admission(kind) == .send else { return }
        encodeFrame(encode)
    }

    // MARK: Exchange events

    func process(_ events: [SimEvent]) {
        guard !isDead else { return }
        for e in events {
            switch e {
            case .book(let u): onBook(u)
            case .trade(let t): onTrade(t)
            case .fill: break
            case .order(let o): onOrder(o)
            case .balance(let b): onBalance(b)
            case .position(let p): onPosition(p)
            }
            if isDead { return }
        }
        flushMarkets()
        flushAccount()
        flush()
    }
}
