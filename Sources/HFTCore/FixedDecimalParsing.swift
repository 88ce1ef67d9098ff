/// Why a byte sequence is not a decimal.
public enum DecimalParseError: Error, Sendable, Equatable {
    case empty
    case unexpectedByte(UInt8, at: Int)
    case noDigits
    case tooManyDigits
    case scaleTooLarge
}

extension FixedDecimal {
    /// Parses a JSON number token or a decimal string's content, exactly.
    ///
    /// Accepts `-?digits[.digits][e|E[+|-]digits]` and a leading `+` only in exponents.
    /// Exponent forms are folded into the scale (`1.5e-5` → `0.000015`); every other form
    /// keeps its scale so that it prints back byte for byte.
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(DecimalParseError) -> FixedDecimal {
        let n = bytes.count
        guard n > 0 else { throw .empty }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        var mantissa: Int128 = 0
        var digits = 0
        var significant = 0
        var scale = 0
        var seenPoint = false
        var intDigits = 0
        while i < n {
            let b = bytes[i]
            if b &- 48 < 10 {
                if significant > 0 || b != 48 { significant += 1 }
                guard significant <= 38 else { throw .tooManyDigits }
                mantissa = mantissa &* 10 &+ Int128(b &- 48)
                digits += 1
                if seenPoint { scale += 1 } else { intDigits += 1 }
            } else if b == UInt8(ascii: "."), !seenPoint {
                guard intDigits > 0 else { throw .unexpectedByte(b, at: i) }
                seenPoint = true
            } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                break
            } else {
                throw .unexpectedByte(b, at: i)
            }
            i += 1
        }
        guard intDigits > 0 else { throw .noDigits }
        if seenPoint && scale == 0 { throw .noDigits }
        if i < n {
            // Exponent.
            i += 1
            var expNegative = false
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                expNegative = bytes[i] == UInt8(ascii: "-"); i += 1
            }
            guard i < n else { throw .noDigits }
            var exp = 0
            while i < n {
                let b = bytes[i]
                guard b &- 48 < 10 else { throw .unexpectedByte(b, at: i) }
                exp = exp * 10 + Int(b &- 48)
                guard exp < 100 else { throw .scaleTooLarge }
                i += 1
            }
            if expNegative {
                scale += exp
            } else if exp <= scale {
                scale -= exp
            } else {
                let extra = exp - scale
                scale = 0
                guard significant + extra <= 38 else { throw .tooManyDigits }
                mantissa *= pow10(extra)
            }
        }
        guard scale <= Int(maxScale) else { throw .scaleTooLarge }
        return FixedDecimal(mantissa: negative ? -mantissa : mantissa, scale: UInt8(scale))
    }

    /// Parses bytes of any contiguous collection.
    public static func parse<C: Collection<UInt8>>(bytes: C) throws(DecimalParseError) -> FixedDecimal {
        let r: Result<FixedDecimal, DecimalParseError>? = bytes.withContiguousStorageIfAvailable { buf in
            do throws(DecimalParseError) { return .success(try parse(UnsafeRawBufferPointer(buf))) } catch { return .failure(error) }
        }
        if let r { return try r.get() }
        let array = Array(bytes)
        let copied: Result<FixedDecimal, DecimalParseError> = array.withUnsafeBytes { raw in
            do throws(DecimalParseError) { return .success(try parse(raw)) } catch { return .failure(error) }
        }
        return try copied.get()
    }
}
