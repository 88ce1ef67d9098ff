/// Kraken public payloads as unified HFTCore values: `Trade` and `Ticker`.
import HFTCore

extension KrakenTradeData {
    /// The unified trade; `id` is Kraken's per-pair sequential `trade_id`.
    public func unified() throws(HFTError) -> Trade {
        guard let s = KrakenSymbols.unified(symbol) else { throw .malformedFrame("Kraken trade: symbol '\(symbol)'") }
        return Trade(venue: .kraken, symbol: s, id: String(tradeID), price: price, quantity: qty, side: side, timestamp: timestamp)
    }
}

extension KrakenTickerData {
    /// The unified ticker; `volume24h` is Kraken's rolling 24 h base volume. Kraken's ticker has
    /// no timestamp in older traffic, so `receivedAt` stands in for it.
    public func unified(receivedAt: Timestamp = WallClock.microseconds()) throws(HFTError) -> Ticker {
        guard let s = KrakenSymbols.unified(symbol) else { throw .malformedFrame("Kraken ticker: symbol '\(symbol)'") }
        return Ticker(venue: .kraken, symbol: s, bid: bid, bidQuantity: bidQty, ask: ask, askQuantity: askQty,
                      last: last, volume24h: volume, timestamp: timestamp ?? receivedAt)
    }
}
