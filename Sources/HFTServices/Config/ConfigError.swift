/// A configuration problem, naming the file, the key path and what was expected.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// Dotted key path, e.g. `service.mm_demo.setting.apis[0].exchange` (empty for the whole file).
    public var path: String
    public var expected: String
    public var found: String?

    public init(file: String, path: String, expected: String, found: String? = nil) {
        self.file = file
        self.path = path
        self.expected = expected
        self.found = found
    }

    public var description: String {
        var s = file
        if !path.isEmpty { s += ": \(path)" }
        s += ": expected \(expected)"
        if let found { s += ", found \(found)" }
        return s
    }
}
