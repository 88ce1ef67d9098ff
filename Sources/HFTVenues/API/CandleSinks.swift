/// Candle watchers per venue topic (product + interval), shared by the venue clients.
import HFTCore
import Synchronization

final class CandleSinks: Sendable {
    private let sinks = Mutex<[String: [EventStream<Candle>]]>([:])

    init() {}

    /// A new drop-oldest stream for `key`, and whether the key is new (subscribe it).
    func add(_ key: String) -> (stream: EventStream<Candle>, isNew: Bool) {
        let stream = EventStream<Candle>(policy: .dropOldest(capacity: 10_000))
        let isNew = sinks.withLock { s in
            defer { s[key, default: []].append(stream) }
            return s[key] == nil
        }
        return (stream, isNew)
    }

    func push(_ key: String, _ candles: [Candle]) {
        guard !candles.isEmpty else { return }
        sinks.withLock { s in s[key]?.fanOut(candles) }
    }

    func finishAll() {
        let all = sinks.withLock { s in defer { s = [:] }; return s }
        for list in all.values { for x in list { x.finish() } }
    }
}

/// Maps a unified interval to a venue's spelling, or throws `.invalidArgument` listing the
/// intervals the venue serves.
struct CandleIntervalMap: Sendable {
    let venue: String
    let spellings: [(CandleInterval, String)]
    /// Extra spellings read back from the wire (`1hour` beside `60min`).
    let aliases: [String: CandleInterval]

    init(venue: String, _ spellings: [(CandleInterval, String)], aliases: [String: CandleInterval] = [:]) {
        self.venue = venue
        self.spellings = spellings
        self.aliases = aliases
    }

    func native(_ i: CandleInterval) throws(HFTError) -> String {
        guard let s = spellings.first(where: { $0.0 == i })?.1 else {
            let allowed = spellings.map { "\($0.0.rawValue) (\($0.1))" }.joined(separator: ", ")
            throw .invalidArgument("\(venue) serves candles at \(allowed); not \(i.rawValue)")
        }
        return s
    }

    func unified(_ native: String) -> CandleInterval? {
        spellings.first(where: { $0.1 == native })?.0 ?? aliases[native]
    }
}
