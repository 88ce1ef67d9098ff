/// Market-stream events (binance.md §9) from the members collected in one pass:
/// `depthUpdate`, `trade`, `aggTrade`, `bookTicker` (no `e`), partial depth (no `e`).
import HFTCore

extension BinanceDecoder {
    static func market(_ f: Fields, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceMarketEvent {
        if let e = f.e {
            if e.stringEquals("depthUpdate") { return .depthUpdate(try depthUpdate(f, unit)) }
            if e.stringEquals("trade") { return .trade(try trade(f, unit)) }
            if e.stringEquals("aggTrade") { return .aggTrade(try aggTrade(f, unit)) }
            if e.stringEquals("bookTicker") { return .bookTicker(try bookTicker(f)) }
            guard e.kind == .string else { throw .invalidField("e") }
            throw .unknownEvent(e.string ?? "")
        }
        if let id = f.lastUpdateID {
            return .partialDepth(BinanceDepthSnapshot(lastUpdateID: try BinanceFields.int64(id, "lastUpdateId"),
                                                      bids: try BinanceFields.levels(f.bids, "bids"),
                                                      asks: try BinanceFields.levels(f.asks, "asks")))
        }
        if f.u != nil, f.s != nil { return .bookTicker(try bookTicker(f)) }
        throw .unknownMessage
    }

    static func depthUpdate(_ f: Fields, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceDepthUpdate {
        let first = try BinanceFields.int64(f.U, "U"), last = try BinanceFields.int64(f.u, "u")
        guard first <= last else { throw .invalidField("U") }
        return BinanceDepthUpdate(eventTime: try BinanceFields.time(f.E, "E", unit),
                                  symbol: try BinanceFields.string(f.s, "s"),
                                  firstUpdateID: first, finalUpdateID: last,
                                  bids: try BinanceFields.levels(f.b, "b"), asks: try BinanceFields.levels(f.a, "a"))
    }

    static func trade(_ f: Fields, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceTrade {
        BinanceTrade(eventTime: try BinanceFields.time(f.E, "E", unit),
                     symbol: try BinanceFields.string(f.s, "s"),
                     tradeID: try BinanceFields.int64(f.t, "t"),
                     price: try BinanceFields.decimal(f.p, "p"),
                     quantity: try BinanceFields.decimal(f.q, "q"),
                     tradeTime: try BinanceFields.time(f.T, "T", unit),
                     buyerIsMaker: try BinanceFields.bool(f.m, "m"))
    }

    static func aggTrade(_ f: Fields, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceAggTrade {
        BinanceAggTrade(eventTime: try BinanceFields.time(f.E, "E", unit),
                        symbol: try BinanceFields.string(f.s, "s"),
                        aggregateTradeID: try BinanceFields.int64(f.a, "a"),
                        price: try BinanceFields.decimal(f.p, "p"),
                        quantity: try BinanceFields.decimal(f.q, "q"),
                        firstTradeID: try BinanceFields.int64(f.f, "f"),
                        lastTradeID: try BinanceFields.int64(f.l, "l"),
                        tradeTime: try BinanceFields.time(f.T, "T", unit),
                        buyerIsMaker: try BinanceFields.bool(f.m, "m"))
    }

    static func bookTicker(_ f: Fields) throws(BinanceDecodeError) -> BinanceBookTicker {
        BinanceBookTicker(updateID: try BinanceFields.int64(f.u, "u"),
                          symbol: try BinanceFields.string(f.s, "s"),
                          bidPrice: try BinanceFields.decimal(f.b, "b"),
                          bidQty: try BinanceFields.decimal(f.B, "B"),
                          askPrice: try BinanceFields.decimal(f.a, "a"),
                          askQty: try BinanceFields.decimal(f.A, "A"))
    }
}
