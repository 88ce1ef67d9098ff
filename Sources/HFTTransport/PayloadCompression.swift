/// How binary frames' payloads are compressed by the venue. Each message is an independent,
/// complete stream. Text frames are never inflated.
public enum PayloadCompression: Sendable, Hashable {
    case none
    /// RFC 1950 (zlib header, e.g. `78 9c`, Adler-32 trailer).
    case zlib
    /// RFC 1951 raw deflate, no header.
    case deflate
    /// RFC 1952 (`1f 8b`).
    case gzip
    /// Per message: `78 xx` (valid zlib header) → zlib, `1f 8b` → gzip, `{`/`[` → plain, else raw deflate.
    case auto
}
