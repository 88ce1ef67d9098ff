import HFTCore

/// What a service accepts in its `setting` (besides `apis` and `ws_apis`).
public struct ParameterSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case string, decimal, integer, bool, symbol, symbolList = "symbol list", venue
    }
    public var name: String
    public var kind: Kind
    public var required: Bool
    public var defaultValue: ConfigValue?
    public var help: String

    public init(_ name: String, _ kind: Kind, required: Bool = false, default defaultValue: ConfigValue? = nil, help: String = "") {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
        self.help = help
    }
}

/// A service's validated settings, read with typed getters.
public struct ServiceParameters: Sendable {
    public let values: [String: ConfigValue]

    public init(values: [String: ConfigValue]) { self.values = values }

    public func string(_ name: String) -> String? {
        if case .string(let s)? = values[name] { return s }
        return nil
    }

    public func decimal(_ name: String) -> FixedDecimal? {
        switch values[name] {
        case .number(let n)?: FixedDecimal(n)
        case .string(let s)?: FixedDecimal(s)
        default: nil
        }
    }

    public func integer(_ name: String) -> Int? {
        if case .number(let n)? = values[name] { return Int(n) }
        return nil
    }

    public func bool(_ name: String) -> Bool? {
        if case .bool(let b)? = values[name] { return b }
        return nil
    }

    public func symbols(_ name: String) -> [Symbol] {
        switch values[name] {
        case .string(let s)?: return (try? Symbol(parsing: s)).map { [$0] } ?? []
        case .array(let items)?: return items.compactMap { if case .string(let s) = $0 { try? Symbol(parsing: s) } else { nil } }
        default: return []
        }
    }

    public func symbol(_ name: String) -> Symbol? { symbols(name).first }

    static func validate(_ members: OrderedMembers, specs: [ParameterSpec], at path: String, reader: ConfigReader) throws(ConfigError) -> ServiceParameters {
        var values: [String: ConfigValue] = [:]
        let known = ["apis", "ws_apis"] + specs.map(\.name)
        for (key, value) in members where !["apis", "ws_apis"].contains(key) {
            guard let spec = specs.first(where: { $0.name == key }) else {
                throw reader.error("\(path).\(key)", "one of the keys \(known.joined(separator: ", "))", found: "unknown key \"\(key)\"")
            }
            values[key] = try check(value, spec, at: "\(path).\(key)", reader: reader)
        }
        for spec in specs where values[spec.name] == nil {
            if let d = spec.defaultValue { values[spec.name] = d }
            else if spec.required { throw reader.error("\(path).\(spec.name)", "a \(spec.kind.rawValue) (required)", found: "nothing") }
        }
        return ServiceParameters(values: values)
    }

    static func check(_ v: ConfigValue, _ spec: ParameterSpec, at path: String, reader: ConfigReader) throws(ConfigError) -> ConfigValue {
        switch spec.kind {
        case .string:
            return .string(try reader.string(v, at: path))
        case .decimal:
            switch v {
            case .number(let n) where FixedDecimal(n) != nil: return v
            case .string(let s):
                let r = try reader.resolve(s, at: path)
                guard FixedDecimal(r) != nil else { throw reader.error(path, "a decimal number", found: v.brief) }
                return .string(r)
            default: throw reader.error(path, "a decimal number", found: v.brief)
            }
        case .integer:
            guard case .number(let n) = v, Int(n) != nil else { throw reader.error(path, "an integer", found: v.brief) }
            return v
        case .bool:
            return .bool(try reader.bool(v, at: path))
        case .venue:
            let s = try reader.string(v, at: path)
            guard Venue(name: s) != nil else { throw reader.error(path, "a venue name", found: v.brief) }
            return .string(s)
        case .symbol:
            let s = try reader.string(v, at: path)
            do { _ = try Symbol(parsing: s) } catch { throw reader.error(path, "a symbol BASE/QUOTE[:SETTLE]", found: v.brief) }
            return .string(s)
        case .symbolList:
            var out: [ConfigValue] = []
            for (i, item) in try reader.array(v, at: path).enumerated() {
                let s = try reader.string(item, at: "\(path)[\(i)]")
                do { _ = try Symbol(parsing: s) } catch { throw reader.error("\(path)[\(i)]", "a symbol BASE/QUOTE[:SETTLE]", found: item.brief) }
                out.append(.string(s))
            }
            return .array(out)
        }
    }
}
