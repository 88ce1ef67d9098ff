import HFTCore

/// The REST calls the stream flows need (§1, §10): `GET /api/v3/depth`, `/api/v3/exchangeInfo`,
/// `/api/v3/time`, `/api/v3/ping`. Weight is shared with the WS API and reported in
/// `X-MBX-USED-WEIGHT-1M`; over the limit: 429 (then 418) with `Retry-After` seconds and
/// Binance's `{"code":…,"msg":…}` body.
enum BinanceREST {
    static func routes(_ context: BinanceContext) -> [HTTPRoute] {
        [
            HTTPRoute("GET", "/api/v3/depth") { depth($0, context) },
            HTTPRoute("GET", "/api/v3/exchangeInfo") { exchangeInfo($0, context) },
            HTTPRoute("GET", "/api/v3/time") { req in
                guarded(context, weight: 1) { ok(context) { $0.object { $0.field("serverTime", context.nowMillis()) } } }
            },
            HTTPRoute("GET", "/api/v3/ping") { _ in guarded(context, weight: 1) { ok(context) { $0.object { _ in } } } },
        ]
    }

    /// Depth weight by limit (§3).
    static func depthWeight(_ limit: Int) -> Int {
        switch limit {
        case ...100: 5
        case ...500: 25
        case ...1000: 50
        default: 250
        }
    }

    static func depth(_ req: ServerHTTPRequest, _ context: BinanceContext) -> ServerHTTPResponse {
        let q = req.head.queryItems
        let limitText = q.first { $0.0 == "limit" }?.1
        let limit = limitText.flatMap(Int.init) ?? 100
        return guarded(context, weight: depthWeight(limit)) {
            guard let name = q.first(where: { $0.0 == "symbol" })?.1, !name.isEmpty else { return error(context, .mandatory("symbol")) }
            guard let m = context.markets.market(api: name) else { return error(context, .invalidSymbol) }
            guard limitText == nil || (limit >= 1 && limit <= 5_000) else {
                return error(context, BinanceFailure(-1100, "Illegal characters found in parameter 'limit'; legal range is '1-5000'."))
            }
            guard let book = try? context.exchange.bookSnapshot(m.symbol, depth: limit) else { return error(context, .invalidSymbol) }
            return ok(context) { j in
                j.object { j in
                    j.field("lastUpdateId", book.sequence)
                    j.key("bids")
                    j.beginArray()
                    for l in book.bids { levelPair(&j, l) }
                    j.endArray()
                    j.key("asks")
                    j.beginArray()
                    for l in book.asks { levelPair(&j, l) }
                    j.endArray()
                }
            }
        }
    }

    private static func levelPair(_ j: inout BinanceJSON, _ l: BookLevel) {
        j.beginArray()
        j.decimal(l.price)
        j.decimal(l.quantity)
        j.endArray()
    }

    static func exchangeInfo(_ req: ServerHTTPRequest, _ context: BinanceContext) -> ServerHTTPResponse {
        guarded(context, weight: 20) {
            var markets = context.markets.markets
            let q = req.head.queryItems
            if let one = q.first(where: { $0.0 == "symbol" })?.1 {
                guard let m = context.markets.market(api: one) else { return error(context, .invalidSymbol) }
                markets = [m]
            } else if let list = q.first(where: { $0.0 == "symbols" })?.1 {
                // `["BTCUSDT","ETHUSDT"]`
                let names = list.split { "[]\", ".contains($0) }.map(String.init)
                var chosen: [BinanceMarket] = []
                for n in names {
                    guard let m = context.markets.market(api: n) else { return error(context, .invalidSymbol) }
                    chosen.append(m)
                }
                markets = chosen
            }
            let limits = context.options.rateLimits
            let stp = BinanceOrderText.stp(context.exchange.rules.defaultSelfTradePrevention)
            return ok(context) { j in
                j.object { j in
                    j.field("timezone", "UTC")
                    j.field("serverTime", context.nowMillis())
                    j.key("rateLimits")
                    j.beginArray()
                    rateLimit(&j, "REQUEST_WEIGHT", "MINUTE", 1, limits.requestWeightPerMinute)
                    rateLimit(&j, "ORDERS", "SECOND", 10, limits.ordersPer10Seconds)
                    rateLimit(&j, "ORDERS", "DAY", 1, limits.ordersPerDay)
                    rateLimit(&j, "CONNECTIONS", "MINUTE", 5, limits.connectionsPer5Minutes)
                    j.endArray()
                    j.key("exchangeFilters")
                    j.beginArray()
                    j.endArray()
                    j.key("symbols")
                    j.beginArray()
                    for m in markets { symbol(&j, m, stp: stp) }
                    j.endArray()
                }
            }
        }
    }

    private static func rateLimit(_ j: inout BinanceJSON, _ type: StaticString, _ interval: StaticString, _ n: Int, _ limit: Int) {
        j.object { j in
            j.field("rateLimitType", type)
            j.field("interval", interval)
            j.field("intervalNum", n)
            j.field("limit", limit)
        }
    }

    /// One `symbols` entry with PRICE_FILTER, LOT_SIZE and NOTIONAL from the instrument.
    private static func symbol(_ j: inout BinanceJSON, _ m: BinanceMarket, stp: StaticString) {
        let s = m.spec
        j.object { j in
            j.field("symbol", m.apiName)
            j.field("status", "TRADING")
            j.field("baseAsset", s.symbol.base)
            j.field("baseAssetPrecision", 8)
            j.field("quoteAsset", s.symbol.quote)
            j.field("quotePrecision", 8)
            j.field("quoteAssetPrecision", 8)
            j.field("baseCommissionPrecision", 8)
            j.field("quoteCommissionPrecision", 8)
            j.key("orderTypes")
            j.beginArray()
            j.string("LIMIT")
            j.string("LIMIT_MAKER")
            j.string("MARKET")
            j.endArray()
            j.field("icebergAllowed", false)
            j.field("ocoAllowed", false)
            j.field("otoAllowed", false)
            j.field("quoteOrderQtyMarketAllowed", true)
            j.field("allowTrailingStop", false)
            j.field("cancelReplaceAllowed", true)
            j.field("amendAllowed", true)
            j.field("isSpotTradingAllowed", true)
            j.field("isMarginTradingAllowed", false)
            j.key("filters")
            j.beginArray()
            j.object { j in
                j.field("filterType", "PRICE_FILTER")
                j.field("minPrice", decimal: s.tickSize)
                j.field("maxPrice", decimal: FixedDecimal(1_000_000))
                j.field("tickSize", decimal: s.tickSize)
            }
            j.object { j in
                j.field("filterType", "LOT_SIZE")
                j.field("minQty", decimal: s.minQuantity)
                j.field("maxQty", decimal: FixedDecimal(9_000))
                j.field("stepSize", decimal: s.lotSize)
            }
            j.object { j in
                j.field("filterType", "NOTIONAL")
                j.field("minNotional", decimal: s.minNotional)
                j.field("applyMinToMarket", true)
                j.field("maxNotional", decimal: FixedDecimal(9_000_000))
                j.field("applyMaxToMarket", false)
                j.field("avgPriceMins", 5)
            }
            j.endArray()
            j.key("permissions")
            j.beginArray()
            j.endArray()
            j.field("defaultSelfTradePreventionMode", stp)
            j.key("allowedSelfTradePreventionModes")
            j.beginArray()
            for mode: StaticString in ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"] { j.string(mode) }
            j.endArray()
        }
    }

    // MARK: Envelopes

    /// Charges `weight` (and the `rate_limit_after` fault), then runs `body`.
    static func guarded(_ context: BinanceContext, weight: Int, _ body: () -> ServerHTTPResponse) -> ServerHTTPResponse {
        let now = context.nowMillis()
        if context.restFaultRateLimited() {
            return error(context, BinanceFailure(-1003, "Too many requests; current limit of IP is exceeded.", status: 429,
                                                 retryAfter: now + 1_000))
        }
        if let f = context.limiter.chargeWeight(weight, now: now) { return error(context, f) }
        return body()
    }

    static func ok(_ context: BinanceContext, _ write: (inout BinanceJSON) -> Void) -> ServerHTTPResponse {
        var j = BinanceJSON()
        write(&j)
        return ServerHTTPResponse(status: 200, headers: headers(context), body: j.bytes)
    }

    static func error(_ context: BinanceContext, _ f: BinanceFailure) -> ServerHTTPResponse {
        var j = BinanceJSON()
        j.object { j in
            j.field("code", f.code)
            j.field("msg", f.msg)
        }
        var h = headers(context)
        if let retry = f.retryAfter {
            h.append(("Retry-After", String(max(1, (retry - context.nowMillis() + 999) / 1_000))))
        }
        return ServerHTTPResponse(status: f.status, headers: h, body: j.bytes)
    }

    private static func headers(_ context: BinanceContext) -> [(String, String)] {
        [("Content-Type", "application/json;charset=UTF-8"),
         ("X-MBX-USED-WEIGHT-1M", String(context.limiter.usedWeight(now: context.nowMillis())))]
    }

    /// A WebSocket handshake over the `CONNECTIONS` limit.
    static func tooManyConnections(_ context: BinanceContext) -> ServerHTTPResponse {
        error(context, BinanceFailure(-1003, "Too many connection attempts; current limit is "
                                      + "\(context.options.rateLimits.connectionsPer5Minutes) per 5 MINUTE.", status: 429,
                                      retryAfter: context.nowMillis() - context.nowMillis() % BinanceRateLimiter.fiveMinutes
                                          + BinanceRateLimiter.fiveMinutes))
    }
}
