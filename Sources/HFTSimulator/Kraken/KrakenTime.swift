import HFTCore

/// Kraken v2 timestamps: RFC 3339, UTC, microseconds (`2023-10-06T17:35:55.440295Z`).
enum KrakenTime {
    static func string(_ micros: Timestamp) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(27)
        write(micros, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ micros: Timestamp, into out: inout [UInt8]) {
        let (seconds, fraction) = floorDivide(micros, 1_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (y, m, d) = civil(days: days)
        digits(y, 4, &out)
        out.append(UInt8(ascii: "-"))
        digits(m, 2, &out)
        out.append(UInt8(ascii: "-"))
        digits(d, 2, &out)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2, &out)
        out.append(UInt8(ascii: "."))
        digits(fraction, 6, &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// Year, month, day of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
    static func civil(days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a >= 0 ? a / b : (a - b + 1) / b
        return (q, a - q * b)
    }

    private static func digits(_ value: Int64, _ width: Int, _ out: inout [UInt8]) {
        var v = max(0, value)
        var tmp: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &tmp) { raw in
            for i in 0..<width {
                raw[width - 1 - i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
            }
            for i in 0..<width { out.append(raw[i]) }
        }
    }
}
