import NIOCore

/// The timers of one WebSocket session, cancelled together when it dies. A value owned by the
/// session, so confined to its event loop.
struct SimSessionTimers {
    /// The server's heartbeat (ping or heartbeat message).
    var ping: RepeatedTask?
    /// The connection-age limit or forced disconnect.
    var age: Scheduled<Void>?
    /// A deadline the client must meet: first subscription, next ping, any frame.
    var deadline: Scheduled<Void>?
    /// A periodic push (book refresh, all-ticker snapshot).
    var cadence: RepeatedTask?

    init() {}

    /// Cancels and forgets the client deadline.
    mutating func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }

    /// Cancels and forgets every timer.
    mutating func cancelAll() {
        ping?.cancel()
        age?.cancel()
        deadline?.cancel()
        cadence?.cancel()
        self = SimSessionTimers()
    }
}
