/// Kraken v2 book checksum (kraken.md §6): CRC-32 over the top 10 asks (lowest first) then the
/// top 10 bids (highest first), each level contributing price then qty as decimal text at the
/// pair's precision with the `.` removed and leading zeros stripped. That text is exactly the
/// digits of the value's mantissa at that scale, so it is written straight from the fixed-point
/// value into a stack buffer; nothing is allocated.
import HFTCore

public enum KrakenBookChecksum {
    /// Levels per side that count, whatever the subscribed depth.
    public static let levels = 10
    /// 2 sides × 10 levels × 2 fields × at most 39 digits.
    static let capacity = 2 * levels * 2 * 39

    /// The checksum of `book` as Kraken computes it. With `precision` nil the values are written
    /// at their own scale (the token as received).
    public static func compute(_ book: OrderBook, precision: KrakenPrecision?) -> UInt32 {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buf in
            let n = write(book, precision, into: buf)
            var crc = CRC32()
            crc.update(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buf)[0..<n]))
            return crc.value
        }
    }

    /// The text the checksum runs over (diagnostics and tests).
    public static func input(_ book: OrderBook, precision: KrakenPrecision?) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buf in
            let n = write(book, precision, into: buf)
            return String(decoding: UnsafeBufferPointer(rebasing: buf[0..<n]), as: UTF8.self)
        }
    }

    static func write(_ book: OrderBook, _ precision: KrakenPrecision?, into buf: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var n = 0
        for level in book.asks.prefix(levels) {
            n = digits(level.price, precision?.price, buf, n)
            n = digits(level.quantity, precision?.qty, buf, n)
        }
        for level in book.bids.prefix(levels) {
            n = digits(level.price, precision?.price, buf, n)
            n = digits(level.quantity, precision?.qty, buf, n)
        }
        return n
    }

    /// Appends the mantissa digits of `value` at `scale` (raised, never lowered) at `at`.
    @inline(__always)
    static func digits(_ value: FixedDecimal, _ scale: UInt8?, _ buf: UnsafeMutableBufferPointer<UInt8>, _ at: Int) -> Int {
        var v = value
        if let scale, v.scale < scale { v = v.rescaled(to: scale) }
        let m = v.mantissa.magnitude
        guard m <= UInt128(UInt64.max) else { return wideDigits(m, buf, at) }
        var x = UInt64(truncatingIfNeeded: m)
        if x == 0 { return at }
        // Width from the bit length (×log10 2 ≈ 1233/4096), corrected by one comparison.
        var width = ((64 - x.leadingZeroBitCount) * 1233) >> 12
        if width < 20, x >= powers[width] { width += 1 }
        var i = at + width
        pairs.withUnsafeBufferPointer { p in
            while x >= 100 {
                let (q, r) = x.quotientAndRemainder(dividingBy: 100)
                i -= 2
                buf[i] = p[Int(r) * 2]
                buf[i + 1] = p[Int(r) * 2 + 1]
                x = q
            }
            if x >= 10 {
                buf[i - 2] = p[Int(x) * 2]
                buf[i - 1] = p[Int(x) * 2 + 1]
            } else {
                buf[i - 1] = UInt8(truncatingIfNeeded: x) &+ 48
            }
        }
        return at + width
    }

    /// Mantissas beyond 64 bits (never seen on Kraken, kept exact anyway).
    static func wideDigits(_ m: UInt128, _ buf: UnsafeMutableBufferPointer<UInt8>, _ at: Int) -> Int {
        var x = m, n = at, start = at
        while x != 0 { buf[n] = UInt8(truncatingIfNeeded: x % 10) &+ 48; x /= 10; n += 1 }
        var end = n - 1
        while start < end { buf.swapAt(start, end); start += 1; end -= 1 }
        return n
    }

    /// 10^0 … 10^19.
    static let powers: [UInt64] = {
        var out: [UInt64] = [1]
        for _ in 1..<20 { out.append(out[out.count - 1] * 10) }
        return out
    }()
    /// "00" "01" … "99".
    static let pairs: [UInt8] = {
        var out: [UInt8] = []
        for n in 0..<100 {
            out.append(UInt8(48 + n / 10))
            out.append(UInt8(48 + n % 10))
        }
        return out
    }()
}
