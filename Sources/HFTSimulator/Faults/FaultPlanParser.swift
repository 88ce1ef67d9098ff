import HFTCore

/// Why a fault specification could not be parsed.
public enum FaultParseError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    /// An item without `=` (the item).
    case missingValue(String)
    case unknownKey(String)
    case invalidValue(key: String, value: String, expected: String)
    case duplicateKey(String)
    case unknownVenue(String)

    public var description: String {
        switch self {
        case .empty: "empty fault specification"
        case .missingValue(let item): "fault '\(item)': expected key=value"
        case .unknownKey(let k): "unknown fault '\(k)' (known: \(FaultPlan.keys.joined(separator: ", ")))"
        case .invalidValue(let k, let v, let e): "fault \(k)=\(v): expected \(e)"
        case .duplicateKey(let k): "fault \(k) given twice"
        case .unknownVenue(let v): "unknown venue '\(v)' in fault specification"
        }
    }
}

extension FaultPlan {
    /// The keys `parse` understands, as `hft sim --fault` documents them.
    public static let keys = [
        "drop_after", "drop_probability", "stall_after", "delay_ms", "corrupt_checksum_every", "skip_seq_every",
        "malformed_every", "expire_token_after_s", "rate_limit_after", "rate_limit_window_s",
        "force_disconnect_after_s", "seed",
    ]

    /// Parses `key=value` items separated by commas or whitespace, e.g.
    /// `"drop_after=100,delay_ms=20"` or `"drop_probability=0.01 seed=7"`.
    public static func parse(_ text: String) throws(FaultParseError) -> FaultPlan {
        let items = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard !items.isEmpty else { throw .empty }
        var plan = FaultPlan()
        var seen = Set<String>()
        for item in items {
            guard let eq = item.firstIndex(of: "=") else { throw .missingValue(item) }
            let key = item[..<eq].lowercased()
            let value = String(item[item.index(after: eq)...])
            guard keys.contains(key) else { throw .unknownKey(key) }
            guard seen.insert(key).inserted else { throw .duplicateKey(key) }
            try plan.set(key, value)
        }
        return plan
    }

    /// Like `parse`, with an optional venue prefix: `"kraken:drop_after=100"`.
    public static func parseScoped(_ text: String) throws(FaultParseError) -> (venue: Venue?, plan: FaultPlan) {
        let trimmed = text.drop { $0 == " " }
        if let colon = trimmed.firstIndex(of: ":"), !trimmed[..<colon].contains("=") {
            let name = String(trimmed[..<colon])
            guard let venue = Venue(name: name) else { throw .unknownVenue(name) }
            return (venue, try parse(String(trimmed[trimmed.index(after: colon)...])))
        }
        return (nil, try parse(String(trimmed)))
    }

    private mutating func set(_ key: String, _ value: String) throws(FaultParseError) {
        func count(min: Int) throws(FaultParseError) -> Int {
            guard let n = Int(value), n >= min else {
                throw .invalidValue(key: key, value: value, expected: "an integer ≥ \(min)")
            }
            return n
        }
        func seconds() throws(FaultParseError) -> Double {
            guard let s = Double(value), s.isFinite, s > 0 else {
                throw .invalidValue(key: key, value: value, expected: "a number of seconds > 0")
            }
            return s
        }
        switch key {
        case "drop_after": dropAfterMessages = try count(min: 0)
        case "stall_after": stallAfterMessages = try count(min: 0)
        case "delay_ms": responseDelayMillis = try count(min: 0)
        case "corrupt_checksum_every": corruptChecksumEvery = try count(min: 1)
        case "skip_seq_every": skipSequenceEvery = try count(min: 1)
        case "malformed_every": malformedEvery = try count(min: 1)
        case "rate_limit_after": rateLimitAfterRequests = try count(min: 1)
        case "expire_token_after_s": expireTokenAfterSeconds = try seconds()
        case "rate_limit_window_s": rateLimitWindowSeconds = try seconds()
        case "force_disconnect_after_s": forceDisconnectAfterSeconds = try seconds()
        case "drop_probability":
            guard let p = Double(value), p.isFinite, p >= 0, p <= 1 else {
                throw .invalidValue(key: key, value: value, expected: "a probability in 0…1")
            }
            dropProbability = p
        case "seed":
            guard let s = UInt64(value) else { throw .invalidValue(key: key, value: value, expected: "an unsigned 64-bit integer") }
            seed = s
        default: throw .unknownKey(key)
        }
    }

    /// The plan as `parse` reads it back (keys in `keys` order; empty string for no faults).
    public var specification: String {
        var parts: [String] = []
        func add(_ k: String, _ v: CustomStringConvertible?) { if let v { parts.append("\(k)=\(v)") } }
        add("drop_after", dropAfterMessages)
        add("drop_probability", dropProbability)
        add("stall_after", stallAfterMessages)
        add("delay_ms", responseDelayMillis)
        add("corrupt_checksum_every", corruptChecksumEvery)
        add("skip_seq_every", skipSequenceEvery)
        add("malformed_every", malformedEvery)
        add("expire_token_after_s", expireTokenAfterSeconds)
        add("rate_limit_after", rateLimitAfterRequests)
        add("rate_limit_window_s", rateLimitWindowSeconds)
        add("force_disconnect_after_s", forceDisconnectAfterSeconds)
        add("seed", seed)
        return parts.joined(separator: ",")
    }
}
