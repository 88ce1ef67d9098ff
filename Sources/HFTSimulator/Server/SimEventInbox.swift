import NIOCore
import Synchronization

/// A front-end's per-connection state: lives on its connection's event loop and turns exchange
/// events into the venue's frames.
protocol SimEventSession: AnyObject, SendableMetatype {
    var server: ServerSession { get }
    /// An empty array with capacity, reused for the next burst.
    func takeSpareBatch() -> [SimEvent]
    func returnSpareBatch(_ batch: [SimEvent])
    /// Encodes and writes one burst of events, in order.
    func process(_ events: [SimEvent])
}

extension SimEventSession {
    /// Sessions that keep no spare batch get a fresh array per burst.
    func takeSpareBatch() -> [SimEvent] { [] }
    func returnSpareBatch(_ batch: [SimEvent]) {}
}

/// The thread-safe handle of one front-end connection. Exchange events arrive on whichever
/// thread delivers them and are queued here without blocking; one drain per burst hands them,
/// in order, to the connection's session on its event loop, which writes them as one batch.
final class SimEventInbox<Session: SimEventSession>: Sendable {
    let loop: any EventLoop
    private let core: NIOLoopBound<Session>
    private let inbox = Mutex(Inbox())

    private struct Inbox {
        var events: [SimEvent] = []
        var scheduled = false
        var closed = false
    }

    /// Call on `session.server.eventLoop`.
    init(session: Session) {
        loop = session.server.eventLoop
        core = NIOLoopBound(session, eventLoop: loop)
    }

    /// Runs `body` with the session on its event loop (inline when already there).
    func withSession(_ body: @escaping @Sendable (Session) -> Void) {
        if loop.inEventLoop {
            body(core.value)
        } else {
            loop.execute { [self] in body(core.value) }
        }
    }

    /// Queues an exchange event (any thread).
    func enqueue(_ event: SimEvent) {
        let schedule = inbox.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.events.append(event)
            guard !s.scheduled else { return false }
            s.scheduled = true
            return true
        }
        if schedule { loop.execute { [self] in drain() } }
    }

    /// Stops queueing (the connection is closing).
    func close() {
        inbox.withLock { s in
            s.closed = true
            s.events.removeAll()
        }
    }

    private func drain() {
        let session = core.value
        var batch = session.takeSpareBatch()
        inbox.withLock { s in
            s.scheduled = false
            swap(&s.events, &batch)
        }
        session.process(batch)
        batch.removeAll(keepingCapacity: true)
        session.returnSpareBatch(batch)
    }
}
