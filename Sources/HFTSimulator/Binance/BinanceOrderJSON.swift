import HFTCore

/// Binance's spellings of the engine's order fields (enums.md via §7).
enum BinanceOrderText {
    static func status(_ o: SimOrder) -> StaticString {
        switch o.order.status {
        case .pending, .open, .unknown: "NEW"
        case .partiallyFilled: "PARTIALLY_FILLED"
        case .filled: "FILLED"
        case .canceled: "CANCELED"
        case .rejected: "REJECTED"
        case .expired: o.endReason == .selfTradePrevention ? "EXPIRED_IN_MATCH" : "EXPIRED"
        }
    }

    static func type(_ o: SimOrder) -> StaticString {
        o.order.type == .market ? "MARKET" : (o.order.postOnly ? "LIMIT_MAKER" : "LIMIT")
    }

    /// MARKET and LIMIT_MAKER orders report `GTC`, as Binance does.
    static func timeInForce(_ o: SimOrder) -> StaticString {
        guard o.order.type == .limit, !o.order.postOnly else { return "GTC" }
        switch o.order.timeInForce {
        case .gtc: return "GTC"
        case .ioc: return "IOC"
        case .fok: return "FOK"
        }
    }

    static func side(_ s: Side) -> StaticString { s == .buy ? "BUY" : "SELL" }

    static func stp(_ m: SelfTradePrevention) -> StaticString {
        switch m {
        case .none: "NONE"
        case .cancelTaker: "EXPIRE_TAKER"
        case .cancelMaker: "EXPIRE_MAKER"
        case .cancelBoth: "EXPIRE_BOTH"
        }
    }

    static func expiryReason(_ r: OrderEndReason?) -> StaticString? {
        switch r {
        case .unfilledImmediateOrCancel: "UNFILLED_IOC_QUANTITY_EXPIRED"
        case .unfilledFillOrKill: "UNFILLED_FOK_ORDER_EXPIRED"
        case .insufficientBalance: "INSUFFICIENT_LIQUIDITY"
        default: nil
        }
    }

    /// On the book (a resting limit order).
    static func isWorking(_ o: SimOrder) -> Bool {
        o.order.type == .limit && (o.order.status == .open || o.order.status == .partiallyFilled)
    }

    static func price(_ o: SimOrder) -> FixedDecimal { o.order.price ?? .zero }
}

/// Order objects in the shapes of §7 (`j` must be inside an object).
extension BinanceSocket {
    typealias Text = BinanceOrderText

    /// `order.place` `ACK` fields.
    func writeAck(_ j: inout BinanceJSON, _ o: SimOrder, _ m: BinanceMarket) {
        j.field("symbol", m.apiName)
        j.key("orderId")
        j.uint(o.id)
        j.field("orderListId", -1)
        j.field("clientOrderId", o.order.clientOrderID ?? "")
        j.field("transactTime", time(o.order.timestamp))
    }

    /// `RESULT` = ACK + these; `FULL` adds `fills`.
    func writeResult(_ j: inout BinanceJSON, _ o: SimOrder, _ m: BinanceMarket, quoteOrderQty: FixedDecimal?, fills: [FillEvent]?) {
        writeAck(&j, o, m)
        j.field("price", decimal: Text.price(o))
        j.field("origQty", decimal: o.order.quantity)
        j.field("executedQty", decimal: o.order.filledQuantity)
        j.field("origQuoteOrderQty", decimal: quoteOrderQty ?? .zero)
        j.field("cummulativeQuoteQty", decimal: o.cumulativeQuote)
        j.field("status", Text.status(o))
        j.field("timeInForce", Text.timeInForce(o))
        j.field("type", Text.type(o))
        j.field("side", Text.side(o.order.side))
        j.field("workingTime", time(o.createdAt))
        j.field("selfTradePreventionMode", Text.stp(o.selfTradePrevention))
        if let fills {
            j.key("fills")
            j.beginArray()
            for f in fills {
                j.object { j in
                    j.field("price", decimal: f.fill.price)
                    j.field("qty", decimal: f.fill.quantity)
                    j.field("commission", decimal: f.fill.fee)
                    j.field("commissionAsset", f.fill.feeCurrency)
                    j.field("tradeId", f.tradeID)
                }
            }
            j.endArray()
        }
    }

    /// `order.cancel` result (§7.2): `clientOrderId` is the cancel's id, `origClientOrderId` the order's.
    func writeCancel(_ j: inout BinanceJSON, _ o: SimOrder, _ m: BinanceMarket, cancelID: String, at: Timestamp) {
        j.field("symbol", m.apiName)
        j.field("origClientOrderId", o.order.clientOrderID ?? "")
        j.key("orderId")
        j.uint(o.id)
        j.field("orderListId", -1)
        j.field("clientOrderId", cancelID)
        j.field("transactTime", time(at))
        j.field("price", decimal: Text.price(o))
        j.field("origQty", decimal: o.order.quantity)
        j.field("executedQty", decimal: o.order.filledQuantity)
        j.field("origQuoteOrderQty", decimal: .zero)
        j.field("cummulativeQuoteQty", decimal: o.cumulativeQuote)
        j.field("status", Text.status(o))
        j.field("timeInForce", Text.timeInForce(o))
        j.field("type", Text.type(o))
        j.field("side", Text.side(o.order.side))
        j.field("selfTradePreventionMode", Text.stp(o.selfTradePrevention))
    }

    /// `order.status` / `openOrders.status` entry (§7.5).
    func writeQuery(_ j: inout BinanceJSON, _ o: SimOrder, _ m: BinanceMarket) {
        j.field("symbol", m.apiName)
        j.key("orderId")
        j.uint(o.id)
        j.field("orderListId", -1)
        j.field("clientOrderId", o.order.clientOrderID ?? "")
        j.field("price", decimal: Text.price(o))
        j.field("origQty", decimal: o.order.quantity)
        j.field("executedQty", decimal: o.order.filledQuantity)
        j.field("cummulativeQuoteQty", decimal: o.cumulativeQuote)
        j.field("status", Text.status(o))
        j.field("timeInForce", Text.timeInForce(o))
        j.field("type", Text.type(o))
        j.field("side", Text.side(o.order.side))
        j.field("stopPrice", decimal: .zero)
        j.field("icebergQty", decimal: .zero)
        j.field("time", time(o.createdAt))
        j.field("updateTime", time(o.order.timestamp))
        j.field("isWorking", Text.isWorking(o))
        j.field("workingTime", time(o.createdAt))
        j.field("origQuoteOrderQty", decimal: .zero)
        j.field("selfTradePreventionMode", Text.stp(o.selfTradePrevention))
    }

    /// `order.amend.keepPriority` `amendedOrder` (§7.4: `qty`, `cumulativeQuoteQty` spellings).
    func writeAmended(_ j: inout BinanceJSON, _ o: SimOrder, _ m: BinanceMarket, origClientID: String) {
        j.field("symbol", m.apiName)
        j.key("orderId")
        j.uint(o.id)
        j.field("orderListId", -1)
        j.field("origClientOrderId", origClientID)
        j.field("clientOrderId", o.order.clientOrderID ?? "")
        j.field("price", decimal: Text.price(o))
        j.field("qty", decimal: o.order.quantity)
        j.field("executedQty", decimal: o.order.filledQuantity)
        j.field("preventedQty", decimal: .zero)
        j.field("quoteOrderQty", decimal: .zero)
        j.field("cumulativeQuoteQty", decimal: o.cumulativeQuote)
        j.field("status", Text.status(o))
        j.field("timeInForce", Text.timeInForce(o))
        j.field("type", Text.type(o))
        j.field("side", Text.side(o.order.side))
        j.field("workingTime", time(o.createdAt))
        j.field("selfTradePreventionMode", Text.stp(o.selfTradePrevention))
    }
}
