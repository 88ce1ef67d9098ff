/// Unified order state from `orders` pushes (bge.md §6) and REST order queries. The pushes carry
/// the order's whole state but no fill rows, so a fill is derived from each increase of
/// `filled_size` (price from the `filled_amount` increase). Identical repeats produce nothing.
import HFTCore
import Synchronization

public final class BGEOrderTracker: Sendable {
    struct Entry {
        var order: Order
        var filled: FixedDecimal
        var filledQuote: FixedDecimal
        /// False for an entry `placed` made before any push: the first push is always reported.
        var announced: Bool
    }

    struct State {
        var entries: [String: Entry] = [:]
        var byClientID: [String: String] = [:]
    }

    private let state = Mutex(State())
    private static let limit = 10_000

    public init() {}

    /// BGE status codes → unified (bge.md §6): 0/1 open, 2 partial, 3 filled, 4 cancel
    /// requested (still open), 5 canceled, 6 failed, 7 reduced (open or partial).
    public static func status(_ code: Int, filled: FixedDecimal) -> OrderStatus {
        switch code {
        case 0, 1: return .open
        case 2: return .partiallyFilled
        case 3: return .filled
        case 5: return .canceled
        case 6: return .rejected
        default: return filled.isZero ? .open : .partiallyFilled
        }
    }

    /// Remembers an order our REST call placed (no event: the push reports it).
    public func placed(_ orderID: String, clientOrderID: String?, order: PlaceOrder) {
        state.withLock { s in
            if let cl = clientOrderID { s.byClientID[cl] = orderID }
            guard s.entries[orderID] == nil else { return }
            let o = Order(venue: .bge, symbol: order.symbol, orderID: orderID, clientOrderID: clientOrderID, side: order.side,
                          type: order.type, postOnly: false, price: order.price, quantity: order.quantity,
                          status: .open, timestamp: WallClock.microseconds())
            s.entries[orderID] = Entry(order: o, filled: .zero, filledQuote: .zero, announced: false)
        }
    }

    public func orderID(forClientID cl: String) -> String? { state.withLock { $0.byClientID[cl] } }

    public var openOrders: [Order] {
        state.withLock { $0.entries.values.map(\.order).filter { !$0.status.isFinal }.sorted { $0.orderID < $1.orderID } }
    }

    public func order(_ id: String) -> Order? { state.withLock { $0.entries[id]?.order } }

    /// Applies one push (or REST view); returns the events to deliver.
    /// A price derived by division (quote ÷ base filled), shown at the order price's scale when
    /// that is exact (`80000.12`, not `80000.12000000`); kept at the finer scale otherwise.
    static func atPriceScale(_ x: FixedDecimal, of price: FixedDecimal?) -> FixedDecimal {
        guard let s = price?.scale, s < x.scale else { return x }
        let r = x.rescaled(to: s)
        return r == x ? r : x
    }

    public func apply(_ u: BGEOrderPush) -> [OrderEvent] {
        guard let symbol = BGESymbols.unified(u.product) else { return [] }
        return state.withLock { s in
            let previous = s.entries[u.orderID]
            let status = Self.status(u.status, filled: u.filledSize)
            if let p = previous, p.order.status.isFinal && !status.isFinal { return [] }
            if let p = previous, u.filledSize < p.filled { return [] }
            if let cl = u.clientOrderID { s.byClientID[cl] = u.orderID }
            let qty = u.size ?? previous?.order.quantity ?? u.filledSize
            let avg = u.filledSize.isZero ? nil : u.filledAmount.divided(by: u.filledSize, scale: max(8, u.price?.scale ?? 8))
                .map { Self.atPriceScale($0, of: u.price ?? previous?.order.price) }
            let o = Order(venue: .bge, symbol: symbol, orderID: u.orderID,
                          clientOrderID: u.clientOrderID ?? previous?.order.clientOrderID, side: u.side, type: u.type,
                          postOnly: false, price: (u.price?.isZero ?? true) ? previous?.order.price : u.price,
                          quantity: max(qty, u.filledSize), filledQuantity: u.filledSize, averagePrice: avg, status: status,
                          timestamp: WallClock.microseconds())
            if let p = previous, p.announced, p.order.status == o.status, p.order.filledQuantity == o.filledQuantity,
               p.order.quantity == o.quantity, p.order.price == o.price { return [] }
            var events: [OrderEvent] = [.order(o)]
            let before = previous?.filled ?? .zero
            if u.filledSize > before {
                let dq = u.filledSize - before
                let dn = u.filledAmount - (previous?.filledQuote ?? .zero)
                let scale = max(8, u.price?.scale ?? 8)
                let derived = dn > .zero ? dn.divided(by: dq, scale: scale) : nil
                let price = derived.map { Self.atPriceScale($0, of: u.price ?? previous?.order.price) } ?? u.price ?? .zero
                events.append(.fill(Fill(venue: .bge, symbol: symbol, tradeID: "\(u.orderID):\(u.filledSize)", orderID: u.orderID,
                                         clientOrderID: o.clientOrderID, side: u.side, price: price, quantity: dq,
                                         fee: .zero, feeCurrency: "", liquidity: u.type == .market ? .taker : .maker,
                                         timestamp: o.timestamp)))
            }
            s.entries[u.orderID] = Entry(order: o, filled: u.filledSize, filledQuote: u.filledAmount, announced: true)
            if s.entries.count > Self.limit {
                let finished = s.entries.filter { $0.value.order.status.isFinal }.map(\.key)
                for id in finished.prefix(finished.count / 2) { s.entries[id] = nil }
            }
            return events
        }
    }
}

/// Private order and balance state with its watchers; pushes and REST views go through one
/// lock, so watchers see events in the order they were applied; never dropped.
final class BGEPrivateFeed: Sendable {
    let orders = BGEOrderTracker()

    private struct Sinks {
        var orders: [EventStream<OrderEvent>] = []
        var balances: [EventStream<Balance>] = []
        var lastBalance: [String: Balance] = [:]
    }
    private let sinks = Mutex(Sinks())

    func addOrderSink(_ s: EventStream<OrderEvent>) { sinks.withLock { $0.orders.append(s) } }
    func addBalanceSink(_ s: EventStream<Balance>) {
        sinks.withLock { x in
            for b in x.lastBalance.values.sorted(by: { $0.asset < $1.asset }) { s.push(b) }
            x.balances.append(s)
        }
    }

    var watchingOrders: Bool { sinks.withLock { !$0.orders.isEmpty } }
    var watchingBalances: Bool { sinks.withLock { !$0.balances.isEmpty } }

    func apply(_ u: BGEOrderPush) { sinks.withLock { s in s.orders.fanOut(orders.apply(u)) } }

    func apply(_ a: BGEAsset) {
        sinks.withLock { s in
            if let old = s.lastBalance[a.currency], old.available == a.available, old.frozen == a.hold { return }
            let b = Balance(venue: .bge, asset: a.currency, available: a.available, frozen: a.hold, timestamp: WallClock.microseconds())
            s.lastBalance[a.currency] = b
            s.balances.fanOut([b])
        }
    }

    func finishAll() {
        sinks.withLock { s in
            for x in s.orders { x.finish() }
            for x in s.balances { x.finish() }
            s = Sinks()
        }
    }
}
