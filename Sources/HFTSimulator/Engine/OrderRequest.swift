import HFTCore

/// A numeric simulator order id (unique per exchange instance, increasing). Front-ends render
/// it in their venue's style.
public typealias SimOrderID = UInt64

/// Names one order of an account.
public enum OrderRef: Sendable, Hashable {
    case id(SimOrderID)
    case clientID(String)
}

/// A new order as a front-end decoded it.
public struct OrderRequest: Sendable, Hashable {
    public var symbol: Symbol
    public var side: Side
    public var type: OrderType
    /// Base quantity (contracts for perpetuals). May be nil only for a market order with
    /// `quoteQuantity`.
    public var quantity: FixedDecimal?
    /// Limit price; required for limit orders, refused on market orders.
    public var price: FixedDecimal?
    /// Market orders only (spot): spend (buy) or receive (sell) at most this much quote,
    /// like Binance `quoteOrderQty` and Kraken `cash_order_qty`.
    public var quoteQuantity: FixedDecimal?
    public var timeInForce: TimeInForce
    public var postOnly: Bool
    public var clientOrderID: String?
    /// nil = the venue's default mode.
    public var selfTradePrevention: SelfTradePrevention?

    public init(symbol: Symbol, side: Side, type: OrderType = .limit, quantity: FixedDecimal?,
                price: FixedDecimal? = nil, quoteQuantity: FixedDecimal? = nil, timeInForce: TimeInForce = .gtc,
                postOnly: Bool = false, clientOrderID: String? = nil, selfTradePrevention: SelfTradePrevention? = nil) {
        self.symbol = symbol
        self.side = side
        self.type = type
        self.quantity = quantity
        self.price = price
        self.quoteQuantity = quoteQuantity
        self.timeInForce = timeInForce
        self.postOnly = postOnly
        self.clientOrderID = clientOrderID
        self.selfTradePrevention = selfTradePrevention
    }

    public static func limit(_ symbol: Symbol, _ side: Side, quantity: FixedDecimal, price: FixedDecimal,
                             timeInForce: TimeInForce = .gtc, postOnly: Bool = false,
                             clientOrderID: String? = nil) -> OrderRequest {
        OrderRequest(symbol: symbol, side: side, type: .limit, quantity: quantity, price: price,
                     timeInForce: timeInForce, postOnly: postOnly, clientOrderID: clientOrderID)
    }

    public static func market(_ symbol: Symbol, _ side: Side, quantity: FixedDecimal,
                              clientOrderID: String? = nil) -> OrderRequest {
        OrderRequest(symbol: symbol, side: side, type: .market, quantity: quantity, timeInForce: .ioc,
                     clientOrderID: clientOrderID)
    }
}

/// A change to a resting order. `newQuantity` is the new *total* quantity (filled part
/// included), as Kraken `order_qty` and Binance `newQty`.
public struct AmendRequest: Sendable, Hashable {
    public var order: OrderRef
    public var newQuantity: FixedDecimal?
    public var newPrice: FixedDecimal?
    /// Renames the order's client id (Binance `newClientOrderId`).
    public var newClientOrderID: String?

    public init(order: OrderRef, newQuantity: FixedDecimal? = nil, newPrice: FixedDecimal? = nil,
                newClientOrderID: String? = nil) {
        self.order = order
        self.newQuantity = newQuantity
        self.newPrice = newPrice
        self.newClientOrderID = newClientOrderID
    }
}
