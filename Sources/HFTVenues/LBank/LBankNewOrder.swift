/// A unified `PlaceOrder` as `create_order.do` parameters (lbank.md §8): `type` encodes side and
/// time in force (`buy`, `sell_maker`, `buy_ioc`, `sell_fok`, `sell_market`).
import HFTCore

public struct LBankNewOrder: Sendable, Hashable {
    public var symbol: String
    public var type: String
    public var price: FixedDecimal?
    public var amount: FixedDecimal?
    public var customID: String?

    public init(symbol: String, type: String, price: FixedDecimal?, amount: FixedDecimal?, customID: String?) {
        self.symbol = symbol
        self.type = type
        self.price = price
        self.amount = amount
        self.customID = customID
    }

    /// Maps a unified order. A market buy is refused: LBank's `buy_market` takes a quote amount
    /// (in `price`), which a base-quantity order does not give.
    public init(_ o: PlaceOrder) throws(HFTError) {
        try o.validate()
        let side = o.side.rawValue
        if let c = o.clientOrderID {
            guard !c.isEmpty, c.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F || $0 == 0x2D }) else {
                throw .invalidArgument("LBank custom_id: use letters, digits, '_' and '-' only (it is signed raw)")
            }
        }
        switch o.type {
        case .market:
            guard o.side == .sell else {
                throw .invalidArgument("LBank buy_market takes a quote amount, not a base quantity: place a limit buy_ioc instead")
            }
            self.init(symbol: try LBankSymbols.native(o.symbol), type: "sell_market", price: nil, amount: o.quantity, customID: o.clientOrderID)
        case .limit:
            let suffix: String
            if o.postOnly {
                guard o.timeInForce == .gtc else { throw .invalidArgument("LBank post-only (maker) orders are good-till-cancelled") }
                suffix = "_maker"
            } else {
                switch o.timeInForce {
                case .gtc: suffix = ""
                case .ioc: suffix = "_ioc"
                case .fok: suffix = "_fok"
                }
            }
            self.init(symbol: try LBankSymbols.native(o.symbol), type: side + suffix, price: o.price, amount: o.quantity, customID: o.clientOrderID)
        }
    }

    public var params: [(String, String)] {
        var p: [(String, String)] = [("symbol", symbol), ("type", type)]
        if let price { p.append(("price", price.description)) }
        if let amount { p.append(("amount", amount.description)) }
        if let customID { p.append(("custom_id", customID)) }
        return p
    }

    static func cancelParams(symbol: String, orderID: String?, clientOrderID: String?) -> [(String, String)] {
        var p: [(String, String)] = [("symbol", symbol)]
        if let orderID { p.append(("orderId", orderID)) }
        if let clientOrderID { p.append(("origClientOrderId", clientOrderID)) }
        return p
    }

    /// The unified reading of an LBank order type string: side, type, time in force, post-only.
    public static func read(_ type: String) -> (side: Side, type: OrderType, tif: TimeInForce, postOnly: Bool)? {
        let side: Side
        if type.hasPrefix("buy") { side = .buy } else if type.hasPrefix("sell") { side = .sell } else { return nil }
        if type.hasSuffix("_market") { return (side, .market, .ioc, false) }
        if type.hasSuffix("_maker") { return (side, .limit, .gtc, true) }
        if type.hasSuffix("_ioc") { return (side, .limit, .ioc, false) }
        if type.hasSuffix("_fok") { return (side, .limit, .fok, false) }
        return (side, .limit, .gtc, false)
    }

    /// LBank status → unified (3 "partially filled then cancelled" is cancelled; 4 "cancelling" still open).
    public static func status(_ s: Int, filled: Bool) -> OrderStatus {
        switch s {
        case -1, 3: .canceled
        case 0: .open
        case 1: .partiallyFilled
        case 2: .filled
        case 4: filled ? .partiallyFilled : .open
        default: .unknown
        }
    }
}
