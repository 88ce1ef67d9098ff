import HFTCore

/// Typed access to config values with errors that name the file and key path;
/// resolves `"${ENV_VAR}"` strings from the environment it was given.
struct ConfigReader {
    let file: String
    let environment: [String: String]

    func error(_ path: String, _ expected: String, found: String? = nil) -> ConfigError {
        ConfigError(file: file, path: path, expected: expected, found: found)
    }

    /// The members of an object, rejecting keys outside `allowedKeys` (nil allows any).
    func object(_ v: ConfigValue, at path: String, allowedKeys: [String]?) throws(ConfigError) -> OrderedMembers {
        guard case .object(let members) = v else { throw error(path, "an object", found: v.brief) }
        if let allowedKeys {
            for (k, _) in members where !allowedKeys.contains(k) {
                throw error(path.isEmpty ? k : "\(path).\(k)", "one of the keys \(allowedKeys.joined(separator: ", "))", found: "unknown key \"\(k)\"")
            }
        }
        return OrderedMembers(members: members)
    }

    func array(_ v: ConfigValue, at path: String) throws(ConfigError) -> [ConfigValue] {
        guard case .array(let items) = v else { throw error(path, "an array", found: v.brief) }
        return items
    }

    func string(_ v: ConfigValue, at path: String) throws(ConfigError) -> String {
        guard case .string(let s) = v else { throw error(path, "a string", found: v.brief) }
        return try resolve(s, at: path)
    }

    /// Like `string`, but never echoes the value in an error.
    func secret(_ v: ConfigValue, at path: String) throws(ConfigError) -> Secret {
        guard case .string(let s) = v else { throw error(path, "a string", found: "a \(v.kindName)") }
        let resolved = try resolve(s, at: path)
        guard !resolved.isEmpty else { throw error(path, "a non-empty value", found: "an empty string") }
        return Secret(resolved)
    }

    func bool(_ v: ConfigValue, at path: String) throws(ConfigError) -> Bool {
        guard case .bool(let b) = v else { throw error(path, "true or false", found: v.brief) }
        return b
    }

    func resolve(_ s: String, at path: String) throws(ConfigError) -> String {
        guard s.hasPrefix("${"), s.hasSuffix("}"), s.count > 3 else { return s }
        let name = String(s.dropFirst(2).dropLast())
        guard let value = environment[name] else {
            throw error(path, "environment variable \(name) to be set", found: "it unset")
        }
        return value
    }
}

/// Object members in file order with lookup by key.
struct OrderedMembers: Sequence {
    let members: [(String, ConfigValue)]
    subscript(_ key: String) -> ConfigValue? { members.first { $0.0 == key }?.1 }
    func makeIterator() -> IndexingIterator<[(String, ConfigValue)]> { members.makeIterator() }
}

extension ConfigValue {
    var kindName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }
}
