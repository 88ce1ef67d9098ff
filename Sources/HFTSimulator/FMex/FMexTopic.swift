/// A subscribable topic (§5, §6), parsed from its exact text (levels and resolutions are
/// case-sensitive; symbols are the lowercase topic spelling).
enum FMexTopic: Sendable, Hashable {
    case ticker(FMexMarket)
    /// Full snapshot every push; `levels` 20 or 150.
    case depth(levels: Int, FMexMarket)
    /// Snapshot then deltas.
    case depthDelta(levels: Int, FMexMarket)
    case trade(FMexMarket)
    case candle(resolution: String, FMexMarket)
    case account
    case order(FMexMarket)
    case position(FMexMarket)

    var isPrivate: Bool {
        switch self {
        case .account, .order, .position: true
        default: false
        }
    }

    var market: FMexMarket? {
        switch self {
        case .ticker(let m), .depth(_, let m), .depthDelta(_, let m), .trade(let m), .candle(_, let m), .order(let m),
             .position(let m): m
        case .account: nil
        }
    }

    static func parse(_ text: String, _ markets: FMexMarkets) -> FMexTopic? {
        if text == "account" { return .account }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let last = parts.last, let m = markets.topic(last) else { return nil }
        func levels(_ s: Substring) -> Int? { s == "L20" ? 20 : s == "L150" ? 150 : nil }
        switch (parts.count, parts[0]) {
        case (2, "ticker"): return .ticker(m)
        case (2, "trade"): return .trade(m)
        case (2, "order"): return .order(m)
        case (2, "position"): return .position(m)
        case (3, "depth"): return levels(parts[1]).map { .depth(levels: $0, m) }
        case (3, "depth-delta"): return levels(parts[1]).map { .depthDelta(levels: $0, m) }
        case (3, "candle"): return FMexBar.seconds[String(parts[1])] != nil ? .candle(resolution: String(parts[1]), m) : nil
        default: return nil
        }
    }
}

extension FMexMarket: Hashable {
    static func == (a: FMexMarket, b: FMexMarket) -> Bool { a.symbol == b.symbol }
    func hash(into h: inout Hasher) { h.combine(symbol) }
}
