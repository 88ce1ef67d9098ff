import HFTCore

/// A subscriber to an exchange's events.
struct Subscriber: Sendable {
    let id: Int
    let filter: EventFilter
    /// Global index of the first event this subscriber sees.
    let from: UInt64
    let handler: @Sendable (SimEvent) -> Void
}

/// Ordered fan-out. Events are queued under the exchange lock in the order operations ran and
/// handed to subscribers *outside* the lock by whichever caller finds no one else delivering,
/// so handlers may call back into the exchange, and every subscriber sees one global order.
struct EventHub: Sendable {
    var subscribers: [Subscriber] = []
    var nextID = 1
    private var pending: [SimEvent] = []
    /// Global index of `pending[0]`.
    private var pendingBase: UInt64 = 0
    private var draining = false

    /// Index the next queued event will get.
    var nextIndex: UInt64 { pendingBase + UInt64(pending.count) }

    struct Batch: Sendable {
        var events: [SimEvent]
        var base: UInt64
        var subscribers: [Subscriber]
    }

    /// Queues events; returns a batch when the caller must deliver (no one else is).
    mutating func enqueue(_ events: [SimEvent]) -> Batch? {
        if subscribers.isEmpty && pending.isEmpty {
            pendingBase += UInt64(events.count)
            return nil
        }
        pending.append(contentsOf: events)
        guard !draining else { return nil }
        return take()
    }

    /// The next batch for the delivering caller, or nil (delivery finished).
    mutating func take() -> Batch? {
        guard !pending.isEmpty else { draining = false; return nil }
        draining = true
        let batch = Batch(events: pending, base: pendingBase, subscribers: subscribers)
        pendingBase += UInt64(pending.count)
        pending.removeAll(keepingCapacity: true)
        return batch
    }

    static func deliver(_ batch: Batch) {
        for (i, e) in batch.events.enumerated() {
            let index = batch.base + UInt64(i)
            for s in batch.subscribers where index >= s.from && s.filter.matches(e) {
                s.handler(e)
            }
        }
    }
}
