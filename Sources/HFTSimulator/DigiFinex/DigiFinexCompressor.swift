import CompressNIO
import NIOCore

/// The per-connection payload compressor (§1): one zlib stream object reused for every
/// message, reset in between, so each frame is still one complete stream (header, body,
/// Adler-32) without paying zlib's set-up per frame. Confined to the connection's event loop.
final class DigiFinexCompressor {
    let compression: ServerCompression
    private var compressor: (any NIOCompressor)?

    init(_ compression: ServerCompression) {
        self.compression = compression
        // Messages are small: a 4 KB hash table is reset far faster than the default 128 KB,
        // and the stream format (window 32 KB, header `78 9c`) is unchanged.
        let config = ZlibConfiguration(memoryLevel: .memory4K)
        let algorithm: CompressionAlgorithm? = switch compression {
        case .none: nil
        case .zlib: .zlib(configuration: config)
        case .deflate: .deflate(configuration: config)
        case .gzip: .gzip(configuration: config)
        }
        if let c = algorithm?.compressor, (try? c.startStream()) != nil { compressor = c }
    }

    /// `bytes` as one complete compressed stream (unchanged for `.none`).
    func compress(_ bytes: [UInt8]) -> ByteBuffer {
        var input = ByteBuffer(bytes: bytes)
        guard compression != .none else { return input }
        if let c = compressor {
            var out = ByteBuffer()
            out.reserveCapacity(c.maxSize(from: input))
            if (try? c.streamDeflate(from: &input, to: &out, flush: .finish)) != nil, (try? c.resetStream()) != nil {
                return out
            }
            compressor = nil
            input = ByteBuffer(bytes: bytes)
        }
        return compression.compress(input)
    }
}
