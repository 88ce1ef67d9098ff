import HFTCore

/// One tuning knob of a venue: its name (as the CLI, config and Swift API take it) and default.
public struct VenueKnob: Sendable, Hashable {
    public var name: String
    public var defaultValue: FixedDecimal
    public var help: String
    /// For a knob that names one of a few behaviours: the names, the first being the default
    /// (its value is the name's index; overrides give the name or the index). Empty for numbers.
    public var choices: [String]

    public init(_ name: String, _ defaultValue: FixedDecimal, _ help: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
        self.choices = []
    }

    public init(_ name: String, choices: [String], _ help: String) {
        precondition(!choices.isEmpty)
        self.name = name
        self.defaultValue = .zero
        self.help = help
        self.choices = choices
    }

    /// The default as `hft venues` lists it: the number, or the default choice's name.
    public var defaultJSON: JSONText { choices.isEmpty ? .decimalNumber(defaultValue) : .string(choices[0]) }
}

/// Tuning knobs with their values; every venue's knobs are listed by its descriptor.
public struct VenueOptions: Sendable, Hashable {
    public private(set) var values: [String: FixedDecimal]
    private var choices: [String: [String]] = [:]

    public init(knobs: [VenueKnob], overrides: [String: String] = [:]) throws(HFTError) {
        var values: [String: FixedDecimal] = [:]
        for k in knobs {
            values[k.name] = k.defaultValue
            if !k.choices.isEmpty { choices[k.name] = k.choices }
        }
        for (name, text) in overrides {
            guard values[name] != nil else {
                throw .configuration("unknown venue option '\(name)'; known: \(knobs.map(\.name).sorted().joined(separator: ", "))")
            }
            if let names = choices[name] {
                guard let index = names.firstIndex(of: text) ?? Int(text).flatMap({ names.indices.contains($0) ? $0 : nil }) else {
                    throw .configuration("venue option '\(name)' is one of \(names.joined(separator: ", ")) (or its index 0…\(names.count - 1)), got '\(text)'")
                }
                values[name] = FixedDecimal(index)
                continue
            }
            guard let v = FixedDecimal(text), !v.isNegative else {
                throw .configuration("venue option '\(name)' needs a non-negative number, got '\(text)'")
            }
            values[name] = v
        }
        self.values = values
    }

    public subscript(_ name: String) -> FixedDecimal? { values[name] }

    /// A knob in seconds as a `Duration` (knobs are named `…_s`).
    public func seconds(_ name: String) -> Duration? {
        guard let v = values[name] else { return nil }
        let micros = v.rescaled(to: 6, rounding: .towardZero).mantissa
        return .microseconds(Int64(clamping: micros))
    }

    /// A choice knob's chosen name.
    public func choice(_ name: String) -> String? {
        guard let names = choices[name], let i = integer(name), names.indices.contains(i) else { return nil }
        return names[i]
    }

    public func integer(_ name: String) -> Int? {
        values[name].map { Int(clamping: $0.rescaled(to: 0, rounding: .towardZero).mantissa) }
    }
}

extension VenueKnob {
    /// Knobs every venue has.
    public static func common(pingInterval: FixedDecimal, stallTimeout: FixedDecimal, maxMessagesPerSecond: FixedDecimal) -> [VenueKnob] {
        [
            VenueKnob("ping_interval_s", pingInterval, "seconds between client keep-alive pings"),
            VenueKnob("stall_timeout_s", stallTimeout, "seconds without inbound traffic before a probe, then a reconnect"),
            VenueKnob("reconnect_base_s", "0.5", "first reconnect delay; doubles per attempt"),
            VenueKnob("reconnect_max_s", "30", "cap of the reconnect delay"),
            VenueKnob("request_timeout_s", "10", "seconds before a request without an answer fails as no-answer"),
            VenueKnob("max_msgs_per_s", maxMessagesPerSecond, "outbound messages per second per connection"),
        ]
    }
}
