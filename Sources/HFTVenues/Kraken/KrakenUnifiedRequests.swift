/// Unified requests (`PlaceOrder`, `AmendOrder`, `CancelOrder`) and HFTCore `Credentials` in
/// Kraken terms, for the WS API built on this codec.
import HFTCore

extension KrakenCredentials {
    public init(_ credentials: Credentials) throws(HFTError) {
        try self.init(apiKey: credentials.apiKey.reveal(), secret: credentials.apiSecret.reveal())
    }
}

extension KrakenNewOrder {
    /// `time_in_force` is always sent; `post_only` only when true (as in kraken.md §7.1).
    public init(_ o: PlaceOrder) throws(HFTError) {
        try o.validate()
        self.init(orderType: KrakenOrderType(o.type), side: o.side, quantity: o.quantity,
                  symbol: try KrakenSymbols.native(o.symbol), limitPrice: o.type == .limit ? o.price : nil,
                  timeInForce: try KrakenTimeInForce(o.timeInForce), postOnly: o.postOnly ? true : nil,
                  clOrdID: o.clientOrderID)
    }
}

extension KrakenAmend {
    public init(_ a: AmendOrder) throws(HFTError) {
        try a.validate()
        let ref: KrakenOrderRef
        if let id = a.orderID { ref = .orderID(id) } else if let id = a.clientOrderID { ref = .clOrdID(id) } else {
            throw .invalidArgument("Kraken amend_order: no order id")
        }
        self.init(order: ref, orderQty: a.quantity, limitPrice: a.price)
    }
}

extension KrakenCancelTarget {
    /// Kraken takes one kind of id per cancel_order; mixed lists must be split by the caller.
    public init(_ c: CancelOrder) throws(HFTError) {
        try c.validate()
        switch (c.orderIDs.isEmpty, c.clientOrderIDs.isEmpty) {
        case (false, true): self = .orderIDs(c.orderIDs)
        case (true, false): self = .clOrdIDs(c.clientOrderIDs)
        default: throw .invalidArgument("Kraken cancel_order takes order ids or client order ids, not both")
        }
    }
}
