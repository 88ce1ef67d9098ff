import Testing
@testable import HFTCore

@Suite struct OrderBookTests {
    @Test func keepsSidesSortedAndAppliesDeltas() {
        var book = OrderBook(venue: .digifinex, symbol: "BTC/USDT")
        // vectors.md D5: clean=true snapshot (asks highest first as the venue sends them)
        book.replace(bids: [.init(price: "11697.89", quantity: "0.2184"), .init(price: "11697.13", quantity: "7.0356"), .init(price: "11696.79", quantity: "0.2149")],
                     asks: [.init(price: "11702.01", quantity: "0.001"), .init(price: "11700.24", quantity: "0.8716"), .init(price: "11699.57", quantity: "0.1029")])
        for (p, q) in [("11702.81", "0.001"), ("11699.92", "0.008"), ("11788.73", "0"), ("11787.24", "0")] {
            book.apply(.sell, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!)
        }
        for (p, q) in [("11642.72", "13.1172"), ("11627.05", "2.1258"), ("11621.42", "0"), ("11620.87", "0")] {
            book.apply(.buy, price: FixedDecimal(p)!, quantity: FixedDecimal(q)!)
        }
        #expect(book.asks.map { "\($0.price)→\($0.quantity)" } == ["11699.57→0.1029", "11699.92→0.008", "11700.24→0.8716", "11702.01→0.001", "11702.81→0.001"])
        #expect(book.bids.map { "\($0.price)→\($0.quantity)" } == ["11697.89→0.2184", "11697.13→7.0356", "11696.79→0.2149", "11642.72→13.1172", "11627.05→2.1258"])
        #expect(!book.isCrossed)
        #expect(book.mid?.description == "11698.730")
        #expect(book.spread?.description == "1.68")
        book.truncate(to: 2)
        #expect(book.asks.count == 2 && book.bids.count == 2)
        #expect(book.top(1).bids.first?.price == "11697.89")
        book.apply(.buy, price: "11700.00", quantity: "1")
        #expect(book.isCrossed)
        book.apply(.buy, price: "11700.00", quantity: "0")
        #expect(book.quantity(.buy, at: "11700") == nil)
        #expect(book.quantity(.sell, at: "11699.57") == "0.1029")
    }

    /// Property: after random set/delete operations the book equals a dictionary model, sorted.
    @Test func matchesAReferenceModel() {
        var rng = SeededRandom(seed: 11)
        var book = OrderBook(venue: .kraken, symbol: "BTC/USD")
        var model: [Side: [FixedDecimal: FixedDecimal]] = [.buy: [:], .sell: [:]]
        for _ in 0..<20_000 {
            let side: Side = rng.below(2) == 0 ? .buy : .sell
            let price = FixedDecimal(mantissa: Int128(side == .buy ? 1000 - rng.below(50) : 1001 + rng.below(50)), scale: 1)
            let qty = rng.below(3) == 0 ? FixedDecimal.zero : FixedDecimal(mantissa: Int128(1 + rng.below(1000)), scale: 3)
            book.apply(side, price: price, quantity: qty)
            model[side]![price] = qty.isZero ? nil : qty
        }
        #expect(book.bids.map(\.price) == model[.buy]!.keys.sorted(by: >))
        #expect(book.asks.map(\.price) == model[.sell]!.keys.sorted())
        for l in book.bids { #expect(model[.buy]![l.price] == l.quantity) }
    }
}

@Suite struct SymbolTests {
    @Test func parsesAndSpells() throws {
        let s = try Symbol(parsing: "btc/usdt")
        #expect(s.description == "BTC/USDT")
        #expect(SymbolSpelling.concatenatedUpper.native(s) == "BTCUSDT")
        #expect(SymbolSpelling.underscoredLower.native(s) == "btc_usdt")
        #expect(SymbolSpelling.underscoredUpper.native(s) == "BTC_USDT")
        #expect(SymbolSpelling.concatenatedUpper.unified("BTCUSDT") == s)
        #expect(SymbolSpelling.underscoredLower.unified("btc_usdt") == s)
        let fmex = SymbolSpelling(separator: "", letterCase: .lower, perpetualSuffix: "_p")
        let perp = try Symbol(parsing: "BTC/USD:BTC")
        #expect(fmex.native(perp) == "btcusd_p")
        #expect(fmex.unified("btcusd_p") == perp)
        #expect(throws: HFTError.self) { try Symbol(parsing: "BTCUSD") }
        #expect(throws: HFTError.self) { try Symbol(parsing: "BTC/") }
        #expect(throws: HFTError.self) { try Symbol(parsing: "BTC/USD:") }
    }
}

@Suite struct LatencyHistogramTests {
    @Test func percentilesWithinBucketPrecision() {
        var h = LatencyHistogram()
        for v in 1...10_000 { h.record(UInt64(v)) }
        let s = h.summary
        #expect(s.count == 10_000)
        #expect(s.max == 10_000)
        for (p, exact) in [(50.0, 5_000.0), (90, 9_000), (99, 9_900), (99.9, 9_990)] {
            let got = Double(h.percentile(p))
            #expect(got >= exact && got <= exact * 1.02, "p\(p) = \(got)")
        }
        #expect(LatencyHistogram().percentile(50) == 0)
        var big = LatencyHistogram()
        big.record(UInt64.max)
        #expect(big.percentile(100) == UInt64.max)
    }

    /// Every bucket's edges: its highest value maps to it, the next value to the next bucket, so
    /// the index is monotonic and each bucket's upper bound covers what it holds.
    @Test func bucketIndexIsMonotonic() {
        var misplaced: [Int] = []
        var lowest: UInt64 = 0
        for i in 0..<(LatencyHistogram.bucketCount - 1) {
            let high = LatencyHistogram.highestEquivalent(i)
            let mid = lowest + (high - lowest) / 2
            if high < lowest || LatencyHistogram.index(lowest) != i || LatencyHistogram.index(mid) != i
                || LatencyHistogram.index(high) != i || LatencyHistogram.index(high + 1) != i + 1 {
                misplaced.append(i)
            }
            lowest = high + 1
        }
        #expect(misplaced.isEmpty, "buckets with wrong edges: \(misplaced.prefix(10))")
        #expect(LatencyHistogram.index(.max) == LatencyHistogram.bucketCount - 1)
    }
}
