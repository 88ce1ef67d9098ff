import HFTCore
import Synchronization

/// Runs an exchange's synthetic flow on a timer at a target rate of book level changes per
/// second, from quiet (`5`) to benchmark rates (`100_000`+): every `tick` it runs flow actions
/// until the changes due since the last tick are made (overshoot is carried over).
public final class FlowDriver: Sendable {
    public let exchange: SimulatedExchange
    public let symbol: Symbol?
    private let tick: Duration
    private let rate: Mutex<Double>
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let counters = Mutex<(actions: Int, changes: Int)>((0, 0))

    public init(exchange: SimulatedExchange, bookUpdatesPerSecond: Double, tick: Duration = .milliseconds(10),
                symbol: Symbol? = nil) {
        self.exchange = exchange
        self.symbol = symbol
        self.tick = tick
        rate = Mutex(max(0, bookUpdatesPerSecond))
    }

    /// The target rate; may change while running.
    public var bookUpdatesPerSecond: Double {
        get { rate.withLock { $0 } }
        set { rate.withLock { $0 = max(0, newValue) } }
    }

    /// Flow actions run and book level changes made so far.
    public var totals: (actions: Int, bookChanges: Int) { counters.withLock { ($0.actions, $0.changes) } }

    public func start() {
        task.withLock { t in
            guard t == nil else { return }
            t = Task { [weak self, tick] in
                let clock = ContinuousClock()
                var last = clock.now
                var due = 0.0
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    guard let self else { return }
                    let now = clock.now
                    self.advance(elapsed: now - last, due: &due)
                    last = now
                }
            }
        }
    }

    public func stop() {
        task.withLock { t in
            t?.cancel()
            t = nil
        }
    }

    deinit { task.withLock { $0?.cancel() } }

    private func advance(elapsed: Duration, due: inout Double) {
        let rate = bookUpdatesPerSecond
        // Never build a backlog of more than 10 ticks (a paused process must not burst).
        due = min(due + rate * Self.seconds(elapsed), max(1, rate * Self.seconds(tick) * 10))
        var made = 0, actions = 0
        while Double(made) + 1 <= due && actions <= Int(due) + 64 {
            let chunk = max(1, min(256, Int(due) - made))
            made += exchange.stepFlow(actions: chunk, symbol: symbol)
            actions += chunk
        }
        due -= Double(made)
        if actions > 0 { counters.withLock { $0.actions += actions; $0.changes += made } }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
