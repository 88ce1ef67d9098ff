import HFTCore
import NIOCore
import Synchronization

/// `cancel_all_orders_after` (§7.5): one timer per account; re-sending re-arms it, 0 disarms
/// it, and on expiry every open order of the account is cancelled and the timer disarms.
final class KrakenDeadMansSwitch: Sendable {
    private let exchange: SimulatedExchange
    private let timers = Mutex<[AccountID: (task: Scheduled<Void>, generation: UInt64)]>([:])
    private let generations = Atomic<UInt64>(0)

    init(exchange: SimulatedExchange) { self.exchange = exchange }

    /// Arms (or with 0 disarms) the account's timer on `loop`.
    func arm(_ account: AccountID, timeoutSeconds: Int64, on loop: any EventLoop) {
        let generation = generations.add(1, ordering: .relaxed).newValue
        let old = timers.withLock { t in t.removeValue(forKey: account) }
        old?.task.cancel()
        guard timeoutSeconds > 0 else { return }
        let task = loop.scheduleTask(in: .seconds(timeoutSeconds)) { [weak self] in
            guard let self else { return }
            // Fire only if not re-armed meanwhile.
            let current = self.timers.withLock { t -> Bool in
                guard t[account]?.generation == generation else { return false }
                t[account] = nil
                return true
            }
            if current { _ = try? self.exchange.cancelAllOrders(account) }
        }
        timers.withLock { $0[account] = (task, generation) }
    }

    func cancelAll() {
        let all = timers.withLock { t in defer { t.removeAll() }; return Array(t.values) }
        for t in all { t.task.cancel() }
    }
}
