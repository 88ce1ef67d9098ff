import HFTCore
import NIOCore
import NIOWebSocket

/// A connection's state that outlives single sockets, confined to its event loop (no locks):
/// the current channel handler, the request tracker, the subscriptions, the delivery sinks.
final class ConnectionCore {
    let eventLoop: any EventLoop
    let hooks: any ConnectionHooks
    let tracker: RequestTracker
    let onMessage: (@Sendable (InboundMessage) -> Void)?
    let messages: DeliveryBuffer<InboundMessage>
    let emit: @Sendable (ConnectionEvent) -> Void
    /// The socket's message window, charged for the messages the handler sends by itself.
    let messageWindow: RateLimiter?

    private(set) var current: WebSocketFrameHandler?
    private(set) var subscriptions: [Subscription] = []
    /// Authenticated and every registered subscription sent on the current socket.
    var ready = false
    /// How many subscriptions (from the front) the replay has sent on the current socket.
    var replayCursor = 0
    /// Set by `forceReconnect`: the next reconnect skips the backoff.
    var forcedReconnect = false

    init(eventLoop: any EventLoop, hooks: any ConnectionHooks, onMessage: (@Sendable (InboundMessage) -> Void)?,
         messages: DeliveryBuffer<InboundMessage>, messageWindow: RateLimiter? = nil,
         emit: @escaping @Sendable (ConnectionEvent) -> Void) {
        self.eventLoop = eventLoop
        self.hooks = hooks
        self.tracker = RequestTracker(eventLoop: eventLoop)
        self.onMessage = onMessage
        self.messages = messages
        self.emit = emit
        self.messageWindow = messageWindow
    }

    @inline(__always)
    func deliver(_ m: InboundMessage) {
        if let onMessage { onMessage(m) } else { messages.push(m) }
    }


    func install(_ handler: WebSocketFrameHandler) {
        current = handler
        ready = false
        replayCursor = 0
    }

    func channelClosed(_ handler: WebSocketFrameHandler, reason: DisconnectReason) {
        guard current === handler else { return }
        current = nil
        ready = false
        replayCursor = 0
        let why = reason.description
        tracker.failAll { .outcomeUnknown(requestID: $0, reason: why) }
    }

    // MARK: Sending

    func send(_ m: OutboundMessage, promise: EventLoopPromise<Void>?) {
        guard let h = current, h.isOpen else { promise?.fail(HFTError.notConnected); return }
        h.send(m, promise: promise)
    }

    func sendRequest(id: RequestID, method: String, payload: String, expectation: ResponseExpectation,
                     timeout: Duration, completion: @escaping RequestTracker.Completion) {
        guard let h = current, h.isOpen else { completion(.failure(.notConnected)); return }
        tracker.register(id: id, method: method, request: payload, expectation: expectation,
                         timeout: timeout, completion: completion)
        tracker.markSent(id: id, at: MonotonicClock.nanoseconds())
        // A failed write means the socket is going away: channelClosed fails the request.
        h.sendText(payload)
    }

    // MARK: Subscriptions

    /// Adds or replaces (same key, same position) a subscription; true when it must be sent now:
    /// ready, or a replacement of one the running replay has already sent (it would be lost).
    func register(_ s: Subscription) -> Bool {
        if let i = subscriptions.firstIndex(where: { $0.key == s.key }) {
            subscriptions[i] = s
            return ready || i < replayCursor
        }
        subscriptions.append(s)
        return ready
    }

    func unregister(key: String) -> Bool {
        guard let i = subscriptions.firstIndex(where: { $0.key == key }) else { return false }
        subscriptions.remove(at: i)
        if i < replayCursor { replayCursor -= 1 }   // the replay must not skip the next one
        return true
    }

    /// The next subscription for the replay (advancing it), or nil when all were sent.
    func nextToReplay() -> Subscription? {
        guard replayCursor < subscriptions.count else { return nil }
        replayCursor += 1
        return subscriptions[replayCursor - 1]
    }

    func closeCurrent(code: UInt16 = 1000, text: String = "", reason: DisconnectReason) {
        current?.close(code: WebSocketErrorCode(codeNumber: Int(code)), text: text, reason: reason)
    }
}
