import HFTCore

/// One client command (§4): `{"cmd":…,"args":[…],"id":…}`. Args are kept as text (strings
/// unescaped, numbers as sent) with their kind.
struct FMexRequest: Sendable {
    enum Arg: Sendable, Equatable {
        case string(String)
        case number(String)
        case other

        var text: String? {
            switch self {
            case .string(let s), .number(let s): s
            case .other: nil
            }
        }

        var int64: Int64? {
            guard let n = text else { return nil }
            return Int64(n) ?? Double(n).flatMap { $0.isFinite && abs($0) < 9e18 ? Int64($0) : nil }
        }
    }

    var cmd: String?
    var args: [Arg] = []
    var argsValid = true
    var id: String?
}

enum FMexRequestDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer) -> FMexRequest? {
        guard let root = try? JSONValue.parse(bytes), root.kind == .object else { return nil }
        var r = FMexRequest()
        if let c = root["cmd"], c.kind == .string { r.cmd = c.string }
        if let i = root["id"], i.kind == .string || i.kind == .number { r.id = i.text }
        if let a = root["args"] {
            if a.kind == .array {
                try? a.forEachElement { v in
                    switch v.kind {
                    case .string: r.args.append(.string(v.string ?? ""))
                    case .number: r.args.append(.number(v.text ?? ""))
                    default: r.args.append(.other)
                    }
                    return true
                }
            } else {
                r.argsValid = false
            }
        }
        return r
    }
}
