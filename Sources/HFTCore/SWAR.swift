/// Byte tests over eight bytes at once (a `UInt64` loaded little- or big-endian: each test is
/// per byte, so byte order does not matter).
enum SWAR {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// True when some byte of `x` is zero.
    @inline(__always)
    static func hasZeroByte(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }

    /// True when some byte is `"`, `\\` or below 0x20 (what a JSON string scan must stop at).
    @inline(__always)
    static func hasStringSpecial(_ x: UInt64) -> Bool {
        let below20 = (x &- ones &* 0x20) & ~x & highs
        return below20 != 0 || hasZeroByte(x ^ (ones &* 0x22)) || hasZeroByte(x ^ (ones &* 0x5C))
    }

    /// True when all eight bytes are ASCII digits.
    @inline(__always)
    static func allDigits(_ x: UInt64) -> Bool {
        let nibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        return x & nibbles == ones &* 0x30 && (x &+ ones &* 0x06) & nibbles == ones &* 0x30
    }
}
