/// Trading request builders (kraken.md §7): add_order, amend_order, cancel_order, cancel_all,
/// cancel_all_orders_after, batch_add, batch_cancel. Parameters are checked locally for what
/// Kraken would reject anyway (and still charge to the rate counter): missing prices, too many
/// decimals, both id kinds, malformed `cl_ord_id`, batch sizes.
import HFTCore

extension KrakenRequest {
    public static func addOrder(_ order: KrakenNewOrder, token: String, reqID: RequestID?, precision: KrakenPrecision? = nil,
                                style: KrakenDecimalStyle = .asGiven) throws(HFTError) -> KrakenRequest {
        try requireToken(token)
        var p = try orderFields(order, includeSymbol: true, precision: precision, style: style)
        p.append(("token", .string(token)))
        return try KrakenRequest(method: .addOrder, reqID: reqID, params: p, layout: .reqIDSecond, token: token)
    }

    public static func amendOrder(_ a: KrakenAmend, token: String, reqID: RequestID?, precision: KrakenPrecision? = nil,
                                  style: KrakenDecimalStyle = .asGiven) throws(HFTError) -> KrakenRequest {
        try requireToken(token)
        var p: [(String, JSONText)] = []
        switch a.order {
        case .orderID(let id):
            guard !id.isEmpty else { throw .invalidArgument("Kraken amend_order: empty order_id") }
            p.append(("order_id", .string(id)))
        case .clOrdID(let id):
            try checkClOrdID(id)
            p.append(("cl_ord_id", .string(id)))
        }
        let before = p.count
        if let q = a.orderQty { p.append(("order_qty", try KrakenDecimalFormat.format(q, precision: precision?.qty, style: style, field: "order_qty"))) }
        if let q = a.displayQty { p.append(("display_qty", try KrakenDecimalFormat.format(q, precision: precision?.qty, style: style, field: "display_qty"))) }
        if let px = a.limitPrice {
            p.append(("limit_price", try limitPrice(px, type: a.limitPriceType, precision: precision, style: style)))
        }
        if let t = a.limitPriceType { p.append(("limit_price_type", .string(t))) }
        if let b = a.postOnly { p.append(("post_only", .bool(b))) }
        if let px = a.triggerPrice {
            p.append(("trigger_price", try limitPrice(px, type: a.triggerPriceType, precision: precision, style: style)))
        }
        if let t = a.triggerPriceType { p.append(("trigger_price_type", .string(t))) }
        if let d = a.deadline { p.append(("deadline", .string(KrakenTime.format(d)))) }
        guard p.count > before else { throw .invalidArgument("Kraken amend_order: nothing to amend") }
        p.append(("token", .string(token)))
        return try KrakenRequest(method: .amendOrder, reqID: reqID, params: p, layout: .reqIDSecond, token: token)
    }

    /// One reply per id, all with this `req_id`.
    public static func cancelOrder(_ target: KrakenCancelTarget, token: String, reqID: RequestID?) throws(HFTError) -> KrakenRequest {
        try requireToken(token)
        guard target.count > 0 else { throw .invalidArgument("Kraken cancel_order: no ids") }
        let member: (String, JSONText)
        switch target {
        case .orderIDs(let ids):
            guard !ids.contains(where: \.isEmpty) else { throw .invalidArgument("Kraken cancel_order: empty order_id") }
            member = ("order_id", .array(ids.map { .string($0) }))
        case .clOrdIDs(let ids):
            for id in ids { try checkClOrdID(id) }
            member = ("cl_ord_id", .array(ids.map { .string($0) }))
        case .orderUserrefs(let refs):
            member = ("order_userref", .array(refs.map { .int($0) }))
        }
        return try KrakenRequest(method: .cancelOrder, reqID: reqID, params: [member, ("token", .string(token))],
                                 layout: .reqIDSecond, expectedResponses: target.count, token: token)
    }

    public static func cancelAll(token: String, reqID: RequestID?) throws(HFTError) -> KrakenRequest {
        try requireToken(token)
        return try KrakenRequest(method: .cancelAll, reqID: reqID, params: [("token", .string(token))], layout: .reqIDSecond, token: token)
    }

    /// Dead-man switch: cancel everything after `timeoutSeconds` (< 86400) unless re-sent; 0 disarms.
    public static func cancelAllOrdersAfter(timeoutSeconds: Int, token: String, reqID: RequestID?) throws(HFTError) -> KrakenRequest {
        try requireToken(token)
        guard (0..<86_400).contains(timeoutSeconds) else {
            throw .invalidArgument("Kraken cancel_all_orders_after: timeout \(timeoutSeconds) not in 0..<86400")
        }
        return try KrakenRequest(method: .cancelAllOrdersAfter, reqID: reqID,
                                 params: [("timeout", .int(Int64(timeoutSeconds))), ("token", .string(token))],
                                 layout: .reqIDSecond, token: token)
    }

    /// 2–15 orders on one pair; the reply's `result` has one row per order in this order.
    public static func batchAdd(symbol: String, orders: [KrakenNewOrder], deadline: Timestamp? = nil, validate: Bool? = nil,
                                token: String, reqID: RequestID?, precision: KrakenPrecision? = nil,
                                style: KrakenDecimalStyle = .asGiven) throws(HFTError) -> KrakenRequest {
        try requireToken(token)
        guard (2...15).contains(orders.count) else { throw .invalidArgument("Kraken batch_add takes 2–15 orders, got \(orders.count)") }
        var rows: [JSONText] = []
        for o in orders {
            guard o.symbol.isEmpty || o.symbol == symbol else {
                throw .invalidArgument("Kraken batch_add: order for \(o.symbol) in a \(symbol) batch")
            }
            rows.append(.object(try orderFields(o, includeSymbol: false, precision: precision, style: style)))
        }
        var p: [(String, JSONText)] = [("symbol", .string(symbol)), ("orders", .array(rows))]
        if let deadline { p.append(("deadline", .string(KrakenTime.format(deadline)))) }
        if let validate { p.append(("validate", .bool(validate))) }
        p.append(("token", .string(token)))
        return try KrakenRequest(method: .batchAdd, reqID: reqID, params: p, layout: .reqIDSecond, token: token)
    }

    /// 2–50 ids in all: `orders` holds order ids or userrefs (as strings), `clOrdIDs` client ids.
    public static func batchCancel(orders: [String], clOrdIDs: [String] = [], token: String, reqID: RequestID?) throws(HFTError) -> KrakenRequest {
        try requireToken(token)
        let n = orders.count + clOrdIDs.count
        guard (2...50).contains(n) else { throw .invalidArgument("Kraken batch_cancel takes 2–50 ids, got \(n)") }
        for id in clOrdIDs { try checkClOrdID(id) }
        var p: [(String, JSONText)] = []
        if !orders.isEmpty { p.append(("orders", .array(orders.map { .string($0) }))) }
        if !clOrdIDs.isEmpty { p.append(("cl_ord_id", .array(clOrdIDs.map { .string($0) }))) }
        p.append(("token", .string(token)))
        return try KrakenRequest(method: .batchCancel, reqID: reqID, params: p, layout: .reqIDSecond, token: token)
    }

    // MARK: Helpers

    /// add_order / batch_add row fields, in the order kraken.md §7.1 shows them.
    static func orderFields(_ o: KrakenNewOrder, includeSymbol: Bool, precision: KrakenPrecision?,
                            style: KrakenDecimalStyle) throws(HFTError) -> [(String, JSONText)] {
        if o.orderType.needsLimitPrice, o.limitPrice == nil {
            throw .invalidArgument("Kraken \(o.orderType.rawValue) order needs limit_price")
        }
        if o.orderType == .market, o.limitPrice != nil { throw .invalidArgument("Kraken market order takes no limit_price") }
        if o.orderType.needsTrigger, o.trigger == nil { throw .invalidArgument("Kraken \(o.orderType.rawValue) order needs a trigger") }
        if o.timeInForce == .gtd, o.expireTime == nil { throw .invalidArgument("Kraken gtd order needs expire_time") }
        if o.clOrdID != nil, o.orderUserref != nil { throw .invalidArgument("Kraken: send cl_ord_id or order_userref, not both") }
        if includeSymbol, o.symbol.isEmpty { throw .invalidArgument("Kraken add_order: empty symbol") }

        var p: [(String, JSONText)] = [
            ("order_type", .string(o.orderType.rawValue)),
            ("side", .string(o.side.rawValue)),
            ("order_qty", try KrakenDecimalFormat.format(o.quantity, precision: precision?.qty, style: style, field: "order_qty")),
        ]
        if includeSymbol { p.append(("symbol", .string(o.symbol))) }
        if let px = o.limitPrice { p.append(("limit_price", try limitPrice(px, type: o.limitPriceType, precision: precision, style: style))) }
        if let t = o.limitPriceType { p.append(("limit_price_type", .string(t))) }
        if let t = o.trigger {
            var trig: [(String, JSONText)] = []
            if let r = t.reference { trig.append(("reference", .string(r))) }
            trig.append(("price", try limitPrice(t.price, type: t.priceType, precision: precision, style: style)))
            if let pt = t.priceType { trig.append(("price_type", .string(pt))) }
            p.append(("triggers", .object(trig)))
        }
        if let tif = o.timeInForce { p.append(("time_in_force", .string(tif.rawValue))) }
        if let t = o.expireTime { p.append(("expire_time", .string(KrakenTime.format(t)))) }
        if let t = o.effectiveTime { p.append(("effective_time", .string(KrakenTime.format(t)))) }
        if let b = o.postOnly { p.append(("post_only", .bool(b))) }
        if let b = o.reduceOnly { p.append(("reduce_only", .bool(b))) }
        if let b = o.margin { p.append(("margin", .bool(b))) }
        if let q = o.displayQty { p.append(("display_qty", try KrakenDecimalFormat.format(q, precision: precision?.qty, style: style, field: "display_qty"))) }
        if let q = o.cashOrderQty { p.append(("cash_order_qty", try KrakenDecimalFormat.format(q, precision: nil, style: style, field: "cash_order_qty"))) }
        if let f = o.feePreference { p.append(("fee_preference", .string(f))) }
        if let b = o.noMPP { p.append(("no_mpp", .bool(b))) }
        if let s = o.stpType { p.append(("stp_type", .string(s))) }
        if let id = o.clOrdID {
            try checkClOrdID(id)
            p.append(("cl_ord_id", .string(id)))
        }
        if let r = o.orderUserref { p.append(("order_userref", .int(r))) }
        if let d = o.deadline { p.append(("deadline", .string(KrakenTime.format(d)))) }
        if let v = o.validate { p.append(("validate", .bool(v))) }
        if let s = o.senderSubID { p.append(("sender_sub_id", .string(s))) }
        return p
    }

    /// A price at the pair's precision; `pct` prices are offsets, not pair prices.
    static func limitPrice(_ px: FixedDecimal, type: String?, precision: KrakenPrecision?,
                           style: KrakenDecimalStyle) throws(HFTError) -> JSONText {
        let isPct = type == "pct"
        return try KrakenDecimalFormat.format(px, precision: isPct ? nil : precision?.price, style: style,
                                              field: "price", positive: type == nil || type == "static")
    }

    /// `cl_ord_id`: a long UUID (36), a short UUID (32 hex) or free text of at most 18 characters.
    static func checkClOrdID(_ id: String) throws(HFTError) {
        let u = Array(id.utf8)
        func hex(_ c: UInt8) -> Bool { (48...57).contains(c) || (97...102).contains(c) || (65...70).contains(c) }
        let ok: Bool
        switch u.count {
        case 1...18: ok = true
        case 32: ok = u.allSatisfy(hex)
        case 36: ok = u.indices.allSatisfy { [8, 13, 18, 23].contains($0) ? u[$0] == UInt8(ascii: "-") : hex(u[$0]) }
        default: ok = false
        }
        guard ok else { throw .invalidArgument("Kraken cl_ord_id '\(id)': expected a UUID, 32 hex digits or ≤ 18 characters") }
    }
}
