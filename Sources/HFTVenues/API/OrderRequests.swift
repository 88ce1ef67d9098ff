import HFTCore

/// A new order, in unified terms; each venue maps it to its own request.
public struct PlaceOrder: Sendable, Hashable {
    public var symbol: Symbol
    public var side: Side
    public var type: OrderType
    public var quantity: FixedDecimal
    public var price: FixedDecimal?
    public var timeInForce: TimeInForce
    public var postOnly: Bool
    public var clientOrderID: String?
    /// Use this request id instead of the next one (hftpy's `req_id=get_next_request_id()`).
    public var requestID: RequestID?

    public init(symbol: Symbol, side: Side, type: OrderType = .limit, quantity: FixedDecimal, price: FixedDecimal? = nil,
                timeInForce: TimeInForce = .gtc, postOnly: Bool = false, clientOrderID: String? = nil, requestID: RequestID? = nil) {
        self.symbol = symbol
        self.side = side
        self.type = type
        self.quantity = quantity
        self.price = price
        self.timeInForce = timeInForce
        self.postOnly = postOnly
        self.clientOrderID = clientOrderID
        self.requestID = requestID
    }

    /// Checks what every venue requires before anything is sent.
    public func validate() throws(HFTError) {
        guard quantity > .zero else { throw .invalidArgument("quantity must be positive") }
        switch type {
        case .limit:
            guard let price, price > .zero else { throw .invalidArgument("a limit order needs a positive price") }
        case .market:
            guard price == nil else { throw .invalidArgument("a market order takes no price") }
            guard !postOnly else { throw .invalidArgument("a market order cannot be post-only") }
        }
    }
}

/// Which order(s) to cancel: by venue order id or by client order id.
public struct CancelOrder: Sendable, Hashable {
    public var orderIDs: [String]
    public var clientOrderIDs: [String]
    /// Required by venues that scope ids per symbol (Binance, DigiFinex, LBank, BGE, FMex).
    public var symbol: Symbol?
    public var requestID: RequestID?

    public init(orderIDs: [String] = [], clientOrderIDs: [String] = [], symbol: Symbol? = nil, requestID: RequestID? = nil) {
        self.orderIDs = orderIDs
        self.clientOrderIDs = clientOrderIDs
        self.symbol = symbol
        self.requestID = requestID
    }

    public init(orderID: String, symbol: Symbol? = nil) {
        self.init(orderIDs: [orderID], symbol: symbol)
    }

    public func validate() throws(HFTError) {
        guard !(orderIDs.isEmpty && clientOrderIDs.isEmpty) else { throw .invalidArgument("name at least one order id or client order id") }
    }
}

/// A change to a resting order's price and/or quantity.
public struct AmendOrder: Sendable, Hashable {
    public var orderID: String?
    public var clientOrderID: String?
    public var symbol: Symbol?
    public var quantity: FixedDecimal?
    public var price: FixedDecimal?
    public var requestID: RequestID?

    public init(orderID: String? = nil, clientOrderID: String? = nil, symbol: Symbol? = nil, quantity: FixedDecimal? = nil,
                price: FixedDecimal? = nil, requestID: RequestID? = nil) {
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.quantity = quantity
        self.price = price
        self.requestID = requestID
    }

    public func validate() throws(HFTError) {
        guard orderID != nil || clientOrderID != nil else { throw .invalidArgument("name the order id or client order id to amend") }
        guard quantity != nil || price != nil else { throw .invalidArgument("an amend changes the quantity, the price or both") }
        if let quantity, quantity <= .zero { throw .invalidArgument("quantity must be positive") }
        if let price, price <= .zero { throw .invalidArgument("price must be positive") }
    }
}
