/// Unified order state from `order.update` pushes and REST order queries. The pushes carry the
/// order's whole state but no fill rows, so a fill is derived from each increase of `filled`
/// (price from the `notional` increase). Identical repeats (two sockets during a recycle, a
/// REST resync that agrees with the pushes) produce no event.
import HFTCore
import Synchronization

public final class DigiFinexOrderTracker: Sendable {
    struct Entry {
        var order: Order
        var filled: FixedDecimal
        var notional: FixedDecimal
        /// False while only our REST ack knows the order: its first push is always delivered.
        var announced = true
    }

    struct State {
        var entries: [String: Entry] = [:]
        /// Client ids given at placement (DigiFinex has none on the wire).
        var clientIDs: [String: String] = [:]
        var byClientID: [String: String] = [:]
    }

    private let state = Mutex(State())
    private static let finishedLimit = 10_000

    public init() {}

    /// Remembers an order our REST call placed (no event: the push reports it).
    public func placed(_ orderID: String, clientOrderID: String?, order: PlaceOrder) {
        state.withLock { s in
            if let cl = clientOrderID {
                s.clientIDs[orderID] = cl
                s.byClientID[cl] = orderID
            }
            if var e = s.entries[orderID] {
                // The push came first: complete what it could not know.
                e.order.clientOrderID = clientOrderID ?? e.order.clientOrderID
                e.order.postOnly = order.postOnly
                s.entries[orderID] = e
            } else {
                let o = Order(venue: .digifinex, symbol: order.symbol, orderID: orderID, clientOrderID: clientOrderID, side: order.side,
                              type: order.type, postOnly: order.postOnly, price: order.price, quantity: order.quantity,
                              status: .open, timestamp: WallClock.microseconds())
                s.entries[orderID] = Entry(order: o, filled: .zero, notional: .zero, announced: false)
            }
        }
    }

    public func orderID(forClientID cl: String) -> String? { state.withLock { $0.byClientID[cl] } }

    public func isKnown(_ orderID: String) -> Bool { state.withLock { $0.entries[orderID] != nil } }

    /// Orders not in a final state.
    public var openOrders: [Order] {
        state.withLock { $0.entries.values.map(\.order).filter { !$0.status.isFinal }.sorted { $0.orderID < $1.orderID } }
    }

    public func order(_ id: String) -> Order? { state.withLock { $0.entries[id]?.order } }

    /// Applies one push; returns the events to deliver (none for an identical repeat).
    public func apply(_ u: DigiFinexOrderUpdate) -> [OrderEvent] {
        guard let symbol = DigiFinexSymbols.unified(u.symbol) else { return [] }
        return update(u.id, symbol: symbol, side: u.side, type: u.type, status: u.status, amount: u.amount, filled: u.filled,
                      notional: u.notional, price: u.price, average: u.priceAvg, timestamp: u.timestamp)
    }

    /// Applies a REST view of an order (resync after a reconnect, settling a lost reply).
    public func apply(_ r: DigiFinexRESTOrder) -> [OrderEvent] {
        guard let symbol = DigiFinexSymbols.unified(r.symbol) else { return [] }
        let notional = r.averagePrice * r.executedAmount
        return update(r.orderID, symbol: symbol, side: r.side, type: r.isMarket ? .market : .limit, status: r.status,
                      amount: r.amount, filled: r.executedAmount, notional: notional, price: r.price, average: r.averagePrice,
                      timestamp: r.createdDate * 1_000_000)
    }

    static func status(_ code: Int, filled: FixedDecimal) -> OrderStatus {
        switch code {
        case 0: return .open
        case 1: return .partiallyFilled
        case 2: return .filled
        case 3, 4: return .canceled
        default: return filled.isZero ? .open : .partiallyFilled
        }
    }

    private func update(_ id: String, symbol: Symbol, side: Side, type: OrderType, status code: Int, amount: FixedDecimal,
                        filled: FixedDecimal, notional: FixedDecimal, price: FixedDecimal, average: FixedDecimal,
                        timestamp: Timestamp) -> [OrderEvent] {
        state.withLock { s in
            let previous = s.entries[id]
            let status = Self.status(code, filled: filled)
            // Never step back: a stale view (older REST reply) does not undo a newer push.
            if let p = previous, p.order.status.isFinal && !status.isFinal { return [] }
            if let p = previous, filled < p.filled { return [] }
            var o = Order(venue: .digifinex, symbol: symbol, orderID: id, clientOrderID: s.clientIDs[id] ?? previous?.order.clientOrderID,
                          side: side, type: type, postOnly: previous?.order.postOnly ?? false,
                          price: type == .market || price.isZero ? previous?.order.price : price,
                          quantity: amount.isZero ? (previous?.order.quantity ?? filled) : amount,
                          filledQuantity: filled, averagePrice: average.isZero ? nil : average, status: status,
                          timestamp: timestamp != 0 ? timestamp : WallClock.microseconds())
            if o.quantity < filled { o.quantity = filled }
            if let p = previous, p.announced, Self.same(p.order, o) { return [] }
            var events: [OrderEvent] = []
            let before = previous?.filled ?? .zero
            if filled > before {
                let qty = filled - before
                let notionalDelta = notional - (previous?.notional ?? .zero)
                let scale = max(price.scale, average.scale)
                var fillPrice = notionalDelta > .zero ? notionalDelta.divided(by: qty, scale: scale) : nil
                if fillPrice == nil || fillPrice!.isZero { fillPrice = average.isZero ? price : average }
                events.append(.fill(Fill(venue: .digifinex, symbol: symbol, tradeID: "\(id):\(filled)", orderID: id,
                                         clientOrderID: o.clientOrderID, side: side, price: fillPrice ?? price, quantity: qty,
                                         fee: .zero, feeCurrency: "", liquidity: type == .market ? .taker : .maker,
                                         timestamp: o.timestamp)))
            }
            events.insert(.order(o), at: 0)
            s.entries[id] = Entry(order: o, filled: filled, notional: notional.isZero && filled > .zero ? average * filled : notional)
            if s.entries.count > Self.finishedLimit { Self.pruneFinished(&s) }
            return events
        }
    }

    /// Equal apart from the timestamp.
    static func same(_ a: Order, _ b: Order) -> Bool {
        a.status == b.status && a.filledQuantity == b.filledQuantity && a.quantity == b.quantity && a.price == b.price
            && a.averagePrice == b.averagePrice
    }

    private static func pruneFinished(_ s: inout State) {
        let finished = s.entries.filter { $0.value.order.status.isFinal }.sorted { $0.value.order.timestamp < $1.value.order.timestamp }
        for (id, _) in finished.prefix(finished.count / 2) {
            s.entries[id] = nil
            if let cl = s.clientIDs.removeValue(forKey: id) { s.byClientID[cl] = nil }
        }
    }
}

/// Absolute balances from `balance.update` and the REST assets snapshot; identical repeats
/// produce nothing.
public final class DigiFinexBalanceBook: Sendable {
    private let state = Mutex<[String: Balance]>([:])
    public init() {}

    public func apply(_ u: DigiFinexBalanceUpdate) -> Balance? {
        set(Balance(venue: .digifinex, asset: u.currency, available: u.free, frozen: u.used, timestamp: WallClock.microseconds()))
    }

    public func apply(_ a: DigiFinexAsset) -> Balance? {
        set(Balance(venue: .digifinex, asset: a.currency, available: a.free, frozen: a.frozen, timestamp: WallClock.microseconds()))
    }

    public var all: [Balance] { state.withLock { $0.values.sorted { $0.asset < $1.asset } } }

    private func set(_ b: Balance) -> Balance? {
        state.withLock { m in
            if let old = m[b.asset], old.available == b.available, old.frozen == b.frozen { return nil }
            m[b.asset] = b
            return b
        }
    }
}
