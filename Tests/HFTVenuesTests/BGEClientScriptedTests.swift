import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The BGE network layer against a scripted endpoint (`FakeBGE`): gzip pushes, ping/pong echo,
/// login and re-login, books, error codes, pacing under 50 msgs/s, REST orders with latency.
@Suite("BGE client (scripted endpoint)", .serialized)
struct BGEClientScriptedTests {
    struct Harness {
        let fake: FakeBGE
        let api: BGEWsAPI
        let status = KrakenRecorder<VenueStatus>()
        let errors = KrakenRecorder<VenueErrorReply>()

        static func make(credentials: Bool = true, secret: String = fakeBGESecret, _ options: [String: String] = [:]) async throws -> Harness {
            let fake = FakeBGE()
            try await fake.start()
            let creds = credentials ? try BGECredentials(apiKey: fakeBGEKey, secret: secret) : nil
            let api = try BGEWsAPI(credentials: creds, endpoints: fake.endpoints, options: try bgeTestOptions(options),
                                   account: "scripted-\(UUID().uuidString)")
            let h = Harness(fake: fake, api: api)
            h.status.drain(api.status)
            h.errors.drain(api.errors)
            return h
        }

        func close() async {
            await api.stop()
            await fake.shutdown()
        }

        func run(_ body: () async throws -> Void) async throws { try await runThenClose(body) { await close() } }

        /// Waits (bounded) until the server received a frame containing `needle` `count` times.
        func serverReceived(_ needle: String, count: Int = 1, timeout: Duration = .seconds(20)) async throws {
            let deadline = ContinuousClock.now + timeout
            while fake.received(matching: needle).count < count {
                guard ContinuousClock.now < deadline else {
                    throw KrakenWaitTimeout(what: "\(count)× \(needle)", seen: "\(fake.received().suffix(10))")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    @Test func gzipBooksReplaceOnEveryPushAndPingIsEchoed() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            h.fake.state.withLock { $0.gzip = true }
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await h.api.watchOrderBook("BTC/USDT", depth: 10))
            try await book.wait("snapshot") { !$0.isEmpty }
            #expect(book.items[0].book.bids.map(\.price.description) == ["3.7366", "3.6866"])
            #expect(book.items[0].book.asks.first?.quantity.description == "0.9")
            // The next push replaces the book (levels absent from it are gone).
            h.fake.publishBook("BTC_USDT", bids: [("3.70", "1.5")], asks: [("3.80", "2"), ("3.90", "0.25")])
            try await book.wait("replacement") { $0.count >= 2 }
            let b = book.items[1].book
            #expect(b.bids.map { "\($0.price)→\($0.quantity)" } == ["3.70→1.5"])
            #expect(b.asks.map(\.price.description) == ["3.80", "3.90"])
            #expect(h.api.malformedCounts.malformed == 0)
            // `{"ping":ts}` → `{"pong":ts}` with the same value, byte for byte.
            h.fake.sendText(#"{"ping":1635065532000}"#)
            try await h.serverReceived(#"{"pong":1635065532000}"#)
            #expect(h.fake.received(matching: "pong").map(\.text) == [#"{"pong":1635065532000}"#])
            // The subscription was sent flat, V2 style, with zip false.
            #expect(h.fake.received(matching: #""event":"sub""#).first?.text
                    == #"{"event":"sub","biz":"market","type":"orderbook","product":"BTC_USDT","interval":"0","zip":false}"#)
        }
    }

    @Test func loginPrivateOrderOverRESTAndReloginAfterReconnect() async throws {
        let h = try await Harness.make()
        try await h.run {
            try await h.api.start()
            try await h.status.wait(.authenticated)
            #expect(h.api.connection.pacer.grantedCount == 1)     // the login went through the message window
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await h.api.watchOrders(symbols: ["BTC/USDT"]))
            try await h.status.wait(.subscribed, symbol: "BTC/USDT")
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await h.api.watchOrderBook("BTC/USDT", depth: 5))
            try await book.wait("snapshot") { !$0.isEmpty }

            h.fake.state.withLock { $0.orderReplyDelay = .milliseconds(20) }
            let r = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, type: .limit, quantity: "3.3", price: "2.00",
                                                      clientOrderID: "QZ_2020-jj"))
            #expect(r.ok && r.orderID == "129149436110880967" && r.method == "POST /v1/orders")
            #expect(r.latencyMicros >= 20_000)
            #expect(r.response?.contains("129149436110880967") == true)
            #expect(r.request.contains(#""client_oid":"QZ_2020-jj""#) && !r.request.contains(fakeBGEKey) && !r.request.contains(fakeBGESecret))
            #expect(h.api.latency.summary("POST /v1/orders") != nil)
            try await orders.wait("order push") { items in
                items.contains { if case .order(let o) = $0 { o.orderID == "129149436110880967" && o.status == .open } else { false } }
            }
            let cancel = await h.api.cancelOrder(CancelOrder(orderID: "129149436110880967"))
            #expect(cancel.ok && cancel.request.hasPrefix("DELETE /hk/v1/orders/129149436110880967"))

            // Reconnect: login again, books invalid until the next snapshot, private subs replayed.
            h.api.connection.forceReconnect(reason: "test")
            try await h.status.wait(.authenticated, count: 2)
            try await h.status.wait(.bookInvalid, symbol: "BTC/USDT")
            try await h.status.wait(.bookResynced, symbol: "BTC/USDT")
            try await h.serverReceived(#""type":"orders","product":"BTC_USDT""#, count: 2)
            #expect(h.fake.state.withLock { $0.loginCount } == 2)
            // Login precedes the private replay on the new socket.
            let frames = h.fake.received()
            let lastLogin = frames.lastIndex { $0.contains(#""event":"login""#) }!
            let lastOrders = frames.lastIndex { $0.contains(#""type":"orders""#) }!
            #expect(lastLogin < lastOrders)
        }
    }

    @Test func refusedLoginFailsStartWithBGECode() async throws {
        let h = try await Harness.make(secret: "wrong-secret")
        try await h.run {
            await #expect(throws: HFTError.authenticationFailed("40010: API verification failed")) { try await h.api.start() }
            try await h.errors.wait("40010") { $0.contains { $0.code == "40010" && $0.message.contains("API verification failed") } }
        }
    }

    @Test func errorRepliesAndRESTErrorsCarryBGECodes() async throws {
        let h = try await Harness.make()
        try await h.run {
            try await h.api.start()
            _ = try await h.api.watchTicker("BAD/PAIR")
            try await h.errors.wait("400") { $0.contains { $0.code == "400" && $0.message.contains("Invalid request") } }
            h.fake.state.withLock { $0.nextOrderError = (400, #"{"code":1100,"message":"insufficient balance"}"#) }
            let r = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USDT", side: .buy, type: .limit, quantity: "1", price: "2"))
            #expect(!r.ok && r.error == .venueRejected(code: "1100", message: "insufficient balance"))
            // A bad REST signature maps to authentication with 40010.
            let bad = try BGERestAPI(credentials: try BGECredentials(apiKey: fakeBGEKey, secret: "nope"), endpoints: h.fake.endpoints,
                                     options: try bgeTestOptions())
            await #expect(throws: HFTError.authenticationFailed("40010: API verification failed")) { _ = try await bad.balances() }
            await bad.shutdown()
            let balances = try await h.api.rest.balances()
            #expect(balances.map(\.currency) == ["USDT", "BTC"] && balances[0].hold.description == "5")
        }
    }

    /// 100 products subscribed, then all resubscribed after a reconnect while the server pings
    /// every 700 ms: subs fill the default window (48 in any 1.05 s) and the pongs, which the
    /// venue counts too, go at once into the two messages left, so the server never sees more
    /// than 50 client frames in any second; the window is used (the earlier split budgets used
    /// at most 40 of the 50).
    @Test func resubscribingManyProductsStaysUnder50MessagesPerSecond() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            let products = (0..<100).map { Symbol(base: "C\($0)", quote: "USDT") }
            for p in products { _ = try await h.api.watchTicker(p) }
            try await h.serverReceived(#""event":"sub""#, count: 100, timeout: .seconds(15))
            h.api.connection.forceReconnect(reason: "test")
            try await h.serverReceived(#""event":"sub""#, count: 101, timeout: .seconds(15))
            var pings = 0
            while h.fake.received(matching: #""event":"sub""#).count < 200 && pings < 400 {
                pings += 1
                h.fake.sendText(#"{"ping":\#(1_700_000_000_000 + pings)}"#)
                try await Task.sleep(for: .milliseconds(700))
            }
            try await h.serverReceived(#""event":"sub""#, count: 200, timeout: .seconds(15))
            try await h.serverReceived(#""pong""#, count: pings, timeout: .seconds(5))   // none delayed past the test, none lost
            #expect(pings >= 2)
            let times = h.fake.receivedTimes().sorted()
            var worst = 0
            var lo = 0
            for hi in times.indices {
                while times[hi] - times[lo] >= .seconds(1) { lo += 1 }
                worst = max(worst, hi - lo + 1)
            }
            #expect(worst <= 50, "max \(worst) client frames in one second")
            #expect(worst >= 44, "max \(worst) client frames in one second")  // the window is used, not a trickle
        }
    }
}
