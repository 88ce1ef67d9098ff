import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// The FMex client against a scripted endpoint (`FakeFMex`): book from snapshot + deltas, gap →
/// resubscribe, pings, signed private socket and its replay after a reconnect, venue errors,
/// malformed frames, REST orders with latency, and orders whose reply was lost.
@Suite("FMex client (scripted endpoint)", .serialized)
struct FMexClientScriptedTests {
    struct Harness {
        let fake: FakeFMex
        let api: HFTVenues.FMexWsAPI
        let status = KrakenRecorder<VenueStatus>()
        let errors = KrakenRecorder<VenueErrorReply>()

        static func make(credentials: Bool = true, secret: String = fakeFMexSecret, _ options: [String: String] = [:]) async throws -> Harness {
            let fake = FakeFMex()
            try await fake.start()
            let creds = credentials ? try HFTVenues.FMexCredentials(apiKey: fakeFMexKey, secret: secret) : nil
            let api = try HFTVenues.FMexWsAPI(credentials: creds, endpoints: fake.endpoints, options: try fmexTestOptions(options),
                                              account: "scripted-\(UUID().uuidString)")
            let h = Harness(fake: fake, api: api)
            h.status.drain(api.status)
            h.errors.drain(api.errors)
            return h
        }

        func run(_ body: () async throws -> Void) async throws { try await runThenClose(body) { await close() } }

        func close() async {
            await api.stop()
            await fake.shutdown()
        }

        func serverReceived(_ needle: String, count: Int = 1, timeout: Duration = .seconds(20)) async throws {
            try await fmexEventually("\(count)× \(needle) (seen \(fake.received().suffix(8)))", timeout: timeout) {
                fake.received(matching: needle).count >= count
            }
        }
    }

    static func levels(_ l: [BookLevel]) -> [String] { l.map { "\($0.price)→\($0.quantity)" } }

    @Test func bookFromSnapshotAndDeltasThenGapResubscribes() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await h.api.watchOrderBook("BTC/USD:BTC", depth: 10))
            try await book.wait("snapshot") { !$0.isEmpty }
            #expect(h.fake.received(matching: #""cmd":"sub""#).first == #"{"cmd":"sub","args":["depth-delta.L20.btcusd_p"],"id":"sub.depth-delta.L20.btcusd_p"}"#)
            #expect(book.items[0].isSnapshot && Self.levels(book.items[0].book.bids) == ["9291→28800", "9290.5→34", "9290→20"])
            // vectors.md F6.
            h.fake.delta("btcusd_p", asks: "9294,4057,9296,4621,9298,237,9300,0", bids: "")
            try await book.wait("delta") { $0.count >= 2 }
            #expect(Self.levels(book.items[1].book.asks) == ["9291.5→48417", "9292→477", "9294→4057", "9296→4621", "9298→237"])
            h.fake.delta("btcusd_p", asks: "9292,0", bids: "9290.5,40,9289,7")
            try await book.wait("second delta") { $0.count >= 3 }
            let b = book.items[2].book
            #expect(Self.levels(b.asks) == ["9291.5→48417", "9294→4057", "9296→4621", "9298→237"])
            #expect(Self.levels(b.bids) == ["9291→28800", "9290.5→40", "9290→20", "9289→7"])
            #expect(b.sequence == h.fake.state.withLock { $0.seq })
            // A broken chain: book invalid, unsub + sub, the new snapshot resyncs it.
            h.fake.delta("btcusd_p", asks: "1,1", bids: "", preSeq: 42)
            try await h.status.wait(.bookInvalid, symbol: "BTC/USD:BTC")
            try await h.serverReceived(#""cmd":"unsub","args":["depth-delta.L20.btcusd_p"]"#)
            try await h.serverReceived(#""cmd":"sub","args":["depth-delta.L20.btcusd_p"]"#, count: 2)
            try await h.status.wait(.bookResynced, symbol: "BTC/USD:BTC")
            try await book.wait("resync snapshot") { $0.count >= 4 }
            #expect(book.items[3].isSnapshot && Self.levels(book.items[3].book.asks) == ["9291.5→48417", "9292→477"])
            #expect(h.api.bookGapCount == 1 && h.api.malformedCounts.malformed == 0)
            #expect(!book.items.contains { $0.book.asks.contains { $0.price == FixedDecimal(1) } })
        }
    }

    @Test func pingsAndMissedPongsReplaceTheSocket() async throws {
        let h = try await Harness.make(credentials: false, ["ping_interval_s": "0.1", "ping_misses": "2"])
        try await h.run {
            let trades = KrakenRecorder<Trade>()
            trades.drain(try await h.api.watchTrades("BTC/USD:BTC"))
            try await h.serverReceived(#""cmd":"ping""#, count: 2)
            let ping = try #require(h.fake.received(matching: #""cmd":"ping""#).first)
            #expect(ping.hasPrefix(#"{"cmd":"ping","args":["#) && ping.contains(#""id":"ping."#))
            // Trades: newer ids only, side = taker side, amount in contracts.
            h.fake.sendPublic(#"{"type":"trade.btcusd_p","id":76000,"amount":1,"ts":1523419946174,"side":"sell","price":9288.0}"#)
            h.fake.sendPublic(#"{"type":"trade.btcusd_p","id":75999,"amount":3,"ts":1523419946170,"side":"buy","price":9287.5}"#)
            h.fake.sendPublic(#"{"type":"trade.btcusd_p","id":76001,"amount":2,"ts":1523419946180,"side":"buy","price":9288.5}"#)
            try await trades.wait("trades") { $0.count >= 2 }
            #expect(trades.items.map(\.id) == ["76000", "76001"] && trades.items[0].side == .sell && trades.items[1].quantity.description == "2")
            // Pongs stop: after ~2 intervals the socket is replaced and the topic replayed.
            // Counted from here: on a loaded machine a late pong may already have replaced a socket.
            let drops = h.status.count(.disconnected)
            let subs = h.fake.received(matching: #""args":["trade.btcusd_p"]"#).count
            h.fake.state.withLock { $0.answerPings = false }
            try await h.status.wait(.disconnected, count: drops + 1)
            h.fake.state.withLock { $0.answerPings = true }
            try await fmexEventually("the replayed sub; status \(h.status.items.suffix(12)); server saw \(h.fake.received().filter { !$0.contains("ping") }.suffix(6))") {
                h.fake.received(matching: #""args":["trade.btcusd_p"]"#).count > subs
            }
        }
    }

    @Test func signedPrivateSocketReplaysAndReconcilesAfterReconnect() async throws {
        let h = try await Harness.make()
        try await h.run {
            try await h.api.start()
            try await h.status.wait(.authenticated)
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await h.api.watchOrders(symbols: ["BTC/USD:BTC"]))
            let balances = KrakenRecorder<Balance>()
            balances.drain(try await h.api.watchBalance())
            let positions = KrakenRecorder<Position>()
            positions.drain(try await h.api.watchPositions())
            try await h.serverReceived(#"{"cmd":"sub","args":["order.btcusd_p"],"id":"sub.order.btcusd_p"}"#)
            try await h.serverReceived(#"{"cmd":"sub","args":["account"],"id":"sub.account"}"#)
            try await balances.wait("REST balance") { !$0.isEmpty }
            #expect(balances.items[0].asset == "BTC" && balances.items[0].available.description == "1.5" && balances.items[0].frozen.description == "0.375")
            try await positions.wait("REST position") { !$0.isEmpty }
            #expect(positions.items[0].quantity.description == "-5" && positions.items[0].symbol.description == "BTC/USD:BTC")

            // Place (REST) with measured latency; the push reports it open.
            h.fake.state.withLock { $0.orderReplyDelay = .milliseconds(20) }
            let r = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD:BTC", side: .buy, quantity: "10", price: "9000.5"))
            #expect(r.ok && r.orderID == "849758102002" && r.method == "POST /v3/contracts/orders", "\(r)")
            #expect(r.latencyMicros >= 20_000 && r.response?.contains("849758102002") == true)
            #expect(r.request.contains(#""direction":"LONG""#) && !r.request.contains(fakeFMexKey) && !r.request.contains(fakeFMexSecret))
            #expect(h.api.latency.summary("POST /v3/contracts/orders") != nil)
            try await orders.wait("open") { $0.contains { if case .order(let o) = $0 { o.orderID == "849758102002" && o.status == .open } else { false } } }
            // Account and position pushes.
            h.fake.sendPrivate(#"{"type":"account","ts":1580802053662,"account":{"currency":"BTC","available":1.34242880408925,"frozen":0.0,"position":9.747280117178e-06,"updated_at":1580802053643}}"#)
            try await balances.wait("push") { $0.count >= 2 }
            #expect(balances.items[1].available.description == "1.34242880408925")

            // The private socket drops; while it is down the order fills (no push reaches us).
            h.fake.state.withLock { $0.orderReplyDelay = .zero }
            for s in h.fake.sessions(isPrivate: true) { s.close(code: 1001, reason: "test") }
            try await fmexEventually("private socket gone") { h.fake.sessions(isPrivate: true).isEmpty }
            h.fake.fill(849_758_102_002, push: false)
            // New socket, freshly signed; topics replayed; open orders reconciled (filled, with its fill).
            try await h.status.wait(.authenticated, count: 2)
            try await h.serverReceived(#""args":["order.btcusd_p"]"#, count: 2)
            try await h.serverReceived(#""args":["account"]"#, count: 2)
            #expect(h.fake.state.withLock { $0.privateConnects } == 2 && h.fake.state.withLock { $0.authRejects } == 0)
            #expect(h.fake.state.withLock { $0.privateTimestamps.count } == 2)   // a freshly signed address per connect
            try await orders.wait("reconciled fill") { $0.contains { if case .fill(let f) = $0 { f.orderID == "849758102002" && f.quantity.description == "10" } else { false } } }
            try await fmexEventually("reconciled") { h.api.reconciliationCount >= 1 }
            #expect(h.api.openOrders.isEmpty)
            #expect(h.fake.state.withLock { $0.restCalls }.contains("GET /v3/contracts/orders/849758102002"))
            #expect(h.fake.state.withLock { $0.badSigns } == 0)
            // Neither the key, the secret nor a signature ever reaches the status or error streams.
            let texts = h.status.items.map(\.detail) + h.errors.items.map(\.message)
            #expect(!texts.contains { $0.contains(fakeFMexKey) || $0.contains(fakeFMexSecret) || $0.contains("FC-ACCESS") })
        }
    }

    @Test func cancelAndCancelAllAndNoAmend() async throws {
        let h = try await Harness.make()
        try await h.run {
            try await h.api.start()
            let orders = KrakenRecorder<OrderEvent>()
            orders.drain(try await h.api.watchOrders(symbols: ["BTC/USD:BTC"]))
            try await h.serverReceived(#""args":["order.btcusd_p"]"#)
            let a = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD:BTC", side: .sell, quantity: "5", price: "9500", postOnly: true))
            let b = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD:BTC", side: .sell, quantity: "6", price: "9600"))
            #expect(a.ok && b.ok && a.request.contains(#""post_only":"true""#))
            let c = await h.api.cancelOrder(CancelOrder(orderID: try #require(a.orderID)))
            #expect(c.ok && c.request.hasPrefix("POST /v3/contracts/orders/\(a.orderID!)/cancel") && c.latencyMicros > 0, "\(c)")
            try await orders.wait("canceled") { $0.contains { if case .order(let o) = $0 { o.orderID == a.orderID && o.status == .canceled } else { false } } }
            let again = await h.api.cancelOrder(CancelOrder(orderID: a.orderID!))
            #expect(!again.ok && again.error == .venueRejected(code: "1001", message: "order not found or not open"))
            let all = await h.api.cancelAllOrders(symbol: "BTC/USD:BTC")
            #expect(all.ok && all.request.hasPrefix("POST /v3/contracts/orders/cancel?symbol=BTCUSD_P"), "\(all)")
            try await orders.wait("all canceled") { $0.contains { if case .order(let o) = $0 { o.orderID == b.orderID && o.status == .canceled } else { false } } }
            let amend = await h.api.amendOrder(AmendOrder(orderID: b.orderID, price: "9700"))
            if case .unsupported? = amend.error {} else { Issue.record("amend: \(amend)") }
            let bad = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD:BTC", side: .buy, quantity: "0.5", price: "1"))
            if case .invalidArgument? = bad.error {} else { Issue.record("fractional contracts: \(bad)") }
            #expect(h.fake.state.withLock { $0.badSigns } == 0)
        }
    }

    @Test func venueErrorsAndWrongKeysAreTyped() async throws {
        let h = try await Harness.make()
        try await h.run {
            try await h.api.start()
            _ = try await h.api.watchTicker("BAD/USD:BAD")
            try await h.errors.wait("41002") { $0.contains { $0.code == "41002" && $0.message.contains("invalid sub topic, ticker.badusd_p") } }
            h.fake.state.withLock { $0.nextOrderError = (400, #"{"status":6005,"msg":"insufficient margin"}"#) }
            let r = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD:BTC", side: .buy, quantity: "1", price: "9000"))
            #expect(!r.ok && r.error == .venueRejected(code: "6005", message: "insufficient margin") && r.response == nil)
            // REST with a wrong secret → authentication, FMex's 401, no secret in the error.
            let bad = try HFTVenues.FMexRestAPI(credentials: try HFTVenues.FMexCredentials(apiKey: fakeFMexKey, secret: "nope"),
                                                endpoints: h.fake.endpoints, options: try fmexTestOptions())
            await #expect(throws: HFTError.authenticationFailed("401: wrong API key, signature or timestamp")) { _ = try await bad.balances() }
            await bad.shutdown()
        }
        // Private socket with a wrong secret: the upgrade is refused → start() fails as authentication.
        let w = try await Harness.make(secret: "wrong-secret")
        try await w.run {
            do {
                try await w.api.start()
                Issue.record("start() succeeded with a wrong secret")
            } catch let e as HFTError {
                guard case .authenticationFailed(let why) = e else { Issue.record("\(e)"); return }
                #expect(why.contains("401") && !why.contains("wrong-secret"))
            }
            try await w.errors.wait("401") { $0.contains { $0.code == "401" } }
            #expect(w.fake.state.withLock { $0.authRejects } >= 1)
        }
    }

    @Test func malformedFramesAreReportedNotFatal() async throws {
        let h = try await Harness.make(credentials: false)
        try await h.run {
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await h.api.watchOrderBook("BTC/USD:BTC", depth: 5))
            try await book.wait("snapshot") { !$0.isEmpty }
            h.fake.sendPublic(#"{"type":"depth-delta.l20.btcusd_p","seq":1,"#)
            h.fake.sendPublic("not json at all")
            h.fake.sendPublic(#"{"type":"depth-delta.l20.btcusd_p","seq":2,"pre_seq":1,"asks":[1,2,3],"bids":[]}"#)
            h.fake.sendPublic(#"{"type":"mystery.btcusd_p"}"#)
            try await fmexEventually("counted") { h.api.malformedCounts.malformed >= 3 && h.api.malformedCounts.unknown >= 1 }
            try await h.status.wait(.malformed)
            // The socket and the book go on.
            h.fake.delta("btcusd_p", asks: "9291.5,1", bids: "")
            try await book.wait("delta after garbage") { $0.count >= 2 }
            #expect(book.items.last?.book.asks.first?.quantity.description == "1" && h.api.bookGapCount == 0)
            // The documented ticker sample, position by position.
            let tickers = KrakenRecorder<Ticker>()
            tickers.drain(try await h.api.watchTicker("BTC/USD:BTC"))
            try await h.serverReceived(#""args":["ticker.btcusd_p"]"#)
            h.fake.sendPublic(#"{"type":"ticker.btcusd_p","seq":1516333243320,"ticker":[8325,1,8325,49517,8325.5,11207,7867.5,8456.5,7731,94200972,11635.419473734316223965]}"#)
            try await tickers.wait("ticker") { !$0.isEmpty }
            let t = tickers.items[0]
            #expect(t.last == FixedDecimal(8325) && t.bid == FixedDecimal(8325) && t.bidQuantity == FixedDecimal(49517))
            #expect(t.ask?.description == "8325.5" && t.askQuantity == FixedDecimal(11207) && t.volume24h == FixedDecimal(94200972))
        }
    }

    @Test func placementWhoseReplyIsLostIsSettledFromOpenOrders() async throws {
        let h = try await Harness.make(["request_timeout_s": "0.5"])
        try await h.run {
            try await h.api.start()
            h.fake.state.withLock { $0.orderReplyDelay = .seconds(2) }
            let r = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD:BTC", side: .sell, quantity: "7", price: "9800"))
            let serverID = h.fake.state.withLock { $0.orders.keys.first }.map(String.init)
            #expect(r.ok && r.orderID == serverID && r.response == nil, "\(r)")
            #expect(h.api.openOrders.contains { $0.orderID == serverID && $0.status == .open })
            // A second lost placement that never reached the book stays unknown, typed.
            h.fake.state.withLock { $0.nextOrderError = (400, #"{"status":1,"msg":"x"}"#); $0.orderReplyDelay = .zero }
            let rejected = await h.api.placeOrder(PlaceOrder(symbol: "BTC/USD:BTC", side: .buy, quantity: "1", price: "1"))
            #expect(!rejected.ok && rejected.error == .venueRejected(code: "1", message: "x"))
        }
    }
}

