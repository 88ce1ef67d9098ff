import HFTCore

/// An order inside the engine: integers at the instrument's scales.
struct OrderRecord: Sendable {
    let id: SimOrderID
    let account: Int
    let side: Side
    let type: OrderType
    let timeInForce: TimeInForce
    let postOnly: Bool
    let stp: SelfTradePrevention
    /// Ticks at the price scale; 0 for market orders.
    var price: Int64
    /// Total quantity at the quantity scale (filled part included).
    var quantity: Int64
    /// A market order sized only by `quoteBudget`.
    let unboundedQuantity: Bool
    var filled: Int64 = 0
    /// Frozen for this order, in its reserve asset.
    var reserved: Int128 = 0
    /// Quote the order may still spend or receive (market orders with a quote quantity).
    var quoteBudget: Int128?
    var cumQuote: Int128 = 0
    /// Σ price × qty at scale priceScale + quantityScale (for the average price).
    var cumPriceQty: Int128 = 0
    var feePaid: Int128 = 0
    var clientOrderID: String?
    let createdAt: Timestamp
    var updatedAt: Timestamp
    var status: OrderStatus = .open
    var endReason: OrderEndReason?

    var remaining: Int64 { quantity - filled }

    static let unbounded = Int64.max / 4
}

extension InstrumentRuntime {
    /// The public view of an order record.
    func simOrder(_ o: OrderRecord, feeAssetName: String, feeScale: UInt8) -> SimOrder {
        let shownQuantity = o.unboundedQuantity ? o.filled : o.quantity
        var average: FixedDecimal?
        if o.filled > 0 {
            average = FixedDecimal(mantissa: o.cumPriceQty, scale: spec.priceScale + spec.quantityScale)
                .divided(by: quantity(o.filled), scale: derivedPriceScale, rounding: .toNearestOrAwayFromZero)
        }
        let order = Order(venue: venue, symbol: spec.symbol, orderID: String(o.id), clientOrderID: o.clientOrderID,
                          side: o.side, type: o.type, timeInForce: o.timeInForce, postOnly: o.postOnly,
                          price: o.type == .limit ? price(o.price) : nil, quantity: quantity(shownQuantity),
                          filledQuantity: quantity(o.filled), averagePrice: average, status: o.status,
                          timestamp: o.updatedAt)
        let quoteScale = perp != nil ? settleScale : self.quoteScale
        return SimOrder(id: o.id, account: AccountID(o.account), order: order,
                        cumulativeQuote: FixedDecimal(mantissa: o.cumQuote, scale: quoteScale),
                        fees: o.feePaid == 0 ? [] : [FeeAmount(asset: feeAssetName, amount: FixedDecimal(mantissa: o.feePaid, scale: feeScale))],
                        selfTradePrevention: o.stp, createdAt: o.createdAt, endReason: o.endReason)
    }
}
