/// A unified instrument name: `BASE/QUOTE`, and `BASE/QUOTE:SETTLE` for perpetual swaps.
public struct Symbol: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let base: String
    public let quote: String
    /// Settlement currency of a derivative (`BTC/USD:BTC`), nil for spot.
    public let settle: String?

    public init(base: String, quote: String, settle: String? = nil) {
        self.base = base.uppercased()
        self.quote = quote.uppercased()
        self.settle = settle?.uppercased()
    }

    /// Parses `BASE/QUOTE` or `BASE/QUOTE:SETTLE`.
    public init(parsing text: String) throws(HFTError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw .invalidArgument("symbol '\(text)': expected BASE/QUOTE[:SETTLE]") }
        let pair = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
            throw .invalidArgument("symbol '\(text)': expected BASE/QUOTE[:SETTLE]")
        }
        let settle = parts.count == 2 ? String(parts[1]) : nil
        if let settle, settle.isEmpty { throw .invalidArgument("symbol '\(text)': empty settlement currency") }
        self.init(base: String(pair[0]), quote: String(pair[1]), settle: settle)
    }

    public init(stringLiteral value: String) {
        do { try self.init(parsing: value) } catch { preconditionFailure("\(error)") }
    }

    public var description: String {
        settle.map { "\(base)/\(quote):\($0)" } ?? "\(base)/\(quote)"
    }

    public var isPerpetual: Bool { settle != nil }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        do { try self.init(parsing: s) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// How a venue spells symbols: `BTC/USD`, `BTCUSDT`, `btc_usdt`, `BTC_USDT`, `btcusd_p`.
public struct SymbolSpelling: Sendable, Hashable {
    public enum Case: Sendable, Hashable { case upper, lower }
    public let separator: String
    public let letterCase: Case
    /// Appended to perpetuals (`_p` for FMex); spot symbols have no suffix.
    public let perpetualSuffix: String
    /// Quote currencies tried, longest first, when a native name has no separator.
    public let knownQuotes: [String]

    public init(separator: String, letterCase: Case, perpetualSuffix: String = "",
                knownQuotes: [String] = SymbolSpelling.commonQuotes) {
        self.separator = separator
        self.letterCase = letterCase
        self.perpetualSuffix = perpetualSuffix
        self.knownQuotes = knownQuotes.sorted { $0.count > $1.count }
    }

    public static let commonQuotes = ["USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USD", "EUR", "GBP", "BTC", "ETH", "BNB", "TRY"]

    public static let slashed = SymbolSpelling(separator: "/", letterCase: .upper)
    public static let concatenatedUpper = SymbolSpelling(separator: "", letterCase: .upper)
    public static let underscoredLower = SymbolSpelling(separator: "_", letterCase: .lower)
    public static let underscoredUpper = SymbolSpelling(separator: "_", letterCase: .upper)

    public func native(_ s: Symbol) -> String {
        let raw = s.base + separator + s.quote + (s.isPerpetual ? perpetualSuffix.uppercased() : "")
        return letterCase == .upper ? raw.uppercased() : raw.lowercased()
    }

    /// The unified symbol for a native name, or nil when it cannot be split.
    public func unified(_ native: String) -> Symbol? {
        var text = native.uppercased()
        var settle: String?
        let suffix = perpetualSuffix.uppercased()
        if !suffix.isEmpty, text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
            settle = ""
        }
        var base: String, quote: String
        if !separator.isEmpty {
            let parts = text.split(separator: separator.uppercased(), omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            (base, quote) = (parts[0], parts[1])
        } else {
            guard let q = knownQuotes.first(where: { text.hasSuffix($0) && text.count > $0.count }) else { return nil }
            quote = q
            base = String(text.dropLast(q.count))
        }
        if settle != nil { settle = base }  // inverse perpetuals settle in the base currency
        return Symbol(base: base, quote: quote, settle: settle)
    }
}

