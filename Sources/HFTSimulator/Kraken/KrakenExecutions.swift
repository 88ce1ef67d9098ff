import HFTCore

/// Encodes `executions` entries (§8.1) from engine orders and fills. Keys follow the order of
/// Kraken's documented example; entries are sparse where Kraken's are (only `exec_type`,
/// `order_id` and `timestamp` are always present).
enum KrakenExecutions {
    enum ExecType: String {
        case pendingNew = "pending_new", new, trade, filled, canceled, expired, amended
    }

    /// `order_status` of an engine order.
    static func status(_ s: OrderStatus) -> StaticString {
        switch s {
        case .pending: "pending_new"
        case .open: "new"
        case .partiallyFilled: "partially_filled"
        case .filled: "filled"
        case .canceled, .expired, .rejected, .unknown: "canceled"
        }
    }

    static func timeInForce(_ t: TimeInForce) -> StaticString {
        switch t {
        case .gtc: "GTC"
        case .ioc: "IOC"
        case .fok: "FOK"
        }
    }

    /// The free-text `reason` of a cancellation.
    static func reason(_ r: OrderEndReason?) -> String {
        switch r {
        case .postOnlyWouldTake: "Post only order"
        case .selfTradePrevention: "Self trade prevention"
        case .insufficientBalance: "Insufficient funds"
        case .unfilledImmediateOrCancel: "Immediate or cancel"
        case .unfilledFillOrKill: "Fill or kill"
        case .canceledByUser, .canceledAll, .amendedBelowFilled, nil: "User requested"
        }
    }

    /// An entry with the order's full details (`pending_new`, snapshot rows, `new` when
    /// `order_status` transitions are off).
    static func full(_ j: inout KrakenJSON, _ o: SimOrder, execType: ExecType, status: StaticString,
                     userref: Int64?, pair: KrakenPair?) {
        j.object { j in
            ids(&j, o, execType: execType, userref: userref)
            j.field("symbol", o.order.symbol.description)
            j.field("side", o.order.side == .buy ? "buy" : "sell")
            j.field("order_type", o.order.type == .limit ? "limit" : "market")
            j.field("order_qty", number: o.order.quantity)
            if let p = o.order.price { j.field("limit_price", number: p) }
            j.field("order_status", status)
            j.field("time_in_force", timeInForce(o.order.timeInForce))
            fees(&j, o, pair: pair)
            cumulative(&j, o, pair: pair)
            j.field("post_only", o.order.postOnly)
            j.field("timestamp", time: o.order.timestamp)
        }
    }

    /// A status change: `new`, `filled`, `canceled` (with `reason`) or `amended`.
    static func change(_ j: inout KrakenJSON, _ o: SimOrder, execType: ExecType, status: StaticString,
                       reason: String?, userref: Int64?, pair: KrakenPair?, timestamp: Timestamp) {
        j.object { j in
            ids(&j, o, execType: execType, userref: userref)
            if execType == .amended {
                j.field("order_qty", number: o.order.quantity)
                if let p = o.order.price { j.field("limit_price", number: p) }
            }
            j.field("order_status", status)
            if execType == .filled || execType == .canceled {
                fees(&j, o, pair: pair)
                cumulative(&j, o, pair: pair)
            }
            if let reason { j.field("reason", reason) }
            j.field("timestamp", time: timestamp)
        }
    }

    /// A fill (`trade`), with the order's cumulative state right after it.
    static func trade(_ j: inout KrakenJSON, _ f: FillEvent, _ o: SimOrder, cumQty: FixedDecimal, cumCost: FixedDecimal,
                      final: Bool, userref: Int64?, pair: KrakenPair?) {
        j.object { j in
            ids(&j, o, execType: .trade, userref: userref)
            j.field("symbol", o.order.symbol.description)
            j.field("side", o.order.side == .buy ? "buy" : "sell")
            j.field("order_type", o.order.type == .limit ? "limit" : "market")
            j.field("order_qty", number: o.order.quantity)
            if let p = o.order.price { j.field("limit_price", number: p) }
            j.field("order_status", final ? "filled" : "partially_filled")
            j.field("time_in_force", timeInForce(o.order.timeInForce))
            j.field("exec_id", KrakenIDs.execution(symbolIndex: pair?.index ?? 0, tradeID: f.tradeID, maker: f.fill.liquidity == .maker))
            j.field("trade_id", f.tradeID)
            j.field("last_qty", number: f.fill.quantity)
            j.field("last_price", number: f.fill.price)
            j.field("cost", number: f.quoteQuantity)
            j.field("liquidity_ind", f.fill.liquidity == .maker ? "m" : "t")
            j.key("fees")
            j.beginArray()
            j.object { j in
                j.field("asset", f.fill.feeCurrency)
                j.field("qty", number: f.fill.fee)
            }
            j.endArray()
            if let usd = usdEquivalent(f.fill.fee, asset: f.fill.feeCurrency, price: f.fill.price, pair: pair) {
                j.field("fee_usd_equiv", number: usd)
            }
            j.field("cum_qty", number: cumQty)
            j.field("cum_cost", number: cumCost)
            if let avg = average(cumCost, cumQty, pair: pair) { j.field("avg_price", number: avg) }
            j.field("timestamp", time: f.fill.timestamp)
        }
    }

    // MARK: Parts

    private static func ids(_ j: inout KrakenJSON, _ o: SimOrder, execType: ExecType, userref: Int64?) {
        j.field("exec_type", execType.rawValue)
        j.field("order_id", KrakenIDs.order(o.id))
        if let c = o.order.clientOrderID { j.field("cl_ord_id", c) }
        if let u = userref { j.field("order_userref", u) }
    }

    private static func fees(_ j: inout KrakenJSON, _ o: SimOrder, pair: KrakenPair?) {
        guard !o.fees.isEmpty else { return }
        j.key("fees")
        j.beginArray()
        for f in o.fees {
            j.object { j in
                j.field("asset", f.asset)
                j.field("qty", number: f.amount)
            }
        }
        j.endArray()
        if let avg = o.order.averagePrice {
            var usd: FixedDecimal?
            for f in o.fees {
                guard let u = usdEquivalent(f.amount, asset: f.asset, price: avg, pair: pair) else { usd = nil; break }
                usd = (usd ?? .zero) + u
            }
            if let usd { j.field("fee_usd_equiv", number: usd) }
        }
    }

    private static func cumulative(_ j: inout KrakenJSON, _ o: SimOrder, pair: KrakenPair?) {
        j.field("cum_qty", number: o.order.filledQuantity)
        j.field("cum_cost", number: o.cumulativeQuote)
        if let avg = average(o.cumulativeQuote, o.order.filledQuantity, pair: pair) { j.field("avg_price", number: avg) }
    }

    static func average(_ cost: FixedDecimal, _ qty: FixedDecimal, pair: KrakenPair?) -> FixedDecimal? {
        guard !qty.isZero, let pair else { return nil }
        return cost.divided(by: qty, scale: pair.priceScale + 4, rounding: .toNearestOrAwayFromZero)
            .map { KrakenNumbers.trimmed($0, minScale: pair.priceScale) }
    }

    /// A fee in USD when the pair is quoted in USD (fees in base are valued at `price`).
    static func usdEquivalent(_ fee: FixedDecimal, asset: String, price: FixedDecimal, pair: KrakenPair?) -> FixedDecimal? {
        guard let pair, pair.symbol.quote == "USD" else { return nil }
        if asset == "USD" { return fee }
        guard asset == pair.symbol.base else { return nil }
        return (fee * price).rescaled(to: pair.quoteScale, rounding: .toNearestOrAwayFromZero)
    }
}
