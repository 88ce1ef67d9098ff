/// Binance order payloads as unified `Order` and `Fill`: from `executionReport` (every event
/// carries the full order, so no tracker is needed) and from WS API order results.
import HFTCore

extension BinanceExecutionReport {
    /// The order after this event. On cancels `c` is the cancel's own id, so the client order id
    /// reported is the original `C` when present. Market orders (price 0) have no price.
    public func unifiedOrder(symbols: BinanceSymbolMap) throws(HFTError) -> Order {
        let (type, postOnly) = BinanceUnifiedSupport.orderType(orderType)
        return Order(venue: .binance, symbol: try BinanceUnifiedSupport.symbol(symbol, symbols), orderID: String(orderID),
                     clientOrderID: originalClientOrderID ?? clientOrderID, side: side, type: type,
                     timeInForce: BinanceUnifiedSupport.timeInForce(timeInForce), postOnly: postOnly,
                     price: price.isZero ? nil : price, quantity: quantity, filledQuantity: cumulativeQty,
                     averagePrice: BinanceUnifiedSupport.averagePrice(quote: cumulativeQuoteQty, qty: cumulativeQty, priceScale: price.scale),
                     status: orderStatus.unified, timestamp: transactionTime)
    }

    /// The fill this event reports (`x` = TRADE), with its commission; nil otherwise.
    public func unifiedFill(symbols: BinanceSymbolMap) throws(HFTError) -> Fill? {
        guard executionType == .trade else { return nil }
        return Fill(venue: .binance, symbol: try BinanceUnifiedSupport.symbol(symbol, symbols),
                    tradeID: tradeID.map { String($0) } ?? "",
                    orderID: String(orderID), clientOrderID: clientOrderID, side: side, price: lastPrice, quantity: lastQty,
                    fee: commission, feeCurrency: commissionAsset ?? "", liquidity: isMaker ? .maker : .taker,
                    timestamp: transactionTime)
    }
}

extension BinanceOrderReport {
    /// The order a RESULT / FULL / cancel / status report describes; nil for the ACK shape
    /// (no side, type or quantity). `fallbackTime` stamps reports without a time.
    public func unifiedOrder(symbols: BinanceSymbolMap, fallbackTime: Timestamp = WallClock.microseconds()) -> Order? {
        guard let side, let type, let origQty, let symbol = symbols.unified(symbol) else { return nil }
        let (t, postOnly) = BinanceUnifiedSupport.orderType(type)
        let px = price.flatMap { $0.isZero ? nil : $0 }
        let filled = executedQty ?? .zero
        return Order(venue: .binance, symbol: symbol, orderID: String(orderID),
                     clientOrderID: origClientOrderID ?? clientOrderID, side: side, type: t,
                     timeInForce: BinanceUnifiedSupport.timeInForce(timeInForce), postOnly: postOnly, price: px,
                     quantity: origQty, filledQuantity: filled,
                     averagePrice: BinanceUnifiedSupport.averagePrice(quote: cumulativeQuoteQty, qty: filled, priceScale: price?.scale ?? 0),
                     status: status?.unified ?? .unknown,
                     timestamp: updateTime ?? transactTime ?? workingTime ?? time ?? fallbackTime)
    }

    /// FULL `fills[]` as unified fills. They happened on placement, so the order was the taker.
    public func unifiedFills(symbols: BinanceSymbolMap, fallbackTime: Timestamp = WallClock.microseconds()) -> [Fill] {
        guard let side, let symbol = symbols.unified(symbol) else { return [] }
        return fills.map {
            Fill(venue: .binance, symbol: symbol, tradeID: String($0.tradeID), orderID: String(orderID), clientOrderID: clientOrderID,
                 side: side, price: $0.price, quantity: $0.qty, fee: $0.commission, feeCurrency: $0.commissionAsset,
                 liquidity: .taker, timestamp: transactTime ?? fallbackTime)
        }
    }
}
