import Crypto

/// REST signing (§6): `P` = every parameter except `sign` (with `echostr`, `signature_method`,
/// `timestamp`), sorted by name, `k=v` joined by `&`; `preparedStr` = uppercase hex MD5(P);
/// `sign` = lowercase hex HMAC-SHA256(key = secret UTF-8, msg = preparedStr).
enum LBankSigner {
    static func parameterString(_ params: [(String, String)]) -> String {
        params.filter { $0.0 != "sign" }
            .sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            .map { $0.0 + "=" + $0.1 }
            .joined(separator: "&")
    }

    static func preparedString(_ params: [(String, String)]) -> String {
        hex(Array(Insecure.MD5.hash(data: Array(parameterString(params).utf8))), upper: true)
    }

    static func sign(secret: String, params: [(String, String)]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(preparedString(params).utf8),
                                                  using: SymmetricKey(data: Array(secret.utf8)))
        return hex(Array(mac), upper: false)
    }

    static func hex(_ bytes: [UInt8], upper: Bool) -> String {
        let digits = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
