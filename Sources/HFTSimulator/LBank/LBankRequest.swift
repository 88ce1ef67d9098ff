import HFTCore

/// One client message (§3): `{"action":…, …}`; the fields the simulator reads, as text
/// (`depth`, `size`, `start`, `end` may come as a string or a number).
struct LBankRequest: Sendable {
    var action: String
    var subscribe: String?
    var request: String?
    var pair: String?
    var depth: String?
    var kbar: String?
    var subscribeKey: String?
    var ping: String?
    var pong: String?
    var size: String?
    var start: String?
    var end: String?
}

enum LBankRequestDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer) -> LBankRequest? {
        guard let root = try? JSONValue.parse(bytes), root.kind == .object,
              let action = root["action"]?.string else { return nil }
        func text(_ v: JSONValue?) -> String? {
            guard let v, v.kind == .string || v.kind == .number else { return nil }
            return v.text
        }
        return LBankRequest(action: action, subscribe: text(root["subscribe"]), request: text(root["request"]),
                            pair: text(root["pair"]), depth: text(root["depth"]), kbar: text(root["kbar"]),
                            subscribeKey: text(root["subscribeKey"]),
                            ping: text(root["ping"]), pong: text(root["pong"]), size: text(root["size"]),
                            start: text(root["start"]), end: text(root["end"]))
    }
}
