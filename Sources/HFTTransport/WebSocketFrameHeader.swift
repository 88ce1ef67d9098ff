import NIOCore

/// One RFC 6455 frame header read in place from the receive buffer.
public struct WebSocketFrameHeader: Sendable {
    public enum Opcode: UInt8, Sendable { case continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 }

    public let fin: Bool
    public let opcode: Opcode
    /// Header bytes before the payload (2…14).
    public let headerLength: Int
    public let payloadLength: Int

    @usableFromInline
    init(fin: Bool, opcode: Opcode, headerLength: Int, payloadLength: Int) {
        self.fin = fin
        self.opcode = opcode
        self.headerLength = headerLength
        self.payloadLength = payloadLength
    }

    public enum Read: Sendable {
        case frame(WebSocketFrameHeader)
        /// The header is not complete yet.
        case needMore
        /// A frame the client must refuse: the reason, and whether it is a size violation.
        case invalid(String, oversized: Int?)
    }

    /// Reads the header at the buffer's reader index; `limit` is the largest payload accepted.
    @inlinable
    public static func read(_ buf: ByteBuffer, limit: Int) -> Read {
        let r = buf.readerIndex
        let available = buf.readableBytes
        guard available >= 2, let b0 = buf.getInteger(at: r, as: UInt8.self), let b1 = buf.getInteger(at: r + 1, as: UInt8.self) else {
            return .needMore
        }
        if b0 & 0x70 != 0 { return .invalid("reserved bits set without an extension", oversized: nil) }
        if b1 & 0x80 != 0 { return .invalid("masked frame from the server", oversized: nil) }
        guard let opcode = Opcode(rawValue: b0 & 0x0F) else { return .invalid("reserved opcode \(b0 & 0x0F)", oversized: nil) }
        let fin = b0 & 0x80 != 0
        var header = 2
        var length = Int(b1 & 0x7F)
        if length == 126 {
            guard available >= 4, let l = buf.getInteger(at: r + 2, as: UInt16.self) else { return .needMore }
            length = Int(l)
            header = 4
        } else if length == 127 {
            guard available >= 10, let l = buf.getInteger(at: r + 2, as: UInt64.self) else { return .needMore }
            guard l <= UInt64(Int.max) else { return .invalid("frame length \(l)", oversized: Int.max) }
            length = Int(l)
            header = 10
        }
        if opcode.rawValue >= 8 {
            if !fin { return .invalid("fragmented control frame", oversized: nil) }
            if length > 125 { return .invalid("control frame of \(length) bytes", oversized: nil) }
        }
        if length > limit { return .invalid("frame of \(length) bytes", oversized: length) }
        return .frame(WebSocketFrameHeader(fin: fin, opcode: opcode, headerLength: header, payloadLength: length))
    }
}
