import NIOCore

/// A session's outbound frames, batched into one write: encoded messages become WebSocket
/// frames here and go out at the end of a batch, or sooner once `flushThreshold` bytes wait.
/// A value owned by one session, so confined to its event loop.
struct SimOutbox {
    /// Pending bytes that force a write before the batch ends.
    static let flushThreshold = 256 << 10

    /// Scratch writer reused for every message.
    var json = KrakenJSON(capacity: 1024)
    private var out = ByteBuffer()

    init() {}

    /// True when enough is pending to write now.
    var isFull: Bool { out.readableBytes >= Self.flushThreshold }

    /// Queues `bytes` as one text frame.
    mutating func text(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { ServerFrame.write(opcode: .text, payload: $0, into: &out) }
    }

    /// Queues `payload` as one binary frame.
    mutating func binary(_ payload: ByteBuffer) {
        ServerFrame.write(opcode: .binary, payload: payload, into: &out)
    }

    /// Writes everything pending to `server` as one write.
    mutating func flush(to server: ServerSession) {
        guard out.readableBytes > 0 else { return }
        server.sendEncoded(out)
        out = ByteBuffer()
        out.reserveCapacity(4096)
    }
}
