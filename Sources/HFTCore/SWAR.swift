/// Byte tests over eight bytes at once. Masks flag bytes with 0x80; load with `load` (little-
/// endian) so that `firstIndex` of a mask is the index of the first flagged byte.
enum SWAR {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Flags (0x80) the bytes that are `"`, `\\` or below 0x20; the lowest flag is exact (higher
    /// ones may be false positives), so `firstIndex` of it is the first byte to stop at.
    @inline(__always)
    static func stringSpecialMask(_ x: UInt64) -> UInt64 {
        let below20 = (x &- ones &* 0x20) & ~x & highs
        let q = x ^ (ones &* 0x22), bs = x ^ (ones &* 0x5C)
        return below20 | ((q &- ones) & ~q & highs) | ((bs &- ones) & ~bs & highs)
    }

    /// Flags the bytes that are not ASCII digits (lowest flag exact).
    @inline(__always)
    static func nonDigitMask(_ x: UInt64) -> UInt64 {
        let t = x ^ (ones &* 0x30)
        return ((t &+ ones &* 0x76) | t) & highs
    }

    /// Index (0…7) of the lowest flagged byte of a mask built from a little-endian load.
    @inline(__always)
    static func firstIndex(_ mask: UInt64) -> Int { mask.trailingZeroBitCount >> 3 }

    /// Eight bytes at `offset`, little-endian whatever the platform (so `firstIndex` is byte order).
    @inline(__always)
    static func load(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
