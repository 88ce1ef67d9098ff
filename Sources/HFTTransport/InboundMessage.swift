import HFTCore
import NIOCore

/// One complete inbound data message (reassembled and inflated), as bytes.
public struct InboundMessage: Sendable {
    public enum Kind: Sendable, Equatable { case text, binary }

    public let kind: Kind
    /// The payload; a view into the receive buffer where possible (no copy).
    public let data: ByteBuffer
    /// `MonotonicClock` nanoseconds when the socket read carrying it completed.
    public let receivedAt: UInt64

    public init(kind: Kind, data: ByteBuffer, receivedAt: UInt64) {
        self.kind = kind
        self.data = data
        self.receivedAt = receivedAt
    }

    /// Calls `body` with the payload bytes (valid only inside `body`).
    @inlinable
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try data.withUnsafeReadableBytes(body)
    }

    /// Parses the payload as JSON (lazily, zero-copy) and calls `body` with the root value.
    @inlinable
    public func withJSON<R>(_ body: (JSONValue) throws -> R) throws -> R {
        try data.withUnsafeReadableBytes { bytes in try body(try JSONValue.root(bytes)) }
    }

    /// The payload as a String (allocates; for cold paths and tests).
    public var text: String { String(buffer: data) }

    public var count: Int { data.readableBytes }
}
