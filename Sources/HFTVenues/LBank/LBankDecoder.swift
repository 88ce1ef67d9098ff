/// Frame → `LBankMessage` (lbank.md §2–§5), zero-copy over `JSONValue`. Never traps: anything
/// unreadable is an `LBankDecodeError`.
import HFTCore

typealias LBankFields = JSONFields<LBankDecodeError>

extension JSONFields where E == LBankDecodeError {
    /// A `TS`-style UTC+8 time string → Unix µs.
    static func lbankTime(_ v: JSONValue?, _ field: String) throws(E) -> Timestamp {
        guard let v, !v.isNull else { throw E.missingField(field) }
        guard v.kind == .string, let t = LBankTime.micros(v.rawBytes) else { throw E.invalidField(field) }
        return t
    }

    /// `[[price, qty], …]`.
    static func lbankLevels(_ v: JSONValue?, _ field: String) throws(E) -> [BookLevel] {
        guard let v, !v.isNull else { return [] }
        var out: [BookLevel] = []
        try elements(v, field) { (row) throws(E) in
            guard row.kind == .array else { throw E.invalidField(field) }
            var pq: [FixedDecimal] = []
            try elements(row, field) { (x) throws(E) in if pq.count < 2 { pq.append(try decimal(x, field)) } }
            guard pq.count == 2 else { throw E.invalidField(field) }
            out.append(BookLevel(price: pq[0], quantity: pq[1]))
        }
        return out
    }
}

public enum LBankDecoder {
    typealias F = LBankFields

    public static func decode(_ text: String) throws(LBankDecodeError) -> LBankMessage {
        let bytes = Array(text.utf8)
        let r: Result<LBankMessage, LBankDecodeError> = bytes.withUnsafeBytes { b in
            do throws(LBankDecodeError) { return .success(try decode(b)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(LBankDecodeError) -> LBankMessage {
        let root: JSONValue
        do throws(JSONError) { root = try JSONValue.root(bytes) } catch { throw .malformedJSON(error) }
        guard root.kind == .object else { throw .invalidField("root") }
        if let action = root["action"] {
            if action.stringEquals("ping") { return .ping(try F.optionalID(root["ping"], "ping") ?? "") }
            if action.stringEquals("pong") { return .pong(try F.optionalID(root["pong"], "pong") ?? "") }
        }
        if let status = root["status"], status.stringEquals("error") {
            return .error(LBankError(code: 0, message: try F.optionalString(root["message"], "message") ?? ""))
        }
        guard let type = root["type"], type.kind == .string else { throw .unknownMessage("no type") }
        if type.stringEquals("depth") { return .depth(try depth(root)) }
        if type.stringEquals("trade") {
            guard let t = root["trade"] else { return .ignored("trade request reply") }
            return .trade(try trade(t, pair: try F.string(root["pair"], "pair"), root: root))
        }
        if type.stringEquals("tick") { return .tick(try tick(root)) }
        if type.stringEquals("kbar") {
            guard let k = root["kbar"], k.kind == .object else { return .ignored("kbar request reply") }
            return .kbar(try kbar(k, pair: try F.string(root["pair"], "pair")))
        }
        if type.stringEquals("orderUpdate") { return .orderUpdate(try orderUpdate(root)) }
        if type.stringEquals("assetUpdate") { return .assetUpdate(try assetUpdate(root)) }
        return .ignored(type.string ?? "")
    }

    /// The push wraps the book in `depth`; the one-shot request reply has it at top level.
    static func depth(_ root: JSONValue) throws(LBankDecodeError) -> LBankDepth {
        let book = root["depth"].flatMap { $0.kind == .object ? $0 : nil } ?? root
        return LBankDepth(pair: try F.string(root["pair"], "pair"),
                          bids: try F.lbankLevels(book["bids"], "depth.bids"),
                          asks: try F.lbankLevels(book["asks"], "depth.asks"),
                          timestamp: try F.lbankTime(root["TS"], "TS"))
    }

    static func trade(_ t: JSONValue, pair: String, root: JSONValue) throws(LBankDecodeError) -> LBankTrade {
        let direction = try F.string(t["direction"], "trade.direction")
        guard let side = side(direction: direction) else { throw .invalidField("trade.direction") }
        let ts = try F.lbankTime(t["TS"] ?? root["TS"], "trade.TS")
        return LBankTrade(pair: pair, price: try F.decimal(t["price"], "trade.price"),
                          quantity: try F.decimal(t["volume"], "trade.volume"),
                          quoteValue: try F.optionalDecimal(t["amount"], "trade.amount"),
                          direction: direction, side: side, timestamp: ts)
    }

    /// `buy…` → buy, `sell…` → sell; a `_maker` suffix names the resting side, so it is inverted.
    public static func side(direction d: String) -> Side? {
        let s: Side
        if d.hasPrefix("buy") { s = .buy } else if d.hasPrefix("sell") { s = .sell } else { return nil }
        return d.hasSuffix("_maker") ? s.opposite : s
    }

    static func tick(_ root: JSONValue) throws(LBankDecodeError) -> LBankTick {
        guard let t = root["tick"], t.kind == .object else { throw .missingField("tick") }
        return LBankTick(pair: try F.string(root["pair"], "pair"),
                         latest: try F.optionalDecimal(t["latest"], "tick.latest"),
                         high: try F.optionalDecimal(t["high"], "tick.high"),
                         low: try F.optionalDecimal(t["low"], "tick.low"),
                         volume: try F.optionalDecimal(t["vol"], "tick.vol"),
                         turnover: try F.optionalDecimal(t["turnover"], "tick.turnover"),
                         change: try F.optionalDecimal(t["change"], "tick.change"),
                         timestamp: try F.lbankTime(root["TS"], "TS"))
    }

    static func kbar(_ k: JSONValue, pair: String) throws(LBankDecodeError) -> LBankKbar {
        LBankKbar(pair: pair, slot: try F.string(k["slot"], "kbar.slot"), openTime: try F.lbankTime(k["t"], "kbar.t"),
                  open: try F.decimal(k["o"], "kbar.o"), high: try F.decimal(k["h"], "kbar.h"),
                  low: try F.decimal(k["l"], "kbar.l"), close: try F.decimal(k["c"], "kbar.c"),
                  volume: try F.decimal(k["v"], "kbar.v"), turnover: try F.optionalDecimal(k["a"], "kbar.a"),
                  count: try F.optionalInt64(k["n"], "kbar.n"))
    }

    static func orderUpdate(_ root: JSONValue) throws(LBankDecodeError) -> LBankOrderUpdate {
        guard let o = root["orderUpdate"], o.kind == .object else { throw .missingField("orderUpdate") }
        let pair: String
        if let p = try F.optionalString(o["symbol"], "orderUpdate.symbol") { pair = p } else { pair = try F.string(root["pair"], "pair") }
        let ts: Timestamp
        if let ms = try F.optionalInt64(o["updateTime"], "orderUpdate.updateTime") { ts = ms * 1000 } else { ts = try F.lbankTime(root["TS"], "TS") }
        let customer = try F.optionalID(o["customerID"], "orderUpdate.customerID")
        let tx = try F.optionalID(o["txUuid"], "orderUpdate.txUuid")
        return LBankOrderUpdate(
            pair: pair, orderID: try F.string(o["uuid"], "orderUpdate.uuid"),
            clientOrderID: customer?.isEmpty == false ? customer : nil,
            tradeID: tx?.isEmpty == false ? tx : nil,
            orderType: try F.optionalString(o["type"], "orderUpdate.type"),
            status: try F.int(o["orderStatus"], "orderUpdate.orderStatus"),
            fillQuantity: try F.optionalDecimal(o["amount"], "orderUpdate.amount"),
            fillQuoteValue: try F.optionalDecimal(o["volumePrice"], "orderUpdate.volumePrice"),
            price: try F.optionalDecimal(o["price"], "orderUpdate.price"),
            orderPrice: try F.optionalDecimal(o["orderPrice"], "orderUpdate.orderPrice"),
            orderAmount: try F.optionalDecimal(o["orderAmt"], "orderUpdate.orderAmt"),
            filledQuantity: try F.optionalDecimal(o["accAmt"], "orderUpdate.accAmt"),
            averagePrice: try F.optionalDecimal(o["avgPrice"], "orderUpdate.avgPrice"),
            remaining: try F.optionalDecimal(o["remainAmt"], "orderUpdate.remainAmt"),
            role: try F.optionalString(o["role"], "orderUpdate.role"),
            timestamp: ts)
    }

    static func assetUpdate(_ root: JSONValue) throws(LBankDecodeError) -> LBankAssetUpdate {
        guard let d = root["data"], d.kind == .object else { throw .missingField("data") }
        let ts: Timestamp
        if let ms = try F.optionalInt64(d["time"], "data.time") { ts = ms * 1000 } else { ts = try F.lbankTime(root["TS"], "TS") }
        return LBankAssetUpdate(asset: try F.string(d["assetCode"], "data.assetCode").uppercased(),
                                total: try F.optionalDecimal(d["asset"], "data.asset"),
                                free: try F.decimal(d["free"], "data.free"),
                                frozen: try F.decimal(d["freeze"], "data.freeze"),
                                reason: try F.optionalString(d["type"], "data.type"),
                                timestamp: ts)
    }

    /// True for `{"action":"pong",…}` (the answer to our keep-alive ping).
    public static func isPong(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let root = try? JSONValue.root(bytes), root.kind == .object, let a = root["action"] else { return false }
        return a.stringEquals("pong")
    }
}
