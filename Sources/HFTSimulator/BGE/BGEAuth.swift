import HFTCore

/// The shared credential checks of WebSocket login and REST (§4, §8), in the order the
/// error codes suggest: empty fields, timestamp form, clock skew, key, signature.
enum BGEAuth {
    /// `prehash` turns the timestamp text into the signed message.
    static func verify(_ c: BGEContext, key: String?, sign: String?, timestamp: String?,
                       prehash: (String) -> String, alternatePrehash: ((String) -> String)? = nil) -> Result<AccountID, BGEError> {
        guard let key, !key.isEmpty else { return .failure(.keyEmpty) }
        guard let sign, !sign.isEmpty else { return .failure(.signEmpty) }
        guard let timestamp, !timestamp.isEmpty else { return .failure(.timestampEmpty) }
        guard let ms = milliseconds(timestamp) else { return .failure(.badTimestamp) }
        let skew = c.options.loginSkew.wholeMicros / 1_000
        guard abs(c.now() / 1_000 - ms) <= skew else { return .failure(.expiredTimestamp) }
        let ex = c.exchange
        guard let account = ex.account(forAPIKey: key), let creds = ex.credentials(of: account) else {
            return .failure(.badKey)
        }
        let secret = creds.apiSecret
        if BGESigner.same(sign, BGESigner.sign(secret: secret, prehash: prehash(timestamp))) { return .success(account) }
        if let alternatePrehash, BGESigner.same(sign, BGESigner.sign(secret: secret, prehash: alternatePrehash(timestamp))) {
            return .success(account)
        }
        return .failure(.badSign)
    }

    /// Unix milliseconds, or ISO-8601 UTC `2022-01-08T07:19:56.339Z` (§8).
    static func milliseconds(_ text: String) -> Int64? {
        if let n = Int64(text) { return n }
        let b = Array(text.utf8)
        guard b.count >= 20, b.last == UInt8(ascii: "Z"), b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return nil }
        func num(_ r: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13),
              let mi = num(14..<16), let s = num(17..<19), (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var frac: Int64 = 0
        if b[19] == UInt8(ascii: ".") {
            let digits = b[20..<(b.count - 1)]
            guard (1...9).contains(digits.count), let f = num(20..<(b.count - 1)) else { return nil }
            frac = f
            for _ in 0..<(3 - min(3, digits.count)) { frac *= 10 }
            for _ in 0..<max(0, digits.count - 3) { frac /= 10 }
        } else if b.count != 20 {
            return nil
        }
        // Days from civil (Howard Hinnant).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 24 + h) * 60 + mi) * 60_000 + s * 1_000 + frac
    }
}
