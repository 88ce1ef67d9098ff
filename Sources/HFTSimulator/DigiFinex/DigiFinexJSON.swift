import HFTCore

/// DigiFinex's value spellings on the Kraken front-end's forward-only writer: decimals as JSON
/// strings with the instrument's scale (`"80000.00"`), trade times as fractional seconds.
extension KrakenJSON {
    /// A decimal as a JSON string of its exact text.
    mutating func quoted(_ d: FixedDecimal) {
        var b: [UInt8] = [UInt8(ascii: "\"")]
        d.write(to: &b)
        b.append(UInt8(ascii: "\""))
        raw(b)
    }

    mutating func quoted(mantissa: Int64, scale: UInt8) { quoted(FixedDecimal(mantissa: Int128(mantissa), scale: scale)) }

    mutating func field(_ k: StaticString, quoted d: FixedDecimal) {
        key(k)
        quoted(d)
    }

    /// Unix seconds with a six-digit fraction as a bare number (`1523339279.761838`).
    mutating func secondsWithMicros(_ micros: Timestamp) {
        number(FixedDecimal(mantissa: Int128(micros), scale: 6))
    }

    /// A decimal as a bare JSON number of its exact text (REST bodies).
    mutating func field(_ k: StaticString, bare d: FixedDecimal) {
        key(k)
        number(d)
    }
}
