import HFTCore

/// One client message (§3, §4): the flat V2 envelope, or `{"pong":ts}`. Numbers and strings
/// are both kept as their text (`interval` may be `0` or `"0"`).
struct BGERequest: Sendable {
    var event: String?
    var biz: String?
    var type: String?
    var product: String?
    var interval: String?
    var intervalIsNumber = false
    var zip = false
    var from: Int64?
    var to: Int64?
    var pong: String?
    var accessKey: String?
    var accessSign: String?
    var accessTimestamp: String?
}

enum BGERequestDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer) -> BGERequest? {
        guard let root = try? JSONValue.parse(bytes), root.kind == .object else { return nil }
        func text(_ v: JSONValue?) -> String? {
            guard let v, v.kind == .string || v.kind == .number else { return nil }
            return v.text
        }
        var r = BGERequest()
        r.event = text(root["event"])
        r.biz = text(root["biz"])
        r.type = text(root["type"])
        r.product = text(root["product"])
        r.interval = text(root["interval"])
        r.intervalIsNumber = root["interval"]?.kind == .number
        r.zip = root["zip"]?.bool == true
        r.from = root["from"]?.int64
        r.to = root["to"]?.int64
        r.pong = text(root["pong"])
        if let p = root["params"], p.kind == .object {
            r.accessKey = text(p["access_key"])
            r.accessSign = text(p["access_sign"])
            r.accessTimestamp = text(p["access_timestamp"])
        }
        return r
    }
}
