import HFTCore
import Synchronization
import Testing
import HFTSimulator

/// BTC/USD spot at Kraken precision, no fees unless given, two funded accounts.
func makeExchange(rules: MatchingRules = MatchingRules(), fees: FeeSchedule = .zero,
                  minNotional: FixedDecimal = .zero, flows: [FlowConfig] = [],
                  clock: ManualClock = ManualClock(autoAdvanceMicros: 1)) throws -> SimulatedExchange {
    let config = ExchangeConfig(
        venue: .kraken,
        assets: [AssetSpec("BTC", scale: 8), AssetSpec("ETH", scale: 8), AssetSpec("USD", scale: 8)],
        instruments: [InstrumentSpec(symbol: "BTC/USD", priceScale: 1, quantityScale: 8, minQuantity: "0.0001",
                                     minNotional: minNotional),
                      InstrumentSpec(symbol: "ETH/USD", priceScale: 2, quantityScale: 8)],
        rules: rules, fees: fees,
        accounts: [1, 2, 3].map {
            AccountSetup(credentials: .simDefault($0), label: "t\($0)",
                         balances: ["BTC": "100", "ETH": "1000", "USD": "10000000"])
        },
        flows: flows)
    return try SimulatedExchange(config: config, clock: clock)
}

let btc: Symbol = "BTC/USD"
let eth: Symbol = "ETH/USD"
let alice = AccountID(0)
let bob = AccountID(1)
let carol = AccountID(2)

/// Collects events in delivery order.
final class EventRecorder: Sendable {
    private let box = Mutex<[SimEvent]>([])
    var events: [SimEvent] { box.withLock { $0 } }
    func record(_ e: SimEvent) { box.withLock { $0.append(e) } }
    func clear() { box.withLock { $0.removeAll() } }

    var bookUpdates: [SimBookUpdate] { events.compactMap { if case .book(let u) = $0 { u } else { nil } } }
    var trades: [TradeEvent] { events.compactMap { if case .trade(let t) = $0 { t } else { nil } } }
    var orderEvents: [SimOrderEvent] { events.compactMap { if case .order(let o) = $0 { o } else { nil } } }
    var fills: [FillEvent] { events.compactMap { if case .fill(let f) = $0 { f } else { nil } } }

    func orderKinds(_ id: SimOrderID) -> [OrderEventKind] {
        orderEvents.filter { $0.order.id == id }.map(\.kind)
    }
}

func record(_ ex: SimulatedExchange, _ filter: EventFilter = .everything) -> EventRecorder {
    let r = EventRecorder()
    ex.subscribe(filter) { r.record($0) }
    return r
}

extension SimulatedExchange {
    @discardableResult
    func limit(_ account: AccountID, _ side: Side, _ qty: FixedDecimal, at price: FixedDecimal, tif: TimeInForce = .gtc,
               postOnly: Bool = false, clientID: String? = nil, stp: SelfTradePrevention? = nil,
               symbol: Symbol = btc) throws(RejectReason) -> PlaceResult {
        try placeOrder(account, OrderRequest(symbol: symbol, side: side, type: .limit, quantity: qty, price: price,
                                             timeInForce: tif, postOnly: postOnly, clientOrderID: clientID,
                                             selfTradePrevention: stp))
    }

    @discardableResult
    func market(_ account: AccountID, _ side: Side, _ qty: FixedDecimal, symbol: Symbol = btc) throws(RejectReason) -> PlaceResult {
        try placeOrder(account, .market(symbol, side, quantity: qty))
    }

    /// (price, quantity) pairs of one side, best first.
    func levels(_ side: Side, symbol: Symbol = btc) throws -> [(String, String)] {
        let b = try bookSnapshot(symbol, depth: 100)
        return (side == .buy ? b.bids : b.asks).map { ($0.price.description, $0.quantity.description) }
    }

    func available(_ a: AccountID, _ asset: String) -> FixedDecimal { balance(a, asset: asset)!.available }
    func frozen(_ a: AccountID, _ asset: String) -> FixedDecimal { balance(a, asset: asset)!.frozen }
}

/// Runs `body` and returns the reject reason it threw (nil when it did not throw).
func rejection<T>(_ body: () throws -> T) -> RejectReason? {
    do { _ = try body(); return nil } catch let e as RejectReason { return e } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
