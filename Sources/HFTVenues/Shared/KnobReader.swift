/// A venue's knobs read into typed values: the overrides checked against the descriptor's knob
/// table (unknown names and bad numbers refused), then each knob read as seconds, a rate, an
/// integer or a flag. Every name read is in the table, so its default stands when not overridden.
import HFTCore
import HFTTransport

struct KnobReader {
    private let options: VenueOptions

    init(_ knobs: [VenueKnob], _ overrides: [String: String]) throws(HFTError) {
        options = try VenueOptions(knobs: knobs, overrides: overrides)
    }

    subscript(_ name: String) -> FixedDecimal? { options[name] }

    /// A `…_s` knob; zero when absent.
    func seconds(_ name: String) -> Duration { options.seconds(name) ?? .zero }

    /// A rate or budget, to the thousandth (truncated); zero when absent.
    func rate(_ name: String) -> Double {
        Double((options[name] ?? .zero).rescaled(to: 3, rounding: .towardZero).mantissa) / 1000
    }

    /// Truncated to a whole number.
    func integer(_ name: String) -> Int? { options.integer(name) }

    /// A choice knob's name (the default when not overridden).
    func choice(_ name: String) -> String? { options.choice(name) }

    /// Non-zero is on.
    func flag(_ name: String, _ fallback: Bool) -> Bool { options.integer(name).map { $0 != 0 } ?? fallback }

    /// The knobs of `VenueKnob.common`: ping interval, stall timeout, reconnect base and cap,
    /// request timeout, outbound messages per second.
    var common: (Duration, Duration, Duration, Duration, Duration, Double) {
        (seconds("ping_interval_s"), seconds("stall_timeout_s"), seconds("reconnect_base_s"), seconds("reconnect_max_s"),
         seconds("request_timeout_s"), rate("max_msgs_per_s"))
    }
}

extension ReconnectPolicy {
    /// From the `reconnect_base_s` / `reconnect_max_s` knobs: 50 ms when the base is zero, the cap
    /// never below the base.
    static func knobs(base: Duration, max cap: Duration) -> ReconnectPolicy {
        ReconnectPolicy(base: base > .zero ? base : .milliseconds(50), cap: max(cap, base))
    }
}

/// A venue's typed knob values (`…ClientOptions`), read from overrides of its knob table.
protocol VenueClientOptions {
    init(_ overrides: [String: String]) throws(HFTError)
}

extension Optional where Wrapped: VenueClientOptions {
    /// The options given, else every knob at its default.
    func orDefaults() throws(HFTError) -> Wrapped {
        if let self { return self }
        return try Wrapped([:])
    }
}
