import CompressNIO
import NIOCore

/// Payload compression a simulated venue applies to binary frames (each message a complete stream).
public enum ServerCompression: Sendable, Hashable {
    case none
    /// RFC 1950.
    case zlib
    /// RFC 1951 raw deflate.
    case deflate
    /// RFC 1952.
    case gzip

    /// The compressed form of `bytes` (unchanged for `.none`).
    public func compress(_ bytes: ByteBuffer) -> ByteBuffer {
        var input = bytes
        let algorithm: CompressionAlgorithm
        switch self {
        case .none: return bytes
        case .zlib: algorithm = .zlib()
        case .deflate: algorithm = .deflate()
        case .gzip: algorithm = .gzip()
        }
        // Compressing into a buffer sized by deflateBound cannot fail.
        return (try? input.compress(with: algorithm)) ?? bytes
    }

    public func compress(_ text: String) -> ByteBuffer { compress(ByteBuffer(string: text)) }
}
