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
