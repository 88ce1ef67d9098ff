import HFTCore
import HFTTransport

/// A stream of one kind of event, with the backpressure policy its class calls for
/// (books and tickers conflate, public trades drop oldest, private pushes never drop).
public typealias EventStream<Element: Sendable> = DeliveryBuffer<Element>

/// A venue's REST API: the signed calls its WebSocket flows need, and order entry for venues
/// that take orders over REST only.
public protocol ExchangeRestAPI: AnyObject, Sendable {
    var venue: Venue { get }
    var endpoints: [String: String] { get }
    /// Releases connections, tokens and keys.
    func shutdown() async
}

/// One venue's WebSocket API, the same for every venue. Create it once per process with
/// `Exchanges.createWsAPI`, fetch it anywhere with `Exchanges.wsAPI`.
///
/// Order entry takes a callback and returns the request id at once; requests leave in the
/// order the calls were made, through the venue's process-wide rate limiter. Venues without
/// WebSocket order entry send these over their signed REST API with the same result type.
public protocol ExchangeWsAPI: AnyObject, Sendable {
    var venue: Venue { get }
    /// Connection and book-state changes (`connected`, `book_invalid`, `book_resynced`, …).
    var status: EventStream<VenueStatus> { get }
    /// Error replies the venue pushed outside any request.
    var errors: EventStream<VenueErrorReply> { get }
    /// Round-trip latency per method (µs).
    var latency: LatencyBook { get }

    /// Connects, authenticates where credentials were given, and keeps itself alive.
    func start() async throws
    /// Cancels nothing, closes everything, releases tokens/keys.
    func stop() async
    func nextRequestID() -> RequestID

    /// The local book after every applied venue message. `delivery` says what happens when the
    /// consumer is slower than the venue: `.conflate` (the default) keeps only the latest book;
    /// `.neverDrop` keeps every state (one per venue message).
    func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws -> EventStream<BookUpdate>
    func watchTrades(_ symbol: Symbol) async throws -> EventStream<Trade>
    func watchTicker(_ symbol: Symbol) async throws -> EventStream<Ticker>
    /// Candles of `symbol` at `interval` (drop-oldest); an interval the venue does not serve
    /// throws `.invalidArgument` naming the ones it does.
    func watchCandles(_ symbol: Symbol, interval: CandleInterval) async throws -> EventStream<Candle>
    func watchOrders() async throws -> EventStream<OrderEvent>
    /// Orders and fills, also following `symbols` on venues whose private order channel is
    /// subscribed per instrument (DigiFinex, BGE); elsewhere the same as `watchOrders()`.
    func watchOrders(symbols: [Symbol]) async throws -> EventStream<OrderEvent>
    func watchBalance() async throws -> EventStream<Balance>
    func watchPositions() async throws -> EventStream<Position>

    @discardableResult func placeOrder(_ order: PlaceOrder, callback: @escaping OrderCallback) -> RequestID
    @discardableResult func cancelOrder(_ cancel: CancelOrder, callback: @escaping OrderCallback) -> RequestID
    @discardableResult func amendOrder(_ amend: AmendOrder, callback: @escaping OrderCallback) -> RequestID
    @discardableResult func cancelAllOrders(symbol: Symbol?, callback: @escaping OrderCallback) -> RequestID
}

extension ExchangeWsAPI {
    public func placeOrder(_ order: PlaceOrder) async -> OrderResult {
        await withCheckedContinuation { c in placeOrder(order) { c.resume(returning: $0) } }
    }

    public func cancelOrder(_ cancel: CancelOrder) async -> OrderResult {
        await withCheckedContinuation { c in cancelOrder(cancel) { c.resume(returning: $0) } }
    }

    public func amendOrder(_ amend: AmendOrder) async -> OrderResult {
        await withCheckedContinuation { c in amendOrder(amend) { c.resume(returning: $0) } }
    }

    public func cancelAllOrders(symbol: Symbol? = nil) async -> OrderResult {
        await withCheckedContinuation { c in cancelAllOrders(symbol: symbol) { c.resume(returning: $0) } }
    }

    public func watchOrders(symbols: [Symbol]) async throws -> EventStream<OrderEvent> {
        try await watchOrders()
    }

    public func watchOrderBook(_ symbol: Symbol, depth: Int) async throws -> EventStream<BookUpdate> {
        try await watchOrderBook(symbol, depth: depth, delivery: .conflate)
    }

    public func watchPositions() async throws -> EventStream<Position> {
        throw HFTError.unsupported("\(venue) has no positions channel")
    }

    public func watchCandles(_ symbol: Symbol, interval: CandleInterval) async throws -> EventStream<Candle> {
        throw HFTError.unsupported("\(venue) has no candles channel in this client")
    }
}

/// Latency histograms per method, readable from anywhere.
public final class LatencyBook: Sendable {
    private let histograms = Mutex<[String: LatencyHistogram]>([:])
    public init() {}

    public func record(_ method: String, micros: UInt64) {
        histograms.withLock { $0[method, default: LatencyHistogram()].record(micros) }
    }

    public func summary(_ method: String) -> LatencySummary? { histograms.withLock { $0[method]?.summary } }

    /// All methods merged.
    public var overall: LatencySummary {
        histograms.withLock { h in h.values.reduce(into: LatencyHistogram()) { $0.merge($1) }.summary }
    }

    public var methods: [String: LatencySummary] { histograms.withLock { $0.mapValues(\.summary) } }
}

import Synchronization
