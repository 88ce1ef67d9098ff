/// One symbol's Kraken v2 L2 book (kraken.md §5.1, §6): snapshot, then updates applied in array
/// order (qty 0 deletes), truncated to the subscribed depth after every message, and verified
/// against Kraken's CRC-32 on every message that carries one. A mismatch clears the book and
/// returns `.resync`: the caller resubscribes this symbol only.
import HFTCore

/// Book depths Kraken accepts.
public enum KrakenBookDepth: Int, Sendable, Hashable, CaseIterable {
    case d10 = 10, d25 = 25, d100 = 100, d500 = 500, d1000 = 1000
}

public struct KrakenBook: Sendable {
    public enum Outcome: Sendable, Hashable {
        /// Applied; `verified` is false when the message had no checksum or checking is off.
        case applied(verified: Bool)
        /// The local book diverged from Kraken's and was cleared: resubscribe this symbol.
        case resync(expected: UInt32, computed: UInt32)
        /// An update with no valid snapshot underneath (never had one, or after a resync): dropped.
        case awaitingSnapshot
    }

    public struct Options: Sendable, Hashable {
        /// Verify checksums (ccxt turned this off by default after precision edge cases on some pairs).
        public var verifyChecksum: Bool
        /// Re-pad prices/qtys that arrive with fewer fraction digits than the pair's precision,
        /// so the book holds Kraken's own text (`4.0` → `4.00000000`).
        public var padToPrecision: Bool

        public init(verifyChecksum: Bool = true, padToPrecision: Bool = true) {
            self.verifyChecksum = verifyChecksum
            self.padToPrecision = padToPrecision
        }
    }

    public private(set) var book: OrderBook
    public let depth: KrakenBookDepth
    /// The pair's precision; nil writes checksum fields at the token's own scale.
    public var precision: KrakenPrecision?
    public var options: Options
    /// True once a snapshot has been applied and no check has failed since.
    public private(set) var isValid = false
    public private(set) var checksumFailures = 0

    public init(symbol: Symbol, depth: KrakenBookDepth = .d10, precision: KrakenPrecision?, options: Options = Options()) {
        self.book = OrderBook(venue: .kraken, symbol: symbol)
        self.depth = depth
        self.precision = precision
        self.options = options
    }

    /// Applies one symbol's entry of a `book` message.
    public mutating func apply(_ data: KrakenBookData, type: KrakenPushType) -> Outcome {
        if type == .snapshot {
            book.clear()
            isValid = true
        } else if !isValid {
            return .awaitingSnapshot
        }
        let pad = options.padToPrecision ? precision : nil
        for level in data.bids {
            book.apply(.buy, price: Self.padded(level.price, pad?.price), quantity: Self.padded(level.quantity, pad?.qty))
        }
        for level in data.asks {
            book.apply(.sell, price: Self.padded(level.price, pad?.price), quantity: Self.padded(level.quantity, pad?.qty))
        }
        book.truncate(to: depth.rawValue)
        if let t = data.timestamp { book.timestamp = t }
        guard options.verifyChecksum, let expected = data.checksum else { return .applied(verified: false) }
        let computed = KrakenBookChecksum.compute(book, precision: precision)
        if computed == expected { return .applied(verified: true) }
        checksumFailures += 1
        isValid = false
        book.clear()
        return .resync(expected: expected, computed: computed)
    }

    /// Marks the book stale (e.g. on reconnect) until the next snapshot.
    public mutating func invalidate() {
        isValid = false
        book.clear()
    }

    @inline(__always)
    static func padded(_ d: FixedDecimal, _ scale: UInt8?) -> FixedDecimal {
        guard let scale, d.scale < scale else { return d }
        return d.rescaled(to: scale)
    }
}
