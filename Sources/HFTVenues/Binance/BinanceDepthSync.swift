/// One symbol's local order book from the diff-depth stream and a REST snapshot, exactly as
/// binance.md §10 describes it (spot rules; no `pu`):
///
/// 1. Buffer `depthUpdate` events; the first one after a (re)start asks for a snapshot.
/// 2. Snapshot `lastUpdateId` → drop buffered events with `u ≤ lastUpdateId`. If the first
///    remaining one has `U > lastUpdateId + 1` the snapshot is too old: fetch another (the
///    buffer is kept). Otherwise it bridges (`U ≤ lastUpdateId + 1 ≤ u`).
/// 3. Apply the rest, then live events: `u < id` → ignore; `U > id + 1` → gap: discard the book,
///    start buffering again from that event, fetch a new snapshot for this symbol only.
///    Each `[price, qty]` is the absolute quantity; 0 removes the level. Then `id = u`.
///
/// A pure state machine: no I/O, no clock. The caller fetches snapshots (pacing them, weight 250
/// at limit 5000) when an outcome says so.
import HFTCore

public struct BinanceDepthSync: Sendable {
    public struct Options: Sendable, Hashable {
        /// Levels per side in `deliveredBook` (nil: all). The full book is kept for updates.
        public var deliveryDepth: Int?
        /// Events kept while waiting for a snapshot; beyond it the oldest are dropped (if one
        /// was needed, the bridge check fails and a new snapshot is asked for).
        public var maxBuffered: Int
        /// Also call a gap when an applied event's `U` is not exactly `id + 1` (overlaps). The
        /// notes only call a gap on `U > id + 1`, so this is off by default.
        public var strictContinuity: Bool

        public init(deliveryDepth: Int? = nil, maxBuffered: Int = 10_000, strictContinuity: Bool = false) {
            self.deliveryDepth = deliveryDepth
            self.maxBuffered = max(1, maxBuffered)
            self.strictContinuity = strictContinuity
        }
    }

    public enum Outcome: Sendable, Hashable {
        /// Held until a snapshot arrives; `fetchSnapshot` is true once per (re)start: fetch now.
        case buffered(fetchSnapshot: Bool)
        /// The book changed: a snapshot (with the buffered events on top) or one live event.
        case applied(snapshot: Bool)
        /// Older than the book (`u < id`, or `u ≤ lastUpdateId` before the first bridge): dropped.
        case stale
        /// The snapshot predates the buffered events: fetch another. Buffered events are kept.
        case snapshotTooOld(lastUpdateID: Int64, firstU: Int64)
        /// A gap: the book was discarded and buffering restarted with this event; fetch a new
        /// snapshot for this symbol only.
        case resync(bookID: Int64, firstU: Int64)
        /// Another symbol's event, or a snapshot nobody waits for: nothing changed.
        case ignored
    }

    /// The API symbol (`BTCUSDT`); events for other symbols are ignored.
    public let symbol: String
    public var options: Options
    public private(set) var book: OrderBook
    /// True from a snapshot until the next gap or reset.
    public private(set) var isSynced = false
    /// The book's update id (`lastUpdateId`, then each applied `u`).
    public private(set) var updateID: Int64 = 0
    public private(set) var resyncCount = 0
    /// Events dropped because the buffer was full.
    public private(set) var droppedFromBuffer = 0

    private var buffer: [BinanceDepthUpdate] = []
    private var snapshotRequested = false
    /// False between a snapshot and the first event applied on top of it.
    private var bridged = false

    public init(symbol: String, unified: Symbol, options: Options = Options()) {
        self.symbol = symbol
        self.options = options
        self.book = OrderBook(venue: .binance, symbol: unified)
    }

    /// Events waiting for a snapshot.
    public var bufferedCount: Int { buffer.count }

    /// Forgets book and buffer (e.g. after a reconnect); the next event asks for a snapshot.
    public mutating func reset() {
        book.clear()
        book.sequence = 0
        buffer.removeAll(keepingCapacity: true)
        isSynced = false
        bridged = false
        snapshotRequested = false
        updateID = 0
    }

    /// The book as delivered: truncated to `options.deliveryDepth`.
    public var deliveredBook: OrderBook {
        guard let depth = options.deliveryDepth, book.bids.count > depth || book.asks.count > depth else { return book }
        var out = OrderBook(venue: book.venue, symbol: book.symbol)
        out.replace(bids: Array(book.bids.prefix(depth)), asks: Array(book.asks.prefix(depth)))
        out.sequence = book.sequence
        out.timestamp = book.timestamp
        return out
    }

    // MARK: Events

    public mutating func apply(_ event: BinanceDepthUpdate) -> Outcome {
        guard event.symbol == symbol else { return .ignored }
        guard isSynced else { return bufferEvent(event) }
        if event.finalUpdateID < updateID || (!bridged && event.finalUpdateID <= updateID) { return .stale }
        if event.firstUpdateID > updateID + 1 {
            guard bridged else {
                // Nothing bridged the snapshot yet: it is too old, not a gap in the stream.
                let id = updateID
                restart(with: event, resync: false)
                return .snapshotTooOld(lastUpdateID: id, firstU: event.firstUpdateID)
            }
            return gap(at: event)
        }
        if options.strictContinuity, bridged, event.firstUpdateID != updateID + 1 { return gap(at: event) }
        applyLevels(event)
        bridged = true
        return .applied(snapshot: false)
    }

    /// Applies a REST (or WS API `depth`) snapshot while one is awaited.
    /// `timestamp` stamps the book until the first event does.
    public mutating func applySnapshot(_ snapshot: BinanceDepthSnapshot, timestamp: Timestamp = 0) -> Outcome {
        guard !isSynced else { return .ignored }
        let id = snapshot.lastUpdateID
        // Buffered events are in stream order: skip those the snapshot already contains.
        let start = buffer.firstIndex { $0.finalUpdateID > id } ?? buffer.endIndex
        if start < buffer.endIndex, buffer[start].firstUpdateID > id + 1 {
            return .snapshotTooOld(lastUpdateID: id, firstU: buffer[start].firstUpdateID)
        }
        let pending = buffer[start...]
        buffer.removeAll(keepingCapacity: true)
        _ = install(snapshot, timestamp: timestamp)
        for (offset, event) in pending.enumerated() {
            let outcome = apply(event)
            if case .resync = outcome {
                // `apply` restarted the buffer with the gap event; keep the ones after it too.
                buffer.append(contentsOf: pending.dropFirst(offset + 1))
                return outcome
            }
        }
        return .applied(snapshot: true)
    }

    // MARK: Steps

    private mutating func bufferEvent(_ event: BinanceDepthUpdate) -> Outcome {
        buffer.append(event)
        if buffer.count > options.maxBuffered {
            let excess = buffer.count - options.maxBuffered
            buffer.removeFirst(excess)
            droppedFromBuffer += excess
        }
        if snapshotRequested { return .buffered(fetchSnapshot: false) }
        snapshotRequested = true
        return .buffered(fetchSnapshot: true)
    }

    private mutating func install(_ s: BinanceDepthSnapshot, timestamp: Timestamp) -> Outcome {
        book.replace(bids: s.bids, asks: s.asks)
        book.sequence = s.lastUpdateID
        book.timestamp = timestamp
        updateID = s.lastUpdateID
        isSynced = true
        bridged = false
        return .applied(snapshot: true)
    }

    private mutating func applyLevels(_ e: BinanceDepthUpdate) {
        for l in e.bids { book.apply(.buy, price: l.price, quantity: l.quantity) }
        for l in e.asks { book.apply(.sell, price: l.price, quantity: l.quantity) }
        updateID = e.finalUpdateID
        book.sequence = e.finalUpdateID
        book.timestamp = e.eventTime
    }

    private mutating func gap(at event: BinanceDepthUpdate) -> Outcome {
        let id = updateID
        restart(with: event, resync: true)
        return .resync(bookID: id, firstU: event.firstUpdateID)
    }

    /// Back to buffering, starting with `event`; a snapshot is asked for by the outcome returned.
    private mutating func restart(with event: BinanceDepthUpdate, resync: Bool) {
        book.clear()
        isSynced = false
        bridged = false
        updateID = 0
        buffer.removeAll(keepingCapacity: true)
        buffer.append(event)
        snapshotRequested = true
        if resync { resyncCount += 1 }
    }
}
