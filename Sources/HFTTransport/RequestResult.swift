import HFTCore
import NIOCore

/// How many inbound messages answer one request.
public enum ResponseExpectation: Sendable {
    case single
    /// Exactly `n` responses with the request's id (e.g. one ack per symbol).
    case count(Int)
    /// Responses until `isLast` says the given one is the final one.
    case until(@Sendable (UnsafeRawBufferPointer) -> Bool)
}

/// The outcome of a correlated request.
public struct RequestResult: Sendable {
    public let requestID: RequestID
    public let method: String
    /// The request exactly as written (JSON text).
    public let request: String
    /// Every response, in arrival order (one unless the expectation asked for more).
    public let responses: [ByteBuffer]
    /// From the moment the frame was written (at `writeAndFlush`, on the event loop) to the
    /// moment the completing response was decoded.
    public let latencyMicros: UInt64
    /// Same, to the first response.
    public let firstResponseLatencyMicros: UInt64
    /// `MonotonicClock` nanoseconds at the write.
    public let sentAt: UInt64

    /// The raw bytes of the (last) response.
    public var response: ByteBuffer { responses[responses.count - 1] }
    /// The (last) response as text.
    public var responseText: String { String(buffer: response) }
}
