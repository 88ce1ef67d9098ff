import HFTCore

/// A forward-only JSON writer straight into bytes: the Kraken front-end writes every frame
/// field by field, without an intermediate tree. Commas are placed automatically; keys are
/// written in the order the caller gives them (the caller owns Kraken's key order).
struct KrakenJSON {
    private(set) var bytes: [UInt8] = []
    private var depth = 0
    /// Bit `d`: the next value at nesting level `d + 1` is the first of its container.
    private var first: UInt64 = 0
    private var afterKey = false

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        depth = 0
        first = 0
        afterKey = false
    }

    // MARK: Structure

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// `{ body }` as one value.
    mutating func object(_ body: (inout KrakenJSON) -> Void) {
        beginObject()
        body(&self)
        endObject()
    }

    mutating func key(_ k: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        afterKey = true
    }

    mutating func key(_ k: String) {
        separate()
        JSONText.writeString(k, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    // MARK: Values

    mutating func string(_ s: String) {
        separate()
        JSONText.writeString(s, to: &bytes)
    }

    /// A literal needing no escapes.
    mutating func string(_ s: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func int(_ v: Int64) {
        separate()
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDigits(v.magnitude)
        } else {
            appendDigits(UInt64(v))
        }
    }

    mutating func int(_ v: Int) { int(Int64(v)) }

    mutating func uint(_ v: UInt64) {
        separate()
        appendDigits(v)
    }

    mutating func bool(_ b: Bool) {
        separate()
        bytes.append(contentsOf: b ? Self.trueBytes : Self.falseBytes)
    }

    mutating func null() {
        separate()
        bytes.append(contentsOf: Self.nullBytes)
    }

    /// A bare JSON number with exactly the decimal's scale (`0.00100000` stays so).
    mutating func number(_ d: FixedDecimal) {
        separate()
        d.write(to: &bytes)
    }

    /// A bare JSON number `mantissa × 10^-scale`, printed with `scale` fraction digits.
    mutating func number(mantissa m: Int64, scale: UInt8) {
        separate()
        if m < 0 { bytes.append(UInt8(ascii: "-")) }
        var v = m.magnitude
        // 20 digits + padding to the scale.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var n = 0
            repeat {
                raw[n] = UInt8(truncatingIfNeeded: 48 &+ v % 10)
                v /= 10
                n += 1
            } while v != 0
            let s = Int(scale)
            while n <= s && n < raw.count { raw[n] = 48; n += 1 }
            var i = n - 1
            while i >= 0 {
                if i == s - 1 { bytes.append(UInt8(ascii: ".")) }
                bytes.append(raw[i])
                i -= 1
            }
        }
    }

    /// A quoted RFC 3339 timestamp with microseconds.
    mutating func timestamp(_ micros: Timestamp) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        KrakenTime.write(micros, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Already-encoded JSON.
    mutating func raw(_ b: [UInt8]) {
        separate()
        bytes.append(contentsOf: b)
    }

    // MARK: Internal

    private mutating func open(_ c: UInt8) {
        separate()
        bytes.append(c)
        depth += 1
        first |= 1 << UInt64(depth - 1)
    }

    private mutating func close(_ c: UInt8) {
        first &= ~(1 << UInt64(depth - 1))
        depth -= 1
        bytes.append(c)
    }

    private mutating func separate() {
        if afterKey { afterKey = false; return }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if first & bit != 0 { first &= ~bit } else { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendDigits(_ value: UInt64) {
        var v = value
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &tmp) { raw in
            var n = 0
            repeat {
                raw[n] = UInt8(truncatingIfNeeded: 48 &+ v % 10)
                v /= 10
                n += 1
            } while v != 0
            while n > 0 { n -= 1; bytes.append(raw[n]) }
        }
    }

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)
}

extension KrakenJSON {
    // Field shorthands: key then value.
    mutating func field(_ k: StaticString, _ v: StaticString) { key(k); string(v) }
    mutating func field(_ k: StaticString, _ v: String) { key(k); string(v) }
    mutating func field(_ k: StaticString, _ v: Int64) { key(k); int(v) }
    mutating func field(_ k: StaticString, _ v: Int) { key(k); int(Int64(v)) }
    mutating func field(_ k: StaticString, _ v: Bool) { key(k); bool(v) }
    mutating func field(_ k: StaticString, number v: FixedDecimal) { key(k); number(v) }
    mutating func field(_ k: StaticString, time v: Timestamp) { key(k); timestamp(v) }
}
