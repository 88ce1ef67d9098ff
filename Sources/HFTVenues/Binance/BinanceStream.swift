/// Market stream names (binance.md §9): lower-case symbol, `@` channel. Diff depth
/// `<s>@depth[@100ms]`, partial depth `<s>@depth<5|10|20>[@100ms]`, `<s>@trade`,
/// `<s>@aggTrade`, `<s>@bookTicker`.
import HFTCore

public enum BinanceStream: Sendable, Hashable {
    public enum Speed: Sendable, Hashable { case ms1000, ms100 }

    /// Diff depth for the local book (`depthUpdate` events).
    case depth(String, speed: Speed = .ms100)
    /// Top-N snapshots (`lastUpdateId`, `bids`, `asks`); N is 5, 10 or 20.
    case partialDepth(String, levels: Int, speed: Speed = .ms100)
    case trade(String)
    case aggTrade(String)
    case bookTicker(String)

    /// Most streams one connection may carry.
    public static let maxPerConnection = 1024
    /// Incoming messages per second a stream connection may send (pings, pongs, control messages).
    public static let maxControlMessagesPerSecond = 5

    /// The API symbol (upper-case) the stream is about.
    public var symbol: String {
        switch self {
        case .depth(let s, _), .partialDepth(let s, _, _), .trade(let s), .aggTrade(let s), .bookTicker(let s): s.uppercased()
        }
    }

    /// The wire name, e.g. `btcusdt@depth@100ms`.
    public var name: String {
        switch self {
        case .depth(let s, let speed): s.lowercased() + "@depth" + (speed == .ms100 ? "@100ms" : "")
        case .partialDepth(let s, let n, let speed): s.lowercased() + "@depth\(n)" + (speed == .ms100 ? "@100ms" : "")
        case .trade(let s): s.lowercased() + "@trade"
        case .aggTrade(let s): s.lowercased() + "@aggTrade"
        case .bookTicker(let s): s.lowercased() + "@bookTicker"
        }
    }

    /// Parses a wire name; nil for channels this client does not decode.
    public init?(name: String) {
        let parts = name.split(separator: "@", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, !parts[0].isEmpty, parts.count <= 3 else { return nil }
        let symbol = parts[0].uppercased()
        var speed = Speed.ms1000
        if parts.count == 3 {
            guard parts[2] == "100ms" || parts[2] == "1000ms" else { return nil }
            speed = parts[2] == "100ms" ? .ms100 : .ms1000
        }
        switch parts[1] {
        case "depth": self = .depth(symbol, speed: speed)
        case "depth5", "depth10", "depth20": self = .partialDepth(symbol, levels: Int(parts[1].dropFirst(5))!, speed: speed)
        case "trade" where parts.count == 2: self = .trade(symbol)
        case "aggTrade" where parts.count == 2: self = .aggTrade(symbol)
        case "bookTicker" where parts.count == 2: self = .bookTicker(symbol)
        default: return nil
        }
    }

    /// Checks the partial-depth level count.
    public func validate() throws(HFTError) {
        try BinanceRequest.requireSymbol(symbol)
        if case .partialDepth(_, let n, _) = self, ![5, 10, 20].contains(n) {
            throw .invalidArgument("Binance partial depth takes 5, 10 or 20 levels, not \(n)")
        }
    }
}
