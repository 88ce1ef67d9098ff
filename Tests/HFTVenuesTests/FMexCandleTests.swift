import HFTCore
import HFTSimulator
@testable import HFTVenues
import Testing

/// FMex `candle.$resolution.$symbol` (fmex.md §5): decoded from the note's sample, subscribed
/// with the case-sensitive resolution, and matched against the simulator's trades.
@Suite("FMex candles", .serialized)
struct FMexCandleTests {
    @Test func decodesTheNoteSampleExactly() throws {
        let sample = #"{"type":"candle.M1.btcusd_p","id":1523691480,"seq":11400000,"open":2.0,"close":2.5,"high":3.00,"low":1.5,"count":4,"base_vol":120,"quote_vol":0.0123456789}"#
        guard case .candle(let c) = try FMexDecoder.decode(sample) else { Issue.record("not a candle"); return }
        #expect(c.symbol == "btcusd_p" && c.resolution == "M1" && c.openSeconds == 1_523_691_480 && c.seq == 11_400_000 && c.count == 4)
        #expect([c.open, c.high, c.low, c.close, c.baseVolume].map(\.description) == ["2.0", "3.00", "1.5", "2.5", "120"])
        #expect(c.quoteVolume?.description == "0.0123456789")
        #expect(throws: FMexDecodeError.self) { try FMexDecoder.decode(#"{"type":"candle.M1.btcusd_p","id":1,"open":"x"}"#) }
        #expect(throws: FMexDecodeError.self) { try FMexDecoder.decode(#"{"type":"candle.btcusd_p","id":1}"#) }
    }

    @Test func resolutionsMapToTheVenueSpellingOrAreRefused() throws {
        let m = FMexMarketState.candleIntervals
        #expect(try [m.native(.oneMonth), m.native(.sixHours), m.native(.threeMinutes)] == ["MN", "H6", "M3"])
        #expect(FMexRequest.subscribe(.candle("M15", "btcusd_p")) == #"{"cmd":"sub","args":["candle.M15.btcusd_p"],"id":"sub.candle.M15.btcusd_p"}"#)
        do {
            _ = try m.native(.oneYear)
            Issue.record("1y accepted")
        } catch {
            guard case .invalidArgument(let text) = error else { Issue.record("\(error)"); return }
            #expect(text.contains("MN") && text.contains("M1"))
        }
    }

    @Test(.enabled(if: VenueSimulators.available.contains(.fmex)))
    func candleFollowsTheSimulatorTrades() async throws {
        let sim = try await SimulatorHarness<FMexSimulator, HFTVenues.FMexWsAPI>.start(credentials: false)
        try await sim.run {
            let symbol = sim.symbol
            let candles = KrakenRecorder<Candle>()
            candles.drain(try await sim.api.watchCandles(symbol, interval: .oneMinute))
            try await sim.status.wait(.subscribed, detail: "candle.M1.btcusd_p")
            try await sim.tradeUntilACandleMatches(candles)
            #expect(candles.items.allSatisfy { $0.venue == .fmex && $0.isClosed == nil })
            #expect(sim.api.malformedCounts.malformed == 0)
        }
    }
}
