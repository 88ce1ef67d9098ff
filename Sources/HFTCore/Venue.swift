/// The venues HFTKit speaks to.
public enum Venue: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case kraken, binance, digifinex, lbank, bge, fmex

    public var description: String { rawValue }

    public var displayName: String {
        switch self {
        case .kraken: "Kraken"
        case .binance: "Binance"
        case .digifinex: "DigiFinex"
        case .lbank: "LBank"
        case .bge: "BGE"
        case .fmex: "FMex"
        }
    }

    /// Parses a venue name case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }
}
