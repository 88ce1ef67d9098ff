/// Typed readers over `JSONValue` for the Kraken decoder (`JSONFields` with Kraken's error type,
/// plus Kraken's own: precisions, RFC 3339 times, sides, push types).
import HFTCore

typealias KrakenFields = JSONFields<KrakenDecodeError>

extension KrakenDecodeError: JSONFieldError {}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func krakenIs(_ key: StaticString) -> Bool { isKey(key) }
}

extension JSONFields where E == KrakenDecodeError {
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
        try side(v, field, buy: "buy", sell: "sell")
    }

    static func pushType(_ v: JSONValue?) throws(KrakenDecodeError) -> KrakenPushType {
        guard let v else { throw .missingField("type") }
        if v.stringEquals("update") { return .update }
        if v.stringEquals("snapshot") { return .snapshot }
        throw .invalidField("type")
    }
}
