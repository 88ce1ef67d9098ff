import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The FMex client against the FMex simulator over loopback (no synthetic flow, fixed seed, flow
/// stepped by hand). Both were written from the protocol notes independently; the simulator is
/// reached only through `VenueSimulators` and `SimulatedExchange`.
@Suite("FMex client ↔ simulator", .serialized, .enabled(if: VenueSimulators.available.contains(.fmex)))
struct FMexClientSimulatorTests {
    typealias Sim = SimulatorHarness<FMexSimulator, HFTVenues.FMexWsAPI>

    static func isOrder(_ e: OrderEvent, _ id: String, _ status: OrderStatus? = nil) -> Bool {
        if case .order(let o) = e { return o.orderID == id && (status == nil || o.status == status) }
        return false
    }

    @Test func bookFromSnapshotAndDeltasEqualsTheSimulatorBook() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await sim.api.watchOrderBook(symbol, depth: 10))
            try await sim.waitMatches(book, symbol, "snapshot matches the venue")
            for _ in 0..<10 { exchange.stepFlow(actions: 20, symbol: symbol) }
            try await sim.waitMatches(book, symbol, "deltas keep it equal", timeout: .seconds(15))
            #expect(book.items.contains { !$0.isSnapshot }, "no delta was applied")
            #expect(sim.api.malformedCounts.malformed == 0, "\(sim.status.items.filter { $0.event == .malformed })")
            #expect(sim.api.bookGapCount == 0)
        }
    }

    @Test func placeAndCancelWithLatency() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            let symbol = sim.symbol
            try await sim.api.start()
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await sim.api.watchOrders(symbols: [symbol]))
            try await sim.status.wait(.subscribed, detail: "order.btcusd_p")
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "3", price: try sim.farBid()))
            #expect(placed.ok && placed.method == "POST /v3/contracts/orders" && placed.latencyMicros > 0, "\(placed)")
            let orderID = try #require(placed.orderID)
            #expect(sim.exchange.openOrders(sim.account).count == 1)
            try await orders.wait("order push open") { $0.contains { Self.isOrder($0, orderID, .open) } }
            let cancelled = await sim.api.cancelOrder(CancelOrder(orderID: orderID, symbol: symbol))
            #expect(cancelled.ok && cancelled.latencyMicros > 0, "\(cancelled)")
            try await orders.wait("order push canceled") { $0.contains { Self.isOrder($0, orderID, .canceled) } }
            #expect(sim.exchange.openOrders(sim.account).isEmpty && sim.api.openOrders.isEmpty)
        }
    }

    /// FMex keeps no client order ids: ours stay local, show on the order, and cancel by them works.
    @Test func localClientOrderIDsPlaceAndCancel() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            let symbol = sim.symbol
            try await sim.api.start()
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await sim.api.watchOrders(symbols: [symbol]))
            try await sim.status.wait(.subscribed, detail: "order.btcusd_p")
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "2", price: try sim.farBid(),
                                                             clientOrderID: "mm-bid-1"))
            #expect(placed.ok && placed.clientOrderID == "mm-bid-1", "\(placed)")
            #expect(!placed.request.contains("mm-bid-1"))
            let orderID = try #require(placed.orderID)
            // The first push may beat the REST reply (and so lack the id); the tracker knows it from then on.
            try await orders.wait("order push open") { $0.contains { Self.isOrder($0, orderID, .open) } }
            let unknown = await sim.api.cancelOrder(CancelOrder(clientOrderIDs: ["nope"], symbol: symbol))
            #expect(!unknown.ok)
            if case .invalidArgument? = unknown.error {} else { Issue.record("expected invalidArgument, got \(String(describing: unknown.error))") }
            let cancelled = await sim.api.cancelOrder(CancelOrder(clientOrderIDs: ["mm-bid-1"], symbol: symbol))
            #expect(cancelled.ok, "\(cancelled)")
            try await orders.wait("canceled push with the client id") {
                $0.contains { if case .order(let o) = $0 { o.orderID == orderID && o.status == .canceled && o.clientOrderID == "mm-bid-1" } else { false } }
            }
            #expect(sim.exchange.openOrders(sim.account).isEmpty)
        }
    }

    @Test func crossingOrderFillsAndPushesPositionAndAccount() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange, account = sim.account
            try await sim.api.start()
            let orders = KrakenRecorder<OrderEvent>(), positions = KrakenRecorder<Position>(), balances = KrakenRecorder<Balance>()
            orders.drain(try await sim.api.watchOrders(symbols: [symbol]))
            positions.drain(try await sim.api.watchPositions(symbols: [symbol]))
            balances.drain(try await sim.api.watchBalance())
            try await sim.status.wait(.subscribed, detail: "position.btcusd_p")
            try await sim.status.wait(.subscribed, detail: "account")
            let ask = try #require(try exchange.bookSnapshot(symbol, depth: 1).bestAsk)
            let quantity = min(ask.quantity, FixedDecimal(2))
            let seenBalances = balances.count
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: quantity, price: ask.price))
            #expect(placed.ok, "\(placed)")
            let orderID = try #require(placed.orderID)
            try await orders.wait("filled") { $0.contains { Self.isOrder($0, orderID, .filled) } }
            try await orders.wait("fill") { $0.contains { if case .fill(let f) = $0 { f.orderID == orderID && f.quantity == quantity && f.price == ask.price } else { false } } }
            let venuePosition = try #require(exchange.positions(account).first { $0.symbol == symbol })
            try await positions.wait("position push equals the venue") { $0.last?.quantity == venuePosition.quantity }
            #expect(venuePosition.quantity == quantity)
            try await balances.wait("account push after the fill") { $0.count > seenBalances }
            let ledger = try #require(exchange.balance(account, asset: "BTC"))
            try await balances.wait("available equals the ledger") { $0.last { $0.asset == "BTC" }?.available == ledger.available }
        }
    }

    @Test func tradesMatchTheSimulator() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let trades = KrakenRecorder<Trade>()
            trades.drain(try await sim.api.watchTrades(symbol))
            try await sim.status.wait(.subscribed, detail: "trade.btcusd_p")
            var n = 0
            while trades.count < 5 && n < 200 {
                exchange.stepFlow(actions: 20, symbol: symbol)
                n += 1
                _ = try? await trades.wait("trades", timeout: .milliseconds(50)) { $0.count >= 5 }
            }
            try await trades.wait("trades") { $0.count >= 5 }
            let venue = exchange.recentTrades(symbol, limit: 1_000)
            for t in trades.items {
                let match = venue.first { $0.trade.price == t.price && $0.trade.quantity == t.quantity && $0.trade.side == t.side }
                #expect(match != nil, "\(t)")
            }
            #expect(Set(trades.items.map(\.id)).count == trades.count)
        }
    }

    // MARK: Faults

    /// The simulator skips depth sequence numbers: the client sees the `pre_seq` break, reports
    /// the book invalid, resubscribes, and the new snapshot equals the venue again.
    @Test func skippedSequenceIsResyncedBySubscribingAgain() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await sim.api.watchOrderBook(symbol, depth: 10))
            try await book.wait("first snapshot") { !$0.isEmpty }
            exchange.faults.setPlan(FaultPlan(skipSequenceEvery: 3))
            var n = 0
            while sim.status.count(.bookInvalid) == 0 && n < 100 {
                exchange.stepFlow(actions: 10, symbol: symbol)
                n += 1
                try await Task.sleep(for: .milliseconds(10))
            }
            try await sim.status.wait(.bookInvalid, symbol: symbol)
            exchange.faults.clear()
            try await sim.status.wait(.bookResynced, symbol: symbol)
            exchange.stepFlow(actions: 20, symbol: symbol)
            try await sim.waitMatches(book, symbol, "equal again after the resync", timeout: .seconds(15))
            #expect(sim.api.bookGapCount >= 1)
        }
    }

    /// Every socket dropped: both reconnect, the private one with a freshly signed address, topics
    /// replayed, the book resynced, and an order placed after it still reaches us by push.
    @Test func dropReconnectsReauthenticatesAndReplays() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            try await sim.api.start()
            let orders = KrakenRecorder<OrderEvent>(), book = KrakenRecorder<BookUpdate>()
            orders.drain(try await sim.api.watchOrders(symbols: [symbol]))
            book.drain(try await sim.api.watchOrderBook(symbol, depth: 10))
            try await book.wait("first snapshot") { !$0.isEmpty }
            try await sim.status.wait(.subscribed, detail: "order.btcusd_p")
            // Drop every socket at its next frame: the book's next delta, and the private push of
            // an order placed now (so that push is lost and the order must be reconciled).
            exchange.faults.setPlan(FaultPlan(dropAfterMessages: 0))
            exchange.stepFlow(actions: 20, symbol: symbol)
            let cut = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "2", price: try sim.farBid()))
            let cutID = try #require(cut.orderID, "\(cut)")
            try await sim.status.wait(.reconnecting, count: 2, timeout: .seconds(5))
            exchange.faults.clear()
            try await sim.status.wait(.authenticated, count: 2, timeout: .seconds(10))
            try await sim.status.wait(.bookResynced, symbol: symbol, timeout: .seconds(10))
            try await sim.status.wait(.subscribed, count: 2, detail: "order.btcusd_p")
            try await orders.wait("order known open after the reconnect") { $0.contains { Self.isOrder($0, cutID, .open) } }
            exchange.stepFlow(actions: 20, symbol: symbol)
            try await sim.waitMatches(book, symbol, "equal after the reconnect", timeout: .seconds(15))
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "1", price: try sim.farBid()))
            let orderID = try #require(placed.orderID)
            try await orders.wait("push on the new private socket") { $0.contains { Self.isOrder($0, orderID, .open) } }
        }
    }

    /// 50 place + cancel round trips over loopback REST: every result ok with its latency, the
    /// histogram filled (figures printed for the record; debug build, shared machine).
    @Test func orderRoundTripLatency() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            try await sim.api.start()
            let price = try sim.farBid()
            for _ in 0..<50 {
                let placed = await sim.api.placeOrder(PlaceOrder(symbol: sim.symbol, side: .buy, quantity: "1", price: price))
                #expect(placed.ok && placed.latencyMicros > 0, "\(placed)")
                let cancel = await sim.api.cancelOrder(CancelOrder(orderID: try #require(placed.orderID)))
                #expect(cancel.ok && cancel.latencyMicros > 0, "\(cancel)")
            }
            let place = try #require(sim.api.latency.summary("POST /v3/contracts/orders"))
            let cancel = try #require(sim.api.latency.summary("POST /v3/contracts/orders/{id}/cancel"))
            #expect(place.count == 50 && cancel.count == 50)
            print("fmex sim latency µs: place p50 \(place.p50) p99 \(place.p99); cancel p50 \(cancel.p50) p99 \(cancel.p99)")
            #expect(sim.exchange.openOrders(sim.account).isEmpty)
        }
    }

    /// Ticker: best bid/ask with sizes and the last price follow the venue.
    @Test func tickerFollowsTheSimulator() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let tickers = KrakenRecorder<Ticker>()
            tickers.drain(try await sim.api.watchTicker(symbol))
            @Sendable func matches(_ items: [Ticker]) -> Bool {
                guard let t = items.last, let book = try? exchange.bookSnapshot(symbol, depth: 1) else { return false }
                return t.symbol == symbol && t.bid == book.bestBid?.price && t.ask == book.bestAsk?.price
                    && t.bidQuantity == book.bestBid?.quantity && t.askQuantity == book.bestAsk?.quantity
                    && t.last == exchange.recentTrades(symbol, limit: 1).last?.trade.price
            }
            var n = 0
            while !matches(tickers.items) && n < 100 {
                exchange.stepFlow(actions: 20, symbol: symbol)
                n += 1
                _ = try? await tickers.wait("ticker", timeout: .milliseconds(50), until: matches)
            }
            try await tickers.wait("ticker matches the venue", until: matches)
            #expect(sim.api.malformedCounts.malformed == 0)
        }
    }
}

extension SimulatorHarness where Simulator == FMexSimulator, API == HFTVenues.FMexWsAPI {
    /// The FMex simulator, reached through `VenueSimulators`, and a client with `options` over the
    /// test defaults (endpoint names `ws`, `ws-user`, `rest`).
    static func start(credentials: Bool = true, _ options: [String: String] = [:]) async throws -> Self {
        try await start(.fmex, simulator: { try #require(VenueSimulators.factories[.fmex]?($0) as? FMexSimulator) }) { endpoints, creds in
            try HFTVenues.FMexWsAPI(credentials: credentials ? try HFTVenues.FMexCredentials(apiKey: creds.apiKey, secret: creds.apiSecret) : nil,
                                    endpoints: try HFTVenues.FMexDescriptor.endpoints(endpoints), options: try fmexTestOptions(options),
                                    account: "sim-\(UUID().uuidString)")
        }
    }

    /// Half the best bid, on a whole-dollar price: rests without trading.
    func farBid() throws -> FixedDecimal {
        let bid = try #require(try exchange.bookSnapshot(symbol, depth: 1).bestBid?.price)
        return try #require(bid.divided(by: FixedDecimal(2), scale: 0, rounding: .down))
    }
}
