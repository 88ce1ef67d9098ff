import Foundation
import HFTCore
import HFTSimulator
import HFTTransport
@testable import HFTVenues
import Testing

/// `book_channel=percent10`: `percent10` pushes (bge.md §5) applied level by level (quantity 0
/// removes) onto an empty book at every (re)subscribe; stale `seq_id`s skipped and counted.
@Suite("BGE percent10 books", .serialized)
struct BGEPercent10Tests {
    /// The note's sample, byte for byte.
    static let noteSample = #"{"id":"1689143539","biz":"market","seq_id":112588640,"type":"percent10","#
        + #""data":{"bids":[["3.8646667","0"]],"asks":[["3.8685333","0"],["3.8704666","0"]],"seq_id":112588640},"#
        + #""product":"BTC_USDT"}"#

    static func percent10(_ seq: Int64, bids: [(String, String)], asks: [(String, String)], product: String = "BTC_USDT") -> String {
        func l(_ x: [(String, String)]) -> String { x.map { #"["\#($0.0)","\#($0.1)"]"# }.joined(separator: ",") }
        return #"{"id":"1","biz":"market","seq_id":\#(seq),"type":"percent10","data":{"bids":[\#(l(bids))],"asks":[\#(l(asks))],"seq_id":\#(seq)},"product":"\#(product)"}"#
    }

    static func push(_ text: String) throws -> BGEBookPush {
        let decoded = try BGEDecoder.decode(text)
        guard case .percent10(let p) = decoded else { throw KrakenWaitTimeout(what: "a percent10 push", seen: "\(decoded)") }
        return p
    }

    static func levels(_ l: [BookLevel]) -> [String] { l.map { "\($0.price)→\($0.quantity)" } }

    // MARK: Knob

    @Test func bookChannelKnob() throws {
        #expect(try BGEClientOptions().bookChannel == .orderbook)
        #expect(try BGEClientOptions(["book_channel": "orderbook"]).bookChannel == .orderbook)
        #expect(try BGEClientOptions(["book_channel": "percent10"]).bookChannel == .percent10)
        #expect(try BGEClientOptions(["book_channel": "1"]).bookChannel == .percent10)
        #expect(BGEDescriptor.knobs.first { $0.name == "book_channel" }?.defaultJSON.rendered == "\"orderbook\"")
        for bad in ["percent5", "PERCENT10", "2", ""] {
            do {
                _ = try BGEClientOptions(["book_channel": bad])
                Issue.record("book_channel=\(bad) accepted")
            } catch {
                guard case .configuration(let text) = error else { Issue.record("\(error)"); continue }
                #expect(text.contains("orderbook") && text.contains("percent10") && text.contains("'\(bad)'"), "\(text)")
            }
        }
        #expect(BGERequest.subscribe(BGETopic(.percent10, "BTC_USDT"))
                == #"{"event":"sub","biz":"market","type":"percent10","product":"BTC_USDT","zip":false}"#)
    }

    // MARK: Applying pushes (no socket)

    @Test func noteSampleRemovesItsZeroLevelsAndKeepsTheRest() async throws {
        let market = BGEMarketState(reporter: BGEReporter(), bookChannel: .percent10)
        let updates = KrakenRecorder<BookUpdate>()
        let stream = EventStream<BookUpdate>(policy: .dropOldest(capacity: 100))
        updates.drain(stream)
        #expect(market.addBookSink(product: "BTC_USDT", symbol: "BTC/USDT", stream: stream, depth: 50))
        #expect(market.book("BTC_USDT") == nil)

        // Onto the empty book: every level set (the sample's three prices among them).
        market.applyPercent10(try Self.push(Self.percent10(112588639, bids: [("3.8646667", "1.50"), ("3.86", "2.000")],
                                                           asks: [("3.8704666", "7"), ("3.8685333", "0.10"), ("3.871", "0.300")])))
        var b = try #require(market.book("BTC_USDT"))
        #expect(Self.levels(b.bids) == ["3.8646667→1.50", "3.86→2.000"])
        #expect(Self.levels(b.asks) == ["3.8685333→0.10", "3.8704666→7", "3.871→0.300"])

        // The note's sample: its three "0" levels go, the others stay as they were.
        let sample = try Self.push(Self.noteSample)
        #expect(sample.seqID == 112588640 && sample.product == "BTC_USDT")
        market.applyPercent10(sample)
        b = try #require(market.book("BTC_USDT"))
        #expect(Self.levels(b.bids) == ["3.86→2.000"])
        #expect(Self.levels(b.asks) == ["3.871→0.300"])

        // A later push sets a level's size, inserts a level in price order, removes a missing one (no-op).
        market.applyPercent10(try Self.push(Self.percent10(112588641, bids: [("3.86", "2.5"), ("3.8650", "0.01"), ("3.5", "0")],
                                                           asks: [("3.8700001", "0.0100")])))
        b = try #require(market.book("BTC_USDT"))
        #expect(Self.levels(b.bids) == ["3.8650→0.01", "3.86→2.5"])
        #expect(Self.levels(b.asks) == ["3.8700001→0.0100", "3.871→0.300"])

        let published = try await updates.wait("three updates") { $0.count >= 3 }
        #expect(published.map(\.isSnapshot) == [true, false, false])
        #expect(Self.levels(published[2].book.bids) == Self.levels(b.bids))
        #expect(market.skippedBookPushes.total == 0)
    }

    @Test func staleSeqIDIsSkippedAndCountedGapsAreApplied() throws {
        let market = BGEMarketState(reporter: BGEReporter(), bookChannel: .percent10)
        let stream = EventStream<BookUpdate>(policy: .conflate)
        _ = market.addBookSink(product: "BTC_USDT", symbol: "BTC/USDT", stream: stream, depth: 10)
        market.applyPercent10(try Self.push(Self.percent10(100, bids: [("10", "1")], asks: [("11", "1")])))
        // The same seq_id again (a duplicate) and a lower one (a regression): skipped.
        market.applyPercent10(try Self.push(Self.percent10(100, bids: [("10", "0")], asks: [])))
        market.applyPercent10(try Self.push(Self.percent10(42, bids: [("9", "3")], asks: [("11", "0")])))
        var b = try #require(market.book("BTC_USDT"))
        #expect(Self.levels(b.bids) == ["10→1"] && Self.levels(b.asks) == ["11→1"])
        #expect(market.skippedBookPushes == BGESkippedBookPushes(duplicates: 1, regressions: 1))
        // A gap is not an error.
        market.applyPercent10(try Self.push(Self.percent10(250, bids: [("9", "3")], asks: [])))
        b = try #require(market.book("BTC_USDT"))
        #expect(Self.levels(b.bids) == ["10→1", "9→3"])
        #expect(market.skippedBookPushes.total == 2)
        // A new socket: the book starts empty again and any seq_id is accepted.
        market.invalidateBooks()
        #expect(market.book("BTC_USDT") == nil)
        market.applyPercent10(try Self.push(Self.percent10(7, bids: [("8", "1")], asks: [])))
        b = try #require(market.book("BTC_USDT"))
        #expect(Self.levels(b.bids) == ["8→1"] && b.asks.isEmpty)
        #expect(market.skippedBookPushes.total == 2)
    }

    /// Each mode ignores the other channel's pushes; `orderbook` (the default) still replaces.
    @Test func eachModeIgnoresTheOtherChannel() throws {
        let snapshot = try BGEDecoder.decode(FakeBGE.book("BTC_USDT", bids: [("3.7366", "0.66")], asks: [("3.9966", "0.9")]))
        guard case .book(let full) = snapshot else { Issue.record("\(snapshot)"); return }
        let delta = try Self.push(Self.percent10(1, bids: [("3.70", "5")], asks: []))

        let byOrderbook = BGEMarketState(reporter: BGEReporter())
        _ = byOrderbook.addBookSink(product: "BTC_USDT", symbol: "BTC/USDT", stream: EventStream<BookUpdate>(policy: .conflate), depth: 10)
        byOrderbook.applyPercent10(delta)
        #expect(byOrderbook.book("BTC_USDT") == nil)
        byOrderbook.apply(full)
        #expect(Self.levels(try #require(byOrderbook.book("BTC_USDT")).bids) == ["3.7366→0.66"])

        let byPercent10 = BGEMarketState(reporter: BGEReporter(), bookChannel: .percent10)
        _ = byPercent10.addBookSink(product: "BTC_USDT", symbol: "BTC/USDT", stream: EventStream<BookUpdate>(policy: .conflate), depth: 10)
        byPercent10.apply(full)
        #expect(byPercent10.book("BTC_USDT") == nil)
        byPercent10.applyPercent10(delta)
        #expect(Self.levels(try #require(byPercent10.book("BTC_USDT")).bids) == ["3.70→5"])
    }

    // MARK: Scripted endpoint

    /// The client subscribes `percent10` (not `orderbook`), builds the book from pushes, and after
    /// a dropped socket resubscribes `percent10`, reports book_invalid, then rebuilds from empty.
    @Test func scriptedPercent10SubscribeApplyAndReplay() async throws {
        let fake = FakeBGE()
        try await fake.start()
        let api = try BGEWsAPI(credentials: nil, endpoints: fake.endpoints, options: try bgeTestOptions(["book_channel": "percent10"]),
                               account: "p10-\(UUID().uuidString)")
        let status = KrakenRecorder<VenueStatus>()
        status.drain(api.status)
        try await runThenClose({
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await api.watchOrderBook("BTC/USDT", depth: 10))
            #expect(await api.subscriptionKeys == ["percent10:BTC_USDT"])
            try await status.wait(.subscribed, symbol: "BTC/USDT", detail: "percent10")
            #expect(fake.received(matching: #""event":"sub""#).map(\.text)
                    == [#"{"event":"sub","biz":"market","type":"percent10","product":"BTC_USDT","zip":false}"#])
            let session = try #require(fake.subscribers("percent10:BTC_USDT").first)
            fake.push(session, Self.percent10(112588639, bids: [("3.8646667", "1"), ("3.85", "2")], asks: [("3.8685333", "3"), ("3.8704666", "4")]))
            fake.push(session, Self.noteSample)
            fake.push(session, Self.percent10(112588640, bids: [("3.85", "0")], asks: []))   // duplicate: skipped
            try await book.wait("the sample applied") { $0.count >= 2 }
            #expect(Self.levels(book.items[1].book.bids) == ["3.85→2"])
            #expect(Self.levels(book.items[1].book.asks).isEmpty)
            fake.push(session, Self.percent10(112588650, bids: [], asks: [("3.9", "1.25")]))
            try await book.wait("after the gap") { $0.count >= 3 }
            #expect(Self.levels(book.items[2].book.asks) == ["3.9→1.25"] && Self.levels(book.items[2].book.bids) == ["3.85→2"])
            #expect(api.skippedBookPushes == BGESkippedBookPushes(duplicates: 1, regressions: 0))

            session.drop()
            try await status.wait(.bookInvalid, symbol: "BTC/USDT")
            try await status.wait(.subscribed, symbol: "BTC/USDT", count: 2, detail: "percent10")
            #expect(fake.received(matching: #""type":"percent10""#).count == 2)
            #expect(fake.received(matching: #""type":"orderbook""#).isEmpty)
            let again = try #require(fake.subscribers("percent10:BTC_USDT").first)
            fake.push(again, Self.percent10(5, bids: [("3.80", "9")], asks: []))   // lower seq_id on the new socket: applied
            let after = try await book.wait("rebuilt from empty") { $0.count >= 4 }
            #expect(Self.levels(after[3].book.bids) == ["3.80→9"] && after[3].book.asks.isEmpty && after[3].isSnapshot)
            try await status.wait(.bookResynced, symbol: "BTC/USDT")
            #expect(api.skippedBookPushes.total == 1)
        }, close: {
            await api.stop()
            await fake.shutdown()
        })
    }
}

// MARK: Against the simulator

@Suite("BGE percent10 client ↔ simulator", .serialized, .enabled(if: VenueSimulators.available.contains(.bge)))
struct BGEPercent10SimulatorTests {
    typealias Sim = SimulatorHarness<BGESimulator, BGEWsAPI>

    /// The levels of `book` strictly inside ±10 % of the mid `(bid + ask) / 2` (given as
    /// `bid + ask`), at most 200 per side, as `price→quantity`.
    static func band(_ book: OrderBook, bidPlusAsk: FixedDecimal) -> (bids: [String], asks: [String]) {
        func inside(_ l: BookLevel) -> Bool { l.price * FixedDecimal(20) > bidPlusAsk * FixedDecimal(9) && l.price * FixedDecimal(20) < bidPlusAsk * FixedDecimal(11) }
        return (BGEPercent10Tests.levels(Array(book.bids.filter(inside).prefix(200))),
                BGEPercent10Tests.levels(Array(book.asks.filter(inside).prefix(200))))
    }

    /// Waits (bounded) until the client's latest book equals the simulator's inside the band.
    @discardableResult
    static func waitBandMatches(_ sim: Sim, _ book: KrakenRecorder<BookUpdate>, _ what: String,
                                timeout: Duration = .seconds(15)) async throws -> (bids: [String], asks: [String]) {
        let exchange = sim.exchange, symbol = sim.symbol
        try await book.wait(what, timeout: timeout) { items in
            guard let mine = items.last?.book, let venue = try? exchange.bookSnapshot(symbol, depth: 100_000),
                  let bid = venue.bestBid?.price, let ask = venue.bestAsk?.price else { return false }
            return band(mine, bidPlusAsk: bid + ask) == band(venue, bidPlusAsk: bid + ask)
        }
        let venue = try exchange.bookSnapshot(symbol, depth: 100_000)
        return band(venue, bidPlusAsk: try #require(venue.bestBid?.price) + (try #require(venue.bestAsk?.price)))
    }

    @Test func percent10BookEqualsTheSimulatorWithinTenPercentOfMid() async throws {
        let sim = try await Sim.start(credentials: true, ["book_channel": "percent10"])
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            try await sim.api.start()
            let product = try BGESymbols.native(symbol)
            let book = KrakenRecorder<BookUpdate>()
            book.drain(try await sim.api.watchOrderBook(symbol, depth: 100_000))
            #expect(await sim.api.subscriptionKeys == ["percent10:" + product])
            let first = try await Self.waitBandMatches(sim, book, "first pushes match the venue inside ±10 %")
            #expect(!first.bids.isEmpty && !first.asks.isEmpty, "\(first)")

            // Flow moves the book; the client follows.
            for _ in 0..<10 { exchange.stepFlow(actions: 20, symbol: symbol) }
            try await Self.waitBandMatches(sim, book, "flow matches the venue inside ±10 %")

            // Our own order adds to a level inside the band, then its cancel takes it away again.
            let venue = try exchange.bookSnapshot(symbol, depth: 3)
            let price = try #require(venue.bids.last?.price)
            let placed = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: price))
            #expect(placed.ok, "\(placed)")
            try await Self.waitBandMatches(sim, book, "own order shows inside ±10 %")
            #expect(book.items.last?.book.quantity(.buy, at: price) == venue.bids.last.map { $0.quantity + "0.01" })
            // A level of our own at 95 % of the best bid (inside the band) and one at 85 % (outside).
            let bid = try #require(try exchange.bookSnapshot(symbol, depth: 1).bestBid?.price)
            let inside = try #require((bid * FixedDecimal(95)).divided(by: FixedDecimal(100), scale: bid.scale, rounding: .down))
            let outside = try #require((bid * FixedDecimal(85)).divided(by: FixedDecimal(100), scale: bid.scale, rounding: .down))
            for p in [inside, outside] {
                let r = await sim.api.placeOrder(PlaceOrder(symbol: symbol, side: .buy, quantity: "0.01", price: p))
                #expect(r.ok, "\(r)")
            }
            try await Self.waitBandMatches(sim, book, "own far orders inside ±10 %")
            try await book.wait("the 95 % level") { $0.last?.book.quantity(.buy, at: inside) == "0.01" }
            #expect(book.items.last?.book.quantity(.buy, at: outside) == nil, "the simulator's percent10 stops at ±10 % of mid")

            // Cancels: the simulator sends those levels with size 0, the client removes them.
            let canceled = await sim.api.cancelAllOrders(symbol: symbol)
            #expect(canceled.ok, "\(canceled)")
            try await Self.waitBandMatches(sim, book, "cancel shows inside ±10 %")
            try await book.wait("the 95 % level removed") { $0.last?.book.quantity(.buy, at: inside) == nil }
            #expect(book.items.last?.book.quantity(.buy, at: price) == venue.bids.last?.quantity)

            // A dropped socket: percent10 resubscribed, book rebuilt from empty and equal again.
            sim.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 0))
            try await sim.status.wait(.reconnecting, timeout: .seconds(5))
            sim.exchange.faults.clear()
            try await sim.status.wait(.bookResynced, symbol: symbol, timeout: .seconds(10))
            for _ in 0..<5 { exchange.stepFlow(actions: 20, symbol: symbol) }
            try await Self.waitBandMatches(sim, book, "after the reconnect")
            let keys = await sim.api.subscriptionKeys
            #expect(keys.contains("percent10:" + product) && !keys.contains { $0.hasPrefix("orderbook:") }, "\(keys)")
            #expect(sim.api.malformedCounts.malformed == 0, "\(sim.status.items.filter { $0.event == .malformed })")
            // The simulator repeats an unchanged book with the same seq_id (skipped as duplicates);
            // it never goes back.
            #expect(sim.api.skippedBookPushes.regressions == 0, "\(sim.api.skippedBookPushes)")
        }
    }
}
