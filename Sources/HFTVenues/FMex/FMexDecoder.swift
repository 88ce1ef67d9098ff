/// Bytes → `FMexInbound` with the zero-copy reader. Pushes are routed by `type` (the topic;
/// depth types normalised: lowercase, `-delta` marks a delta, fmex.md §8); replies by `status`,
/// `topics` or `data`. Every failure is an `FMexDecodeError` value.
import HFTCore

typealias FMexFields = JSONFields<FMexDecodeError>

extension JSONFields where E == FMexDecodeError {
    /// Flat `[price, qty, price, qty, …]`.
    static func flatLevels(_ v: JSONValue?, _ field: String) throws(E) -> [BookLevel] {
        guard let v, !v.isNull else { return [] }
        var numbers: [FixedDecimal] = []
        try elements(v, field) { (x) throws(E) in
            guard let d = x.decimal, !d.isNegative else { throw E.invalidField(field) }
            numbers.append(d)
        }
        guard numbers.count % 2 == 0 else { throw E.invalidField(field) }
        var out: [BookLevel] = []
        out.reserveCapacity(numbers.count / 2)
        var i = 0
        while i < numbers.count {
            out.append(BookLevel(price: numbers[i], quantity: numbers[i + 1]))
            i += 2
        }
        return out
    }

    /// `LONG`/`SHORT` (any case).
    static func direction(_ v: JSONValue?, _ field: String) throws(E) -> Side {
        let s = try string(v, field).uppercased()
        if s == "LONG" { return .buy }
        if s == "SHORT" { return .sell }
        throw E.invalidField(field)
    }
}

public enum FMexDecoder {
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(FMexDecodeError) -> FMexInbound {
        let root: JSONValue
        do throws(JSONError) { root = try JSONValue.root(bytes) } catch { throw .malformedJSON(error) }
        guard root.kind == .object else { throw .unknownMessage("not an object") }
        let id = root["id"].flatMap { $0.isNull ? nil : $0.text }
        if let status = root["status"], !status.isNull, !(status.int64 == 0 || status.stringEquals("ok")) {
            let code = status.int64.map { Int(clamping: $0) } ?? -1
            let msg = root["msg"]?.text ?? root["message"]?.text ?? ""
            return .error(FMexError(code: code, message: msg, context: id ?? ""), id: id)
        }
        guard let typeValue = root["type"], !typeValue.isNull else {
            if root["data"] != nil { return .reply(id: id) }
            throw .missingField("type")
        }
        let type = try FMexFields.string(typeValue, "type")
        switch type {
        case "hello": return .hello(ts: try FMexFields.optionalInt64(root["ts"], "ts") ?? 0)
        case "ping": return .pong(id: id, ts: try FMexFields.optionalInt64(root["ts"], "ts"))
        case "topics": return .topics(id: id, try FMexFields.strings(root["topics"], "topics"))
        case "account": return .account(try account(root["account"], "account"))
        default: break
        }
        let lower = type.lowercased()
        if lower.hasPrefix("depth") { return .depth(try depth(root, type: lower)) }
        guard let dot = lower.firstIndex(of: ".") else { throw .unknownMessage("type \(type)") }
        let channel = lower[..<dot]
        let symbol = String(lower[lower.index(after: dot)...])
        switch channel {
        case "trade": return .trade(try trade(root, symbol: symbol))
        case "ticker": return .ticker(try ticker(root, symbol: symbol))
        case "order":
            guard let o = root["order"] else { throw .missingField("order") }
            return .order(try order(o))
        case "position":
            guard let p = root["position"] else { throw .missingField("position") }
            return .position(try position(p))
        case "candle": return .candle(try candle(root, type: type))
        default: throw .unknownMessage("type \(type)")
        }
    }

    public static func decode(_ text: String) throws(FMexDecodeError) -> FMexInbound {
        var t = text
        let r: Result<FMexInbound, FMexDecodeError> = t.withUTF8 { b in
            do throws(FMexDecodeError) { return .success(try decode(UnsafeRawBufferPointer(b))) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// True for a ping reply (`"type":"ping"`), for the keep-alive.
    public static func isPong(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let root = try? JSONValue.root(bytes), root.kind == .object else { return false }
        return root["type"]?.stringEquals("ping") == true
    }

    /// `depth.L20.sym`, `depth.l20.sym` (snapshots), `depth-delta.l20.sym` (deltas); `type` lowercased.
    static func depth(_ root: JSONValue, type: String) throws(FMexDecodeError) -> FMexDepth {
        let parts = type.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "depth" || parts[0] == "depth-delta", !parts[2].isEmpty else {
            throw .invalidField("type")
        }
        // Both sides are always sent (possibly empty); a frame without them is cut, not an empty book.
        guard let bids = root["bids"], let asks = root["asks"] else { throw .missingField(root["bids"] == nil ? "bids" : "asks") }
        return FMexDepth(symbol: String(parts[2]), level: String(parts[1]), isDelta: parts[0] == "depth-delta",
                         seq: try FMexFields.optionalInt64(root["seq"], "seq"),
                         preSeq: try FMexFields.optionalInt64(root["pre_seq"], "pre_seq"),
                         ts: try FMexFields.optionalInt64(root["ts"], "ts"),
                         bids: try FMexFields.flatLevels(bids, "bids"), asks: try FMexFields.flatLevels(asks, "asks"))
    }

    /// `candle.M1.btcusd_p` (resolution case kept, symbol lowercased).
    static func candle(_ v: JSONValue, type: String) throws(FMexDecodeError) -> FMexCandle {
        let parts = type.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty else { throw .invalidField("type") }
        return FMexCandle(symbol: parts[2].lowercased(), resolution: String(parts[1]),
                          openSeconds: try FMexFields.int64(v["id"], "candle.id"),
                          seq: try FMexFields.optionalInt64(v["seq"], "candle.seq"),
                          open: try FMexFields.decimal(v["open"], "candle.open"), high: try FMexFields.decimal(v["high"], "candle.high"),
                          low: try FMexFields.decimal(v["low"], "candle.low"), close: try FMexFields.decimal(v["close"], "candle.close"),
                          baseVolume: try FMexFields.decimal(v["base_vol"], "candle.base_vol"),
                          quoteVolume: try FMexFields.optionalDecimal(v["quote_vol"], "candle.quote_vol"),
                          count: try FMexFields.optionalInt64(v["count"], "candle.count"))
    }

    static func trade(_ v: JSONValue, symbol: String) throws(FMexDecodeError) -> FMexTrade {
        let side = try FMexFields.string(v["side"], "side").lowercased()
        guard side == "buy" || side == "sell" else { throw .invalidField("side") }
        return FMexTrade(symbol: symbol, id: try FMexFields.int64(v["id"], "id"), price: try FMexFields.decimal(v["price"], "price"),
                         amount: try FMexFields.decimal(v["amount"], "amount"), side: side == "buy" ? .buy : .sell,
                         ts: try FMexFields.optionalInt64(v["ts"], "ts") ?? 0)
    }

    static func ticker(_ root: JSONValue, symbol: String) throws(FMexDecodeError) -> FMexTicker {
        guard let arr = root["ticker"] else { throw .missingField("ticker") }
        var values: [FixedDecimal] = []
        try FMexFields.elements(arr, "ticker") { (x) throws(FMexDecodeError) in
            guard let d = x.decimal else { throw .invalidField("ticker") }
            values.append(d)
        }
        return FMexTicker(symbol: symbol, seq: try FMexFields.optionalInt64(root["seq"], "seq"), values: values)
    }

    static func account(_ v: JSONValue?, _ field: String) throws(FMexDecodeError) -> FMexAccount {
        guard let v, v.kind == .object else { throw .invalidField(field) }
        return FMexAccount(currency: try FMexFields.string(v["currency"], "currency").uppercased(),
                           available: try FMexFields.decimal(v["available"], "available"),
                           frozen: try FMexFields.optionalDecimal(v["frozen"], "frozen") ?? .zero,
                           positionMargin: try FMexFields.optionalDecimal(v["position"], "position") ?? .zero)
    }

    /// One order (the `order` push object; REST rows have the same fields). Enums any case.
    static func order(_ v: JSONValue) throws(FMexDecodeError) -> FMexOrderPush {
        guard v.kind == .object else { throw .invalidField("order") }
        guard let id = try FMexFields.optionalID(v["id"], "order.id"), !id.isEmpty else { throw .missingField("order.id") }
        let typeText = (try FMexFields.optionalString(v["type"], "order.type") ?? "LIMIT").uppercased()
        let type: OrderType
        switch typeText {
        case "LIMIT": type = .limit
        case "MARKET": type = .market
        default: throw .invalidField("order.type")
        }
        let quantity = try FMexFields.decimal(v["quantity"], "order.quantity")
        let price = try FMexFields.optionalDecimal(v["price"], "order.price")
        let fill = try FMexFields.optionalDecimal(v["fill_price"], "order.fill_price")
        return FMexOrderPush(id: id, symbol: try FMexFields.string(v["symbol"], "order.symbol").uppercased(),
                             side: try FMexFields.direction(v["direction"], "order.direction"), type: type,
                             price: (price?.isZero ?? true) ? nil : price, quantity: quantity,
                             unfilledQuantity: try FMexFields.optionalDecimal(v["unfilled_quantity"], "order.unfilled_quantity") ?? quantity,
                             fillPrice: (fill?.isZero ?? true) ? nil : fill,
                             fee: try FMexFields.optionalDecimal(v["fee"], "order.fee") ?? .zero,
                             marginCurrency: (try FMexFields.optionalString(v["margin_currency"], "order.margin_currency") ?? "").uppercased(),
                             status: try FMexFields.string(v["status"], "order.status").uppercased(),
                             features: try FMexFields.optionalInt64(v["features"], "order.features") ?? 0,
                             createdAt: try FMexFields.optionalInt64(v["created_at"], "order.created_at"))
    }

    static func position(_ v: JSONValue) throws(FMexDecodeError) -> FMexPositionPush {
        guard v.kind == .object else { throw .invalidField("position") }
        let quantity = try FMexFields.decimal(v["quantity"], "position.quantity")
        var long = true
        if let d = v["direction"], !d.isNull { long = try FMexFields.direction(d, "position.direction") == .buy }
        func opt(_ key: StaticString, _ name: String) throws(FMexDecodeError) -> FixedDecimal? {
            let x = try FMexFields.optionalDecimal(v[key], name)
            return (x?.isZero ?? true) ? nil : x
        }
        return FMexPositionPush(symbol: try FMexFields.string(v["symbol"], "position.symbol").uppercased(), quantity: quantity.magnitude,
                                long: long, leverage: try FMexFields.optionalDecimal(v["leverage"], "position.leverage") ?? .zero,
                                margin: try FMexFields.optionalDecimal(v["margin"], "position.margin") ?? .zero,
                                realizedPnL: try FMexFields.optionalDecimal(v["realized_pnl"], "position.realized_pnl") ?? .zero,
                                entryPrice: try opt("entry_price", "position.entry_price"),
                                liquidationPrice: try opt("liquidation_price", "position.liquidation_price"),
                                bankruptcyPrice: try opt("bankruptcy_price", "position.bankruptcy_price"),
                                updatedAt: try FMexFields.optionalInt64(v["updated_at"], "position.updated_at"))
    }
}
