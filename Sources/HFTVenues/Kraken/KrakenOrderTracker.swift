/// Merges the sparse `executions` events (kraken.md §8.1) into unified `Order`s and `Fill`s.
/// The first event seen for an order must carry its details (pending_new, or a snapshot entry);
/// events for orders never seen in full come back `.untracked` for the caller to reconcile.
/// Terminal orders are reported once, then forgotten.
import HFTCore

public struct KrakenOrderTracker: Sendable {
    public enum Event: Sendable, Hashable {
        case order(Order, fill: Fill?)
        /// Not enough is known about this order to build an `Order` (side, symbol missing).
        case untracked(KrakenExecution)
        /// For an order already reported terminal: the `filled` that follows a completing `trade`
        /// (kraken.md §8.1), or a late duplicate. Nothing new to report.
        case late(KrakenExecution)
    }

    public private(set) var orders: [String: Order] = [:]
    /// Orders reported terminal recently, oldest first (bounded), so late events are recognised.
    private var finished: Set<String> = []
    private var finishedOrder: [String] = []
    static let finishedMemory = 4_096

    public init() {}

    /// Applies a whole message; a snapshot replaces what is known.
    public mutating func apply(_ message: KrakenExecutionsMessage) -> [Event] {
        if message.type == .snapshot { orders.removeAll(keepingCapacity: true) }
        return message.data.map { apply($0) }
    }

    public mutating func apply(_ x: KrakenExecution) -> Event {
        var order: Order
        if let known = orders[x.orderID] {
            order = known
        } else if finished.contains(x.orderID) {
            return .late(x)
        } else {
            guard let native = x.symbol, let symbol = KrakenSymbols.unified(native), let side = x.side else { return .untracked(x) }
            order = Order(venue: .kraken, symbol: symbol, orderID: x.orderID, side: side,
                          type: x.orderType == "market" ? .market : .limit, price: nil, quantity: .zero,
                          status: .pending, timestamp: x.timestamp ?? 0)
        }
        if let v = x.clOrdID { order.clientOrderID = v }
        if let v = x.limitPrice { order.price = v }
        if let v = x.orderQty { order.quantity = v }
        if let v = x.postOnly { order.postOnly = v }
        if let v = x.orderType { order.type = v == "market" ? .market : .limit }
        if let v = x.timeInForce { order.timeInForce = v.lowercased() == "ioc" ? .ioc : .gtc }
        if let v = x.avgPrice { order.averagePrice = v }
        if let v = x.timestamp { order.timestamp = v }
        if let v = x.cumQty {
            order.filledQuantity = v
        } else if x.execType == .trade, let q = x.lastQty {
            order.filledQuantity += q
        }
        order.status = Self.status(x, previous: order.status)

        var fill: Fill?
        if x.execType == .trade, let price = x.lastPrice, let qty = x.lastQty {
            let feeAsset = x.fees.first?.asset ?? order.symbol.quote
            let fee = x.fees.filter { $0.asset == feeAsset }.reduce(FixedDecimal.zero) { $0 + $1.qty }
            fill = Fill(venue: .kraken, symbol: order.symbol, tradeID: x.tradeID.map { String($0) } ?? x.execID ?? "",
                        orderID: x.orderID, clientOrderID: order.clientOrderID, side: order.side, price: price, quantity: qty,
                        fee: fee, feeCurrency: feeAsset, liquidity: x.liquidity ?? .taker, timestamp: x.timestamp ?? order.timestamp)
        }
        if order.status.isFinal {
            orders[x.orderID] = nil
            remember(x.orderID)
        } else {
            orders[x.orderID] = order
        }
        return .order(order, fill: fill)
    }

    private mutating func remember(_ id: String) {
        guard finished.insert(id).inserted else { return }
        finishedOrder.append(id)
        if finishedOrder.count > Self.finishedMemory {
            let drop = finishedOrder.count - Self.finishedMemory / 2
            for old in finishedOrder.prefix(drop) { finished.remove(old) }
            finishedOrder.removeFirst(drop)
        }
    }

    /// Terminal exec types decide; otherwise `order_status`; otherwise the exec type's implied state.
    public static func status(_ x: KrakenExecution, previous: OrderStatus) -> OrderStatus {
        switch x.execType {
        case .filled: return .filled
        case .canceled: return .canceled
        case .expired: return .expired
        default: break
        }
        switch x.orderStatus {
        case .pendingNew: return .pending
        case .new: return .open
        case .partiallyFilled: return .partiallyFilled
        case .filled: return .filled
        case .canceled: return .canceled
        case .expired: return .expired
        case .other, nil: break
        }
        switch x.execType {
        case .pendingNew: return .pending
        case .new: return previous == .pending ? .open : previous
        case .trade: return previous.isFinal ? previous : .partiallyFilled
        default: return previous
        }
    }
}
