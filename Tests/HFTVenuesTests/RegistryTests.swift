import Testing
import Synchronization
import HFTCore
import HFTTransport
@testable import HFTVenues

/// A venue API that records what it was created with; no network.
final class FakeRest: ExchangeRestAPI {
    let venue: Venue
    let endpoints: [String: String]
    init(_ s: VenueAPISettings) { venue = s.venue; endpoints = s.endpoints }
    func shutdown() async {}
}

final class FakeWs: ExchangeWsAPI {
    let venue: Venue
    let rest: (any ExchangeRestAPI)?
    let status = EventStream<VenueStatus>(policy: .neverDrop(alarmThreshold: 1000))
    let errors = EventStream<VenueErrorReply>(policy: .neverDrop(alarmThreshold: 1000))
    let latency = LatencyBook()
    let stopped = Mutex(false)
    init(_ s: VenueAPISettings, _ rest: (any ExchangeRestAPI)?) { venue = s.venue; self.rest = rest }
    func start() async throws {}
    func stop() async { stopped.withLock { $0 = true } }
    func nextRequestID() -> RequestID { RequestIDGenerator.next() }
    func watchOrderBook(_ symbol: Symbol, depth: Int, delivery: BackpressurePolicy) async throws -> EventStream<BookUpdate> { throw HFTError.unsupported("fake") }
    func watchTrades(_ symbol: Symbol) async throws -> EventStream<Trade> { throw HFTError.unsupported("fake") }
    func watchTicker(_ symbol: Symbol) async throws -> EventStream<Ticker> { throw HFTError.unsupported("fake") }
    func watchOrders() async throws -> EventStream<OrderEvent> { throw HFTError.unsupported("fake") }
    func watchBalance() async throws -> EventStream<Balance> { throw HFTError.unsupported("fake") }
    func placeOrder(_ order: PlaceOrder, callback: @escaping OrderCallback) -> RequestID { reply("add_order", callback) }
    func cancelOrder(_ cancel: CancelOrder, callback: @escaping OrderCallback) -> RequestID { reply("cancel_order", callback) }
    func amendOrder(_ amend: AmendOrder, callback: @escaping OrderCallback) -> RequestID { reply("amend_order", callback) }
    func cancelAllOrders(symbol: Symbol?, callback: @escaping OrderCallback) -> RequestID { reply("cancel_all", callback) }
    func reply(_ method: String, _ callback: OrderCallback) -> RequestID {
        let id = nextRequestID()
        callback(OrderResult(venue: venue, requestID: id, method: method, request: "{}", response: "{}", latencyMicros: 1, ok: true))
        return id
    }
}

@Suite struct RegistryTests {
    func registry() -> Exchanges {
        Exchanges(factories: VenueFactories(rest: [.kraken: { FakeRest($0) }], ws: [.kraken: { FakeWs($0, $1) }], wsNeedsRest: [.kraken]))
    }

    @Test func createOnceGetAnywhere() throws {
        let ex = registry()
        let settings = VenueAPISettings(venue: .kraken, credentials: .init(key: "k", secret: "s"))
        let ws = try ex.createWsAPI(settings)
        #expect(try ex.wsAPI(.kraken) === ws)
        // Creating the WS API created the REST API it authenticates with, and handed it over.
        let rest = try ex.restAPI(.kraken)
        #expect((ws as? FakeWs)?.rest === rest)
        // Same settings again: the same instance.
        #expect(try ex.createWsAPI(settings) === ws)
    }

    @Test func wrongUseIsAClearError() throws {
        let ex = registry()
        #expect(throws: HFTError.self) { try ex.wsAPI(.kraken) }
        _ = try ex.createWsAPI(VenueAPISettings(venue: .kraken, credentials: .init(key: "k", secret: "s")))
        do {
            _ = try ex.createWsAPI(VenueAPISettings(venue: .kraken, credentials: .init(key: "other", secret: "s2")))
            Issue.record("second create with other credentials was accepted")
        } catch {
            #expect("\(error)".contains("already exists"))
            #expect(!"\(error)".contains("s2"))
        }
        // A named second account is its own instance.
        let second = try ex.createWsAPI(VenueAPISettings(venue: .kraken, credentials: .init(key: "other", secret: "s2"), account: "hedge"))
        #expect(try ex.wsAPI(.kraken, account: "hedge") === second)
        #expect(try ex.wsAPI(.kraken) !== second)
        #expect(throws: HFTError.self) { try ex.createWsAPI(VenueAPISettings(venue: .bge)) }
    }

    @Test func concurrentGetsSeeOneInstance() async throws {
        let ex = registry()
        let settings = VenueAPISettings(venue: .kraken, credentials: .init(key: "k", secret: "s"))
        let ids = await withTaskGroup(of: ObjectIdentifier?.self) { group in
            for _ in 0..<64 {
                group.addTask { (try? ex.createWsAPI(settings)).map { ObjectIdentifier($0) } }
                group.addTask { (try? ex.wsAPI(.kraken)).map { ObjectIdentifier($0) } }
            }
            var seen: [ObjectIdentifier?] = []
            for await id in group { seen.append(id) }
            return seen
        }
        #expect(Set(ids.compactMap { $0 }).count == 1)
        await ex.shutdownAll()
        #expect(throws: HFTError.self) { try ex.wsAPI(.kraken) }
    }

    @Test func orderedSenderKeepsSubmissionOrderThroughTheLimiter() async throws {
        let limiter = RateLimiter(capacity: 3, refillPerSecond: 2_000)
        let sender = OrderedSender(limiter: limiter)
        let order = Mutex<[Int]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            for i in 0..<200 {
                sender.submit { _ in
                    let n = order.withLock { $0.append(i); return $0.count }
                    if n == 200 { done.resume() }
                }
            }
        }
        #expect(order.withLock { $0 } == Array(0..<200))
        #expect(limiter.grantedCount == 200)
    }
}
