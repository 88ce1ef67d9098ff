import NIOCore

/// Encodes server WebSocket frames (unmasked, RFC 6455) into bytes, so they can be pre-encoded
/// in batches and written raw. Also builds deliberately malformed frames.
public enum ServerFrame {
    public enum Opcode: UInt8, Sendable {
        case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA
    }

    /// Appends one frame to `out`.
    public static func write(opcode: Opcode, payload: UnsafeRawBufferPointer, fin: Bool = true, rsv: UInt8 = 0,
                             into out: inout ByteBuffer) {
        out.writeInteger((fin ? 0x80 : 0) | (rsv & 0x70) | opcode.rawValue)
        writeLength(payload.count, masked: false, into: &out)
        out.writeBytes(payload)
    }

    public static func write(opcode: Opcode, payload: ByteBuffer, fin: Bool = true, into out: inout ByteBuffer) {
        payload.withUnsafeReadableBytes { write(opcode: opcode, payload: $0, fin: fin, into: &out) }
    }

    public static func write(text: String, into out: inout ByteBuffer) {
        var s = text
        s.withUTF8 { write(opcode: .text, payload: UnsafeRawBufferPointer($0), into: &out) }
    }

    public static func text(_ s: String) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(s.utf8.count + 10)
        write(text: s, into: &out)
        return out
    }

    public static func binary(_ bytes: [UInt8]) -> ByteBuffer {
        var out = ByteBuffer()
        bytes.withUnsafeBytes { write(opcode: .binary, payload: $0, into: &out) }
        return out
    }

    /// Many text frames back to back, ready for `ServerSession.sendEncoded` or `firehose`.
    public static func batch(_ texts: [String]) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(texts.reduce(0) { $0 + $1.utf8.count + 10 })
        for t in texts { write(text: t, into: &out) }
        return out
    }

    /// A close frame with `code` and `reason`.
    public static func close(code: UInt16?, reason: String = "") -> ByteBuffer {
        var payload = ByteBuffer()
        if let code {
            payload.writeInteger(code)
            payload.writeString(reason)
        }
        var out = ByteBuffer()
        write(opcode: .close, payload: payload, into: &out)
        return out
    }

    static func writeLength(_ n: Int, masked: Bool, into out: inout ByteBuffer) {
        let m: UInt8 = masked ? 0x80 : 0
        if n < 126 {
            out.writeInteger(UInt8(n) | m)
        } else if n <= 0xFFFF {
            out.writeInteger(126 | m)
            out.writeInteger(UInt16(n))
        } else {
            out.writeInteger(127 | m)
            out.writeInteger(UInt64(n))
        }
    }

    /// Frames a well-behaved client must reject.
    public enum Malformed: Sendable, Equatable {
        /// Opcode 0x3 (reserved).
        case reservedOpcode
        /// RSV1 set without a negotiated extension.
        case reservedBits
        /// A ping without FIN.
        case fragmentedControl
        /// A ping with a 200-byte payload (control frames are ≤ 125).
        case oversizedControl
        /// A continuation frame with no message started.
        case orphanContinuation
        /// A server frame with the mask bit set.
        case masked
        /// Arbitrary bytes written as they are.
        case bytes([UInt8])
    }

    public static func malformed(_ kind: Malformed) -> ByteBuffer {
        var out = ByteBuffer()
        let payload: [UInt8] = Array("{\"garbage\":true}".utf8)
        switch kind {
        case .reservedOpcode:
            out.writeInteger(UInt8(0x83))
            writeLength(payload.count, masked: false, into: &out)
            out.writeBytes(payload)
        case .reservedBits:
            payload.withUnsafeBytes { write(opcode: .text, payload: $0, rsv: 0x40, into: &out) }
        case .fragmentedControl:
            payload.withUnsafeBytes { write(opcode: .ping, payload: $0, fin: false, into: &out) }
        case .oversizedControl:
            let big = [UInt8](repeating: 0x61, count: 200)
            big.withUnsafeBytes { write(opcode: .ping, payload: $0, into: &out) }
        case .orphanContinuation:
            payload.withUnsafeBytes { write(opcode: .continuation, payload: $0, into: &out) }
        case .masked:
            out.writeInteger(UInt8(0x81))
            writeLength(payload.count, masked: true, into: &out)
            out.writeBytes([0, 0, 0, 0])
            out.writeBytes(payload)
        case .bytes(let b):
            out.writeBytes(b)
        }
        return out
    }
}
