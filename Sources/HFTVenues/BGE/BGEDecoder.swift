/// Bytes → `BGEInbound` with the zero-copy reader. Messages with `event` are replies (acks,
/// errors, `req` data); without it they are pushes routed by `type`. Every failure is a
/// `BGEDecodeError` value.
import HFTCore

typealias BGEFields = JSONFields<BGEDecodeError>

extension JSONFields where E == BGEDecodeError {
    /// `code` as a number or a numeric string.
    static func code(_ v: JSONValue?) throws(E) -> Int? {
        guard let v, !v.isNull else { return nil }
        guard let c = v.int64 else { throw E.invalidField("code") }
        return Int(clamping: c)
    }

    /// `[["price","size"],…]`.
    static func levels(_ v: JSONValue?, _ field: String) throws(E) -> [BookLevel] {
        guard let v, !v.isNull else { return [] }
        var out: [BookLevel] = []
        try elements(v, field) { (level) throws(E) in
            guard level.kind == .array else { throw E.invalidField(field) }
            var price: FixedDecimal?, qty: FixedDecimal?, n = 0
            do throws(JSONError) {
                try level.forEachElement { (x) throws(JSONError) -> Bool in
                    if n == 0 { price = x.decimal } else if n == 1 { qty = x.decimal }
                    n += 1
                    return n < 2
                }
            } catch { throw E.malformedJSON(error) }
            guard let price, let qty, !price.isNegative, !qty.isNegative else { throw E.invalidField(field) }
            out.append(BookLevel(price: price, quantity: qty))
        }
        return out
    }

    /// Milliseconds → microseconds.
    static func millis(_ v: JSONValue?, _ field: String) throws(E) -> Timestamp {
        let ms = try int64(v, field)
        let (us, o) = ms.multipliedReportingOverflow(by: 1000)
        guard !o, ms >= 0 else { throw E.invalidField(field) }
        return us
    }
}

public enum BGEDecoder {
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(BGEDecodeError) -> BGEInbound {
        let root: JSONValue
        do throws(JSONError) { root = try JSONValue.root(bytes) } catch { throw .malformedJSON(error) }
        guard root.kind == .object else { throw .unknownMessage("not an object") }
        if let p = root["ping"], let ts = p.int64 { return .ping(ts) }
        if let event = root["event"], !event.isNull {
            return try reply(root, event: try BGEFields.string(event, "event"))
        }
        let type = try BGEFields.string(root["type"], "type")
        let product = try BGEFields.optionalString(root["product"], "product") ?? ""
        return try push(root, type: type, product: product, data: root["data"])
    }

    public static func decode(_ text: String) throws(BGEDecodeError) -> BGEInbound {
        var t = text
        let r: Result<BGEInbound, BGEDecodeError> = t.withUTF8 { b in
            do throws(BGEDecodeError) { return .success(try decode(UnsafeRawBufferPointer(b))) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// True for a `login` reply (routed to the pending login request).
    public static func isLoginReply(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let root = try? JSONValue.root(bytes), root.kind == .object else { return false }
        return root["event"]?.stringEquals("login") == true
    }

    static func reply(_ root: JSONValue, event: String) throws(BGEDecodeError) -> BGEInbound {
        let code = try BGEFields.code(root["code"]) ?? 0
        let type = try BGEFields.optionalString(root["type"], "type") ?? ""
        let product = try BGEFields.optionalString(root["product"], "product") ?? ""
        let ack = BGEAck(event: event, type: type, product: product, code: code)
        let failed = root["status"]?.stringEquals("FAIL") == true
        guard code == 200, !failed else {
            let msg = root["msg"]?.text ?? root["message"]?.text ?? ""
            let context = event + (type.isEmpty ? "" : " \(type)") + (product.isEmpty ? "" : " \(product)")
            return .error(BGEError(code: code, message: msg, context: context), type.isEmpty ? nil : ack)
        }
        if event == "req", let data = root["data"], !data.isNull {
            return try push(root, type: type, product: product, data: data)
        }
        return .ack(ack)
    }

    static func push(_ root: JSONValue, type: String, product: String, data: JSONValue?) throws(BGEDecodeError) -> BGEInbound {
        switch type {
        case "orderbook": return .book(try book(root, product: product, data: data))
        case "percent10": return .percent10(try book(root, product: product, data: data))
        case "fills":
            guard let data else { throw .missingField("data") }
            var out: [BGEFill] = []
            try each(data, "fills") { (f) throws(BGEDecodeError) in out.append(try fill(f)) }
            return .fills(product: product, out)
        case "ticker":
            guard let data else { throw .missingField("data") }
            var t: BGETicker?
            try each(data, "ticker") { (x) throws(BGEDecodeError) in t = try ticker(x) }
            guard let t else { throw .invalidField("data") }
            return .ticker(product: product, t)
        case "assets":
            guard let data else { throw .missingField("data") }
            var out: [BGEAsset] = []
            try each(data, "assets") { (a) throws(BGEDecodeError) in
                out.append(BGEAsset(currency: try BGEFields.string(a["currency"], "currency").uppercased(),
                                    available: try BGEFields.decimal(a["available"], "available"),
                                    hold: try BGEFields.optionalDecimal(a["hold"], "hold") ?? .zero))
            }
            return .assets(product: product, out)
        case "orders":
            guard let data else { throw .missingField("data") }
            var out: [BGEOrderPush] = []
            try each(data, "orders") { (o) throws(BGEDecodeError) in out.append(try order(o)) }
            return .orders(product: product, out)
        case "candles":
            guard let data else { throw .missingField("data") }
            guard let interval = root["interval"]?.text, !interval.isEmpty else { throw .missingField("interval") }
            var out: [BGECandle] = []
            try each(data, "candles") { (c) throws(BGEDecodeError) in out.append(try candle(c)) }
            return .candles(product: product, interval: interval, out)
        default: throw .unknownMessage("type \(type)")
        }
    }

    /// An object, or an array of objects (ticker push vs `req` reply), one call per object.
    static func each(_ v: JSONValue, _ field: String, _ body: (JSONValue) throws(BGEDecodeError) -> Void) throws(BGEDecodeError) {
        if v.kind == .object { return try body(v) }
        try BGEFields.elements(v, field) { (e) throws(BGEDecodeError) in
            guard e.kind == .object else { throw .invalidField(field) }
            try body(e)
        }
    }

    static func book(_ root: JSONValue, product: String, data: JSONValue?) throws(BGEDecodeError) -> BGEBookPush {
        guard let data, data.kind == .object else { throw .invalidField("data") }
        guard !product.isEmpty else { throw .missingField("product") }
        var seq = try BGEFields.optionalInt64(data["seq_id"], "seq_id")
        if seq == nil { seq = try BGEFields.optionalInt64(root["seq_id"], "seq_id") }
        return BGEBookPush(product: product, interval: root["interval"]?.text, seqID: seq,
                           bids: try BGEFields.levels(data["bids"], "bids"), asks: try BGEFields.levels(data["asks"], "asks"))
    }

    static func fill(_ v: JSONValue) throws(BGEDecodeError) -> BGEFill {
        BGEFill(id: try BGEFields.int64(v["id"], "fills.id"), price: try BGEFields.decimal(v["price"], "fills.price"),
                volume: try BGEFields.decimal(v["vol"], "fills.vol"),
                side: try BGEFields.side(v["direction"], "fills.direction", buy: "buy", sell: "sell"),
                time: try BGEFields.millis(v["ts"], "fills.ts"))
    }

    static func candle(_ v: JSONValue) throws(BGEDecodeError) -> BGECandle {
        BGECandle(openSeconds: try BGEFields.int64(v["id"], "candles.id"),
                  open: try BGEFields.decimal(v["open"], "candles.open"), high: try BGEFields.decimal(v["high"], "candles.high"),
                  low: try BGEFields.decimal(v["low"], "candles.low"), close: try BGEFields.decimal(v["close"], "candles.close"),
                  volume: try BGEFields.decimal(v["vol"], "candles.vol"),
                  quoteVolume: try BGEFields.optionalDecimal(v["filled_size"], "candles.filled_size"),
                  count: try BGEFields.optionalInt64(v["count"], "candles.count"),
                  seqID: try BGEFields.optionalInt64(v["seq_id"], "candles.seq_id"))
    }

    static func ticker(_ v: JSONValue) throws(BGEDecodeError) -> BGETicker {
        BGETicker(open: try BGEFields.optionalDecimal(v["open"], "open"), close: try BGEFields.optionalDecimal(v["close"], "close"),
                  high: try BGEFields.optionalDecimal(v["high"], "high"), low: try BGEFields.optionalDecimal(v["low"], "low"),
                  volume: try BGEFields.optionalDecimal(v["vol"], "vol"),
                  quoteVolume: try BGEFields.optionalDecimal(v["filled_size"], "filled_size"),
                  seqID: try BGEFields.optionalInt64(v["seq_id"], "seq_id"))
    }

    static func order(_ v: JSONValue) throws(BGEDecodeError) -> BGEOrderPush {
        // The field table says `orders_id`; every example uses `order_id` (both accepted).
        var oid = try BGEFields.optionalID(v["order_id"], "order_id")
        if oid == nil { oid = try BGEFields.optionalID(v["orders_id"], "orders_id") }
        guard let id = oid, !id.isEmpty else { throw .missingField("order_id") }
        let typeValue = v["type"]
        let type: OrderType
        if typeValue?.stringEquals("market") == true { type = .market }
        else if typeValue == nil || typeValue?.stringEquals("limit") == true { type = .limit }
        else { throw .invalidField("orders.type") }
        guard let status = try BGEFields.optionalInt64(v["status"], "orders.status") else { throw .missingField("orders.status") }
        let cl = try BGEFields.optionalID(v["client_oid"], "client_oid")
        return BGEOrderPush(orderID: id, product: try BGEFields.string(v["product"], "orders.product"),
                            side: try BGEFields.side(v["side"], "orders.side", buy: "buy", sell: "sell"), type: type,
                            price: try BGEFields.optionalDecimal(v["price"], "orders.price"),
                            size: try BGEFields.optionalDecimal(v["size"], "orders.size"),
                            funds: try BGEFields.optionalDecimal(v["funds"], "orders.funds"),
                            filledSize: try BGEFields.optionalDecimal(v["filled_size"], "orders.filled_size") ?? .zero,
                            filledAmount: try BGEFields.optionalDecimal(v["filled_amount"], "orders.filled_amount") ?? .zero,
                            status: Int(clamping: status), clientOrderID: (cl == "" || cl == "0") ? nil : cl)
    }
}
