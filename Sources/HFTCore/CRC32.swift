/// CRC-32 as zlib's `crc32` (IEEE 802.3): reflected polynomial 0xEDB88320, initial value and
/// final XOR 0xFFFFFFFF. Table-driven, eight bytes per step ("slicing-by-8") for buffers. Used
/// for book checksums (Kraken); shared here so a venue client and its simulator front-end need
/// not each carry one.
public struct CRC32: Sendable, Hashable {
    @usableFromInline var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The checksum of everything fed so far.
    @inlinable
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    @inlinable
    public mutating func update(_ byte: UInt8) {
        state = CRC32.tables[Int(UInt8(truncatingIfNeeded: state) ^ byte)] ^ (state >> 8)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var c = state
        var i = 0
        let n = bytes.count
        CRC32.tables.withUnsafeBufferPointer { t in
            while i + 8 <= n {
                let lo = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ c
                let hi = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                c = t[0x700 | Int(lo & 0xFF)] ^ t[0x600 | Int((lo >> 8) & 0xFF)]
                  ^ t[0x500 | Int((lo >> 16) & 0xFF)] ^ t[0x400 | Int(lo >> 24)]
                  ^ t[0x300 | Int(hi & 0xFF)] ^ t[0x200 | Int((hi >> 8) & 0xFF)]
                  ^ t[0x100 | Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = t[Int(UInt8(truncatingIfNeeded: c) ^ bytes[i])] ^ (c >> 8)
                i += 1
            }
        }
        state = c
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { for b in bytes { update(b) } }
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }

    /// Eight 256-entry tables back to back: table k gives the CRC of a byte followed by k zero bytes.
    @usableFromInline
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let prev = t[(k - 1) * 256 + n]
                t[k * 256 + n] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()
}
