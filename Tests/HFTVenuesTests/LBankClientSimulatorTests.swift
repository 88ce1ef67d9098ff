import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The LBank client against the LBank simulator over loopback (no synthetic flow, fixed seed,
/// flow stepped by hand). The simulator was written from the protocol notes on its own, so
/// agreement here is two independent readings of the wire format agreeing.
@Suite("LBank client ↔ simulator", .serialized, .enabled(if: VenueSimulators.available.contains(.lbank)))
struct LBankClientSimulatorTests {
    typealias Sim = SimulatorHarness<LBankSimulator, LBankWsAPI>

    @Test func bookEqualsTheSimulatorBook() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await sim.api.watchOrderBook(symbol, depth: 10))
            try await sim.waitMatches(book, symbol, "snapshot matches the venue")
            for _ in 0..<10 { exchange.stepFlow(actions: 20, symbol: symbol) }
            try await sim.waitMatches(book, symbol, "snapshots keep matching the venue")
            let allSnapshots = book.items.allSatisfy { $0.isSnapshot }
            #expect(allSnapshots)
        }
    }

    @Test func placedOrderArrivesAsOrderUpdate() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            let symbol = sim.symbol
            try await sim.api.start()
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await sim.api.watchOrders())
            // No subscribe ack exists: give the subscribe a moment to land before trading.
            try await Task.sleep(for: .milliseconds(200))
            let bid = try #require(try sim.exchange.bookSnapshot(symbol, depth: 10).bestBid?.price)
            let low = bid.divided(by: FixedDecimal(2), scale: bid.scale)!
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: low, clientOrderID: "sim1"))
            #expect(placed.ok, "\(placed)")
            #expect(placed.method == "POST /v2/supplement/create_order.do" && placed.latencyMicros > 0)
            let orderID = try #require(placed.orderID)
            try await orders.wait("orderUpdate open") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .open }; return false } }
            let cancelled = await sim.api.cancelOrder(CancelOrder(orderID: orderID, symbol: symbol))
            #expect(cancelled.ok, "\(cancelled)")
            try await orders.wait("orderUpdate canceled") { $0.contains { if case .order(let o) = $0 { return o.orderID == orderID && o.status == .canceled }; return false } }
        }
    }

    // MARK: Trades and tick

    static func isOrder(_ e: OrderEvent, _ id: String, _ status: OrderStatus? = nil) -> Bool {
        if case .order(let o) = e { return o.orderID == id && (status == nil || o.status == status) }
        return false
    }

    /// Client trades equal the venue's (price, base quantity, taker side); on the wire `amount`
    /// is the quote value (price × volume), read raw off a bare socket with the client's decoder.
    @Test func tradesMatchTheSimulatorAndAmountIsTheQuoteValue() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let pair = try LBankSymbols.native(symbol)
            let trades = KrakenRecorder<Trade>()
            trades.drain(try await sim.api.watchTrades(symbol))
            let raw = KrakenRecorder<String>()
            let wire = try WebSocketConnection(configuration: WebSocketConfiguration(url: try WebSocketURL(try #require(sim.endpoints["ws"])))) {
                raw.append($0.text)
            }
            wire.start()
            try await wire.waitUntilReady(timeout: .seconds(5))
            try await wire.send(text: LBankRequest.subscribe(.trade(pair: pair)))
            try await Task.sleep(for: .milliseconds(200))  // no subscribe ack exists
            let before = exchange.recentTrades(symbol, limit: 1_000).count
            var n = 0
            while trades.count < 5 && n < 200 {
                exchange.stepFlow(actions: 20, symbol: symbol)
                n += 1
                _ = try? await trades.wait("trades", timeout: .milliseconds(50)) { $0.count >= 5 }
            }
            try await trades.wait("trades") { $0.count >= 5 }
            let venue = exchange.recentTrades(symbol, limit: 1_000).map(\.trade)
            #expect(venue.count > before)
            for t in trades.items {
                #expect(venue.contains { $0.price == t.price && $0.quantity == t.quantity && $0.side == t.side }, "\(t)")
                #expect(t.venue == .lbank && t.symbol == symbol)
            }
            try await raw.wait("raw trade pushes") { $0.filter { $0.contains(#""type":"trade""#) }.count >= 5 }
            await wire.stop()
            var decoded = 0
            for text in raw.items {
                guard case .trade(let t) = try LBankDecoder.decode(text) else { continue }
                decoded += 1
                let quote = try #require(t.quoteValue, "\(text)")
                let expected = t.price * t.quantity
                #expect(quote == expected || (quote - expected).magnitude <= FixedDecimal(mantissa: 1, scale: quote.scale), "\(text)")
                #expect(venue.contains { $0.price == t.price && $0.quantity == t.quantity }, "\(text)")
            }
            #expect(decoded >= 5)
        }
    }

    @Test func tickMatchesTheSimulator() async throws {
        let sim = try await Sim.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let tickers = KrakenRecorder<Ticker>()
            tickers.drain(try await sim.api.watchTicker(symbol))
            // `latest` = the last trade; `vol` = base volume (the simulator's figures cover its last
            // 1 000 trades plus later ones; fewer exist here).
            @Sendable func lastMatches(_ items: [Ticker]) -> Bool {
                let venue = exchange.recentTrades(symbol, limit: 1_000)
                guard let t = items.last, let last = venue.last?.trade.price, venue.count < 1_000 else { return false }
                let volume = venue.reduce(FixedDecimal.zero) { $0 + $1.trade.quantity }
                return t.symbol == symbol && t.last == last && t.volume24h == volume
            }
            var n = 0
            while !lastMatches(tickers.items) && n < 50 {
                exchange.stepFlow(actions: 20, symbol: symbol)
                n += 1
                _ = try? await tickers.wait("tick", timeout: .milliseconds(50)) { lastMatches($0) }
            }
            try await tickers.wait("tick last equals the venue's last trade", until: lastMatches)
            let seen = tickers.count
            for _ in 0..<10 { exchange.stepFlow(actions: 20, symbol: symbol) }
            try await tickers.wait("tick follows the venue") { $0.count > seen && lastMatches($0) }
            #expect(sim.api.malformedCounts.malformed == 0)
        }
    }

    // MARK: subscribeKey refresh

    /// Keys live 1.5 s in the simulator, the client refreshes every 0.4 s: over three lifetimes
    /// the private stream never lapses (same key, no re-creation, no key error) and orders placed
    /// before and after the original expiry both arrive as `orderUpdate`.
    @Test func keyRefreshKeepsThePrivateStreamAcrossTheKeyLifetime() async throws {
        let sim = try await Sim.start(simOptions: .init(keyValidity: .milliseconds(1_500)), ["key_refresh_s": "0.4"])
        try await sim.run {
            let symbol = sim.symbol
            try await sim.api.start()
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await sim.api.watchOrders())
            let key = try #require(sim.api.subscribeKey)
            try await Task.sleep(for: .milliseconds(200))  // no subscribe ack exists
            let first = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: try sim.farBid(symbol)))
            #expect(first.ok, "\(first)")
            let firstID = try #require(first.orderID)
            try await orders.wait("orderUpdate before the refresh") { $0.contains { Self.isOrder($0, firstID, .open) } }
            try await Task.sleep(for: .milliseconds(4_500))
            #expect(sim.api.keyCounts.refreshes >= 5, "\(sim.api.keyCounts)")
            #expect(sim.api.keyCounts.recreations == 0)
            #expect(sim.api.subscribeKey == key)
            #expect(sim.status.count(.reconnecting) == 0)
            let second = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: try sim.farBid(symbol) - FixedDecimal(1)))
            #expect(second.ok, "\(second)")
            let secondID = try #require(second.orderID)
            try await orders.wait("orderUpdate after the original expiry", timeout: .seconds(3)) { $0.contains { Self.isOrder($0, secondID, .open) } }
            let cancelled = await sim.api.cancelOrder(CancelOrder(orderID: firstID, symbol: symbol))
            #expect(cancelled.ok, "\(cancelled)")
            try await orders.wait("cancel of the first order") { $0.contains { Self.isOrder($0, firstID, .canceled) } }
            #expect(!sim.errors.items.contains { $0.message.lowercased().contains("key") }, "\(sim.errors.items)")
            _ = await sim.api.cancelAllOrders(symbol: symbol)
        }
    }

    /// Without refreshes the key dies in the simulator: the next private push brings the key
    /// error, the client re-creates the key and resubscribes, and later orders arrive again.
    @Test func expiredKeyIsRecreatedAndThePrivateStreamResumes() async throws {
        let sim = try await Sim.start(simOptions: .init(keyValidity: .milliseconds(800)), ["key_refresh_s": "600"])
        try await sim.run {
            let symbol = sim.symbol
            try await sim.api.start()
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await sim.api.watchOrders())
            let key = try #require(sim.api.subscribeKey)
            try await Task.sleep(for: .milliseconds(1_200))
            // This order's push meets the dead key: it is lost and answered with the key error.
            let lost = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: try sim.farBid(symbol)))
            #expect(lost.ok, "\(lost)")
            try await sim.status.wait(.keyRefreshed, detail: "re-created", timeout: .seconds(5))
            #expect(sim.api.keyCounts.recreations >= 1)
            #expect(sim.api.subscribeKey != key)
            try await Task.sleep(for: .milliseconds(200))  // the resubscribe has no ack
            let next = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: try sim.farBid(symbol) - FixedDecimal(1)))
            let nextID = try #require(next.orderID)
            try await orders.wait("orderUpdate with the new key") { $0.contains { Self.isOrder($0, nextID, .open) } }
            _ = await sim.api.cancelAllOrders(symbol: symbol)
        }
    }

    // MARK: Server ping

    /// The simulator pings every 0.3 s and closes when a ping is not answered within 1 s:
    /// the client answers each on the event loop and keeps its one socket over ~10 pings.
    @Test func serverPingsAreAnsweredInTime() async throws {
        let sim = try await Sim.start(credentials: false, simOptions: .init(pingInterval: .milliseconds(300), pongTimeout: .seconds(1)))
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await sim.api.watchOrderBook(symbol, depth: 10))
            try await book.wait("first snapshot") { !$0.isEmpty }
            try await Task.sleep(for: .milliseconds(3_200))
            #expect(sim.status.count(.reconnecting) == 0, "\(sim.status.items)")
            #expect(sim.status.count(.disconnected) == 0)
            #expect(sim.status.count(.connected) == 1)
            #expect(sim.simulator.connectionCount == 1)
            exchange.stepFlow(actions: 20, symbol: symbol)
            try await sim.waitMatches(book, symbol, "book still live on the same socket")
        }
    }

    /// The same ping schedule against a bare socket that never answers is closed: the check
    /// above can fail.
    @Test func unansweredServerPingsCloseTheSocket() async throws {
        let sim = try await Sim.start(credentials: false, simOptions: .init(pingInterval: .milliseconds(300), pongTimeout: .milliseconds(500)))
        try await sim.run {
            let events = KrakenRecorder<ConnectionEvent>()
            var config = WebSocketConfiguration(url: try WebSocketURL(try #require(sim.endpoints["ws"])))
            config.reconnect = ReconnectPolicy(base: .seconds(30), cap: .seconds(30))
            let wire = try WebSocketConnection(configuration: config) { _ in }
            events.drain(wire.events)
            wire.start()
            try await wire.waitUntilReady(timeout: .seconds(5))
            try await events.wait("closed by the simulator", timeout: .seconds(3)) { $0.contains { if case .disconnected = $0 { return true }; return false } }
            await wire.stop()
        }
    }

    // MARK: Balances after a fill

    static func balanceMatches(_ items: [Balance], _ exchange: SimulatedExchange, _ account: AccountID, _ asset: String) -> Bool {
        guard let mine = items.last(where: { $0.asset == asset }), let ledger = exchange.balance(account, asset: asset) else { return false }
        return mine.available == ledger.available && mine.frozen == ledger.frozen
    }

    @Test func assetUpdateAfterAFillMatchesTheLedger() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            try await sim.api.start()
            let symbol = sim.symbol, exchange = sim.exchange, account = sim.account
            let orders = KrakenRecorder<OrderEvent>(), balances = KrakenRecorder<Balance>()
            orders.drain(try await sim.api.watchOrders())
            balances.drain(try await sim.api.watchBalance())
            for asset in [symbol.base, symbol.quote] {
                try await balances.wait("\(asset) snapshot equals the ledger") { Self.balanceMatches($0, exchange, account, asset) }
            }
            try await Task.sleep(for: .milliseconds(200))  // no subscribe ack exists
            let ask = try #require(try exchange.bookSnapshot(symbol, depth: 1).bestAsk)
            let quantity = min(ask.quantity, "0.01")
            let seen = balances.count
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: quantity, price: ask.price))
            #expect(placed.ok, "\(placed)")
            let orderID = try #require(placed.orderID)
            try await orders.wait("orderUpdate filled") { $0.contains { Self.isOrder($0, orderID, .filled) } }
            try await orders.wait("fill") { $0.contains { if case .fill(let f) = $0 { return f.orderID == orderID && f.quantity == quantity }; return false } }
            for asset in [symbol.base, symbol.quote] {
                try await balances.wait("\(asset) assetUpdate equals the ledger after the fill") { items in
                    items.count > seen && Self.balanceMatches(items, exchange, account, asset)
                }
            }
            #expect(sim.openOrders().isEmpty)
        }
    }

    // MARK: Cancel-all

    @Test func cancelAllLeavesNothingOpenInTheSimulator() async throws {
        let sim = try await Sim.start()
        try await sim.run {
            try await sim.api.start()
            let symbol = sim.symbol
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await sim.api.watchOrders())
            try await Task.sleep(for: .milliseconds(200))  // no subscribe ack exists
            let low = try sim.farBid(symbol)
            let ask = try #require(try sim.exchange.bookSnapshot(symbol, depth: 1).bestAsk?.price)
            var ids: [String] = []
            for i in 0..<3 {
                let buy = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: low - FixedDecimal(i)))
                let sell = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .sell, quantity: "0.01", price: ask * FixedDecimal(2) + FixedDecimal(i)))
                #expect(buy.ok && sell.ok, "\(buy) \(sell)")
                ids += [buy.orderID, sell.orderID].compactMap { $0 }
            }
            #expect(ids.count == 6 && sim.openOrders().count == 6)
            let all = await sim.api.cancelAllOrders(symbol: symbol)
            #expect(all.ok, "\(all)")
            #expect(sim.openOrders().isEmpty, "\(sim.openOrders())")
            let wanted = Set(ids)
            try await orders.wait("every orderUpdate canceled") { items in
                wanted.isSubset(of: Set(items.compactMap { e -> String? in if case .order(let o) = e, o.status == .canceled { return o.orderID }; return nil }))
            }
        }
    }
}

extension SimulatorHarness where Simulator == LBankSimulator, API == LBankWsAPI {
    /// The LBank simulator with `simOptions`, and a client with `options` over the test defaults.
    static func start(credentials: Bool = true, simOptions: LBankSimulator.Options = .init(),
                      _ options: [String: String] = [:]) async throws -> Self {
        try await start(.lbank, simulator: { LBankSimulator(exchange: $0, options: simOptions) }) { endpoints, creds in
            try LBankWsAPI(credentials: credentials ? try LBankCredentials(apiKey: creds.apiKey, secret: creds.apiSecret) : nil,
                           endpoints: try LBankDescriptor.endpoints(endpoints), options: try lbankTestOptions(options))
        }
    }
}
