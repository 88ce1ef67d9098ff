/// Unified order entry (`PlaceOrder`, `CancelOrder`, `AmendOrder`, cancel-all) as Binance WS API
/// requests: post-only → LIMIT_MAKER; limit → LIMIT + timeInForce; market → MARKET by quantity.
/// An amend that only lowers the quantity uses `order.amend.keepPriority` (queue kept);
/// anything else is `order.cancelReplace` (STOP_ON_FAILURE), which needs the current order.
import HFTCore

extension BinanceNewOrder {
    public init(_ o: PlaceOrder, native symbol: String, responseType: BinanceResponseType? = .result) throws(HFTError) {
        try o.validate()
        switch o.type {
        case .market:
            self.init(symbol: symbol, side: o.side, type: .market, quantity: o.quantity)
        case .limit where o.postOnly:
            guard o.timeInForce == .gtc else { throw .invalidArgument("Binance post-only (LIMIT_MAKER) orders take no IOC/FOK") }
            self.init(symbol: symbol, side: o.side, type: .limitMaker, price: o.price, quantity: o.quantity)
        case .limit:
            self.init(symbol: symbol, side: o.side, type: .limit, timeInForce: BinanceTimeInForce(o.timeInForce),
                      price: o.price, quantity: o.quantity)
        }
        newClientOrderID = o.clientOrderID
        self.responseType = responseType
    }
}

extension BinanceTimeInForce {
    public init(_ t: TimeInForce) {
        switch t {
        case .gtc: self = .gtc
        case .ioc: self = .ioc
        case .fok: self = .fok
        }
    }
}

extension BinanceRequest {
    /// `order.place` for a unified order; `info` (exchangeInfo) pre-checks tick, lot and notional.
    public static func place(_ order: PlaceOrder, symbols: BinanceSymbolMap, id: RequestID, auth: BinanceAuth,
                             responseType: BinanceResponseType? = .result, info: BinanceSymbolInfo? = nil) throws(HFTError) -> BinanceRequest {
        let native = try symbols.native(order.symbol)
        try info?.check(price: order.price, quantity: order.quantity)
        return try orderPlace(id: id, order: BinanceNewOrder(order, native: native, responseType: responseType), auth: auth)
    }

    /// One `order.cancel` per id (Binance cancels one order per request); `nextID` numbers them.
    public static func cancel(_ c: CancelOrder, symbols: BinanceSymbolMap, auth: BinanceAuth,
                              nextID: () -> RequestID) throws(HFTError) -> [BinanceRequest] {
        try c.validate()
        guard let symbol = c.symbol else { throw .invalidArgument("Binance cancels need the symbol") }
        let native = try symbols.native(symbol)
        var out: [BinanceRequest] = []
        for id in c.orderIDs {
            out.append(try orderCancel(id: nextID(), symbol: native, order: try orderRef(id), auth: auth))
        }
        for id in c.clientOrderIDs {
            out.append(try orderCancel(id: nextID(), symbol: native, order: .clientOrderID(id), auth: auth))
        }
        return out
    }

    /// Quantity down only → `order.amend.keepPriority`; otherwise `order.cancelReplace` built from
    /// `current` (side, type, time in force, post-only; quantity defaults to what is left).
    public static func amend(_ a: AmendOrder, current: Order?, symbols: BinanceSymbolMap, id: RequestID,
                             auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        try a.validate()
        guard let symbol = a.symbol ?? current?.symbol else { throw .invalidArgument("Binance amends need the symbol") }
        let native = try symbols.native(symbol)
        let ref: BinanceOrderRef = if let oid = a.orderID ?? current?.orderID { try orderRef(oid) }
                                   else { .clientOrderID(a.clientOrderID!) }
        let priceUnchanged = a.price == nil || (current?.price).map { $0 == a.price! } == true
        if priceUnchanged, let qty = a.quantity, current.map({ qty < $0.quantity }) ?? true {
            return try orderAmendKeepPriority(id: id, symbol: native, order: ref, newQty: qty, auth: auth)
        }
        guard let current else {
            throw .invalidArgument("Binance: changing the price (or raising the quantity) is a cancel-replace and needs the current order")
        }
        var order = BinanceNewOrder(symbol: native, side: current.side, type: .limit,
                                    timeInForce: BinanceTimeInForce(current.timeInForce),
                                    price: a.price ?? current.price, quantity: a.quantity ?? current.remainingQuantity,
                                    responseType: .result)
        if current.postOnly {
            order.type = .limitMaker
            order.timeInForce = nil
        }
        guard current.type == .limit else { throw .unsupported("Binance: only limit orders can be amended") }
        return try orderCancelReplace(id: id, BinanceCancelReplace(mode: .stopOnFailure, cancel: ref, newOrder: order), auth: auth)
    }

    /// `openOrders.cancelAll` (Binance has no all-symbols cancel).
    public static func cancelAll(symbol: Symbol?, symbols: BinanceSymbolMap, id: RequestID, auth: BinanceAuth) throws(HFTError) -> BinanceRequest {
        guard let symbol else { throw .invalidArgument("Binance cancel-all needs a symbol") }
        return try openOrdersCancelAll(id: id, symbol: symbols.native(symbol), auth: auth)
    }

    static func orderRef(_ text: String) throws(HFTError) -> BinanceOrderRef {
        guard let i = Int64(text), i >= 0 else { throw .invalidArgument("Binance order id '\(text)' is not a number") }
        return .orderID(i)
    }
}
