import HFTCore
import NIOCore

/// One WS API connection (`/ws-api/v3`), confined to its event loop: the request envelope
/// (§4), request weight, signatures and timestamps (§5), the session key (§6), and the
/// user-data subscriptions (§8). Trading methods live in `+Orders`, pushes in `+UserData`.
final class BinanceAPISession: BinanceSocket {
    /// The connection default of `rateLimits` in responses (`?returnRateLimits=false`).
    let returnRateLimits: Bool
    let connectedSince: Timestamp
    var logon: (apiKey: String, account: AccountID, since: Timestamp)?
    var userStreams: [BinanceUserStream] = []
    var subscriptionsOpened = 0
    /// The account whose `ORDERS` counters the current request's reply reports (set by order methods).
    var ordersAccount: AccountID?

    static let maxActiveSubscriptions = 1_000
    static let maxLifetimeSubscriptions = 65_535

    init(context: BinanceContext, server: ServerSession) {
        returnRateLimits = !server.request.queryItems.contains { $0.0 == "returnRateLimits" && $0.1.lowercased() == "false" }
        connectedSince = context.now()
        super.init(context: context, server: server, endpoint: "ws-api")
    }

    override func start() {
        super.start()
        // Opening a connection costs 2 weight (§3); a refusal shows on the next request.
        _ = context.limiter.chargeWeight(2, now: context.nowMillis())
    }

    override func released() {
        for s in userStreams { context.exchange.unsubscribe(s.subscription) }
        userStreams.removeAll()
    }

    override func process(_ events: [SimEvent]) { processUserData(events) }

    override func sendServerShutdown() {
        send(.other) { j in
            j.object { j in
                j.key("event")
                j.object { j in
                    j.field("e", "serverShutdown")
                    j.field("E", nowTime())
                }
            }
        }
    }

    // MARK: Requests

    override func handle(text: String) {
        let request: BinanceAPIRequest
        switch BinanceAPIRequest.decode(text) {
        case .failure(let f):
            guard chargeWeight(1, id: f.id) else { return }
            reply(f.id, f.failure)
            return
        case .success(let r): request = r
        }
        let p = BinanceParams(request: request)
        let withLimits = (try? p.bool("returnRateLimits")) ?? nil
        let call = Call(id: request.id, rateLimits: withLimits ?? returnRateLimits)
        if decider.shouldRejectForRateLimit() {
            let retry = context.nowMillis() + decider.currentPlan().rateLimitWindowMicros / 1_000
            reply(call, BinanceFailure(-1003, "Too many requests; current limit of IP is exceeded. Please use WebSocket Streams "
                                       + "for live updates to avoid polling the API.", status: 429, retryAfter: retry))
            return
        }
        guard let weight = Self.weight(request) else {
            guard chargeWeight(1, id: call.id, rateLimits: call.rateLimits) else { return }
            reply(call, .unknownMethod)
            return
        }
        guard chargeWeight(weight, id: call.id, rateLimits: call.rateLimits) else { return }
        ordersAccount = nil
        do throws(BinanceFailure) {
            try dispatch(request.method, p, call)
        } catch {
            var c = call
            c.orders = ordersAccount
            reply(c, error)
        }
    }

    /// What a response needs besides its body.
    struct Call {
        let id: [UInt8]
        let rateLimits: Bool
        /// The account whose `ORDERS` counters the response reports.
        var orders: AccountID?
    }

    private func dispatch(_ method: String, _ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        switch method {
        case "ping": respond(call) { $0.object { _ in } }
        case "time": respond(call) { j in j.object { $0.field("serverTime", nowTime()) } }
        case "session.logon": try sessionLogon(p, call)
        case "session.status": respond(call) { writeSessionStatus(&$0) }
        case "session.logout":
            if let l = logon { endStreams { $0.logonBased && $0.account == l.account } }
            logon = nil
            respond(call) { writeSessionStatus(&$0) }
        case "session.subscriptions":
            respond(call) { j in
                j.beginArray()
                for s in userStreams { j.object { $0.field("subscriptionId", s.id) } }
                j.endArray()
            }
        case "userDataStream.subscribe": try subscribeUserData(p, call, signed: false)
        case "userDataStream.subscribe.signature": try subscribeUserData(p, call, signed: true)
        case "userDataStream.unsubscribe": try unsubscribeUserData(p, call)
        case "order.test": try orderTest(p, call)
        case "order.place": try orderPlace(p, call)
        case "order.cancel": try orderCancel(p, call)
        case "order.cancelReplace": try orderCancelReplace(p, call)
        case "order.amend.keepPriority": try orderAmend(p, call)
        case "openOrders.cancelAll": try cancelAll(p, call)
        case "order.status": try orderStatus(p, call)
        case "openOrders.status": try openOrdersStatus(p, call)
        case "account.status": try accountStatus(p, call)
        default: throw .unknownMethod
        }
    }

    /// Request weight per method (§3); nil for an unknown method.
    static func weight(_ r: BinanceAPIRequest) -> Int? {
        switch r.method {
        case "ping", "time", "order.place", "order.test", "order.cancel", "order.cancelReplace", "openOrders.cancelAll": 1
        case "session.logon", "session.status", "session.logout", "session.subscriptions",
             "userDataStream.subscribe", "userDataStream.subscribe.signature", "userDataStream.unsubscribe": 2
        case "order.amend.keepPriority", "order.status": 4
        case "openOrders.status": r.param("symbol") == nil ? 80 : 6
        case "account.status": 20
        default: nil
        }
    }

    /// False (after the 429/418 reply) when the weight is over the limit or the IP is banned.
    private func chargeWeight(_ w: Int, id: [UInt8], rateLimits: Bool = true) -> Bool {
        guard let f = context.limiter.chargeWeight(w, now: context.nowMillis()) else { return true }
        reply(Call(id: id, rateLimits: rateLimits), f)
        return false
    }

    // MARK: Authentication

    /// The account a SIGNED request acts for (§5): its own `apiKey` + `signature`, else the
    /// session key. `timestamp`/`recvWindow` are checked either way.
    func authenticate(_ p: BinanceParams) throws(BinanceFailure) -> AccountID {
        if let signature = p.string("signature") {
            try checkTimestamp(p)
            let apiKey = try p.required("apiKey")
            switch context.auth.verify(apiKey: apiKey, payload: BinanceAuth.payload(p.request.signedParams), signature: signature) {
            case .success(let (account, _)): return account
            case .failure(let f): throw f
            }
        }
        guard let l = logon else { throw p.string("apiKey") == nil ? .mandatory("apiKey") : .mandatory("signature") }
        try checkTimestamp(p)
        return l.account
    }

    /// `timestamp < serverTime + 1000` and `serverTime − timestamp ≤ recvWindow` (§5).
    func checkTimestamp(_ p: BinanceParams) throws(BinanceFailure) {
        guard let ts = try p.int("timestamp") else { throw .mandatory("timestamp") }
        var windowMicros: Int64 = 5_000_000
        if let w = try p.decimal("recvWindow") {
            guard w.normalized.scale <= 3 else { throw .illegalChars("recvWindow") }
            guard w <= FixedDecimal(60_000) else { throw .recvWindowTooLarge }
            windowMicros = Int64(w.rescaled(to: 3).mantissa)
        }
        let (tsMicros, overflow) = microseconds ? (ts, false) : ts.multipliedReportingOverflow(by: 1_000)
        let now = context.now()
        if overflow || tsMicros >= now + 1_000_000 { throw .timestampAhead }
        if now - tsMicros > windowMicros { throw .timestampOutside }
    }

    private func sessionLogon(_ p: BinanceParams, _ call: Call) throws(BinanceFailure) {
        let apiKey = try p.required("apiKey")
        let signature = try p.required("signature")
        try checkTimestamp(p)
        switch context.auth.verify(apiKey: apiKey, payload: BinanceAuth.payload(p.request.signedParams), signature: signature) {
        case .success(let (account, type)):
            guard type == .ed25519 else { throw .hmacLogon }
            if let old = logon, old.account != account { endStreams { $0.logonBased && $0.account == old.account } }
            logon = (apiKey, account, context.now())
            respond(call) { writeSessionStatus(&$0) }
        case .failure(let f): throw f
        }
    }

    func writeSessionStatus(_ j: inout BinanceJSON) {
        j.object { j in
            if let l = logon {
                j.field("apiKey", l.apiKey)
                j.field("authorizedSince", time(l.since))
            } else {
                j.key("apiKey")
                j.null()
                j.key("authorizedSince")
                j.null()
            }
            j.field("connectedSince", time(connectedSince))
            j.field("returnRateLimits", returnRateLimits)
            j.field("serverTime", nowTime())
            j.field("userDataStream", !userStreams.isEmpty)
        }
    }

    // MARK: Envelopes

    /// `{"id":…,"status":200,"result":…,"rateLimits":[…]}`.
    func respond(_ call: Call, status: Int = 200, _ result: (inout BinanceJSON) -> Void) {
        let usage = call.rateLimits ? context.limiter.usage(now: context.nowMillis(), orders: call.orders) : nil
        sendResponse { j in
            j.object { j in
                j.field("id", rawJSON: call.id)
                j.field("status", status)
                j.key("result")
                result(&j)
                if let usage { Self.writeRateLimits(&j, usage) }
            }
        }
    }

    /// `{"id":…,"status":4xx,"error":{"code":…,"msg":…,"data"?:…},"rateLimits":[…]}`; `data`
    /// writes extra members of the error's `data` object (cancelReplace results).
    func reply(_ call: Call, _ f: BinanceFailure, data: ((inout BinanceJSON) -> Void)? = nil) {
        let usage = call.rateLimits ? context.limiter.usage(now: context.nowMillis(), orders: call.orders) : nil
        let serverTime = nowTime()
        sendResponse { j in
            j.object { j in
                j.field("id", rawJSON: call.id)
                j.field("status", f.status)
                j.key("error")
                j.object { j in
                    j.field("code", f.code)
                    j.field("msg", f.msg)
                    if let retry = f.retryAfter {
                        j.key("data")
                        j.object { j in
                            j.field("serverTime", serverTime)
                            j.field("retryAfter", fromMillis(retry))
                        }
                    } else if let data {
                        j.key("data")
                        j.object { data(&$0) }
                    }
                }
                if let usage { Self.writeRateLimits(&j, usage) }
            }
        }
    }

    private func reply(_ id: [UInt8], _ f: BinanceFailure) { reply(Call(id: id, rateLimits: returnRateLimits), f) }

    static func writeRateLimits(_ j: inout BinanceJSON, _ usage: [BinanceRateLimitUsage]) {
        j.key("rateLimits")
        j.beginArray()
        for u in usage {
            j.object { j in
                j.field("rateLimitType", u.type)
                j.field("interval", u.interval)
                j.field("intervalNum", u.intervalNum)
                j.field("limit", u.limit)
                j.field("count", u.count)
            }
        }
        j.endArray()
    }
}
