import HFTCore

/// A parsed JSON config value that keeps member order and exact number text.
public indirect enum ConfigValue: Sendable, Hashable {
    case object([(String, ConfigValue)])
    case array([ConfigValue])
    case string(String)
    /// The number's exact token text.
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: ConfigValue, b: ConfigValue) -> Bool { a.json.rendered == b.json.rendered }
    public func hash(into hasher: inout Hasher) { hasher.combine(json.rendered) }

    /// Parses JSON text; a syntax error names the line and column.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigValue {
        let bytes = Array(text.utf8)
        let result: Result<ConfigValue, ConfigError> = bytes.withUnsafeBytes { raw in
            do throws(JSONError) {
                return .success(try convert(try JSONValue.parse(raw)))
            } catch {
                let (line, column) = position(of: error.offset, in: bytes)
                return .failure(ConfigError(file: file, path: "", expected: "valid JSON",
                                            found: "\(error.reason) at line \(line), column \(column)"))
            }
        }
        return try result.get()
    }

    static func convert(_ v: JSONValue) throws(JSONError) -> ConfigValue {
        switch v.kind {
        case .object:
            var members: [(String, ConfigValue)] = []
            try v.forEachMember { (name, value) throws(JSONError) -> Bool in
                let key = JSONValue.unescape(name)
                if members.contains(where: { $0.0 == key }) {
                    throw JSONError(offset: value.start, reason: "duplicate key \"\(key)\"")
                }
                members.append((key, try convert(value)))
                return true
            }
            return .object(members)
        case .array:
            var items: [ConfigValue] = []
            try v.forEachElement { (e) throws(JSONError) -> Bool in items.append(try convert(e)); return true }
            return .array(items)
        case .string: return .string(v.string ?? "")
        case .number: return .number(String(decoding: v.rawBytes, as: UTF8.self))
        case .bool: return .bool(v.bool ?? false)
        case .null: return .null
        }
    }

    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1, column = 1
        for b in bytes.prefix(offset) {
            if b == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    /// A short rendering for error messages (secrets are never echoed: callers pass `redacted`).
    public var brief: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string(let s): "\"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        }
    }

    public var json: JSONText {
        switch self {
        case .object(let m): .object(m.map { ($0.0, $0.1.json) })
        case .array(let a): .array(a.map(\.json))
        case .string(let s): .string(s)
        case .number(let n): .raw(n)
        case .bool(let b): .bool(b)
        case .null: .null
        }
    }
}
