/// An exact fixed-point decimal that remembers its scale.
///
/// `FixedDecimal("0.00100000")` keeps mantissa `100000` and scale `8`, and prints back
/// `"0.00100000"`. Values never pass through `Double`. Named `FixedDecimal` (not `Decimal`)
/// so it never clashes with `Foundation.Decimal` in files that import both.
///
/// The mantissa is an `Int128`, so 38 significant digits fit (meme-coin quantities and
/// notionals included). Arithmetic traps on overflow, like Swift's integer operators.
public struct FixedDecimal: Sendable, Hashable, Comparable {
    // The mantissa is stored as two words: an `Int128` stored property makes the type 16-byte
    // aligned, and debug builds of Swift 6.3 on Linux then crash (misaligned `movaps`) when such a
    // value sits in an enum payload. Two words keep 8-byte alignment and a 24-byte stride.
    @usableFromInline let low: UInt64
    @usableFromInline let high: Int64
    /// How many of those digits stand after the decimal point.
    public let scale: UInt8

    /// The digits without the decimal point, with the sign.
    @inlinable
    public var mantissa: Int128 { Int128(high) << 64 | Int128(low) }

    public static let maxScale: UInt8 = 38
    public static let zero = FixedDecimal(mantissa: 0, scale: 0)

    @inlinable
    public init(mantissa: Int128, scale: UInt8) {
        precondition(scale <= FixedDecimal.maxScale, "FixedDecimal scale above 38")
        self.low = UInt64(truncatingIfNeeded: mantissa)
        self.high = Int64(truncatingIfNeeded: mantissa >> 64)
        self.scale = scale
    }

    public init(_ value: Int) {
        self.init(mantissa: Int128(value), scale: 0)
    }

    public var isZero: Bool { low == 0 && high == 0 }
    public var isNegative: Bool { high < 0 }
    public var signum: Int { mantissa == 0 ? 0 : (mantissa < 0 ? -1 : 1) }
    public var magnitude: FixedDecimal { FixedDecimal(mantissa: mantissa < 0 ? -mantissa : mantissa, scale: scale) }
    public var negated: FixedDecimal { FixedDecimal(mantissa: -mantissa, scale: scale) }

    /// For display and ratios only (never for money arithmetic): the nearest `Double`.
    public var approximateDouble: Double {
        Double(mantissa) / FixedDecimal.doublePowers[Int(scale)]
    }

    // MARK: Scale

    /// The same value with `newScale` fraction digits; rounds when digits are dropped.
    public func rescaled(to newScale: UInt8, rounding: FloatingPointRoundingRule = .toNearestOrEven) -> FixedDecimal {
        if newScale == scale { return self }
        if newScale > scale {
            return FixedDecimal(mantissa: mantissa * FixedDecimal.pow10(Int(newScale - scale)), scale: newScale)
        }
        let divisor = FixedDecimal.pow10(Int(scale - newScale))
        return FixedDecimal(mantissa: FixedDecimal.divide(mantissa, divisor, rounding), scale: newScale)
    }

    /// Exact when the value fits `newScale` without rounding, else nil.
    public func exactlyRescaled(to newScale: UInt8) -> FixedDecimal? {
        let r = rescaled(to: newScale, rounding: .towardZero)
        return r == self ? r : nil
    }

    /// The shortest equal value (trailing fraction zeros removed).
    public var normalized: FixedDecimal {
        var m = mantissa, s = scale
        while s > 0 && m % 10 == 0 { m /= 10; s -= 1 }
        return FixedDecimal(mantissa: m, scale: s)
    }

    /// True when the value is a whole multiple of `step` (tick or lot size checks).
    public func isMultiple(of step: FixedDecimal) -> Bool {
        guard !step.isZero else { return false }
        let s = max(scale, step.scale)
        return rescaled(to: s).mantissa % step.rescaled(to: s).mantissa == 0
    }

    // MARK: Arithmetic

    public static func + (a: FixedDecimal, b: FixedDecimal) -> FixedDecimal {
        let s = max(a.scale, b.scale)
        return FixedDecimal(mantissa: a.rescaled(to: s).mantissa + b.rescaled(to: s).mantissa, scale: s)
    }

    public static func - (a: FixedDecimal, b: FixedDecimal) -> FixedDecimal {
        let s = max(a.scale, b.scale)
        return FixedDecimal(mantissa: a.rescaled(to: s).mantissa - b.rescaled(to: s).mantissa, scale: s)
    }

    public static func += (a: inout FixedDecimal, b: FixedDecimal) { a = a + b }
    public static func -= (a: inout FixedDecimal, b: FixedDecimal) { a = a - b }
    public static prefix func - (a: FixedDecimal) -> FixedDecimal { a.negated }

    /// Exact product; the scales add (capped at 38 by rounding).
    public static func * (a: FixedDecimal, b: FixedDecimal) -> FixedDecimal {
        let s = Int(a.scale) + Int(b.scale)
        let m = a.mantissa * b.mantissa
        if s <= Int(maxScale) { return FixedDecimal(mantissa: m, scale: UInt8(s)) }
        return FixedDecimal(mantissa: divide(m, pow10(s - Int(maxScale)), .toNearestOrEven), scale: maxScale)
    }

    /// `a / b` rounded to `scale` fraction digits. Division by zero returns nil.
    public func divided(by b: FixedDecimal, scale target: UInt8, rounding: FloatingPointRoundingRule = .toNearestOrEven) -> FixedDecimal? {
        guard !b.isZero else { return nil }
        // a.m/10^a.s / (b.m/10^b.s) * 10^t = a.m * 10^(t + b.s - a.s) / b.m
        let shift = Int(target) + Int(b.scale) - Int(scale)
        var num = mantissa
        var den = b.mantissa
        if shift >= 0 { num *= FixedDecimal.pow10(shift) } else { den *= FixedDecimal.pow10(-shift) }
        return FixedDecimal(mantissa: FixedDecimal.divide(num, den, rounding), scale: target)
    }

    public static func < (a: FixedDecimal, b: FixedDecimal) -> Bool {
        if a.scale == b.scale { return a.high < b.high || (a.high == b.high && a.low < b.low) }
        return compareAcrossScales(a, b) < 0
    }

    public static func == (a: FixedDecimal, b: FixedDecimal) -> Bool {
        if a.scale == b.scale { return a.low == b.low && a.high == b.high }
        return compareAcrossScales(a, b) == 0
    }

    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.mantissa)
        hasher.combine(n.scale)
    }

    /// True when both the value and the scale are equal (`"1.0"` is not identical to `"1.00"`).
    public func isIdentical(to other: FixedDecimal) -> Bool {
        low == other.low && high == other.high && scale == other.scale
    }

    private static func compareAcrossScales(_ a: FixedDecimal, _ b: FixedDecimal) -> Int {
        let (lo, hi, flipped) = a.scale < b.scale ? (a, b, false) : (b, a, true)
        let (scaled, overflow) = lo.mantissa.multipliedReportingOverflow(by: pow10(Int(hi.scale - lo.scale)))
        var r: Int
        if overflow {
            r = lo.mantissa < 0 ? -1 : 1
        } else {
            r = scaled == hi.mantissa ? 0 : (scaled < hi.mantissa ? -1 : 1)
        }
        if flipped { r = -r }
        return r
    }

    // MARK: Helpers

    @usableFromInline
    static let powers: [Int128] = {
        var p: [Int128] = [1]
        for _ in 1...38 { p.append(p.last! * 10) }
        return p
    }()

    static let doublePowers: [Double] = (0...38).map { i in (0..<i).reduce(1.0) { r, _ in r * 10 } }

    @inlinable
    static func pow10(_ n: Int) -> Int128 { powers[n] }

    static func divide(_ n: Int128, _ d: Int128, _ rule: FloatingPointRoundingRule) -> Int128 {
        let (q, r) = n.quotientAndRemainder(dividingBy: d)
        if r == 0 { return q }
        let negative = (n < 0) != (d < 0)
        let away: Int128 = negative ? q - 1 : q + 1
        switch rule {
        case .towardZero: return q
        case .awayFromZero: return away
        case .down: return negative ? away : q
        case .up: return negative ? q : away
        case .toNearestOrAwayFromZero, .toNearestOrEven:
            let twice = (r < 0 ? -r : r) * 2
            let dm = d < 0 ? -d : d
            if twice > dm { return away }
            if twice < dm { return q }
            if rule == .toNearestOrAwayFromZero { return away }
            return q % 2 == 0 ? q : away
        @unknown default: return q
        }
    }
}

extension FixedDecimal: CustomStringConvertible, CustomDebugStringConvertible, LosslessStringConvertible, ExpressibleByStringLiteral {
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public var debugDescription: String { "FixedDecimal(\(description))" }

    /// Parses a decimal string; nil when it is not one.
    public init?(_ text: String) {
        var t = text
        guard let v = t.withUTF8({ try? FixedDecimal.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = v
    }

    /// A literal that must parse (for tests and constants).
    public init(stringLiteral value: String) {
        guard let v = FixedDecimal(value) else { preconditionFailure("invalid FixedDecimal literal \(value)") }
        self = v
    }

    /// Appends the decimal text (`-`, integer digits, `.`, exactly `scale` fraction digits).
    public func write(to out: inout [UInt8]) {
        var m = mantissa
        if m < 0 { out.append(UInt8(ascii: "-")); m = -m }
        // Int128 has at most 39 digits.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                let (q, r) = m.quotientAndRemainder(dividingBy: 10)
                raw[count] = UInt8(48 + Int(r))
                count += 1
                m = q
            } while m != 0
            let s = Int(scale)
            while count <= s { raw[count] = 48; count += 1 }
            var i = count - 1
            while i >= 0 {
                if i == s - 1 { out.append(UInt8(ascii: ".")) }
                out.append(raw[i])
                i -= 1
            }
        }
    }
}

extension FixedDecimal: Codable {
    /// Decodes from a JSON string (exact). JSON numbers are refused here because Codable
    /// hands them over as `Double`; the hot-path reader (`JSONValue`) keeps number tokens exact.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            guard let v = FixedDecimal(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a decimal: \(s)")
            }
            self = v
            return
        }
        if let i = try? c.decode(Int64.self) { self.init(mantissa: Int128(i), scale: 0); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a decimal string")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
