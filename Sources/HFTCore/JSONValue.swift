/// Why a frame is not the JSON the reader expected.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public init(offset: Int, reason: String) { self.offset = offset; self.reason = reason }
    public var description: String { "malformed JSON at byte \(offset): \(reason)" }
}

/// A zero-copy, lazily-validated view of one JSON value inside a frame's bytes.
///
/// Lookups scan only what they need and validate everything they pass over, so a malformed
/// frame yields a `JSONError`, never a crash. A `JSONValue` borrows the bytes it was made from:
/// use it only inside the `withUnsafeReadableBytes`/`withUnsafeBytes` scope that produced them.
public struct JSONValue {
    public enum Kind: Sendable, Equatable { case object, array, string, number, bool, null }

    public let buffer: UnsafeRawBufferPointer
    /// Byte range of the token (strings include their quotes).
    public let start: Int
    public let end: Int
    public let kind: Kind
    /// True when the whole document was validated (by `parse`): walking then skips children
    /// with a fast bracket scan instead of validating them again at every level.
    public let validated: Bool

    static let maxDepth = 64

    init(buffer: UnsafeRawBufferPointer, start: Int, end: Int, kind: Kind, validated: Bool = false) {
        self.buffer = buffer
        self.start = start
        self.end = end
        self.kind = kind
        self.validated = validated
    }

    /// Parses the top-level value and checks that nothing but white space follows it.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var i = skipSpace(bytes, 0)
        let v = try value(bytes, &i, depth: 0)
        i = skipSpace(bytes, i)
        guard i == bytes.count else { throw JSONError(offset: i, reason: "trailing bytes") }
        return JSONValue(buffer: bytes, start: v.start, end: v.end, kind: v.kind, validated: true)
    }

    /// Reads the top-level value without checking the rest of the frame (fastest).
    public static func root(_ bytes: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        var i = skipSpace(bytes, 0)
        guard i < bytes.count else { throw JSONError(offset: i, reason: "empty") }
        let b = bytes[i]
        if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
            // Containers are validated lazily as they are walked; the end is found on demand.
            let kind: Kind = b == UInt8(ascii: "{") ? .object : .array
            return JSONValue(buffer: bytes, start: i, end: bytes.count, kind: kind)
        }
        return try value(bytes, &i, depth: 0)
    }

    // MARK: Objects

    /// The member named `key`, or nil when absent (throws on malformed bytes).
    public func member(_ key: StaticString) throws(JSONError) -> JSONValue? {
        precondition(key.hasPointerRepresentation)
        return try member(UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    public func member(_ key: String) throws(JSONError) -> JSONValue? {
        var k = key
        let r: Result<JSONValue?, JSONError> = k.withUTF8 { kb in
            do throws(JSONError) { return .success(try member(UnsafeRawBufferPointer(kb))) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public subscript(_ key: StaticString) -> JSONValue? { (try? member(key)) ?? nil }

    func member(_ key: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue? {
        var found: JSONValue?
        try forEachMember { (name, value) throws(JSONError) -> Bool in
            if JSONValue.rawStringEquals(name, key) { found = value; return false }
            return true
        }
        return found
    }

    /// Calls `body` with each member's raw name (quotes stripped, escapes kept) and value;
    /// `body` returns false to stop early.
    public func forEachMember(_ body: (UnsafeRawBufferPointer, JSONValue) throws(JSONError) -> Bool) throws(JSONError) {
        guard kind == .object else { throw JSONError(offset: start, reason: "not an object") }
        let b = buffer
        var i = JSONValue.skipSpace(b, start + 1)
        if i < b.count && b[i] == UInt8(ascii: "}") { return }
        while true {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw JSONError(offset: i, reason: "expected a member name") }
            let nameStart = i + 1
            i = validated ? JSONValue.fastSkipString(b, i) : try JSONValue.skipString(b, i)
            let name = UnsafeRawBufferPointer(rebasing: b[nameStart..<(i - 1)])
            i = JSONValue.skipSpace(b, i)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw JSONError(offset: i, reason: "expected ':'") }
            i = JSONValue.skipSpace(b, i + 1)
            let v = try JSONValue.value(b, &i, depth: 1, validated: validated)
            if try !body(name, v) { return }
            i = JSONValue.skipSpace(b, i)
            guard i < b.count else { throw JSONError(offset: i, reason: "unterminated object") }
            if b[i] == UInt8(ascii: ",") { i = JSONValue.skipSpace(b, i + 1); continue }
            if b[i] == UInt8(ascii: "}") { return }
            throw JSONError(offset: i, reason: "expected ',' or '}'")
        }
    }

    // MARK: Arrays

    /// Calls `body` with each element; `body` returns false to stop early.
    public func forEachElement(_ body: (JSONValue) throws(JSONError) -> Bool) throws(JSONError) {
        guard kind == .array else { throw JSONError(offset: start, reason: "not an array") }
        let b = buffer
        var i = JSONValue.skipSpace(b, start + 1)
        if i < b.count && b[i] == UInt8(ascii: "]") { return }
        while true {
            let v = try JSONValue.value(b, &i, depth: 1, validated: validated)
            if try !body(v) { return }
            i = JSONValue.skipSpace(b, i)
            guard i < b.count else { throw JSONError(offset: i, reason: "unterminated array") }
            if b[i] == UInt8(ascii: ",") { i = JSONValue.skipSpace(b, i + 1); continue }
            if b[i] == UInt8(ascii: "]") { return }
            throw JSONError(offset: i, reason: "expected ',' or ']'")
        }
    }

    /// The element at `index`, or nil past the end.
    public func element(_ index: Int) throws(JSONError) -> JSONValue? {
        var n = 0
        var found: JSONValue?
        try forEachElement { (v) throws(JSONError) -> Bool in
            if n == index { found = v; return false }
            n += 1
            return true
        }
        return found
    }

    public var count: Int {
        get throws(JSONError) {
            var n = 0
            if kind == .array { try forEachElement { _ in n += 1; return true } }
            else if kind == .object { try forEachMember { _, _ in n += 1; return true } }
            return n
        }
    }

    // MARK: Scalars

    /// The token's bytes (a string's content without quotes, escapes not decoded).
    public var rawBytes: UnsafeRawBufferPointer {
        kind == .string ? UnsafeRawBufferPointer(rebasing: buffer[(start + 1)..<(end - 1)])
                        : UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }

    public var isNull: Bool { kind == .null }

    /// A string's value with escapes decoded (allocates).
    public var string: String? {
        guard kind == .string else { return nil }
        let raw = rawBytes
        if !raw.contains(UInt8(ascii: "\\")) { return String(decoding: raw, as: UTF8.self) }
        return JSONValue.unescape(raw)
    }

    /// A string or number token rendered as text (allocates).
    public var text: String? {
        switch kind {
        case .string: return string
        case .number, .bool: return String(decoding: rawBytes, as: UTF8.self)
        default: return nil
        }
    }

    /// A number token, or a string holding a number, as an exact decimal.
    public var decimal: FixedDecimal? {
        guard kind == .number || kind == .string else { return nil }
        return try? FixedDecimal.parse(rawBytes)
    }

    /// A number token or numeric string as Int64 (no fraction, no exponent).
    public var int64: Int64? {
        guard kind == .number || kind == .string else { return nil }
        let r = rawBytes
        guard !r.isEmpty else { return nil }
        var i = 0
        var neg = false
        if r[0] == UInt8(ascii: "-") { neg = true; i = 1 }
        guard i < r.count else { return nil }
        var v: Int64 = 0
        while i < r.count {
            let d = r[i] &- 48
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            v = a
            i += 1
        }
        return neg ? -v : v
    }

    public var bool: Bool? {
        guard kind == .bool else { return nil }
        return buffer[start] == UInt8(ascii: "t")
    }

    /// True when this string's raw content equals `s` byte for byte.
    public func stringEquals(_ s: StaticString) -> Bool {
        guard kind == .string else { return false }
        return s.withUTF8Buffer { JSONValue.rawStringEquals(rawBytes, UnsafeRawBufferPointer($0)) }
    }

    // MARK: Scanning

    @inline(__always)
    static func rawStringEquals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        if a.count == 0 { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }

    @inline(__always)
    static func skipSpace(_ b: UnsafeRawBufferPointer, _ from: Int) -> Int {
        var i = from
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
        return i
    }

    /// Reads one value starting at `i` (no leading space) and leaves `i` after it.
    static func value(_ b: UnsafeRawBufferPointer, _ i: inout Int, depth: Int, validated: Bool = false) throws(JSONError) -> JSONValue {
        guard i < b.count else { throw JSONError(offset: i, reason: "unexpected end") }
        let s = i
        if validated {
            switch b[i] {
            case UInt8(ascii: "\""):
                i = fastSkipString(b, i)
                return JSONValue(buffer: b, start: s, end: i, kind: .string, validated: true)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                i = fastSkipContainer(b, i)
                return JSONValue(buffer: b, start: s, end: i, kind: b[s] == UInt8(ascii: "{") ? .object : .array, validated: true)
            default:
                let v = try value(b, &i, depth: depth)
                return JSONValue(buffer: b, start: v.start, end: v.end, kind: v.kind, validated: true)
            }
        }
        switch b[i] {
        case UInt8(ascii: "\""):
            i = try skipString(b, i)
            return JSONValue(buffer: b, start: s, end: i, kind: .string)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            i = try skipContainer(b, i, depth: depth)
            return JSONValue(buffer: b, start: s, end: i, kind: b[s] == UInt8(ascii: "{") ? .object : .array)
        case UInt8(ascii: "t"):
            try literal(b, &i, "true"); return JSONValue(buffer: b, start: s, end: i, kind: .bool)
        case UInt8(ascii: "f"):
            try literal(b, &i, "false"); return JSONValue(buffer: b, start: s, end: i, kind: .bool)
        case UInt8(ascii: "n"):
            try literal(b, &i, "null"); return JSONValue(buffer: b, start: s, end: i, kind: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            i = try skipNumber(b, i)
            return JSONValue(buffer: b, start: s, end: i, kind: .number)
        default:
            throw JSONError(offset: i, reason: "unexpected byte \(b[i])")
        }
    }

    static func literal(_ b: UnsafeRawBufferPointer, _ i: inout Int, _ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw JSONError(offset: i, reason: "truncated literal") }
        let ok = word.withUTF8Buffer { memcmp(b.baseAddress! + i, $0.baseAddress!, n) == 0 }
        guard ok else { throw JSONError(offset: i, reason: "bad literal") }
        i += n
    }

    /// Returns the index after the closing quote; rejects control bytes and bad escapes.
    static func skipString(_ b: UnsafeRawBufferPointer, _ from: Int) throws(JSONError) -> Int {
        var i = from + 1
        while i < b.count {
            // Eight bytes at a time, jumping straight to the first quote, backslash or control
            // byte; the byte steps below handle that byte (and the last few bytes of the frame).
            if i + 8 <= b.count {
                let special = SWAR.stringSpecialMask(SWAR.load(b, i))
                if special == 0 { i += 8; continue }
                i += SWAR.firstIndex(special)
            }
            let c = b[i]
            if c == UInt8(ascii: "\"") { return i + 1 }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < b.count else { break }
                switch b[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 5 < b.count else { throw JSONError(offset: i, reason: "truncated \\u escape") }
                    for k in 2...5 where hexValue(b[i + k]) == nil {
                        throw JSONError(offset: i + k, reason: "bad \\u escape")
                    }
                    i += 6
                default:
                    throw JSONError(offset: i, reason: "bad escape")
                }
                continue
            }
            if c < 0x20 { throw JSONError(offset: i, reason: "control byte in string") }
            i += 1
        }
        throw JSONError(offset: from, reason: "unterminated string")
    }

    static func skipNumber(_ b: UnsafeRawBufferPointer, _ from: Int) throws(JSONError) -> Int {
        var i = from
        if b[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        i = digitRunEnd(b, i)
        guard i > intStart else { throw JSONError(offset: i, reason: "number without digits") }
        guard b[intStart] != UInt8(ascii: "0") || i == intStart + 1 else { throw JSONError(offset: intStart, reason: "leading zero") }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let f = i
            i = digitRunEnd(b, i)
            guard i > f else { throw JSONError(offset: i, reason: "number without fraction digits") }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let e = i
            while i < b.count, b[i] &- 48 < 10 { i += 1 }
            guard i > e else { throw JSONError(offset: i, reason: "exponent without digits") }
        }
        return i
    }

    /// Index of the first non-digit at or after `from` (or the end).
    @inline(__always)
    static func digitRunEnd(_ b: UnsafeRawBufferPointer, _ from: Int) -> Int {
        var i = from
        while i + 8 <= b.count {
            let stop = SWAR.nonDigitMask(SWAR.load(b, i))
            if stop != 0 { return i + SWAR.firstIndex(stop) }
            i += 8
        }
        while i < b.count, b[i] &- 48 < 10 { i += 1 }
        return i
    }

    /// Index after the closing quote of an already-validated string.
    @inline(__always)
    static func fastSkipString(_ b: UnsafeRawBufferPointer, _ from: Int) -> Int {
        var i = from + 1
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { return i + 1 }
            i += c == UInt8(ascii: "\\") ? 2 : 1
        }
        return b.count
    }

    /// Index after an already-validated object or array: counts brackets outside strings.
    static func fastSkipContainer(_ b: UnsafeRawBufferPointer, _ from: Int) -> Int {
        var depth = 0
        var i = from
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\""): i = fastSkipString(b, i); continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return i + 1 }
            default: break
            }
            i += 1
        }
        return b.count
    }

    /// Skips a whole object or array, validating its structure.
    static func skipContainer(_ b: UnsafeRawBufferPointer, _ from: Int, depth: Int) throws(JSONError) -> Int {
        guard depth < maxDepth else { throw JSONError(offset: from, reason: "nested too deep") }
        let isObject = b[from] == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var i = skipSpace(b, from + 1)
        if i < b.count && b[i] == close { return i + 1 }
        while true {
            if isObject {
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw JSONError(offset: i, reason: "expected a member name") }
                i = skipSpace(b, try skipString(b, i))
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw JSONError(offset: i, reason: "expected ':'") }
                i = skipSpace(b, i + 1)
            }
            _ = try value(b, &i, depth: depth + 1)
            i = skipSpace(b, i)
            guard i < b.count else { throw JSONError(offset: i, reason: "unterminated container") }
            if b[i] == UInt8(ascii: ",") { i = skipSpace(b, i + 1); continue }
            if b[i] == close { return i + 1 }
            throw JSONError(offset: i, reason: "expected ',' or closing bracket")
        }
    }

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - 48)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - 87)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - 55)
        default: return nil
        }
    }

    /// Decodes the escapes of a string token's raw content (as `forEachMember` hands out names).
    public static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        var pendingHigh: UInt32?
        func appendScalar(_ v: UInt32) {
            let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        while i < raw.count {
            let c = raw[i]
            guard c == UInt8(ascii: "\\"), i + 1 < raw.count else { out.append(c); i += 1; continue }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                var v: UInt32 = 0
                for k in 0..<4 where i + k < raw.count { v = v << 4 | (hexValue(raw[i + k]) ?? 0) }
                i += 4
                if (0xD800..<0xDC00).contains(v) { pendingHigh = v; continue }
                if (0xDC00..<0xE000).contains(v), let h = pendingHigh {
                    appendScalar(0x10000 + ((h - 0xD800) << 10) + (v - 0xDC00))
                } else {
                    appendScalar(v)
                }
                pendingHigh = nil
                continue
            default: out.append(e)
            }
            pendingHigh = nil
        }
        return String(decoding: out, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
