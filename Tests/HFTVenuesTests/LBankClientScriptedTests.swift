import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The LBank network layer against a scripted endpoint (`FakeLBank`): depth replace, trade
/// mapping, server ping answered, subscribeKey refresh / re-create / destroy, REST orders.
@Suite("LBank client (scripted endpoint)", .serialized)
struct LBankClientScriptedTests {
    struct Harness {
        let fake: FakeLBank
        let api: LBankWsAPI
        let status = KrakenRecorder<VenueStatus>()

        static func make(credentials: Bool = true, _ options: [String: String] = [:]) async throws -> Harness {
            let fake = FakeLBank()
            try await fake.start()
            let creds = credentials ? try LBankCredentials(apiKey: fakeLBankKey, secret: fakeLBankSecret) : nil
            let api = try LBankWsAPI(credentials: creds, endpoints: fake.endpoints, options: try lbankTestOptions(options))
            let h = Harness(fake: fake, api: api)
            h.status.drain(api.status)
            return h
        }

        func run(_ body: () async throws -> Void) async throws {
            do { try await body() } catch {
                await api.stop()
                await fake.shutdown()
                throw error
            }
            await api.stop()
            await fake.shutdown()
        }
    }

    @Test func depthPushReplacesTheBook() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            let rec = KrakenRecorder<BookUpdate>()
            rec.drain(try await h.api.watchOrderBook("ETH/BTC", depth: 5))
            try await rec.wait("snapshot") { $0.count >= 1 }
            #expect(h.fake.received().contains(#"{"action":"subscribe","subscribe":"depth","depth":"10","pair":"eth_btc"}"#))
            #expect(rec.items[0].book.asks.map(\.price.description) == ["0.0252", "0.025215"])
            // Next push has other levels: the book is replaced, never merged.
            h.fake.broadcast(FakeLBank.depth("eth_btc", asks: [("0.0260", "1")], bids: [("0.0250", "2"), ("0.0249", "3")]))
            try await rec.wait("second snapshot") { $0.count >= 2 }
            let b = rec.items[1].book
            #expect(rec.items[1].isSnapshot)
            #expect(b.asks.map { "\($0.price)@\($0.quantity)" } == ["0.0260@1"])
            #expect(b.bids.map { "\($0.price)@\($0.quantity)" } == ["0.0250@2", "0.0249@3"])
            #expect(b.timestamp == 1_561_715_362_722_000)
        }
    }

    @Test func tradeQuantityIsVolumeAndTickerDecoded() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            let trades = KrakenRecorder<Trade>(), ticks = KrakenRecorder<Ticker>()
            trades.drain(try await h.api.watchTrades("BTC/USDT"))
            ticks.drain(try await h.api.watchTicker("ETH/BTC"))
            try await ticks.wait("tick") { !$0.isEmpty }
            #expect(ticks.items[0].last?.description == "0.02698749" && ticks.items[0].volume24h?.description == "497529.7686")
            try await lbankEventually("trade subscribe") { h.fake.received().contains { $0.contains(#""subscribe":"trade""#) } }
            h.fake.broadcast(#"{"trade":{"volume":6.3607,"amount":77148.9303,"price":12129,"direction":"sell_maker","TS":"2019-06-28T19:55:49.460"},"type":"trade","pair":"btc_usdt","SERVER":"V2","TS":"2019-06-28T19:55:49.466"}"#)
            try await trades.wait("trade") { !$0.isEmpty }
            let t = trades.items[0]
            #expect(t.symbol == "BTC/USDT" && t.quantity.description == "6.3607" && t.price.description == "12129")
            #expect(t.side == .buy)  // sell_maker: the maker sold, the taker bought
            #expect(t.timestamp == 1_561_722_949_460_000)
            h.fake.broadcast("{not json")
            try await lbankEventually("undecodable frame counted") { h.api.malformedCounts.malformed + h.api.malformedCounts.unknown >= 1 }
        }
    }

    @Test func serverPingIsAnsweredWithItsId() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            _ = try await h.api.watchTicker("ETH/BTC")
            try await lbankEventually("connected") { !h.fake.openSessions.isEmpty }
            h.fake.broadcast(#"{"action":"ping","ping":"0ca8f854-7ba7-4341-9d86-d3327e52804e"}"#)
            try await lbankEventually("pong", timeout: .seconds(3)) {
                h.fake.received().contains(#"{"action":"pong","pong":"0ca8f854-7ba7-4341-9d86-d3327e52804e"}"#)
            }
        }
    }

    @Test func keyIsRefreshedRecreatedOnFailureAndDestroyedOnStop() async throws {
        let h = try await Harness.make(["key_refresh_s": "0.2"])
        let fake = h.fake
        do {
            try await h.api.start()
            let orders = try await h.api.watchOrders()
            _ = orders
            let first = try #require(h.api.subscribeKey)
            try await lbankEventually("orderUpdate subscribed with the key") {
                fake.received().contains { $0.contains(#""subscribe":"orderUpdate""#) && $0.contains(first) }
            }
            try await h.status.wait(.keyRefreshed, count: 2, detail: "refreshed", timeout: .seconds(5))
            #expect(fake.state.withLock { $0.refreshes.filter { $0 == first }.count } >= 2)
            // Refresh fails → a new key is created and the private channel resubscribed with it.
            fake.state.withLock { $0.failRefresh = true }
            try await h.status.wait(.keyRefreshed, detail: "re-created", timeout: .seconds(5))
            let second = try #require(h.api.subscribeKey)
            #expect(second != first)
            try await lbankEventually("resubscribed with the new key") {
                fake.received().contains { $0.contains(#""subscribe":"orderUpdate""#) && $0.contains(second) }
            }
            fake.state.withLock { $0.failRefresh = false }
        } catch {
            await h.api.stop(); await fake.shutdown(); throw error
        }
        let live = try #require(h.api.subscribeKey)
        await h.api.stop()
        #expect(fake.state.withLock { $0.destroyed }.contains(live))
        #expect(fake.state.withLock { $0.badSigns } == 0)
        await fake.shutdown()
    }

    @Test func socketKeyErrorTriggersRecreation() async throws {
        let h = try await Harness.make()
        try await h.run {
            try await h.api.start()
            let first = try #require(h.api.subscribeKey)
            // The server forgets the key (expired): the subscribe is refused, a new key is made.
            h.fake.state.withLock { _ = $0.keys.remove(first) }
            _ = try await h.api.watchOrders()
            try await h.status.wait(.keyRefreshed, detail: "re-created", timeout: .seconds(5))
            let second = try #require(h.api.subscribeKey)
            #expect(second != first)
            try await lbankEventually("resubscribed") {
                h.fake.received().contains { $0.contains(#""subscribe":"orderUpdate""#) && $0.contains(second) }
            }
        }
    }

    @Test func restOrderWithLatencyAndOrderUpdatePush() async throws {
        let h = try await Harness.make()
        try await h.run {
            h.fake.state.withLock { $0.orderDelay = .milliseconds(20) }
            try await h.api.start()
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await h.api.watchOrders())
            try await lbankEventually("private subscribe accepted") { h.fake.state.withLock { !$0.privateSubs.isEmpty } }
            let r = await h.api.placeOrder(PlaceOrder(symbol: "ETH/BTC", side: .buy, quantity: "0.003", price: "0.024", clientOrderID: "my-1"))
            #expect(r.ok, "\(r)")
            #expect(r.orderID == "order-1" && r.clientOrderID == "my-1")
            #expect(r.method == "POST /v2/supplement/create_order.do")
            #expect(r.latencyMicros >= 20_000)
            #expect(r.request.contains(#""symbol":"eth_btc""#) && !r.request.contains("api_key") && !r.request.contains("sign"))
            #expect(r.response?.contains("order-1") == true)
            #expect(h.api.latency.summary(r.method) != nil)
            try await orders.wait("orderUpdate") { $0.contains { if case .order(let o) = $0 { o.orderID == "order-1" } else { false } } }
            if case .order(let o) = orders.items.first {
                #expect(o.status == .open && o.clientOrderID == "my-1" && o.price?.description == "0.024" && o.quantity.description == "0.003")
            }
            // Callback form, cancel.
            let done = KrakenRecorder<OrderResult>()
            h.api.cancelOrder(CancelOrder(orderID: "order-1", symbol: "ETH/BTC")) { done.append($0) }
            let c = try await done.wait("cancel") { !$0.isEmpty }
            #expect(c[0].ok && c[0].orderID == "order-1")
            // Refused before sending.
            let bad = await h.api.cancelOrder(CancelOrder(orderID: "x"))
            #expect(!bad.ok && bad.response == nil)
            let amend = await h.api.amendOrder(AmendOrder(orderID: "x", price: "1"))
            if case .unsupported? = amend.error {} else { Issue.record("amend must be unsupported") }
            let bal = KrakenRecorder<Balance>()
            bal.drain(try await h.api.watchBalance())
            try await bal.wait("snapshot") { $0.contains { $0.asset == "USDT" && $0.available.description == "1000" } }
            #expect(h.fake.state.withLock { $0.badSigns } == 0)
        }
    }

    @Test func reconnectInvalidatesBooksReplaysSubscribesWithTheKeyAndRepollsBalances() async throws {
        let h = try await Harness.make()
        try await h.run {
            try await h.api.start()
            let key = try #require(h.api.subscribeKey)
            let books = KrakenRecorder<BookUpdate>(), bal = KrakenRecorder<Balance>()
            books.drain(try await h.api.watchOrderBook("ETH/BTC", depth: 10))
            bal.drain(try await h.api.watchBalance())
            try await books.wait("snapshot") { !$0.isEmpty }
            try await bal.wait("balance snapshot") { $0.count >= 1 }
            let fake = h.fake
            let assetCalls: @Sendable () -> Int = { fake.state.withLock { $0.restCalls.filter { $0.path == LBankEndpoints.Path.userAssets }.count } }
            #expect(assetCalls() == 1)
            // The private subscribe leaves after the REST snapshot: drop only once it went out.
            try await lbankEventually("assetUpdate subscribed") {
                h.fake.received().contains { $0.contains(#""subscribe":"assetUpdate""#) && $0.contains(key) }
            }
            for s in h.fake.openSessions { s.drop() }
            try await h.status.wait(.bookInvalid, symbol: "ETH/BTC")
            try await h.status.wait(.bookResynced, symbol: "ETH/BTC")
            try await books.wait("snapshot after reconnect") { $0.count >= 2 }
            try await lbankEventually("assetUpdate replayed with the live key") {
                h.fake.received().filter { $0.contains(#""subscribe":"assetUpdate""#) && $0.contains(key) }.count >= 2
            }
            try await lbankEventually("balances re-polled") { assetCalls() >= 2 }
            try await bal.wait("balances pushed again") { $0.count >= 2 }
        }
    }

    @Test func publicOnlyClientRefusesPrivateCalls() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            await #expect(throws: HFTError.self) { _ = try await h.api.watchOrders() }
            let r = await h.api.placeOrder(PlaceOrder(symbol: "ETH/BTC", side: .buy, quantity: "1", price: "1"))
            #expect(!r.ok)
            if case .authenticationFailed? = r.error {} else { Issue.record("\(String(describing: r.error))") }
        }
    }
}
