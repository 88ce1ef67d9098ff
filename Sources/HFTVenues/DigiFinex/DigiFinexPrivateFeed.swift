/// Private order and balance state with its watchers. Pushes from the socket and REST views
/// (snapshot, resync, settling a lost reply) go through one lock, so watchers see events in
/// the order they were applied; private events are never dropped.
import HFTCore
import Synchronization

final class DigiFinexPrivateFeed: Sendable {
    let orders = DigiFinexOrderTracker()
    let balances = DigiFinexBalanceBook()

    private struct Sinks {
        var orders: [EventStream<OrderEvent>] = []
        var balances: [EventStream<Balance>] = []
    }
    private let sinks = Mutex(Sinks())

    func addOrderSink(_ s: EventStream<OrderEvent>) { sinks.withLock { $0.orders.append(s) } }
    func addBalanceSink(_ s: EventStream<Balance>) { sinks.withLock { $0.balances.append(s) } }

    var watchingOrders: Bool { sinks.withLock { !$0.orders.isEmpty } }
    var watchingBalances: Bool { sinks.withLock { !$0.balances.isEmpty } }

    func apply(_ u: DigiFinexOrderUpdate) { sinks.withLock { s in s.orders.fanOut(orders.apply(u)) } }
    func apply(_ r: DigiFinexRESTOrder) { sinks.withLock { s in s.orders.fanOut(orders.apply(r)) } }

    func apply(_ u: DigiFinexBalanceUpdate) {
        sinks.withLock { s in if let b = balances.apply(u) { s.balances.fanOut([b]) } }
    }

    func apply(_ a: DigiFinexAsset) {
        sinks.withLock { s in if let b = balances.apply(a) { s.balances.fanOut([b]) } }
    }

    func finishAll() {
        sinks.withLock { s in
            for x in s.orders { x.finish() }
            for x in s.balances { x.finish() }
            s = Sinks()
        }
    }
}
