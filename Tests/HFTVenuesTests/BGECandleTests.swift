import HFTCore
import HFTSimulator
@testable import HFTVenues
import Testing

/// BGE `candles` (bge.md §5): decoded from the note's sample, subscribed with the venue's
/// interval spelling, and matched against the simulator's trades.
@Suite("BGE candles", .serialized)
struct BGECandleTests {
    static let sample = #"{"id":"1689144300","biz":"market","type":"candles","data":{"id":1689144300,"open":"3.7366","close":"3.7367","high":"3.7368","low":"3.7365","filled_size":"12.50","vol":"3.4500","count":7,"seq_id":112588635},"product":"BTC_USDT","interval":"15min"}"#

    @Test func decodesTheNoteSampleExactly() throws {
        guard case .candles(let product, let interval, let list) = try BGEDecoder.decode(Self.sample) else {
            Issue.record("not candles"); return
        }
        #expect(product == "BTC_USDT" && interval == "15min" && list.count == 1)
        let c = try #require(list.first)
        #expect(c.openSeconds == 1_689_144_300 && c.seqID == 112_588_635 && c.count == 7)
        #expect([c.open, c.high, c.low, c.close, c.volume].map(\.description) == ["3.7366", "3.7368", "3.7365", "3.7367", "3.4500"])
        #expect(c.quoteVolume?.description == "12.50")
        // A `req` reply carries an array of bars.
        let reply = #"{"biz":"market","type":"candles","product":"BTC_USDT","ts":1,"code":200,"status":"OK","event":"req","interval":"1hour","data":[{"id":1,"open":"1","close":"2","high":"3","low":"0.5","filled_size":"0","vol":"0","count":0}]}"#
        guard case .candles(_, "1hour", let bars) = try BGEDecoder.decode(reply) else { Issue.record("req reply"); return }
        #expect(bars.count == 1 && BGEMarketState.candleIntervals.unified("1hour") == .oneHour)
        #expect(throws: BGEDecodeError.self) { try BGEDecoder.decode(#"{"type":"candles","product":"BTC_USDT","interval":"1min","data":{"id":1,"open":"x"}}"#) }
    }

    @Test func intervalsMapToTheVenueSpellingOrAreRefused() throws {
        let m = BGEMarketState.candleIntervals
        #expect(try [m.native(.oneHour), m.native(.oneMonth), m.native(.oneMinute)] == ["60min", "1mon", "1min"])
        #expect(try BGEClientOptions().candleHourInterval == "60min" && BGEClientOptions(["candles_1hour": "1"]).candleHourInterval == "1hour")
        #expect(BGERequest.subscribe(BGETopic(.candles, "BTC_USDT", interval: "15min"))
                == #"{"event":"sub","biz":"market","type":"candles","product":"BTC_USDT","interval":"15min","zip":false}"#)
        do {
            _ = try m.native(.threeMinutes)
            Issue.record("3m accepted")
        } catch {
            guard case .invalidArgument(let text) = error else { Issue.record("\(error)"); return }
            #expect(text.contains("1mon") && text.contains("60min"))
        }
    }

    @Test(.enabled(if: VenueSimulators.available.contains(.bge)))
    func candleFollowsTheSimulatorTrades() async throws {
        let sim = try await SimulatorHarness<BGESimulator, BGEWsAPI>.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol
            await #expect(throws: HFTError.self) { _ = try await sim.api.watchCandles(symbol, interval: .sixHours) }
            let candles = KrakenRecorder<Candle>()
            candles.drain(try await sim.api.watchCandles(symbol, interval: .oneMinute))
            try await sim.status.wait(.subscribed, symbol: symbol, detail: "candles")
            #expect(await sim.api.subscriptionKeys.contains("candles:BTC_USDT:1min"))
            try await sim.tradeUntilACandleMatches(candles)
            #expect(candles.items.allSatisfy { $0.venue == .bge && $0.isClosed == nil })
            #expect(sim.api.malformedCounts.malformed == 0)
        }
    }
}
