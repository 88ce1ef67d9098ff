/// Bytes → `DigiFinexInbound` with the zero-copy reader: responses are routed by `id`, pushes
/// by `method` (`id` null). Every failure is a `DigiFinexDecodeError` value.
import HFTCore

public enum DigiFinexDecoder {
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(DigiFinexDecodeError) -> DigiFinexInbound {
        let root: JSONValue
        do { root = try JSONValue.root(bytes) } catch { throw .malformedJSON(error.description) }
        guard root.kind == .object else { throw .unknownMessage }
        let method = try get(root, "method")
        if let method, !method.isNull {
            guard method.kind == .string else { throw .invalidField("method") }
            guard let params = try get(root, "params"), params.kind == .array else { throw .missingField("params") }
            if method.stringEquals("depth.update") { return .depth(try depth(params)) }
            if method.stringEquals("trades.update") { return .trades(try trades(params)) }
            if method.stringEquals("ticker.update") { return .ticker(try objects(params, "ticker", ticker), all: false) }
            if method.stringEquals("all_ticker.update") { return .ticker(try objects(params, "ticker", ticker), all: true) }
            if method.stringEquals("order.update") { return .orders(try objects(params, "order", order)) }
            if method.stringEquals("balance.update") { return .balances(try objects(params, "balance", balance)) }
            if method.stringEquals("order_algo.update") { return .algoOrders(try objects(params, "order_algo", algo)) }
            throw .unknownMethod(method.string ?? "?")
        }
        guard let idValue = try get(root, "id"), !idValue.isNull else { throw .unknownMessage }
        guard let id = idValue.int64 else { throw .invalidField("id") }
        return .response(try response(root, id: id))
    }

    public static func decode(_ text: String) throws(DigiFinexDecodeError) -> DigiFinexInbound {
        var t = text
        let r: Result<DigiFinexInbound, DigiFinexDecodeError> = t.withUTF8 { b in
            do throws(DigiFinexDecodeError) { return .success(try decode(UnsafeRawBufferPointer(b))) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// The non-null top-level `id` of a frame (a reply), without decoding the rest.
    public static func responseID(_ bytes: UnsafeRawBufferPointer) -> RequestID? {
        guard let root = try? JSONValue.root(bytes), root.kind == .object, let v = try? root.member("id"), !v.isNull else { return nil }
        return v.int64
    }

    /// True for `{"result":"pong",…}`.
    public static func isPong(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let root = try? JSONValue.root(bytes), root.kind == .object, let r = try? root.member("result") else { return false }
        return r.stringEquals("pong")
    }

    // MARK: Responses

    static func response(_ root: JSONValue, id: RequestID) throws(DigiFinexDecodeError) -> DigiFinexResponse {
        var error: DigiFinexError?
        if let e = try get(root, "error"), !e.isNull {
            switch e.kind {
            case .object:
                let code = try get(e, "code")?.int64 ?? 0
                let message = try get(e, "message")?.text ?? ""
                error = DigiFinexError(code: Int(clamping: code), message: message)
            case .string, .number:
                error = DigiFinexError(code: Int(clamping: e.int64 ?? 0), message: e.text ?? "")
            default:
                throw .invalidField("error")
            }
        }
        var result = DigiFinexResponse.Result.null
        if let r = try get(root, "result") {
            switch r.kind {
            case .null: result = .null
            case .string: result = r.stringEquals("pong") ? .pong : .other
            case .number: result = r.int64.map { .time($0) } ?? .other
            case .object: result = (try get(r, "status")?.string).map { .status($0) } ?? .other
            default: result = .other
            }
        }
        return DigiFinexResponse(id: id, error: error, result: result)
    }

    // MARK: Pushes

    /// `[clean, {asks, bids}, symbol]`.
    static func depth(_ params: JSONValue) throws(DigiFinexDecodeError) -> DigiFinexDepthUpdate {
        var clean: Bool?, asks: [BookLevel] = [], bids: [BookLevel] = [], symbol: String?, sawBook = false
        var failure: DigiFinexDecodeError?
        var index = 0
        do throws(JSONError) {
            try params.forEachElement { (v) throws(JSONError) -> Bool in
                defer { index += 1 }
                do throws(DigiFinexDecodeError) {
                    switch index {
                    case 0: clean = v.bool
                    case 1:
                        guard v.kind == .object else { throw .invalidField("depth") }
                        sawBook = true
                        if let a = try get(v, "asks"), !a.isNull { asks = try levels(a, "asks") }
                        if let b = try get(v, "bids"), !b.isNull { bids = try levels(b, "bids") }
                    case 2: symbol = v.string
                    default: break
                    }
                } catch { failure = error; return false }
                return true
            }
        } catch { throw .malformedJSON(error.description) }
        if let failure { throw failure }
        guard let clean else { throw .invalidField("clean") }
        guard sawBook else { throw .missingField("depth") }
        guard let symbol, !symbol.isEmpty else { throw .invalidField("symbol") }
        return DigiFinexDepthUpdate(clean: clean, asks: asks, bids: bids, symbol: symbol)
    }

    static func levels(_ v: JSONValue, _ field: String) throws(DigiFinexDecodeError) -> [BookLevel] {
        var out: [BookLevel] = []
        try elements(v, field) { (level) throws(DigiFinexDecodeError) in
            guard level.kind == .array else { throw .invalidField(field) }
            var price: FixedDecimal?, qty: FixedDecimal?, n = 0
            do throws(JSONError) {
                try level.forEachElement { (x) throws(JSONError) -> Bool in
                    if n == 0 { price = x.decimal } else if n == 1 { qty = x.decimal }
                    n += 1
                    return n < 2
                }
            } catch { throw .malformedJSON(error.description) }
            guard let price, let qty, !qty.isNegative, !price.isNegative else { throw .invalidField(field) }
            out.append(BookLevel(price: price, quantity: qty))
        }
        return out
    }

    /// `[clean, [trade…], symbol]`.
    static func trades(_ params: JSONValue) throws(DigiFinexDecodeError) -> DigiFinexTradesUpdate {
        var clean: Bool?, list: [DigiFinexTrade] = [], symbol: String?, sawList = false
        var failure: DigiFinexDecodeError?
        var index = 0
        do throws(JSONError) {
            try params.forEachElement { (v) throws(JSONError) -> Bool in
                defer { index += 1 }
                do throws(DigiFinexDecodeError) {
                    switch index {
                    case 0: clean = v.bool
                    case 1:
                        sawList = true
                        try elements(v, "trades") { (t) throws(DigiFinexDecodeError) in list.append(try trade(t)) }
                    case 2: symbol = v.string
                    default: break
                    }
                } catch { failure = error; return false }
                return true
            }
        } catch { throw .malformedJSON(error.description) }
        if let failure { throw failure }
        guard let clean else { throw .invalidField("clean") }
        guard sawList else { throw .missingField("trades") }
        guard let symbol, !symbol.isEmpty else { throw .invalidField("symbol") }
        return DigiFinexTradesUpdate(clean: clean, trades: list, symbol: symbol)
    }

    static func trade(_ v: JSONValue) throws(DigiFinexDecodeError) -> DigiFinexTrade {
        guard v.kind == .object else { throw .invalidField("trade") }
        guard let id = try get(v, "id")?.int64 else { throw .invalidField("trade.id") }
        let time = try seconds(get(v, "time"), "trade.time")
        let side = try sideOf(get(v, "type"), "trade.type")
        return DigiFinexTrade(id: id, time: time, price: try decimal(get(v, "price"), "trade.price"),
                              amount: try decimal(get(v, "amount"), "trade.amount"), side: side)
    }

    static func ticker(_ v: JSONValue) throws(DigiFinexDecodeError) -> DigiFinexTicker {
        guard let symbol = try get(v, "symbol")?.string, !symbol.isEmpty else { throw .invalidField("ticker.symbol") }
        func d(_ key: StaticString) throws(DigiFinexDecodeError) -> FixedDecimal? {
            guard let x = try get(v, key), !x.isNull else { return nil }
            guard let value = x.decimal else { throw .invalidField("ticker.\(key)") }
            return value
        }
        let ms = try get(v, "timestamp")?.int64 ?? 0
        return DigiFinexTicker(symbol: symbol, last: try d("last"), lastQty: try d("last_qty"), bestBid: try d("best_bid"),
                               bestBidSize: try d("best_bid_size"), bestAsk: try d("best_ask"), bestAskSize: try d("best_ask_size"),
                               open24h: try d("open_24h"), high24h: try d("high_24h"), low24h: try d("low_24h"),
                               baseVolume24h: try d("base_volume_24h"), quoteVolume24h: try d("quote_volume_24h"),
                               timestamp: ms.multipliedReportingOverflow(by: 1000).overflow ? 0 : ms * 1000)
    }

    static func order(_ v: JSONValue) throws(DigiFinexDecodeError) -> DigiFinexOrderUpdate {
        guard let id = try get(v, "id")?.text, !id.isEmpty else { throw .invalidField("order.id") }
        guard let symbol = try get(v, "symbol")?.string, !symbol.isEmpty else { throw .invalidField("order.symbol") }
        let side = try sideOf(get(v, "side"), "order.side")
        let typeValue = try get(v, "type")
        let type: OrderType
        if typeValue?.stringEquals("market") == true { type = .market }
        else if typeValue?.stringEquals("limit") == true { type = .limit }
        else { throw .invalidField("order.type") }
        guard let status = try get(v, "status")?.int64 else { throw .invalidField("order.status") }
        let ms = try get(v, "timestamp")?.int64 ?? 0
        return DigiFinexOrderUpdate(id: id, symbol: symbol, side: side, type: type, mode: Int(clamping: try get(v, "mode")?.int64 ?? 1),
                                    status: Int(clamping: status), amount: try decimal(get(v, "amount"), "order.amount"),
                                    filled: try optionalDecimal(get(v, "filled"), "order.filled") ?? .zero,
                                    notional: try optionalDecimal(get(v, "notional"), "order.notional") ?? .zero,
                                    price: try optionalDecimal(get(v, "price"), "order.price") ?? .zero,
                                    priceAvg: try optionalDecimal(get(v, "price_avg"), "order.price_avg") ?? .zero,
                                    timestamp: ms.multipliedReportingOverflow(by: 1000).overflow ? 0 : ms * 1000)
    }

    static func balance(_ v: JSONValue) throws(DigiFinexDecodeError) -> DigiFinexBalanceUpdate {
        guard let currency = try get(v, "currency")?.string, !currency.isEmpty else { throw .invalidField("balance.currency") }
        let free = try decimal(get(v, "free"), "balance.free")
        let used = try optionalDecimal(get(v, "used"), "balance.used")
        let total = try optionalDecimal(get(v, "total"), "balance.total")
        return DigiFinexBalanceUpdate(currency: currency.uppercased(), free: free, used: used ?? ((total ?? free) - free),
                                      total: total ?? (free + (used ?? .zero)))
    }

    static func algo(_ v: JSONValue) throws(DigiFinexDecodeError) -> DigiFinexAlgoOrderUpdate {
        guard let id = try get(v, "id")?.text else { throw .invalidField("order_algo.id") }
        return DigiFinexAlgoOrderUpdate(id: id, symbol: try get(v, "symbol")?.string ?? "",
                                        status: Int(clamping: try get(v, "status")?.int64 ?? 0))
    }

    // MARK: Field readers

    static func get(_ v: JSONValue, _ key: StaticString) throws(DigiFinexDecodeError) -> JSONValue? {
        do { return try v.member(key) } catch { throw .malformedJSON(error.description) }
    }

    static func elements(_ v: JSONValue, _ field: String, _ body: (JSONValue) throws(DigiFinexDecodeError) -> Void) throws(DigiFinexDecodeError) {
        guard v.kind == .array else { throw .invalidField(field) }
        var failure: DigiFinexDecodeError?
        do throws(JSONError) {
            try v.forEachElement { (e) throws(JSONError) -> Bool in
                do throws(DigiFinexDecodeError) { try body(e) } catch { failure = error; return false }
                return true
            }
        } catch { throw .malformedJSON(error.description) }
        if let failure { throw failure }
    }

    /// `params` as a list of objects (`[obj, obj…]`).
    static func objects<T>(_ params: JSONValue, _ field: String,
                           _ read: (JSONValue) throws(DigiFinexDecodeError) -> T) throws(DigiFinexDecodeError) -> [T] {
        var out: [T] = []
        try elements(params, field) { (e) throws(DigiFinexDecodeError) in
            guard e.kind == .object else { throw .invalidField(field) }
            out.append(try read(e))
        }
        return out
    }

    static func decimal(_ v: JSONValue?, _ field: String) throws(DigiFinexDecodeError) -> FixedDecimal {
        guard let v, !v.isNull else { throw .missingField(field) }
        guard let d = v.decimal else { throw .invalidField(field) }
        return d
    }

    static func optionalDecimal(_ v: JSONValue?, _ field: String) throws(DigiFinexDecodeError) -> FixedDecimal? {
        guard let v, !v.isNull else { return nil }
        guard let d = v.decimal else { throw .invalidField(field) }
        return d
    }

    /// Fractional Unix seconds (`1523339279.761838`) → microseconds.
    static func seconds(_ v: JSONValue?, _ field: String) throws(DigiFinexDecodeError) -> Timestamp {
        let d = try decimal(v, field)
        let micros = d.rescaled(to: 6, rounding: .towardZero).mantissa
        guard micros >= 0, micros <= Int128(Int64.max) else { throw .invalidField(field) }
        return Int64(micros)
    }

    static func sideOf(_ v: JSONValue?, _ field: String) throws(DigiFinexDecodeError) -> Side {
        guard let v else { throw .missingField(field) }
        if v.stringEquals("buy") { return .buy }
        if v.stringEquals("sell") { return .sell }
        throw .invalidField(field)
    }
}
