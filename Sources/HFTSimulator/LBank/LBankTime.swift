import HFTCore

/// LBank's `TS` strings (§1): Beijing time (UTC+8), milliseconds, no zone suffix
/// (`2019-06-28T14:49:37.816` for 06:49:37.816Z).
enum LBankTime {
    static let offsetMicros: Int64 = 8 * 3_600 * 1_000_000

    static func string(_ micros: Timestamp) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(23)
        write(micros, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ micros: Timestamp, into out: inout [UInt8]) {
        let local = micros + offsetMicros
        let seconds = local >= 0 ? local / 1_000_000 : (local - 999_999) / 1_000_000
        let millis = (local - seconds * 1_000_000) / 1_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = KrakenTime.civil(days: days)
        digits(y, 4, &out)
        out.append(UInt8(ascii: "-"))
        digits(m, 2, &out)
        out.append(UInt8(ascii: "-"))
        digits(d, 2, &out)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3_600, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2, &out)
        out.append(UInt8(ascii: "."))
        digits(millis, 3, &out)
    }

    /// A `start`/`end` of the kbar `request` (§3): Beijing-time ISO `yyyy-MM-ddTHH:mm:ss`, with
    /// an optional fraction of 1–6 digits (so a `TS` string is accepted), or Unix seconds
    /// (up to 12 digits). nil for anything else, including impossible dates.
    static func parse(_ text: String) -> Timestamp? {
        let b = Array(text.utf8)
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        func number(_ r: Range<Int>) -> Int64? {
            guard r.upperBound <= b.count, r.allSatisfy({ isDigit(b[$0]) }) else { return nil }
            return r.reduce(0) { $0 * 10 + Int64(b[$1] - UInt8(ascii: "0")) }
        }
        if (1...12).contains(b.count), let seconds = number(0..<b.count) { return seconds * 1_000_000 }
        guard b.count >= 19, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10),
              let h = number(11..<13), let mi = number(14..<16), let s = number(17..<19),
              (1...12).contains(mo), d >= 1, d <= daysIn(year: y, month: mo), h < 24, mi < 60, s < 60 else { return nil }
        var micros: Int64 = 0
        if b.count > 19 {
            let digits = b.count - 20
            guard b[19] == UInt8(ascii: "."), (1...6).contains(digits), let f = number(20..<b.count) else { return nil }
            micros = f * [100_000, 10_000, 1_000, 100, 10, 1][digits - 1]
        }
        let local = (LBankKbar.days(year: y, month: mo) + d - 1) * 86_400 + h * 3_600 + mi * 60 + s
        return local * 1_000_000 + micros - offsetMicros
    }

    private static func daysIn(year: Int64, month: Int64) -> Int64 {
        if month == 2 { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28 }
        return [4, 6, 9, 11].contains(month) ? 30 : 31
    }

    private static func digits(_ value: Int64, _ width: Int, _ out: inout [UInt8]) {
        var buf = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var v = value
        var i = width - 1
        while i >= 0 {
            buf[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
        out.append(contentsOf: buf)
    }
}
