// CompressNIO's public decompressor cannot tell a finished stream from a truncated one, so the
// transport drives zlib directly through CompressNIO's zlib shim module.
import CCompressZlib
import HFTCore
import NIOCore

/// Inflates whole messages, reusing one zlib stream per format and one output buffer.
/// Confined to the connection's event loop.
final class PayloadInflater {
    private enum Format: Int { case zlib = 0, deflate = 1, gzip = 2 }

    let mode: PayloadCompression
    let limit: Int
    private var streams: [UnsafeMutablePointer<z_stream>?] = [nil, nil, nil]
    private var output: ByteBuffer

    init(mode: PayloadCompression, limit: Int, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.mode = mode
        self.limit = limit
        self.output = allocator.buffer(capacity: 0)
    }

    deinit {
        for case let s? in streams {
            inflateEnd(s)
            s.deinitialize(count: 1)
            s.deallocate()
        }
    }

    /// The inflated message, or `input` itself when it is plain (`.none`, or `.auto` seeing JSON).
    func inflate(_ input: ByteBuffer) throws(HFTError) -> ByteBuffer {
        let format: Format
        switch mode {
        case .none: return input
        case .zlib: format = .zlib
        case .deflate: format = .deflate
        case .gzip: format = .gzip
        case .auto:
            guard let detected = Self.detect(input) else { return input }
            format = detected
        }
        return try run(format, input)
    }

    private static func detect(_ b: ByteBuffer) -> Format? {
        guard let b0 = b.getInteger(at: b.readerIndex, as: UInt8.self) else { return nil }
        if b0 == UInt8(ascii: "{") || b0 == UInt8(ascii: "[") { return nil }
        if let b1 = b.getInteger(at: b.readerIndex + 1, as: UInt8.self) {
            if b0 == 0x1f && b1 == 0x8b { return .gzip }
            if b0 & 0x0f == 8 && b0 >> 4 <= 7 && (UInt16(b0) << 8 | UInt16(b1)) % 31 == 0 { return .zlib }
        }
        return .deflate
    }

    private func stream(_ f: Format) throws(HFTError) -> UnsafeMutablePointer<z_stream> {
        if let s = streams[f.rawValue] {
            guard inflateReset(s) == Z_OK else { throw .decompressionFailed("inflateReset failed") }
            return s
        }
        let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        s.initialize(to: z_stream())
        let bits: Int32 = switch f { case .zlib: 15; case .deflate: -15; case .gzip: 31 }
        guard inflateInit2_(s, bits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            s.deinitialize(count: 1)
            s.deallocate()
            throw .decompressionFailed("inflateInit2 failed")
        }
        streams[f.rawValue] = s
        return s
    }

    private enum Step { case done, truncated, corrupt(String), oversized(Int) }

    private func run(_ f: Format, _ input: ByteBuffer) throws(HFTError) -> ByteBuffer {
        let s = try stream(f)
        guard input.readableBytes > 0 else { throw .decompressionFailed("empty payload") }
        output.clear()
        let limit = self.limit
        let step: Step = input.withUnsafeReadableBytes { inBytes in
            s.pointee.next_in = UnsafeMutablePointer(mutating: inBytes.baseAddress!.assumingMemoryBound(to: Bytef.self))
            s.pointee.avail_in = uInt(inBytes.count)
            var chunk = Swift.max(1024, inBytes.count * 4)
            while true {
                var rc: Int32 = Z_OK
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: chunk) { out in
                    s.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    s.pointee.avail_out = uInt(out.count)
                    rc = CCompressZlib.inflate(s, Z_NO_FLUSH)
                    return out.count - Int(s.pointee.avail_out)
                }
                if output.readableBytes > limit { return .oversized(output.readableBytes) }
                switch rc {
                case Z_STREAM_END: return .done
                case Z_OK:
                    if s.pointee.avail_out == 0 { chunk = Swift.min(chunk * 2, 1 << 22); continue }
                    if s.pointee.avail_in == 0 { return .truncated }
                case Z_BUF_ERROR:
                    if s.pointee.avail_out == 0 { chunk = Swift.min(chunk * 2, 1 << 22); continue }
                    return .truncated
                case Z_NEED_DICT: return .corrupt("stream needs a preset dictionary")
                case Z_DATA_ERROR:
                    return .corrupt(s.pointee.msg.map { String(cString: $0) } ?? "corrupt data")
                case Z_MEM_ERROR: return .corrupt("out of memory")
                default: return .corrupt("zlib error \(rc)")
                }
            }
        }
        s.pointee.next_in = nil
        s.pointee.next_out = nil
        switch step {
        case .done: return output
        case .truncated: throw .decompressionFailed("\(f) stream is truncated")
        case .corrupt(let why): throw .decompressionFailed("\(f): \(why)")
        case .oversized(let n): throw .oversizedMessage(size: n, limit: limit)
        }
    }
}
