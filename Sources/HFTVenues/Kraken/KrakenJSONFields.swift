/// Small typed readers over `JSONValue` for the Kraken decoder: they turn absent, null and
/// wrongly-typed members into `KrakenDecodeError` values naming the field.
import HFTCore

extension UnsafeRawBufferPointer {
    /// True when these bytes (a raw member name) equal `key`.
    @inline(__always)
    func krakenIs(_ key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        guard count == n else { return false }
        let k = key.utf8Start
        for i in 0..<n where self[i] != k[i] { return false }
        return true
    }
}

enum KrakenFields {
    /// Calls `body` with each member of an object; `field` names it in errors.
    static func members(_ v: JSONValue, _ field: String,
                        _ body: (UnsafeRawBufferPointer, JSONValue) -> Void) throws(KrakenDecodeError) {
        guard v.kind == .object else { throw .invalidField(field) }
        do throws(JSONError) {
            try v.forEachMember { (name, value) throws(JSONError) -> Bool in
                body(name, value)
                return true
            }
        } catch { throw .malformedJSON(error) }
    }

    /// Calls `body` with each element of an array, stopping at the first error.
    static func elements(_ v: JSONValue, _ field: String,
                         _ body: (JSONValue) throws(KrakenDecodeError) -> Void) throws(KrakenDecodeError) {
        guard v.kind == .array else { throw .invalidField(field) }
        var failure: KrakenDecodeError?
        do throws(JSONError) {
            try v.forEachElement { (element) throws(JSONError) -> Bool in
                do throws(KrakenDecodeError) { try body(element) } catch { failure = error; return false }
                return true
            }
        } catch { throw .malformedJSON(error) }
        if let failure { throw failure }
    }

    static func string(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> String {
        guard let v, !v.isNull else { throw .missingField(field) }
        guard let s = v.string else { throw .invalidField(field) }
        return s
    }

    static func optionalString(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> String? {
        guard let v, !v.isNull else { return nil }
        guard let s = v.string else { throw .invalidField(field) }
        return s
    }

    /// An identifier sent as a string or a number.
    static func optionalID(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> String? {
        guard let v, !v.isNull else { return nil }
        guard v.kind == .string || v.kind == .number, let s = v.text else { throw .invalidField(field) }
        return s
    }

    static func decimal(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> FixedDecimal {
        guard let v, !v.isNull else { throw .missingField(field) }
        guard let d = v.decimal else { throw .invalidField(field) }
        return d
    }

    static func optionalDecimal(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> FixedDecimal? {
        guard let v, !v.isNull else { return nil }
        guard let d = v.decimal else { throw .invalidField(field) }
        return d
    }

    static func int64(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> Int64 {
        guard let v, !v.isNull else { throw .missingField(field) }
        guard let i = v.int64 else { throw .invalidField(field) }
        return i
    }

    static func optionalInt64(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> Int64? {
        guard let v, !v.isNull else { return nil }
        guard let i = v.int64 else { throw .invalidField(field) }
        return i
    }

    static func optionalUInt64(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> UInt64? {
        guard let v, !v.isNull else { return nil }
        guard v.kind == .number else { throw .invalidField(field) }
        var r: UInt64 = 0
        for b in v.rawBytes {
            let d = b &- 48
            guard d < 10 else { throw .invalidField(field) }
            let (m, o1) = r.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { throw .invalidField(field) }
            r = a
        }
        return r
    }

    static func optionalBool(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> Bool? {
        guard let v, !v.isNull else { return nil }
        guard let b = v.bool else { throw .invalidField(field) }
        return b
    }

    /// A decimal-places count (0…38).
    static func precision(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> UInt8 {
        let i = try int64(v, field)
        guard (0...Int64(FixedDecimal.maxScale)).contains(i) else { throw .invalidField(field) }
        return UInt8(i)
    }

    static func optionalPrecision(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> UInt8? {
        guard let v, !v.isNull else { return nil }
        return try precision(v, field)
    }

    static func timestamp(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> Timestamp {
        guard let v, !v.isNull else { throw .missingField(field) }
        guard v.kind == .string, let t = KrakenTime.parse(v.rawBytes) else { throw .invalidField(field) }
        return t
    }

    /// Lenient: a string that is not RFC 3339 reads as absent, so an odd auxiliary time never
    /// costs the message it rides on.
    static func optionalTimestamp(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> Timestamp? {
        guard let v, !v.isNull else { return nil }
        guard v.kind == .string else { throw .invalidField(field) }
        return KrakenTime.parse(v.rawBytes)
    }

    static func side(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> Side {
        guard let v, !v.isNull else { throw .missingField(field) }
        if v.stringEquals("buy") { return .buy }
        if v.stringEquals("sell") { return .sell }
        throw .invalidField(field)
    }

    static func pushType(_ v: JSONValue?) throws(KrakenDecodeError) -> KrakenPushType {
        guard let v else { throw .missingField("type") }
        if v.stringEquals("update") { return .update }
        if v.stringEquals("snapshot") { return .snapshot }
        throw .invalidField("type")
    }

    static func strings(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> [String] {
        guard let v, !v.isNull else { return [] }
        var out: [String] = []
        try elements(v, field) { (e) throws(KrakenDecodeError) in out.append(try string(e, field)) }
        return out
    }
}
