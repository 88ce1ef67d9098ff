/// Typed readers over `JSONValue` for the Binance decoders: absent, null and wrongly-typed
/// members become `BinanceDecodeError` values naming the field. Times are converted from the
/// connection's unit to HFTCore microseconds.
import HFTCore

extension UnsafeRawBufferPointer {
    /// True when these bytes (a raw member name) equal `key`, case-sensitively.
    @inline(__always)
    func binanceIs(_ key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        guard count == n else { return false }
        let k = key.utf8Start
        for i in 0..<n where self[i] != k[i] { return false }
        return true
    }
}

enum BinanceFields {
    /// Calls `body` with each member of an object; `field` names it in errors.
    static func members(_ v: JSONValue, _ field: String,
                        _ body: (UnsafeRawBufferPointer, JSONValue) -> Void) throws(BinanceDecodeError) {
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
                         _ body: (JSONValue) throws(BinanceDecodeError) -> Void) throws(BinanceDecodeError) {
        guard v.kind == .array else { throw .invalidField(field) }
        var failure: BinanceDecodeError?
        do throws(JSONError) {
            try v.forEachElement { (element) throws(JSONError) -> Bool in
                do throws(BinanceDecodeError) { try body(element) } catch { failure = error; return false }
                return true
            }
        } catch { throw .malformedJSON(error) }
        if let failure { throw failure }
    }

    static func string(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> String {
        guard let v, !v.isNull else { throw .missingField(field) }
        guard let s = v.string else { throw .invalidField(field) }
        return s
    }

    static func optionalString(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> String? {
        guard let v, !v.isNull else { return nil }
        guard let s = v.string else { throw .invalidField(field) }
        return s
    }

    static func decimal(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> FixedDecimal {
        guard let v, !v.isNull else { throw .missingField(field) }
        guard let d = v.decimal else { throw .invalidField(field) }
        return d
    }

    static func optionalDecimal(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> FixedDecimal? {
        guard let v, !v.isNull else { return nil }
        guard let d = v.decimal else { throw .invalidField(field) }
        return d
    }

    static func int64(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> Int64 {
        guard let v, !v.isNull else { throw .missingField(field) }
        guard let i = v.int64 else { throw .invalidField(field) }
        return i
    }

    static func optionalInt64(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> Int64? {
        guard let v, !v.isNull else { return nil }
        guard let i = v.int64 else { throw .invalidField(field) }
        return i
    }

    static func int(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> Int {
        Int(try int64(v, field))
    }

    static func bool(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> Bool {
        guard let v, !v.isNull else { throw .missingField(field) }
        guard let b = v.bool else { throw .invalidField(field) }
        return b
    }

    static func optionalBool(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> Bool? {
        guard let v, !v.isNull else { return nil }
        guard let b = v.bool else { throw .invalidField(field) }
        return b
    }

    static func time(_ v: JSONValue?, _ field: String, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> Timestamp {
        unit.micros(try int64(v, field))
    }

    static func optionalTime(_ v: JSONValue?, _ field: String, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> Timestamp? {
        try optionalInt64(v, field).map(unit.micros)
    }

    /// `BUY` / `SELL`.
    static func side(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> Side {
        guard let v, !v.isNull else { throw .missingField(field) }
        if v.stringEquals("BUY") { return .buy }
        if v.stringEquals("SELL") { return .sell }
        throw .invalidField(field)
    }

    static func optionalSide(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> Side? {
        guard let v, !v.isNull else { return nil }
        return try side(v, field)
    }

    /// `[["price","qty"],…]`, each token's scale kept; an absent side is empty.
    static func levels(_ v: JSONValue?, _ field: String) throws(BinanceDecodeError) -> [BookLevel] {
        guard let v, !v.isNull else { return [] }
        var out: [BookLevel] = []
        try elements(v, field) { (pair) throws(BinanceDecodeError) in
            guard pair.kind == .array else { throw .invalidField(field) }
            var price: FixedDecimal?, qty: FixedDecimal?, n = 0
            do throws(JSONError) {
                try pair.forEachElement { e in
                    if n == 0 { price = e.decimal } else if n == 1 { qty = e.decimal }
                    n += 1
                    return n < 2  // extra members are tolerated, never read
                }
            } catch { throw .malformedJSON(error) }
            guard let price, let qty, !qty.isNegative, !price.isNegative else { throw .invalidField(field) }
            out.append(BookLevel(price: price, quantity: qty))
        }
        return out
    }

    /// A copy of the value's JSON text (cold paths only). A `root` container ends at the
    /// frame's end, so trailing white space is trimmed.
    static func rawText(_ v: JSONValue) -> String {
        var end = v.end
        while end > v.start, [0x20, 0x0A, 0x0D, 0x09].contains(v.buffer[end - 1]) { end -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: v.buffer[v.start..<end]), as: UTF8.self)
    }
}
