/// Kraken-shaped identifiers (`OJZGTY-IZ3D4-EVVSTJ`: a type letter, then 16 base-32 characters
/// in groups of 5, 5 and 6). Order ids map back to engine ids: the 16 characters carry the id
/// (64 bits, whitened) and a 16-bit check, so a made-up or foreign id is rejected.
enum KrakenIDs {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
    private static let whitening: UInt64 = 0x5DEE_CE66_D1CE_4E5B

    /// Order id (`O…`) of an engine order.
    static func order(_ id: SimOrderID) -> String { format(prefix: "O", value: id ^ whitening) }

    /// The engine id of an order id this front-end issued, or nil.
    static func parseOrder(_ text: String) -> SimOrderID? {
        parse(text, prefix: "O").map { $0 ^ whitening }
    }

    /// Execution id (`T…`) of one side of one trade.
    static func execution(symbolIndex: Int, tradeID: Int64, maker: Bool) -> String {
        format(prefix: "T", value: UInt64(truncatingIfNeeded: tradeID) << 12 | UInt64(symbolIndex & 0x7FF) << 1 | (maker ? 1 : 0))
    }

    /// A ledger entry id (`L…`).
    static func ledger(_ n: UInt64) -> String { format(prefix: "L", value: n ^ whitening) }

    /// An amend id (`T…`, as Kraken's).
    static func amend(_ n: UInt64) -> String { format(prefix: "T", value: ~n ^ whitening) }

    // MARK: Encoding

    static func format(prefix: Character, value: UInt64) -> String {
        let bits = UInt128(check(value)) << 64 | UInt128(value)
        var out: [UInt8] = Array(prefix.utf8)
        for i in 0..<16 {
            if i == 5 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(alphabet[Int((bits >> UInt128(5 * (15 - i))) & 31)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func parse(_ text: String, prefix: Character) -> UInt64? {
        let b = Array(text.utf8)
        guard b.count == 19, b[0] == prefix.asciiValue, b[6] == UInt8(ascii: "-"), b[12] == UInt8(ascii: "-") else { return nil }
        var bits: UInt128 = 0
        for (i, c) in b.enumerated() where i != 0 && i != 6 && i != 12 {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            bits = bits << 5 | UInt128(v)
        }
        let value = UInt64(truncatingIfNeeded: bits)
        guard UInt16(truncatingIfNeeded: bits >> 64) == check(value) else { return nil }
        return value
    }

    private static func check(_ v: UInt64) -> UInt16 {
        UInt16(truncatingIfNeeded: (v &* 0x9E37_79B9_7F4A_7C15) >> 48)
    }
}
