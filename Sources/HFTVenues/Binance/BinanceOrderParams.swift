/// Order-entry parameters (binance.md §7.1): order types, time in force, response types, STP
/// modes, a new order with the per-type mandatory checks, and the ways to name an order.
import HFTCore

public enum BinanceOrderType: String, Sendable, Hashable, CaseIterable {
    case limit = "LIMIT"
    case market = "MARKET"
    /// Post-only: rejected with -2010 if it would take.
    case limitMaker = "LIMIT_MAKER"
    case stopLoss = "STOP_LOSS"
    case stopLossLimit = "STOP_LOSS_LIMIT"
    case takeProfit = "TAKE_PROFIT"
    case takeProfitLimit = "TAKE_PROFIT_LIMIT"

    var needsTimeInForce: Bool { self == .limit || self == .stopLossLimit || self == .takeProfitLimit }
    var needsPrice: Bool { needsTimeInForce || self == .limitMaker }
    var needsTrigger: Bool { self == .stopLoss || self == .stopLossLimit || self == .takeProfit || self == .takeProfitLimit }
}

public enum BinanceTimeInForce: String, Sendable, Hashable, CaseIterable {
    case gtc = "GTC", ioc = "IOC", fok = "FOK"
}

/// `newOrderRespType`: how much the `order.place` result carries.
public enum BinanceResponseType: String, Sendable, Hashable, CaseIterable {
    case ack = "ACK", result = "RESULT", full = "FULL"
}

public enum BinanceSelfTradePrevention: String, Sendable, Hashable, CaseIterable {
    case none = "NONE", expireMaker = "EXPIRE_MAKER", expireTaker = "EXPIRE_TAKER", expireBoth = "EXPIRE_BOTH"
    case decrement = "DECREMENT", transfer = "TRANSFER"
}

/// `cancelRestrictions` of `order.cancel` / `order.cancelReplace`.
public enum BinanceCancelRestriction: String, Sendable, Hashable {
    case onlyNew = "ONLY_NEW", onlyPartiallyFilled = "ONLY_PARTIALLY_FILLED"
}

/// An order named by the venue's id (faster) or by its client order id.
public enum BinanceOrderRef: Sendable, Hashable {
    case orderID(Int64)
    case clientOrderID(String)
}

extension Side {
    /// `BUY` / `SELL`.
    public var binanceWire: String { self == .buy ? "BUY" : "SELL" }
}

/// A new order, as `order.place` (and the new leg of `order.cancelReplace`) takes it.
public struct BinanceNewOrder: Sendable, Hashable {
    public var symbol: String
    public var side: Side
    public var type: BinanceOrderType
    public var timeInForce: BinanceTimeInForce?
    public var price: FixedDecimal?
    public var quantity: FixedDecimal?
    /// MARKET only: spend (buy) or receive (sell) this much quote asset.
    public var quoteOrderQty: FixedDecimal?
    public var newClientOrderID: String?
    public var responseType: BinanceResponseType?
    public var stopPrice: FixedDecimal?
    public var trailingDelta: Int64?
    public var icebergQty: FixedDecimal?
    public var strategyID: Int64?
    public var strategyType: Int64?
    public var selfTradePrevention: BinanceSelfTradePrevention?

    public init(symbol: String, side: Side, type: BinanceOrderType, timeInForce: BinanceTimeInForce? = nil,
                price: FixedDecimal? = nil, quantity: FixedDecimal? = nil, quoteOrderQty: FixedDecimal? = nil,
                newClientOrderID: String? = nil, responseType: BinanceResponseType? = nil, stopPrice: FixedDecimal? = nil,
                trailingDelta: Int64? = nil, icebergQty: FixedDecimal? = nil, strategyID: Int64? = nil,
                strategyType: Int64? = nil, selfTradePrevention: BinanceSelfTradePrevention? = nil) {
        self.symbol = symbol
        self.side = side
        self.type = type
        self.timeInForce = timeInForce
        self.price = price
        self.quantity = quantity
        self.quoteOrderQty = quoteOrderQty
        self.newClientOrderID = newClientOrderID
        self.responseType = responseType
        self.stopPrice = stopPrice
        self.trailingDelta = trailingDelta
        self.icebergQty = icebergQty
        self.strategyID = strategyID
        self.strategyType = strategyType
        self.selfTradePrevention = selfTradePrevention
    }

    /// A LIMIT order (GTC unless told).
    public static func limit(_ symbol: String, _ side: Side, quantity: FixedDecimal, price: FixedDecimal,
                             timeInForce: BinanceTimeInForce = .gtc, clientOrderID: String? = nil) -> BinanceNewOrder {
        BinanceNewOrder(symbol: symbol, side: side, type: .limit, timeInForce: timeInForce, price: price,
                        quantity: quantity, newClientOrderID: clientOrderID)
    }

    /// A post-only order (LIMIT_MAKER, no time in force).
    public static func postOnly(_ symbol: String, _ side: Side, quantity: FixedDecimal, price: FixedDecimal,
                                clientOrderID: String? = nil) -> BinanceNewOrder {
        BinanceNewOrder(symbol: symbol, side: side, type: .limitMaker, price: price, quantity: quantity, newClientOrderID: clientOrderID)
    }

    public static func market(_ symbol: String, _ side: Side, quantity: FixedDecimal, clientOrderID: String? = nil) -> BinanceNewOrder {
        BinanceNewOrder(symbol: symbol, side: side, type: .market, quantity: quantity, newClientOrderID: clientOrderID)
    }

    /// The mandatory-by-type rules of binance.md §7.1, checked before anything is sent.
    public func validate() throws(HFTError) {
        try BinanceRequest.requireSymbol(symbol)
        let t = type.rawValue
        if type.needsTimeInForce, timeInForce == nil { throw .invalidArgument("Binance \(t) order needs timeInForce") }
        if !type.needsTimeInForce, timeInForce != nil { throw .invalidArgument("Binance \(t) order takes no timeInForce") }
        if type.needsPrice, price == nil { throw .invalidArgument("Binance \(t) order needs price") }
        if !type.needsPrice, price != nil { throw .invalidArgument("Binance \(t) order takes no price") }
        if type == .market {
            guard (quantity == nil) != (quoteOrderQty == nil) else {
                throw .invalidArgument("Binance MARKET order needs quantity or quoteOrderQty (one of them)")
            }
        } else {
            guard quantity != nil else { throw .invalidArgument("Binance \(t) order needs quantity") }
            guard quoteOrderQty == nil else { throw .invalidArgument("Binance quoteOrderQty is for MARKET orders only") }
        }
        if type.needsTrigger, stopPrice == nil, trailingDelta == nil {
            throw .invalidArgument("Binance \(t) order needs stopPrice or trailingDelta")
        }
        if !type.needsTrigger, stopPrice != nil || trailingDelta != nil {
            throw .invalidArgument("Binance \(t) order takes no stopPrice/trailingDelta")
        }
        for (name, v) in [("price", price), ("quantity", quantity), ("quoteOrderQty", quoteOrderQty),
                          ("stopPrice", stopPrice), ("icebergQty", icebergQty)] {
            if let v, v <= .zero { throw .invalidArgument("Binance \(name) must be positive") }
        }
        if icebergQty != nil, type != .limitMaker, timeInForce != .gtc {
            throw .invalidArgument("Binance icebergQty needs timeInForce GTC")
        }
        if let s = strategyType, s < 1_000_000 { throw .invalidArgument("Binance strategyType must be ≥ 1000000") }
        if let id = newClientOrderID { try Self.checkClientOrderID(id, field: "newClientOrderId") }
    }

    /// Params in the order the notes' example shows them.
    public func params() throws(HFTError) -> BinanceParams {
        try validate()
        var p = BinanceParams()
        p.set("symbol", .string(symbol))
        p.set("side", .string(side.binanceWire))
        p.set("type", .string(type.rawValue))
        p.set("timeInForce", timeInForce.map { .string($0.rawValue) })
        p.set("price", price.map { .decimal($0) })
        p.set("quantity", quantity.map { .decimal($0) })
        p.set("quoteOrderQty", quoteOrderQty.map { .decimal($0) })
        p.set("newClientOrderId", newClientOrderID.map { .string($0) })
        p.set("newOrderRespType", responseType.map { .string($0.rawValue) })
        p.set("stopPrice", stopPrice.map { .decimal($0) })
        p.set("trailingDelta", trailingDelta.map { .int($0) })
        p.set("icebergQty", icebergQty.map { .decimal($0) })
        p.set("strategyId", strategyID.map { .int($0) })
        p.set("strategyType", strategyType.map { .int($0) })
        p.set("selfTradePreventionMode", selfTradePrevention.map { .string($0.rawValue) })
        return p
    }

    /// Client order ids: 1–36 characters of `A–Z a–z 0–9 . : / _ -` (Binance API docs; the notes
    /// only say "unique among open orders").
    static func checkClientOrderID(_ id: String, field: String) throws(HFTError) {
        let ok = (1...36).contains(id.utf8.count) && id.utf8.allSatisfy { c in
            (48...57).contains(c) || (65...90).contains(c) || (97...122).contains(c)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") || c == UInt8(ascii: "/")
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
        guard ok else { throw .invalidArgument("Binance \(field) '\(id)': 1–36 characters of A-Z a-z 0-9 . : / _ -") }
    }
}
