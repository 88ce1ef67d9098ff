import HFTCore
import HFTSimulator
@testable import HFTVenues
import Testing

/// The venue's trades inside `c`'s bar: its close is the last price, its volume the summed quantity.
func candleMatches(_ c: Candle, _ venue: [Trade]) -> Bool {
    let end = c.openTime + c.interval.seconds * 1_000_000
    let inBar = venue.filter { $0.timestamp >= c.openTime && $0.timestamp < end }
    guard let last = inBar.last else { return false }
    return c.close == last.price && c.volume == inBar.reduce(FixedDecimal.zero) { $0 + $1.quantity }
}

extension SimulatorHarness {
    /// Steps the simulator's flow, 20 actions at a time and at most `rounds` times, until the
    /// harness symbol trades.
    func stepFlowUntilATrade(rounds: Int = 100, sourceLocation: SourceLocation = #_sourceLocation) {
        let before = exchange.recentTrades(symbol, limit: 1_000).count
        var n = 0
        while exchange.recentTrades(symbol, limit: 1_000).count == before && n < rounds {
            exchange.stepFlow(actions: 20, symbol: symbol)
            n += 1
        }
        #expect(exchange.recentTrades(symbol, limit: 1_000).count > before, sourceLocation: sourceLocation)
    }

    /// Steps the simulator's flow until it trades, then waits for a one-minute candle that
    /// matches the venue's own trades.
    func tradeUntilACandleMatches(_ candles: KrakenRecorder<Candle>) async throws {
        let symbol = self.symbol, exchange = self.exchange
        stepFlowUntilATrade()
        try await candles.wait("a candle matching the venue's trades", timeout: .seconds(10)) { items in
            guard let c = items.last else { return false }
            return c.symbol == symbol && c.interval == .oneMinute && candleMatches(c, exchange.recentTrades(symbol, limit: 1_000).map(\.trade))
        }
    }
}
