import HFTCore

/// Why a request is refused: Kraken's error text, and the symbol it concerns when the error
/// echoes one.
struct KrakenFailure: Error, Sendable {
    var message: String
    var symbol: String?

    init(_ message: String, symbol: String? = nil) {
        self.message = message
        self.symbol = symbol
    }
}

/// One client request (§4): `{"method":…,"params":{…},"req_id":N}`.
struct KrakenInbound: Sendable {
    var method: String?
    /// Echoed only when the client sent a JSON integer.
    var reqID: Int64?
    var request: Result<KrakenRequest, KrakenFailure>
}

enum KrakenRequest: Sendable {
    case ping
    case subscribe(KrakenSubscribeParams)
    case unsubscribe(KrakenSubscribeParams)
    case addOrder(KrakenOrderParams, token: String?)
    case batchAdd(symbol: String, orders: [KrakenOrderParams], validate: Bool, token: String?)
    case amendOrder(KrakenAmendParams)
    case editOrder(KrakenEditParams)
    case cancelOrder(KrakenCancelParams)
    case cancelAll(token: String?)
    case cancelAfter(timeout: Int64, token: String?)
    case batchCancel(orders: [String], clientIDs: [String], token: String?)
}

struct KrakenSubscribeParams: Sendable {
    var channel: String
    var symbols: [String]?
    var depth: Int?
    var snapshot: Bool?
    var eventTrigger: String?
    var token: String?
    var snapOrders: Bool?
    var snapTrades: Bool?
    var orderStatus: Bool?
    var rateCounter: Bool?
}

/// `add_order` fields the simulator acts on (also one `batch_add` row, without symbol).
struct KrakenOrderParams: Sendable {
    var symbol: String?
    var type: OrderType
    var side: Side
    var quantity: FixedDecimal?
    var limitPrice: FixedDecimal?
    var cashQuantity: FixedDecimal?
    var timeInForce: TimeInForce
    var postOnly: Bool
    var clientOrderID: String?
    var userref: Int64?
    var stp: SelfTradePrevention?
    var validate: Bool
}

enum KrakenOrderRef: Sendable {
    case orderID(String)
    case clientID(String)
}

struct KrakenAmendParams: Sendable {
    var order: KrakenOrderRef
    var quantity: FixedDecimal?
    var limitPrice: FixedDecimal?
    var postOnly: Bool?
    var token: String?
}

struct KrakenEditParams: Sendable {
    var orderID: String
    var symbol: String
    var quantity: FixedDecimal?
    var limitPrice: FixedDecimal?
    var postOnly: Bool?
    var userref: Int64?
    var token: String?
}

struct KrakenCancelParams: Sendable {
    enum IDs: Sendable {
        case orderIDs([String])
        case clientIDs([String])
        case userrefs([Int64])
    }
    var ids: IDs
    var token: String?
}

/// Decodes requests from a frame's bytes with the shared zero-copy reader.
enum KrakenRequestDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer) -> KrakenInbound {
        guard let root = try? JSONValue.parse(bytes), root.kind == .object else {
            return KrakenInbound(method: nil, reqID: nil, request: .failure(KrakenFailure(KrakenError.invalidArguments)))
        }
        let method = root["method"].flatMap { $0.kind == .string ? $0.string : nil }
        let reqID = root["req_id"].flatMap { $0.kind == .number ? $0.int64 : nil }
        do throws(KrakenFailure) {
            guard let method else { throw KrakenFailure(KrakenError.invalidArgument("method")) }
            let paramsValue = root["params"]
            if let p = paramsValue, p.kind != .object, !p.isNull { throw KrakenFailure(KrakenError.invalidArgument("params")) }
            let p = KrakenParams(object: paramsValue?.kind == .object ? paramsValue : nil)
            return KrakenInbound(method: method, reqID: reqID, request: .success(try request(method, p)))
        } catch {
            return KrakenInbound(method: method, reqID: reqID, request: .failure(error))
        }
    }

    private static func request(_ method: String, _ p: KrakenParams) throws(KrakenFailure) -> KrakenRequest {
        switch method {
        case "ping": return .ping
        case "subscribe": return .subscribe(try subscription(p))
        case "unsubscribe": return .unsubscribe(try subscription(p))
        case "add_order":
            guard let symbol = try p.string("symbol") else { throw KrakenFailure(KrakenError.invalidArgument("symbol")) }
            var o = try order(p)
            o.symbol = symbol
            return .addOrder(o, token: try p.string("token"))
        case "batch_add":
            guard let symbol = try p.string("symbol") else { throw KrakenFailure(KrakenError.invalidArgument("symbol")) }
            guard let list = try p.value("orders"), list.kind == .array else { throw KrakenFailure(KrakenError.invalidArgument("orders")) }
            var rows: [JSONValue] = []
            do { try list.forEachElement { rows.append($0); return true } } catch {
                throw KrakenFailure(KrakenError.invalidArgument("orders"))
            }
            guard (2...15).contains(rows.count), rows.allSatisfy({ $0.kind == .object }) else {
                throw KrakenFailure(KrakenError.invalidArgument("orders"))
            }
            var orders: [KrakenOrderParams] = []
            for r in rows { orders.append(try order(KrakenParams(object: r))) }
            return .batchAdd(symbol: symbol, orders: orders, validate: try p.bool("validate") ?? false, token: try p.string("token"))
        case "amend_order":
            let id = try p.string("order_id"), cid = try p.string("cl_ord_id")
            let ref: KrakenOrderRef
            switch (id, cid) {
            case (let i?, nil): ref = .orderID(i)
            case (nil, let c?): ref = .clientID(c)
            default: throw KrakenFailure(KrakenError.invalidArguments)
            }
            return .amendOrder(KrakenAmendParams(order: ref, quantity: try p.decimal("order_qty"),
                                                 limitPrice: try p.decimal("limit_price"), postOnly: try p.bool("post_only"),
                                                 token: try p.string("token")))
        case "edit_order":
            guard let id = try p.string("order_id") else { throw KrakenFailure(KrakenError.invalidArgument("order_id")) }
            guard let symbol = try p.string("symbol") else { throw KrakenFailure(KrakenError.invalidArgument("symbol")) }
            return .editOrder(KrakenEditParams(orderID: id, symbol: symbol, quantity: try p.decimal("order_qty"),
                                               limitPrice: try p.decimal("limit_price"), postOnly: try p.bool("post_only"),
                                               userref: try p.int("order_userref"), token: try p.string("token")))
        case "cancel_order":
            let ids = try p.strings("order_id"), cids = try p.strings("cl_ord_id"), refs = try p.ints("order_userref")
            let chosen: KrakenCancelParams.IDs
            switch (ids, cids, refs) {
            case (let i?, nil, nil) where !i.isEmpty: chosen = .orderIDs(i)
            case (nil, let c?, nil) where !c.isEmpty: chosen = .clientIDs(c)
            case (nil, nil, let r?) where !r.isEmpty: chosen = .userrefs(r)
            default: throw KrakenFailure(KrakenError.invalidArguments)
            }
            return .cancelOrder(KrakenCancelParams(ids: chosen, token: try p.string("token")))
        case "cancel_all":
            return .cancelAll(token: try p.string("token"))
        case "cancel_all_orders_after":
            guard let t = try p.int("timeout"), t >= 0, t < 86_400 else { throw KrakenFailure(KrakenError.invalidArgument("timeout")) }
            return .cancelAfter(timeout: t, token: try p.string("token"))
        case "batch_cancel":
            let orders = try p.strings("orders") ?? []
            let cids = try p.strings("cl_ord_id") ?? []
            guard (2...50).contains(orders.count + cids.count) else { throw KrakenFailure(KrakenError.invalidArgument("orders")) }
            return .batchCancel(orders: orders, clientIDs: cids, token: try p.string("token"))
        default:
            throw KrakenFailure(KrakenError.unknownMethod)
        }
    }

    private static func subscription(_ p: KrakenParams) throws(KrakenFailure) -> KrakenSubscribeParams {
        guard let channel = try p.string("channel") else { throw KrakenFailure(KrakenError.subscriptionNameInvalid) }
        var depth: Int?
        if let d = try p.int("depth") { depth = Int(clamping: d) }
        var snapTrades = try p.bool("snap_trades")
        if snapTrades == nil { snapTrades = try p.bool("snapshot_trades") }
        return KrakenSubscribeParams(
            channel: channel, symbols: try p.strings("symbol"), depth: depth, snapshot: try p.bool("snapshot"),
            eventTrigger: try p.string("event_trigger"), token: try p.string("token"),
            snapOrders: try p.bool("snap_orders"), snapTrades: snapTrades,
            orderStatus: try p.bool("order_status"), rateCounter: try p.bool("ratecounter"))
    }

    /// The order fields of `add_order` (and of one `batch_add` row).
    private static func order(_ p: KrakenParams) throws(KrakenFailure) -> KrakenOrderParams {
        for f: StaticString in ["leverage", "userref", "close"] where p.has(f) {
            throw KrakenFailure(KrakenError.unsupportedField("\(f)"))
        }
        let type: OrderType
        switch try p.string("order_type") {
        case "limit": type = .limit
        case "market": type = .market
        default: throw KrakenFailure(KrakenError.invalidArgument("order_type"))
        }
        let side: Side
        switch try p.string("side") {
        case "buy": side = .buy
        case "sell": side = .sell
        default: throw KrakenFailure(KrakenError.invalidArgument("side"))
        }
        var tif: TimeInForce = .gtc
        switch try p.string("time_in_force") {
        case nil, "gtc": tif = .gtc
        case "ioc": tif = .ioc
        default: throw KrakenFailure(KrakenError.invalidArgument("time_in_force"))
        }
        var stp: SelfTradePrevention?
        switch try p.string("stp_type") {
        case nil: stp = nil
        case "cancel_newest": stp = .cancelTaker
        case "cancel_oldest": stp = .cancelMaker
        case "cancel_both": stp = .cancelBoth
        default: throw KrakenFailure(KrakenError.invalidArgument("stp_type"))
        }
        let clientID = try p.string("cl_ord_id")
        let userref = try p.int("order_userref")
        if clientID != nil && userref != nil { throw KrakenFailure(KrakenError.invalidArguments) }
        if let c = clientID, !isValidClientID(c) { throw KrakenFailure(KrakenError.invalidArgument("cl_ord_id")) }
        let quantity = try p.decimal("order_qty")
        let cash = try p.decimal("cash_order_qty")
        if quantity == nil && !(type == .market && cash != nil) { throw KrakenFailure(KrakenError.invalidArgument("order_qty")) }
        let price = try p.decimal("limit_price")
        if type == .limit && price == nil { throw KrakenFailure(KrakenError.invalidArgument("limit_price")) }
        if try p.bool("margin") == true { throw KrakenFailure(KrakenError.permissionDenied) }
        return KrakenOrderParams(symbol: nil, type: type, side: side, quantity: quantity, limitPrice: price, cashQuantity: cash,
                                 timeInForce: tif, postOnly: try p.bool("post_only") ?? false, clientOrderID: clientID,
                                 userref: userref, stp: stp, validate: try p.bool("validate") ?? false)
    }

    /// `cl_ord_id` forms (§7.1): a long UUID, a short UUID (32 hex) or free text of ≤ 18 characters.
    static func isValidClientID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        func hex(_ c: UInt8) -> Bool { (48...57).contains(c) || (97...102).contains(c) || (65...70).contains(c) }
        if b.count == 36 {
            return b.enumerated().allSatisfy { i, c in [8, 13, 18, 23].contains(i) ? c == UInt8(ascii: "-") : hex(c) }
        }
        if b.count == 32 && b.allSatisfy(hex) { return true }
        return !b.isEmpty && b.count <= 18 && b.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }
}

/// Typed access to a `params` object; a field of the wrong JSON type is an
/// `EGeneral:Invalid arguments:<field>` error. Numbers must be JSON numbers (§1).
struct KrakenParams {
    let object: JSONValue?

    func has(_ k: StaticString) -> Bool { (try? value(k)).flatMap { $0 } != nil }

    func value(_ k: StaticString) throws(KrakenFailure) -> JSONValue? {
        guard let object else { return nil }
        do { return try object.member(k) } catch { throw KrakenFailure(KrakenError.invalidArguments) }
    }

    private func present(_ k: StaticString) throws(KrakenFailure) -> JSONValue? {
        guard let v = try value(k), !v.isNull else { return nil }
        return v
    }

    private func bad(_ k: StaticString) -> KrakenFailure { KrakenFailure(KrakenError.invalidArgument("\(k)")) }

    func string(_ k: StaticString) throws(KrakenFailure) -> String? {
        guard let v = try present(k) else { return nil }
        guard v.kind == .string, let s = v.string else { throw bad(k) }
        return s
    }

    func decimal(_ k: StaticString) throws(KrakenFailure) -> FixedDecimal? {
        guard let v = try present(k) else { return nil }
        guard v.kind == .number, let d = v.decimal else { throw bad(k) }
        return d
    }

    func int(_ k: StaticString) throws(KrakenFailure) -> Int64? {
        guard let v = try present(k) else { return nil }
        guard v.kind == .number, let i = v.int64 else { throw bad(k) }
        return i
    }

    func bool(_ k: StaticString) throws(KrakenFailure) -> Bool? {
        guard let v = try present(k) else { return nil }
        guard let b = v.bool else { throw bad(k) }
        return b
    }

    func strings(_ k: StaticString) throws(KrakenFailure) -> [String]? {
        guard let v = try present(k) else { return nil }
        guard v.kind == .array else { throw bad(k) }
        var out: [String] = []
        do {
            try v.forEachElement { (e) throws(JSONError) -> Bool in
                guard e.kind == .string, let s = e.string else { throw JSONError(offset: e.start, reason: "") }
                out.append(s)
                return true
            }
        } catch { throw bad(k) }
        return out
    }

    func ints(_ k: StaticString) throws(KrakenFailure) -> [Int64]? {
        guard let v = try present(k) else { return nil }
        guard v.kind == .array else { throw bad(k) }
        var out: [Int64] = []
        do {
            try v.forEachElement { (e) throws(JSONError) -> Bool in
                guard e.kind == .number, let i = e.int64 else { throw JSONError(offset: e.start, reason: "") }
                out.append(i)
                return true
            }
        } catch { throw bad(k) }
        return out
    }
}
