/// The most recent finished orders of one account, for order-status queries after an order
/// left the book (bounded; the oldest are forgotten first).
struct OrderHistory: Sendable {
    var capacity = 1_000
    private var orders: [SimOrderID: SimOrder] = [:]
    private var byClientID: [String: SimOrderID] = [:]
    private var fifo: [SimOrderID] = []
    private var head = 0

    mutating func record(_ order: SimOrder) {
        guard capacity > 0 else { return }
        if orders.updateValue(order, forKey: order.id) == nil { fifo.append(order.id) }
        if let c = order.order.clientOrderID { byClientID[c] = order.id }
        while fifo.count - head > capacity {
            let old = fifo[head]
            head += 1
            if let o = orders.removeValue(forKey: old), let c = o.order.clientOrderID, byClientID[c] == old {
                byClientID.removeValue(forKey: c)
            }
        }
        if head > 1_024 && head * 2 > fifo.count {
            fifo.removeFirst(head)
            head = 0
        }
    }

    func find(_ ref: OrderRef) -> SimOrder? {
        switch ref {
        case .id(let id): orders[id]
        case .clientID(let c): byClientID[c].flatMap { orders[$0] }
        }
    }
}
