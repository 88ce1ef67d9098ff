/// A venue decoder's error type, as the typed field readers of `JSONFields` report into it.
public protocol JSONFieldError: Error {
    static func missingField(_ field: String) -> Self
    static func invalidField(_ field: String) -> Self
    static func malformedJSON(_ error: JSONError) -> Self
}

/// Typed readers over `JSONValue` members for venue decoders: absent, null and wrongly typed
/// members become the decoder's own error naming the field. Venues add their own readers
/// (times, enums) in constrained extensions.
public enum JSONFields<E: JSONFieldError> {
    /// Calls `body` with each member of an object; `field` names it in errors.
    public static func members(_ v: JSONValue, _ field: String,
                               _ body: (UnsafeRawBufferPointer, JSONValue) -> Void) throws(E) {
        guard v.kind == .object else { throw E.invalidField(field) }
        do throws(JSONError) {
            try v.forEachMember { (name, value) throws(JSONError) -> Bool in
                body(name, value)
                return true
            }
        } catch { throw E.malformedJSON(error) }
    }

    /// Calls `body` with each element of an array, stopping at the first error.
    public static func elements(_ v: JSONValue, _ field: String, _ body: (JSONValue) throws(E) -> Void) throws(E) {
        guard v.kind == .array else { throw E.invalidField(field) }
        var failure: E?
        do throws(JSONError) {
            try v.forEachElement { (element) throws(JSONError) -> Bool in
                do throws(E) { try body(element) } catch { failure = error; return false }
                return true
            }
        } catch { throw E.malformedJSON(error) }
        if let failure { throw failure }
    }

    public static func string(_ v: JSONValue?, _ field: String) throws(E) -> String {
        guard let v, !v.isNull else { throw E.missingField(field) }
        guard let s = v.string else { throw E.invalidField(field) }
        return s
    }

    public static func optionalString(_ v: JSONValue?, _ field: String) throws(E) -> String? {
        guard let v, !v.isNull else { return nil }
        guard let s = v.string else { throw E.invalidField(field) }
        return s
    }

    /// An identifier sent as a string or a number.
    public static func optionalID(_ v: JSONValue?, _ field: String) throws(E) -> String? {
        guard let v, !v.isNull else { return nil }
        guard v.kind == .string || v.kind == .number, let s = v.text else { throw E.invalidField(field) }
        return s
    }

    public static func decimal(_ v: JSONValue?, _ field: String) throws(E) -> FixedDecimal {
        guard let v, !v.isNull else { throw E.missingField(field) }
        guard let d = v.decimal else { throw E.invalidField(field) }
        return d
    }

    public static func optionalDecimal(_ v: JSONValue?, _ field: String) throws(E) -> FixedDecimal? {
        guard let v, !v.isNull else { return nil }
        guard let d = v.decimal else { throw E.invalidField(field) }
        return d
    }

    public static func int64(_ v: JSONValue?, _ field: String) throws(E) -> Int64 {
        guard let v, !v.isNull else { throw E.missingField(field) }
        guard let i = v.int64 else { throw E.invalidField(field) }
        return i
    }

    public static func optionalInt64(_ v: JSONValue?, _ field: String) throws(E) -> Int64? {
        guard let v, !v.isNull else { return nil }
        guard let i = v.int64 else { throw E.invalidField(field) }
        return i
    }

    public static func int(_ v: JSONValue?, _ field: String) throws(E) -> Int {
        Int(try int64(v, field))
    }

    /// A non-negative integer number token up to `UInt64.max`.
    public static func optionalUInt64(_ v: JSONValue?, _ field: String) throws(E) -> UInt64? {
        guard let v, !v.isNull else { return nil }
        guard v.kind == .number else { throw E.invalidField(field) }
        var r: UInt64 = 0
        for b in v.rawBytes {
            let d = b &- 48
            guard d < 10 else { throw E.invalidField(field) }
            let (m, o1) = r.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { throw E.invalidField(field) }
            r = a
        }
        return r
    }

    public static func bool(_ v: JSONValue?, _ field: String) throws(E) -> Bool {
        guard let v, !v.isNull else { throw E.missingField(field) }
        guard let b = v.bool else { throw E.invalidField(field) }
        return b
    }

    public static func optionalBool(_ v: JSONValue?, _ field: String) throws(E) -> Bool? {
        guard let v, !v.isNull else { return nil }
        guard let b = v.bool else { throw E.invalidField(field) }
        return b
    }

    /// A side spelled as the venue spells it (`buy`/`sell`, `BUY`/`SELL`).
    public static func side(_ v: JSONValue?, _ field: String, buy: StaticString, sell: StaticString) throws(E) -> Side {
        guard let v, !v.isNull else { throw E.missingField(field) }
        if v.stringEquals(buy) { return .buy }
        if v.stringEquals(sell) { return .sell }
        throw E.invalidField(field)
    }

    /// An array of strings; absent or null reads as empty.
    public static func strings(_ v: JSONValue?, _ field: String) throws(E) -> [String] {
        guard let v, !v.isNull else { return [] }
        var out: [String] = []
        try elements(v, field) { (e) throws(E) in out.append(try string(e, field)) }
        return out
    }
}

extension UnsafeRawBufferPointer {
    /// True when these bytes (a raw member name) equal `key`.
    @inline(__always)
    public func isKey(_ key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        guard count == n else { return false }
        let k = key.utf8Start
        for i in 0..<n where self[i] != k[i] { return false }
        return true
    }
}
