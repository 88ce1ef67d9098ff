/// Decimal order parameters at a pair's precision: a value with more significant fraction
/// digits than the pair allows is refused (Kraken would reject it after charging the rate
/// counter); otherwise it is written as given (`asGiven`, the notes' `0.001` / `80000.0`) or
/// padded to the full precision (`padded`). Never through `Double`.
import HFTCore

public enum KrakenDecimalStyle: Sendable, Hashable {
    /// The caller's own digits, trailing zeros beyond the precision dropped.
    case asGiven
    /// Exactly `precision` fraction digits.
    case padded
}

enum KrakenDecimalFormat {
    static func format(_ value: FixedDecimal, precision: UInt8?, style: KrakenDecimalStyle, field: String,
                       positive: Bool = true) throws(HFTError) -> JSONText {
        if positive, value.signum <= 0 { throw .invalidArgument("Kraken \(field) must be positive, got \(value)") }
        guard let precision else { return .decimalNumber(value) }
        guard let exact = value.exactlyRescaled(to: precision) else {
            throw .invalidArgument("Kraken \(field) \(value) has more than \(precision) decimals")
        }
        switch style {
        case .padded: return .decimalNumber(exact)
        case .asGiven: return .decimalNumber(value.scale > precision ? exact : value)
        }
    }
}
