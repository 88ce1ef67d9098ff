import NIOCore
import Synchronization

/// A buffer between a producer that must never block (the event loop) and one async consumer,
/// with an explicit `BackpressurePolicy`. Lag is measurable: `bufferedCount`, `droppedCount`.
///
/// Iterate it once (single consumer). `push` is safe from any thread.
///
/// Waking a parked consumer costs a thread wake-up (microseconds). With `wakeLoop`, wakes are
/// coalesced: a push only schedules one wake on that event loop, which runs after the loop's
/// current read batch, so a burst of pushes from the loop costs one wake (and a conflating
/// stream hands the consumer the latest value of the batch).
public final class DeliveryBuffer<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = Never

    // Internals are @usableFromInline so `push` specialises in the producer's module (an
    // unspecialised generic push spends most of its time looking up type metadata).
    @usableFromInline
    struct State {
        @usableFromInline var items = CircularBuffer<Element>(initialCapacity: 16)
        @usableFromInline var waiter: CheckedContinuation<Element?, Never>?
        @usableFromInline var finished = false
        @usableFromInline var dropped: UInt64 = 0
        @usableFromInline var delivered: UInt64 = 0
        @usableFromInline var alarmed = false
        @usableFromInline var highWater = 0
        @usableFromInline var wakeScheduled = false

        @usableFromInline init() {}
    }

    public let policy: BackpressurePolicy
    @usableFromInline let onAlarm: (@Sendable (Int) -> Void)?
    @usableFromInline let wakeLoop: (any EventLoop)?
    @usableFromInline let state = Mutex(State())

    /// `onAlarm` is called (from the producer's thread) when a `.neverDrop` buffer passes its
    /// threshold; it re-arms once the buffer drains below half of it.
    public init(policy: BackpressurePolicy, wakeLoop: (any EventLoop)? = nil, onAlarm: (@Sendable (Int) -> Void)? = nil) {
        self.policy = policy
        self.wakeLoop = wakeLoop
        self.onAlarm = onAlarm
    }

    /// Adds an element without ever blocking; returns false once the buffer is finished.
    @discardableResult
    @inlinable
    public func push(_ element: Element) -> Bool {
        var alarmAt = -1
        var scheduleWake = false
        var accepted = true
        let resume: CheckedContinuation<Element?, Never>? = state.withLock { s in
            if s.finished { accepted = false; return nil }
            if let w = s.waiter {
                if wakeLoop == nil {
                    s.waiter = nil
                    s.delivered &+= 1
                    return w
                }
                if !s.wakeScheduled { s.wakeScheduled = true; scheduleWake = true }
            }
            switch policy {
            case .conflate:
                if s.items.isEmpty { s.items.append(element) } else { s.items[s.items.startIndex] = element; s.dropped &+= 1 }
            case .dropOldest(let capacity):
                if s.items.count >= Swift.max(1, capacity) { s.items.removeFirst(); s.dropped &+= 1 }
                s.items.append(element)
            case .neverDrop(let threshold):
                s.items.append(element)
                if !s.alarmed && s.items.count > threshold { s.alarmed = true; alarmAt = s.items.count }
            }
            if s.items.count > s.highWater { s.highWater = s.items.count }
            return nil
        }
        if let resume {
            resume.resume(returning: element)
            return true
        }
        if scheduleWake { scheduleWakeUp() }
        if alarmAt >= 0 { onAlarm?(alarmAt) }
        return accepted
    }

    @usableFromInline
    func scheduleWakeUp() {
        wakeLoop?.execute { self.wake() }
    }

    /// Hands the parked consumer the next element (coalesced wake).
    private func wake() {
        let pair: (CheckedContinuation<Element?, Never>, Element)? = state.withLock { s in
            s.wakeScheduled = false
            guard let w = s.waiter, let e = take(&s) else { return nil }
            s.waiter = nil
            return (w, e)
        }
        if let (w, e) = pair { w.resume(returning: e) }
    }

    /// Ends the sequence once the buffered elements are consumed.
    public func finish() {
        let pair: (CheckedContinuation<Element?, Never>, Element?)? = state.withLock { s in
            s.finished = true
            guard let w = s.waiter else { return nil }
            s.waiter = nil
            return (w, take(&s))
        }
        if let (w, e) = pair { w.resume(returning: e) }
    }

    public var isFinished: Bool { state.withLock { $0.finished } }
    /// Elements waiting for the consumer (the lag).
    public var bufferedCount: Int { state.withLock { $0.items.count } }
    /// Elements dropped or conflated away.
    public var droppedCount: UInt64 { state.withLock { $0.dropped } }
    /// Largest backlog seen.
    public var highWaterMark: Int { state.withLock { $0.highWater } }
    /// True while a `.neverDrop` buffer is past its threshold.
    public var isAlarmed: Bool { state.withLock { $0.alarmed } }

    /// The next element, or nil when finished (or the task is cancelled). Inlinable so the
    /// consumer's side specialises too: an unspecialised `take` runs generic metadata lookups
    /// inside the lock, which is what a fast producer then waits on.
    @inlinable
    public func next() async -> Element? {
        if let ready = tryNext() { return ready }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Element?, Never>) in
                let immediate: Element?? = state.withLock { s in
                    if let e = take(&s) { return .some(e) }
                    if s.finished || Task.isCancelled { return .some(nil) }
                    s.waiter = c
                    return nil
                }
                if let immediate { c.resume(returning: immediate) }
            }
        } onCancel: {
            let w = state.withLock { s -> CheckedContinuation<Element?, Never>? in
                defer { s.waiter = nil }
                return s.waiter
            }
            w?.resume(returning: nil)
        }
    }

    /// A buffered element without waiting (`nil` when none; `.some(nil)` when finished).
    @inlinable
    func tryNext() -> Element?? {
        state.withLock { s in
            if let e = take(&s) { return .some(e) }
            return s.finished ? .some(nil) : nil
        }
    }

    @inlinable
    func take(_ s: inout State) -> Element? {
        guard !s.items.isEmpty else { return nil }
        let e = s.items.removeFirst()
        s.delivered &+= 1
        if case .neverDrop(let threshold) = policy, s.alarmed, s.items.count < threshold / 2 { s.alarmed = false }
        return e
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let buffer: DeliveryBuffer
        @usableFromInline init(buffer: DeliveryBuffer) { self.buffer = buffer }
        @inlinable public mutating func next() async -> Element? { await buffer.next() }
    }

    @inlinable
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: self) }
}
