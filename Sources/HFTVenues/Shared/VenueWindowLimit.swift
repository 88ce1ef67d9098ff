/// A venue's "N calls per window" rule for its REST API, from the `<name>_limit` and
/// `<name>_window_s` knobs: the whole N usable as a burst, never more than N in any sliding window
/// (HFTTransport's `RateLimiter(windowLimit:per:)`), the window stretched by `margin` because the
/// venue counts on arrival and our calls do not all take the same time to get there.
import HFTCore
import HFTTransport

struct VenueWindowLimit: Sendable, Hashable {
    let limit: Double
    /// The venue's window plus the margin.
    let window: Duration

    static let margin = 0.05

    /// The process-wide limiter for `key` with this rule.
    func limiter(_ key: String, registry: RateLimiterRegistry = .shared) -> RateLimiter {
        registry.limiter(key, windowLimit: limit, per: window)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

extension VenueKnob {
    /// `<name>_limit` calls per `<name>_window_s` seconds.
    static func windowLimit(_ name: String, limit: FixedDecimal, windowSeconds: FixedDecimal, _ what: String) -> [VenueKnob] {
        [VenueKnob(name + "_limit", limit, "\(what) per window, the whole of it usable at once (process-wide per API key)"),
         VenueKnob(name + "_window_s", windowSeconds, "the window of `\(name)_limit` in seconds (the venue's; 5 % is added for arrival-time spread)")]
    }
}

extension KnobReader {
    /// The `<name>_limit` / `<name>_window_s` pair; `.configuration` unless limit ≥ 1 and window > 0.
    func windowLimit(_ name: String, venue: String) throws(HFTError) -> VenueWindowLimit {
        let limit = rate(name + "_limit"), window = seconds(name + "_window_s")
        guard limit >= 1, window > .zero else {
            throw .configuration("\(venue): \(name)_limit must be ≥ 1 and \(name)_window_s > 0")
        }
        let stretched = Duration.seconds(VenueWindowLimit.seconds(window) * (1 + VenueWindowLimit.margin))
        return VenueWindowLimit(limit: limit, window: stretched)
    }
}
