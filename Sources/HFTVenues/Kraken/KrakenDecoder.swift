/// Frame bytes → `KrakenInbound`, zero-copy over the frame with `JSONValue`: one pass collects
/// the envelope members (Kraken sorts keys, so `data` precedes `type`), then only the payload
/// that matters is walked. Malformed or unknown input throws a `KrakenDecodeError`.
import HFTCore

public enum KrakenDecoder {
    public static func decode(_ frame: UnsafeRawBufferPointer) throws(KrakenDecodeError) -> KrakenInbound {
        let root: JSONValue
        do throws(JSONError) { root = try JSONValue.root(frame) } catch { throw .malformedJSON(error) }
        guard root.kind == .object else { throw .notAnObject }
        var e = Envelope()
        try KrakenFields.members(root, "frame") { name, v in e.collect(name, v) }

        if let method = e.method { return .response(try response(method, e)) }
        if let channel = e.channel { return try push(channel, e) }
        if let error = e.error { return .error(KrakenError(try KrakenFields.string(error, "error"))) }
        throw .unknownMessage
    }

    public static func decode(_ frame: [UInt8]) throws(KrakenDecodeError) -> KrakenInbound {
        let r: Result<KrakenInbound, KrakenDecodeError> = frame.withUnsafeBytes { raw in
            do throws(KrakenDecodeError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public static func decode(_ frame: String) throws(KrakenDecodeError) -> KrakenInbound {
        try decode(Array(frame.utf8))
    }

    /// Top-level members of any Kraken frame.
    struct Envelope {
        var method, channel, type, data, reqID, success, error, result, timeIn, timeOut, symbol, sequence, ordersCancelled: JSONValue?

        mutating func collect(_ name: UnsafeRawBufferPointer, _ v: JSONValue) {
            if name.krakenIs("channel") { channel = v }
            else if name.krakenIs("type") { type = v }
            else if name.krakenIs("data") { data = v }
            else if name.krakenIs("method") { method = v }
            else if name.krakenIs("req_id") { reqID = v }
            else if name.krakenIs("success") { success = v }
            else if name.krakenIs("result") { result = v }
            else if name.krakenIs("error") || name.krakenIs("Error") { error = v }
            else if name.krakenIs("time_in") { timeIn = v }
            else if name.krakenIs("time_out") { timeOut = v }
            else if name.krakenIs("symbol") { symbol = v }
            else if name.krakenIs("sequence") { sequence = v }
            else if name.krakenIs("orders_cancelled") { ordersCancelled = v }
        }
    }

    // MARK: Method responses

    static func response(_ methodValue: JSONValue, _ e: Envelope) throws(KrakenDecodeError) -> KrakenResponse {
        let method = KrakenMethod(wireName: try KrakenFields.string(methodValue, "method"))
        let errorText = try KrakenFields.optionalString(e.error, "error")
        let flag = e.success?.bool
        // pong carries no `success`; everywhere else a missing or non-bool flag is a failure.
        let success = method == .pong ? (flag ?? (errorText == nil)) : (flag ?? false)
        var r = KrakenResponse(method: method,
                               reqID: try KrakenFields.optionalInt64(e.reqID, "req_id"),
                               success: success,
                               error: errorText.map(KrakenError.init),
                               timeIn: try KrakenFields.optionalTimestamp(e.timeIn, "time_in"),
                               timeOut: try KrakenFields.optionalTimestamp(e.timeOut, "time_out"),
                               symbol: try KrakenFields.optionalString(e.symbol, "symbol"))
        if let cancelled = e.ordersCancelled {
            r.result = .count(try KrakenFields.int64(cancelled, "orders_cancelled"))
        }
        guard let result = e.result, !result.isNull else { return r }
        switch method {
        case .subscribe, .unsubscribe:
            var channel, symbol, depth, snapshot, trigger, snapOrders, snapTrades, maxRate, warnings: JSONValue?
            try KrakenFields.members(result, "result") { n, v in
                if n.krakenIs("channel") { channel = v }
                else if n.krakenIs("symbol") { symbol = v }
                else if n.krakenIs("depth") { depth = v }
                else if n.krakenIs("snapshot") { snapshot = v }
                else if n.krakenIs("event_trigger") { trigger = v }
                else if n.krakenIs("snap_orders") { snapOrders = v }
                else if n.krakenIs("snap_trades") { snapTrades = v }
                else if n.krakenIs("maxratecount") { maxRate = v }
                else if n.krakenIs("warnings") { warnings = v }
            }
            let ack = KrakenSubscriptionAck(
                channel: try KrakenFields.string(channel, "result.channel"),
                symbol: try KrakenFields.optionalString(symbol, "result.symbol"),
                depth: try KrakenFields.optionalInt64(depth, "result.depth").map { Int($0) },
                snapshot: try KrakenFields.optionalBool(snapshot, "result.snapshot"),
                eventTrigger: try KrakenFields.optionalString(trigger, "result.event_trigger"),
                snapOrders: try KrakenFields.optionalBool(snapOrders, "result.snap_orders"),
                snapTrades: try KrakenFields.optionalBool(snapTrades, "result.snap_trades"),
                maxRateCount: try KrakenFields.optionalInt64(maxRate, "result.maxratecount").map { Int($0) })
            r.warnings = try KrakenFields.strings(warnings, "result.warnings")
            r.result = .subscription(ack)
        case .addOrder, .amendOrder, .editOrder, .cancelOrder:
            let (ack, warnings) = try orderAck(result)
            r.result = .order(ack)
            r.warnings = warnings
        case .batchAdd:
            guard result.kind == .array else { throw .invalidField("result") }
            var rows: [KrakenOrderAck] = []
            try KrakenFields.elements(result, "result") { (row) throws(KrakenDecodeError) in
                let (ack, warnings) = try orderAck(row)
                rows.append(ack)
                r.warnings += warnings
            }
            r.result = .orders(rows)
        case .cancelAll, .batchCancel:
            var count: JSONValue?
            try KrakenFields.members(result, "result") { n, v in if n.krakenIs("count") { count = v } }
            if let count { r.result = .count(try KrakenFields.int64(count, "result.count")) }
        case .cancelAllOrdersAfter:
            var current, trigger: JSONValue?
            try KrakenFields.members(result, "result") { n, v in
                if n.krakenIs("currentTime") { current = v } else if n.krakenIs("triggerTime") { trigger = v }
            }
            r.result = .cancelAfter(currentTime: try KrakenFields.string(current, "result.currentTime"),
                                    triggerTime: try KrakenFields.optionalID(trigger, "result.triggerTime") ?? "0")
        default:
            r.result = .unrecognised
        }
        return r
    }

    static func orderAck(_ v: JSONValue) throws(KrakenDecodeError) -> (KrakenOrderAck, [String]) {
        var orderID, clOrdID, userref, amendID, originalID, warnings, error: JSONValue?
        try KrakenFields.members(v, "result") { n, v in
            if n.krakenIs("order_id") { orderID = v }
            else if n.krakenIs("cl_ord_id") { clOrdID = v }
            else if n.krakenIs("order_userref") { userref = v }
            else if n.krakenIs("amend_id") { amendID = v }
            else if n.krakenIs("original_order_id") { originalID = v }
            else if n.krakenIs("warnings") { warnings = v }
            else if n.krakenIs("error") { error = v }
        }
        let ack = KrakenOrderAck(orderID: try KrakenFields.optionalString(orderID, "order_id"),
                                 clOrdID: try KrakenFields.optionalString(clOrdID, "cl_ord_id"),
                                 orderUserref: try KrakenFields.optionalInt64(userref, "order_userref"),
                                 amendID: try KrakenFields.optionalString(amendID, "amend_id"),
                                 originalOrderID: try KrakenFields.optionalString(originalID, "original_order_id"),
                                 error: try KrakenFields.optionalString(error, "error").map(KrakenError.init))
        return (ack, try KrakenFields.strings(warnings, "warnings"))
    }

    // MARK: Channel pushes

    static func push(_ channelValue: JSONValue, _ e: Envelope) throws(KrakenDecodeError) -> KrakenInbound {
        let c = channelValue
        guard c.kind == .string else { throw .invalidField("channel") }
        if c.stringEquals("book") {
            return .book(KrakenBookMessage(type: try KrakenFields.pushType(e.type), data: try entries(e.data, bookData)))
        }
        if c.stringEquals("heartbeat") { return .heartbeat }
        if c.stringEquals("trade") {
            return .trade(KrakenTradeMessage(type: try KrakenFields.pushType(e.type), data: try entries(e.data, tradeData)))
        }
        if c.stringEquals("ticker") {
            return .ticker(KrakenTickerMessage(type: try KrakenFields.pushType(e.type), data: try entries(e.data, tickerData)))
        }
        if c.stringEquals("executions") {
            return .executions(KrakenExecutionsMessage(type: try KrakenFields.pushType(e.type),
                                                       sequence: try KrakenFields.optionalInt64(e.sequence, "sequence"),
                                                       data: try entries(e.data, execution)))
        }
        if c.stringEquals("balances") {
            let type = try KrakenFields.pushType(e.type)
            let payload: KrakenBalancesMessage.Payload = type == .snapshot
                ? .snapshot(try entries(e.data, assetBalance)) : .update(try entries(e.data, ledgerEntry))
            return .balances(KrakenBalancesMessage(sequence: try KrakenFields.optionalInt64(e.sequence, "sequence"), payload: payload))
        }
        if c.stringEquals("status") {
            let type = e.type == nil ? KrakenPushType.update : try KrakenFields.pushType(e.type)
            return .status(KrakenStatusMessage(type: type, data: try entries(e.data, status)))
        }
        if c.stringEquals("instrument") {
            return .instrument(try instrument(try KrakenFields.pushType(e.type), e.data))
        }
        throw .unknownChannel(c.string ?? "")
    }

    /// Decodes every element of the `data` array with `one`.
    static func entries<T>(_ data: JSONValue?, _ one: (JSONValue) throws(KrakenDecodeError) -> T) throws(KrakenDecodeError) -> [T] {
        guard let data else { throw .missingField("data") }
        var out: [T] = []
        try KrakenFields.elements(data, "data") { (v) throws(KrakenDecodeError) in out.append(try one(v)) }
        return out
    }
}
