/// Unified order state from `order.$symbol` pushes and REST rows (fmex.md §6). A push carries the
/// order's whole state (cumulative `fee`, average `fill_price`, `unfilled_quantity`), so a fill
/// is derived from each decrease of the unfilled quantity, priced from the change of the average.
/// Orders seen but not placed by us are kept as candidates for a placement whose reply was lost.
import HFTCore
import Synchronization

public final class FMexOrderTracker: Sendable {
    struct Entry {
        var order: Order
        var filled: FixedDecimal
        var fee: FixedDecimal
        /// Placed by an answered request of ours (or claimed by a reconciliation).
        var claimed: Bool
        /// Reported to watchers at least once (an entry made by `placed` is not).
        var delivered = true
        /// When the tracker first heard of the order (µs, wall clock).
        var firstSeen: Timestamp = WallClock.microseconds()
    }

    struct State {
        var entries: [String: Entry] = [:]
    }

    private let state = Mutex(State())
    private static let limit = 10_000

    public init() {}

    /// FMex status → unified (fmex.md §6).
    public static func status(_ s: String, filled: FixedDecimal) -> OrderStatus {
        switch s {
        case "PENDING", "STOP_PENDING": return filled.isZero ? .open : .partiallyFilled
        case "PARTIAL_FILLED": return .partiallyFilled
        case "FULLY_FILLED": return .filled
        case "PARTIAL_CANCELLED", "FULLY_CANCELLED", "STOP_CANCELLED": return .canceled
        case "STOP_FAILED": return .rejected
        default: return .unknown
        }
    }

    /// Remembers an order our REST call placed (no event: the push or the REST row reports it).
    public func placed(_ orderID: String, order: PlaceOrder) {
        state.withLock { s in
            if s.entries[orderID] != nil {
                // The push beat the REST reply: the order is ours, and so is its (local) client id.
                s.entries[orderID]?.claimed = true
                if s.entries[orderID]?.order.clientOrderID == nil { s.entries[orderID]?.order.clientOrderID = order.clientOrderID }
                return
            }
            let o = Order(venue: .fmex, symbol: FMexSymbols.unified(FMexSymbols.payload(order.symbol)) ?? order.symbol, orderID: orderID,
                          clientOrderID: order.clientOrderID, side: order.side, type: order.type, timeInForce: order.timeInForce,
                          postOnly: order.postOnly, price: order.price, quantity: order.quantity, status: .open,
                          timestamp: WallClock.microseconds())
            s.entries[orderID] = Entry(order: o, filled: .zero, fee: .zero, claimed: true, delivered: false)
        }
    }

    /// The order id of an order this process placed with `clientOrderID` (FMex keeps none itself).
    public func orderID(forClientOrderID clientOrderID: String) -> String? {
        state.withLock { $0.entries.first { $0.value.order.clientOrderID == clientOrderID }?.key }
    }

    public func isKnown(_ id: String) -> Bool { state.withLock { $0.entries[id] != nil } }
    public func isClaimed(_ id: String) -> Bool { state.withLock { $0.entries[id]?.claimed == true } }

    public var openOrders: [Order] {
        state.withLock { $0.entries.values.map(\.order).filter { !$0.status.isFinal }.sorted { $0.orderID < $1.orderID } }
    }

    public func order(_ id: String) -> Order? { state.withLock { $0.entries[id]?.order } }

    /// Orders first seen at or after `since` (µs) that no answered request of ours placed
    /// (candidates for a placement whose reply was lost).
    func unclaimed(since: Timestamp) -> [Order] {
        state.withLock { $0.entries.values.filter { !$0.claimed && $0.firstSeen >= since }.map(\.order) }
    }

    /// Applies one push (or REST row); returns the events to deliver.
    public func apply(_ u: FMexOrderPush) -> [OrderEvent] {
        guard let symbol = FMexSymbols.unified(u.symbol) else { return [] }
        return state.withLock { s in
            let previous = s.entries[u.id]
            let filled = u.filledQuantity
            let status = Self.status(u.status, filled: filled)
            if let p = previous, p.order.status.isFinal && !status.isFinal { return [] }
            if let p = previous, filled < p.filled { return [] }
            let tif: TimeInForce = u.features & 0x01 != 0 ? .fok : (u.features & 0x08 != 0 ? .ioc : .gtc)
            let o = Order(venue: .fmex, symbol: symbol, orderID: u.id, clientOrderID: previous?.order.clientOrderID, side: u.side,
                          type: u.type, timeInForce: tif, postOnly: u.features & 0x02 != 0, price: u.price ?? previous?.order.price,
                          quantity: u.quantity, filledQuantity: filled, averagePrice: u.fillPrice, status: status,
                          timestamp: WallClock.microseconds())
            if let p = previous, p.delivered, p.order.status == o.status, p.order.filledQuantity == o.filledQuantity, p.order.price == o.price,
               p.order.quantity == o.quantity { return [] }
            var events: [OrderEvent] = [.order(o)]
            let before = previous?.filled ?? .zero
            if filled > before {
                let dq = filled - before
                let scale = max(8, u.fillPrice?.scale ?? 8)
                var price = u.fillPrice ?? u.price ?? .zero
                if let avg = u.fillPrice, let oldAvg = previous?.order.averagePrice, !before.isZero,
                   let p = (avg * filled - oldAvg * before).divided(by: dq, scale: scale), p > .zero {
                    price = p
                }
                let fee = u.fee - (previous?.fee ?? .zero)
                events.append(.fill(Fill(venue: .fmex, symbol: symbol, tradeID: "\(u.id):\(filled)", orderID: u.id,
                                         clientOrderID: o.clientOrderID, side: u.side, price: price, quantity: dq,
                                         fee: fee, feeCurrency: u.marginCurrency, liquidity: u.type == .market ? .taker : .maker,
                                         timestamp: o.timestamp)))
            }
            s.entries[u.id] = Entry(order: o, filled: filled, fee: u.fee, claimed: previous?.claimed ?? false,
                                    firstSeen: previous?.firstSeen ?? WallClock.microseconds())
            if s.entries.count > Self.limit {
                let finished = s.entries.filter { $0.value.order.status.isFinal }.map(\.key)
                for id in finished.prefix(finished.count / 2) { s.entries[id] = nil }
            }
            return events
        }
    }

    /// An order believed open that the venue no longer lists and could not be read: its state is unknown.
    func markUnknown(_ id: String) -> [OrderEvent] {
        state.withLock { s in
            guard var e = s.entries[id], !e.order.status.isFinal, e.order.status != .unknown else { return [] }
            e.order.status = .unknown
            e.order.timestamp = WallClock.microseconds()
            s.entries[id] = e
            return [.order(e.order)]
        }
    }
}

/// Private order, balance and position state with its watchers; pushes and REST views go
/// through one lock, so watchers see events in the order they were applied; never dropped.
final class FMexPrivateFeed: Sendable {
    let orders = FMexOrderTracker()

    private struct Sinks {
        var orders: [EventStream<OrderEvent>] = []
        var balances: [EventStream<Balance>] = []
        var positions: [EventStream<Position>] = []
        var lastBalance: [String: Balance] = [:]
        var lastPosition: [String: Position] = [:]
    }
    private let sinks = Mutex(Sinks())

    func addOrderSink(_ s: EventStream<OrderEvent>) { sinks.withLock { $0.orders.append(s) } }
    func addBalanceSink(_ s: EventStream<Balance>) {
        sinks.withLock { x in
            for b in x.lastBalance.values.sorted(by: { $0.asset < $1.asset }) { s.push(b) }
            x.balances.append(s)
        }
    }
    func addPositionSink(_ s: EventStream<Position>) {
        sinks.withLock { x in
            for p in x.lastPosition.values.sorted(by: { $0.symbol.description < $1.symbol.description }) { s.push(p) }
            x.positions.append(s)
        }
    }

    var watchingOrders: Bool { sinks.withLock { !$0.orders.isEmpty } }
    var watchingBalances: Bool { sinks.withLock { !$0.balances.isEmpty } }
    var watchingPositions: Bool { sinks.withLock { !$0.positions.isEmpty } }

    func apply(_ u: FMexOrderPush) { sinks.withLock { s in s.orders.fanOut(orders.apply(u)) } }
    func deliver(_ events: [OrderEvent]) { sinks.withLock { s in s.orders.fanOut(events) } }

    /// Balance: `available`, frozen = order margin + position margin.
    func apply(_ a: FMexAccount) {
        sinks.withLock { s in
            let frozen = a.frozen + a.positionMargin
            if let old = s.lastBalance[a.currency], old.available == a.available, old.frozen == frozen { return }
            let b = Balance(venue: .fmex, asset: a.currency, available: a.available, frozen: frozen, timestamp: WallClock.microseconds())
            s.lastBalance[a.currency] = b
            s.balances.fanOut([b])
        }
    }

    /// Position in contracts (USD), signed: SHORT is negative; leverage 0 = cross margin.
    func apply(_ p: FMexPositionPush) {
        guard let symbol = FMexSymbols.unified(p.symbol) else { return }
        sinks.withLock { s in
            let position = Position(venue: .fmex, symbol: symbol, quantity: p.long ? p.quantity : p.quantity.negated,
                                    entryPrice: p.entryPrice, leverage: p.leverage, margin: p.margin,
                                    liquidationPrice: p.liquidationPrice, bankruptcyPrice: p.bankruptcyPrice,
                                    realizedPnL: p.realizedPnL, timestamp: p.updatedAt.map { $0 &* 1000 } ?? WallClock.microseconds())
            if let old = s.lastPosition[p.symbol], old.quantity == position.quantity, old.margin == position.margin,
               old.entryPrice == position.entryPrice, old.realizedPnL == position.realizedPnL { return }
            s.lastPosition[p.symbol] = position
            s.positions.fanOut([position])
        }
    }

    func finishAll() {
        sinks.withLock { s in
            for x in s.orders { x.finish() }
            for x in s.balances { x.finish() }
            for x in s.positions { x.finish() }
            s = Sinks()
        }
    }
}
