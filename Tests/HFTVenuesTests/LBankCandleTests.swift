import Foundation
import HFTCore
import HFTSimulator
@testable import HFTVenues
import Testing

/// LBank `kbar` (lbank.md §3, §4): decoded from the note's sample (numbers read as exact
/// decimals, `t` in UTC+8), subscribed with the venue's `kbar` value over a scripted endpoint.
@Suite("LBank candles", .serialized)
struct LBankCandleTests {
    static let sample = #"{"kbar":{"a":64.32991311,"c":0.02590293,"t":"2019-06-28T17:45:00.000","v":2481.1912,"h":0.02601247,"slot":"5min","l":0.02587925,"n":272,"o":0.02595196},"type":"kbar","pair":"eth_btc","SERVER":"V2","TS":"2019-06-28T17:49:22.722"}"#

    @Test func decodesTheNoteSampleExactly() throws {
        guard case .kbar(let k) = try LBankDecoder.decode(Self.sample) else { Issue.record("not a kbar"); return }
        #expect(k.pair == "eth_btc" && k.slot == "5min" && k.count == 272)
        #expect(k.openTime == 1_561_715_100_000_000)  // 17:45 Beijing = 09:45 UTC
        #expect([k.open, k.high, k.low, k.close, k.volume].map(\.description) == ["0.02595196", "0.02601247", "0.02587925", "0.02590293", "2481.1912"])
        #expect(k.turnover?.description == "64.32991311")
        // The one-shot request reply (`records`) is not a push.
        let reply = #"{"records":[[1705364400,42614,42624.57,42532.15,42537.43,13.2615,564568.931565,433]],"columns":["timestamp"],"count":1,"kbar":"5min","type":"kbar","pair":"btc_usdt","SERVER":"V2","TS":"2024-01-16T08:09:43.314"}"#
        guard case .ignored = try LBankDecoder.decode(reply) else { Issue.record("reply routed as a push"); return }
        #expect(throws: LBankDecodeError.self) { try LBankDecoder.decode(#"{"kbar":{"o":1,"slot":"5min","t":"bad"},"type":"kbar","pair":"eth_btc"}"#) }
    }

    @Test func intervalsMapToTheVenueSpellingOrAreRefused() throws {
        let m = LBankRouter.candleIntervals
        #expect(try [m.native(.oneHour), m.native(.oneDay), m.native(.oneYear)] == ["1hr", "day", "year"])
        do {
            _ = try m.native(.threeMinutes)
            Issue.record("3m accepted")
        } catch {
            guard case .invalidArgument(let text) = error else { Issue.record("\(error)"); return }
            #expect(text.contains("1hr") && text.contains("month"))
        }
    }

    @Test func kbarSubscribesAndPushesCandles() async throws {
        let h = try await LBankClientScriptedTests.Harness.make(credentials: false)
        try await h.run {
            let candles = KrakenRecorder<Candle>()
            candles.drain(try await h.api.watchCandles("ETH/BTC", interval: .fiveMinutes))
            let sub = #"{"action":"subscribe","subscribe":"kbar","kbar":"5min","pair":"eth_btc"}"#
            try await lbankEventually("kbar subscribe") { h.fake.received().contains(sub) }
            // Another interval's push of the same pair reaches no 5-minute watcher.
            h.fake.broadcast(Self.sample.replacingOccurrences(of: #""slot":"5min""#, with: #""slot":"1min""#))
            h.fake.broadcast(Self.sample)
            try await candles.wait("kbar") { !$0.isEmpty }
            let c = candles.items[0]
            #expect(candles.items.count == 1)
            #expect(c.venue == .lbank && c.symbol == "ETH/BTC" && c.interval == .fiveMinutes && c.openTime == 1_561_715_100_000_000)
            #expect(c.close.description == "0.02590293" && c.volume.description == "2481.1912")
            #expect(c.quoteVolume?.description == "64.32991311" && c.tradeCount == 272 && c.isClosed == nil)
            // The subscription is replayed after a reconnect.
            for s in h.fake.openSessions { s.drop() }
            try await lbankEventually("kbar replayed") { h.fake.received().filter { $0 == sub }.count >= 2 }
        }
    }

    @Test(.enabled(if: VenueSimulators.available.contains(.lbank)))
    func candleFollowsTheSimulatorTrades() async throws {
        let sim = try await SimulatorHarness<LBankSimulator, LBankWsAPI>.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol, exchange = sim.exchange
            let candles = KrakenRecorder<Candle>()
            candles.drain(try await sim.api.watchCandles(symbol, interval: .oneMinute))
            // No subscribe ack on LBank: step the flow until the bar reflects the venue's trades.
            let deadline = ContinuousClock.now + .seconds(10)
            @Sendable func matched(_ items: [Candle]) -> Bool {
                guard let c = items.last else { return false }
                return c.symbol == symbol && c.interval == .oneMinute && candleMatches(c, exchange.recentTrades(symbol, limit: 1_000).map(\.trade))
            }
            while !matched(candles.items) && ContinuousClock.now < deadline {
                exchange.stepFlow(actions: 20, symbol: symbol)
                _ = try? await candles.wait("candle", timeout: .milliseconds(100)) { matched($0) }
            }
            try await candles.wait("a candle matching the venue's trades", timeout: .seconds(2)) { matched($0) }
            #expect(candles.items.allSatisfy { $0.venue == .lbank && $0.isClosed == nil })
            #expect(sim.api.malformedCounts.malformed == 0)
        }
    }
}
