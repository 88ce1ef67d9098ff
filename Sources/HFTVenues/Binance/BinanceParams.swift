/// The `params` of a WS API request, in the order they are written (binance.md §4, §5).
/// Values keep their exact text: the signature payload (`name=value` sorted by name, joined
/// with `&`, no percent-encoding) must equal what the JSON carries byte for byte.
import HFTCore

public enum BinanceParamValue: Sendable, Hashable {
    /// Written as a JSON string.
    case string(String)
    /// Written as a JSON number (`orderId`, `timestamp`, `limit`).
    case int(Int64)
    /// Written as a JSON string of the decimal's exact text (`"0.01000000"`).
    case decimal(FixedDecimal)
    case bool(Bool)

    /// The value as it appears in the signature payload.
    public var payloadText: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .decimal(let d): d.description
        case .bool(let b): b ? "true" : "false"
        }
    }

    public var json: JSONText {
        switch self {
        case .string(let s): .string(s)
        case .int(let i): .int(i)
        case .decimal(let d): .decimal(d)
        case .bool(let b): .bool(b)
        }
    }
}

public struct BinanceParams: Sendable, Hashable {
    public struct Param: Sendable, Hashable {
        public let name: String
        public let value: BinanceParamValue
    }

    public private(set) var items: [Param] = []

    public init() {}

    public init(_ items: [(String, BinanceParamValue)]) {
        for (n, v) in items { set(n, v) }
    }

    public var isEmpty: Bool { items.isEmpty }

    /// Sets `name`, replacing an earlier value in place.
    public mutating func set(_ name: String, _ value: BinanceParamValue) {
        if let i = items.firstIndex(where: { $0.name == name }) {
            items[i] = Param(name: name, value: value)
        } else {
            items.append(Param(name: name, value: value))
        }
    }

    /// Sets `name` when `value` is not nil.
    public mutating func set(_ name: String, _ value: BinanceParamValue?) {
        if let value { set(name, value) }
    }

    public subscript(_ name: String) -> BinanceParamValue? {
        items.first { $0.name == name }?.value
    }

    /// `name=value` pairs of every param but `signature`, sorted by name (byte order), joined with `&`.
    public var signaturePayload: String {
        items.filter { $0.name != "signature" }
            .sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            .map { $0.name + "=" + $0.value.payloadText }
            .joined(separator: "&")
    }

    public var json: JSONText { .object(items.map { ($0.name, $0.value.json) }) }
}
