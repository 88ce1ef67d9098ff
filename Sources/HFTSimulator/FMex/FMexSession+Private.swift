import HFTCore

/// Private topics (§6) on `/v2/user/ws`: `account`, `order.<sym>`, `position.<sym>`, pushed
/// incrementally from the authenticated account's exchange events (no snapshot on `sub`).
extension FMexSession {
    /// Rejected orders are not pushed (REST answered the error, README).
    func onOrder(_ e: SimOrderEvent) {
        guard e.account == account, e.kind != .rejected, orderTopics.contains(e.order.order.symbol),
              let market = context.markets.market(e.order.order.symbol) else { return }
        let type = "order." + market.topic, ts = context.nowMillis()
        send(.privateUpdate) { j in
            j.object { j in
                j.field("type", type)
                j.field("ts", ts)
                j.key("order")
                FMexJSON.order(&j, e.order, market)
            }
        }
    }

    func onPosition(_ e: PositionEvent) {
        guard e.account == account, let market = context.markets.market(e.position.symbol) else { return }
        let marginChanged = positionMargins[e.position.symbol] != e.position.margin
        positionMargins[e.position.symbol] = e.position.margin
        // The balance and position events of one fill may land in different batches: the
        // account push must still end up showing the new margin.
        if marginChanged, pendingBalance == nil { pendingBalance = lastBalance }
        guard positionTopics.contains(e.position.symbol) else { return }
        let type = "position." + market.topic, ts = context.nowMillis()
        let taker = context.exchange.fees(of: e.account)?.taker ?? .zero
        send(.privateUpdate) { j in
            j.object { j in
                j.field("type", type)
                j.field("ts", ts)
                j.key("position")
                FMexJSON.position(&j, e.position, market, takerFeeRate: taker)
            }
        }
    }

    /// Only the settlement asset's balance is an FMex account (§6).
    func onBalance(_ e: BalanceEvent) {
        guard e.account == account, context.markets.all.contains(where: { $0.settle == e.balance.asset }) else { return }
        pendingBalance = e.balance
        lastBalance = e.balance
    }

    /// One `account` push per event batch, after the batch's position events (so `position`
    /// is the margin after the same operation).
    func flushAccount() {
        guard let b = pendingBalance else { return }
        pendingBalance = nil
        guard accountTopic else { return }
        let ts = context.nowMillis()
        let margin = positionMargins.values.reduce(FixedDecimal(mantissa: 0, scale: b.frozen.scale), +)
        send(.privateUpdate) { j in
            j.object { j in
                j.field("type", "account")
                j.field("ts", ts)
                j.key("account")
                FMexJSON.account(&j, b, positionMargin: margin)
            }
        }
    }
}

/// The order, position and account objects of the pushes and the REST replies (§6, §7).
enum FMexJSON {
    typealias JSON = KrakenJSON

    /// §6 `status`.
    static func status(_ o: Order) -> String {
        switch o.status {
        case .filled: "FULLY_FILLED"
        case .canceled, .expired, .rejected: o.filledQuantity.isZero ? "FULLY_CANCELLED" : "PARTIAL_CANCELLED"
        default: o.filledQuantity.isZero ? "PENDING" : "PARTIAL_FILLED"
        }
    }

    /// §6 `features`: 0x01 FOK, 0x02 post-only, 0x08 IOC (market orders are not flagged).
    static func features(_ o: Order) -> Int {
        var f = 0
        if o.type == .limit {
            if o.timeInForce == .fok { f |= 0x01 }
            if o.timeInForce == .ioc { f |= 0x08 }
        }
        if o.postOnly { f |= 0x02 }
        return f
    }

    static func order(_ j: inout JSON, _ o: SimOrder, _ m: FMexMarket) {
        let order = o.order
        let direction = order.side == .buy ? "LONG" : "SHORT"
        let zeroP = FixedDecimal(mantissa: 0, scale: m.spec.priceScale)
        let fee = o.fees.first { $0.asset == m.settle }?.amount ?? FixedDecimal(mantissa: 0, scale: 12)
        j.object { j in
            j.key("id")
            j.uint(FMexOrderIDs.number(o.id))
            j.field("quantity", number: order.quantity)
            j.field("direction", direction)
            j.field("features", features(order))
            j.field("price", number: order.price ?? zeroP)
            j.field("fill_price", number: order.averagePrice ?? zeroP)
            j.field("unfilled_quantity", number: order.quantity - order.filledQuantity)
            j.field("symbol", m.name)
            j.field("margin_currency", m.settle)
            j.field("fee", number: fee)
            j.field("type", order.type == .market ? "MARKET" : "LIMIT")
            j.field("status", status(order))
            j.field("trigger_direction", direction)
            j.field("trigger_on", 0)
            j.field("trailing_base_price", 0)
            j.field("trailing_distance", 0)
            j.field("created_at", o.createdAt / 1_000)
        }
    }

    /// `quantity` unsigned with `direction` (flat: 0 and `LONG`); unknown prices are 0.
    static func position(_ j: inout JSON, _ p: Position, _ m: FMexMarket, takerFeeRate: FixedDecimal) {
        let zeroP = FixedDecimal(mantissa: 0, scale: m.spec.priceScale)
        let negative = p.quantity < .zero
        j.object { j in
            j.field("symbol", m.name)
            j.field("quantity", number: negative ? -p.quantity : p.quantity)
            j.field("direction", negative ? "SHORT" : "LONG")
            j.field("leverage", number: p.leverage)
            j.field("risk_level", 0)
            j.field("margin", number: p.margin)
            j.field("taker_fee_rate", number: takerFeeRate)
            j.field("realized_pnl", number: p.realizedPnL)
            j.field("entry_price", number: p.entryPrice ?? zeroP)
            j.field("liquidation_price", number: p.liquidationPrice ?? zeroP)
            j.field("bankruptcy_price", number: p.bankruptcyPrice ?? zeroP)
            j.field("minimum_maintenance_margin_rate", number: m.terms.maintenanceMarginRate)
            j.field("updated_at", p.timestamp / 1_000)
        }
    }

    /// `{"currency","available","frozen" (order margin),"position" (position margin),"updated_at"}`.
    static func account(_ j: inout JSON, _ b: Balance, positionMargin: FixedDecimal) {
        var orderFrozen = b.frozen - positionMargin
        if orderFrozen < .zero { orderFrozen = FixedDecimal(mantissa: 0, scale: b.frozen.scale) }
        j.object { j in
            j.field("currency", b.asset)
            j.field("available", number: b.available)
            j.field("frozen", number: orderFrozen)
            j.field("position", number: positionMargin)
            j.field("updated_at", b.timestamp / 1_000)
        }
    }
}
