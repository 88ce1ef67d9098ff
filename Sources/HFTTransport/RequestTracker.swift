import HFTCore
import NIOCore

/// Correlates responses with pending requests by id. Confined to one event loop (no locks):
/// register, complete, time out and fail all happen there.
public final class RequestTracker {
    public typealias Completion = @Sendable (Result<RequestResult, HFTError>) -> Void

    private struct Pending {
        let method: String
        let request: String
        let expectation: ResponseExpectation
        let timeoutMicros: UInt64
        let completion: Completion
        var sentAt: UInt64 = 0
        var responses: [ByteBuffer] = []
        var firstLatency: UInt64 = 0
        var timer: Scheduled<Void>?
    }

    public let eventLoop: any EventLoop
    private var pending: [RequestID: Pending] = [:]

    public init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    public var pendingCount: Int { pending.count }
    @inline(__always) public var hasPending: Bool { !pending.isEmpty }

    /// Starts tracking `id`; the timeout runs from now. A duplicate id fails immediately.
    public func register(id: RequestID, method: String, request: String, expectation: ResponseExpectation,
                         timeout: Duration, completion: @escaping Completion) {
        eventLoop.preconditionInEventLoop()
        guard pending[id] == nil else {
            completion(.failure(.invalidArgument("request id \(id) is already pending")))
            return
        }
        var p = Pending(method: method, request: request, expectation: expectation,
                        timeoutMicros: timeout.microseconds, completion: completion)
        p.timer = eventLoop.assumeIsolated().scheduleTask(in: timeout.timeAmount) { [self] in
            guard let p = pending.removeValue(forKey: id) else { return }
            p.completion(.failure(.noAnswer(requestID: id, timeoutMicros: p.timeoutMicros)))
        }
        pending[id] = p
    }

    /// Records the write time (taken right at `writeAndFlush`).
    public func markSent(id: RequestID, at nanos: UInt64) {
        pending[id]?.sentAt = nanos
    }

    /// Offers an inbound message with the extracted `id`; true when it answered a pending request.
    public func complete(id: RequestID, message: InboundMessage) -> Bool {
        guard var p = pending[id] else { return false }
        let now = MonotonicClock.nanoseconds()
        let latency = now >= p.sentAt ? (now - p.sentAt) / 1_000 : 0
        if p.responses.isEmpty { p.firstLatency = latency }
        p.responses.append(message.data)
        let done: Bool
        switch p.expectation {
        case .single: done = true
        case .count(let n): done = p.responses.count >= n
        case .until(let isLast): done = message.withBytes(isLast)
        }
        guard done else { pending[id] = p; return true }
        pending[id] = nil
        p.timer?.cancel()
        p.completion(.success(RequestResult(requestID: id, method: p.method, request: p.request,
                                            responses: p.responses, latencyMicros: latency,
                                            firstResponseLatencyMicros: p.firstLatency, sentAt: p.sentAt)))
        return true
    }

    /// Fails one request (e.g. its write failed or its caller went away).
    public func fail(id: RequestID, _ error: HFTError) {
        guard let p = pending.removeValue(forKey: id) else { return }
        p.timer?.cancel()
        p.completion(.failure(error))
    }

    /// Fails every pending request, oldest id first (a disconnect: `outcomeUnknown`).
    public func failAll(_ error: (RequestID) -> HFTError) {
        let all = pending.sorted { $0.key < $1.key }
        pending.removeAll()
        for (id, p) in all {
            p.timer?.cancel()
            p.completion(.failure(error(id)))
        }
    }
}
