/// LBank `TS` strings (lbank.md §1, §9): `yyyy-MM-ddTHH:mm:ss.SSS` in Beijing time (UTC+8)
/// with no zone marker. Parsed by hand (no Foundation formatter on the hot path).
import HFTCore

public enum LBankTime {
    /// The fixed offset the venue writes its `TS` in.
    public static let offsetMicros: Int64 = 8 * 3_600_000_000

    /// Unix microseconds (UTC) for a `TS` string; nil when it does not read.
    public static func micros(_ text: String) -> Timestamp? {
        var t = text
        return t.withUTF8 { micros(UnsafeRawBufferPointer($0)) }
    }

    /// Unix microseconds (UTC) for the raw bytes of a `TS` string (fraction of 0–6 digits optional).
    public static func micros(_ b: UnsafeRawBufferPointer) -> Timestamp? {
        guard b.count >= 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20, b[13] == 0x3A, b[16] == 0x3A else { return nil }
        func num(_ from: Int, _ n: Int) -> Int64? {
            var v: Int64 = 0
            for i in from..<(from + n) {
                let d = b[i] &- 48
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var frac: Int64 = 0
        if b.count > 19 {
            guard b[19] == 0x2E, b.count - 20 <= 6, b.count > 20, let f = num(20, b.count - 20) else { return nil }
            frac = f
            for _ in 0..<(6 - (b.count - 20)) { frac *= 10 }
        }
        let days = daysFromCivil(y, mo, d)
        let local = ((days * 24 + h) * 60 + mi) * 60 + s
        return local * 1_000_000 + frac - offsetMicros
    }

    /// Formats Unix microseconds as a venue `TS` string (UTC+8, milliseconds).
    public static func format(_ micros: Timestamp) -> String {
        let local = micros + offsetMicros
        let ms = ((local % 1_000_000) + 1_000_000) % 1_000_000 / 1000
        let secs = (local - (((local % 1_000_000) + 1_000_000) % 1_000_000)) / 1_000_000
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let sod = secs - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func p(_ v: Int64, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(sod / 3600, 2)):\(p(sod % 3600 / 60, 2)):\(p(sod % 60, 2)).\(p(ms, 3))"
    }

    /// Days since 1970-01-01 (H. Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}
