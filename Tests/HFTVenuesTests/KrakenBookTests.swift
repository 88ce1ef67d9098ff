import HFTCore
import Testing
@testable import HFTVenues

@Suite struct KrakenBookTests {
    // vectors.md K3: Kraken's documented v2 worked example.
    static let k3Asks = [("45285.2", "0.00100000"), ("45286.4", "1.54571953"), ("45286.6", "1.54571109"),
                         ("45289.6", "1.54560911"), ("45290.2", "0.15890660"), ("45291.8", "1.54553491"),
                         ("45294.7", "0.04454749"), ("45296.1", "0.35380000"), ("45297.5", "0.09945542"),
                         ("45299.5", "0.18772827")]
    static let k3Bids = [("45283.5", "0.10000000"), ("45283.4", "1.54582015"), ("45282.1", "0.10000000"),
                         ("45281.0", "0.10000000"), ("45280.3", "1.54592586"), ("45279.0", "0.07990000"),
                         ("45277.6", "0.03310103"), ("45277.5", "0.30000000"), ("45277.3", "1.54602737"),
                         ("45276.6", "0.15445238")]
    static let k3Input = "45285210000045286415457195345286615457110945289615456091145290215890660452918154553491452947445474945296135380000452975994554245299518772827452835100000004528341545820154528211000000045281010000000452803154592586452790799000045277633101034527753000000045277315460273745276615445238"

    static func frame(type: String, bids: [(String, String)], asks: [(String, String)], checksum: UInt32) -> String {
        func side(_ l: [(String, String)]) -> String { l.map { #"{"price":\#($0.0),"qty":\#($0.1)}"# }.joined(separator: ",") }
        return #"{"channel":"book","type":"\#(type)","data":[{"symbol":"BTC/USD","bids":[\#(side(bids))],"asks":[\#(side(asks))],"checksum":\#(checksum)}]}"#
    }

    static func bookMessage(_ text: String) throws -> KrakenBookMessage {
        guard case .book(let m) = try KrakenTestSupport.decode(text) else { throw HFTError.unknownMessage(text) }
        return m
    }

    @Test func workedExampleK3() throws {
        let m = try Self.bookMessage(Self.frame(type: "snapshot", bids: Self.k3Bids, asks: Self.k3Asks, checksum: 3_310_070_434))
        var book = KrakenBook(symbol: "BTC/USD", depth: .d10, precision: KrakenTestSupport.btcusd)
        #expect(book.apply(m.data[0], type: m.type) == .applied(verified: true))
        #expect(KrakenBookChecksum.input(book.book, precision: KrakenTestSupport.btcusd) == Self.k3Input)
        #expect(KrakenBookChecksum.compute(book.book, precision: KrakenTestSupport.btcusd) == 3_310_070_434)
        #expect(book.book.bestAsk?.quantity.description == "0.00100000")
        #expect(book.book.bids[3].price.description == "45281.0")
        #expect(book.isValid)
    }

    @Test func workedExampleWithLostTrailingZerosIsRepadded() throws {
        // The same levels as a float-printing encoder would send them.
        func strip(_ s: String) -> String {
            var t = s
            while t.contains("."), t.hasSuffix("0") { t.removeLast() }
            if t.hasSuffix(".") { t += "0" }
            return t
        }
        let asks = Self.k3Asks.map { (strip($0.0), strip($0.1)) }, bids = Self.k3Bids.map { (strip($0.0), strip($0.1)) }
        #expect(asks[0].1 == "0.001" && bids[3].0 == "45281.0")
        let m = try Self.bookMessage(Self.frame(type: "snapshot", bids: bids, asks: asks, checksum: 3_310_070_434))
        var book = KrakenBook(symbol: "BTC/USD", precision: KrakenTestSupport.btcusd)
        #expect(book.apply(m.data[0], type: .snapshot) == .applied(verified: true))
        #expect(book.book.bestAsk?.quantity.description == "0.00100000")
        // Without the pair's precision the token text is used as is, and the check fails.
        var raw = KrakenBook(symbol: "BTC/USD", precision: nil)
        if case .resync = raw.apply(m.data[0], type: .snapshot) {} else { Issue.record("expected a mismatch") }
    }

    /// The recorded real stream: 1 snapshot + 509 updates, every checksum verified.
    @Test func replaysRecordedStream() throws {
        let stream = try KrakenTestSupport.recordedBookStream()
        #expect(stream.count == 510)
        #expect(stream[0].type == .snapshot && stream.dropFirst().allSatisfy { $0.type == .update })
        var book = KrakenBook(symbol: "BTC/USD", depth: .d10, precision: KrakenTestSupport.btcusd)
        var verified = 0
        for (i, m) in stream.enumerated() {
            for d in m.data {
                let r = book.apply(d, type: m.type)
                #expect(r == .applied(verified: true), "message \(i)")
                if r == .applied(verified: true) { verified += 1 }
            }
            #expect(book.book.bids.count <= 10 && book.book.asks.count <= 10)
            #expect(!book.book.isCrossed)
        }
        #expect(verified == 510)
        #expect(book.checksumFailures == 0)
        #expect(book.book.timestamp == KrakenTime.parse("2023-07-30T15:30:49.008834Z"))
    }

    /// Kraken sends no deletions for levels pushed out of range: skipping truncation breaks the check.
    @Test func truncationToDepthIsRequired() throws {
        let stream = try KrakenTestSupport.recordedBookStream()
        var deep = KrakenBook(symbol: "BTC/USD", depth: .d1000, precision: KrakenTestSupport.btcusd)
        var firstFailure: Int?
        for (i, m) in stream.enumerated() where firstFailure == nil {
            if case .resync = deep.apply(m.data[0], type: m.type) { firstFailure = i }
        }
        #expect(firstFailure != nil)
    }

    @Test func corruptedChecksumIsDetectedAndResyncRecovers() throws {
        let stream = try KrakenTestSupport.recordedBookStream()
        var book = KrakenBook(symbol: "BTC/USD", precision: KrakenTestSupport.btcusd)
        for m in stream.prefix(100) { #expect(book.apply(m.data[0], type: m.type) == .applied(verified: true)) }

        var bad = stream[100].data[0]
        let good = try #require(bad.checksum)
        bad.checksum = good ^ 0x0000_0001
        let r = book.apply(bad, type: .update)
        #expect(r == .resync(expected: good ^ 1, computed: good))
        #expect(!book.isValid && book.book.isEmpty && book.checksumFailures == 1)
        // Updates in flight before the fresh snapshot are dropped, not applied to a stale book.
        #expect(book.apply(stream[101].data[0], type: .update) == .awaitingSnapshot)
        // A fresh snapshot (here: the K3 book) restores a verified book.
        let snap = try Self.bookMessage(Self.frame(type: "snapshot", bids: Self.k3Bids, asks: Self.k3Asks, checksum: 3_310_070_434))
        #expect(book.apply(snap.data[0], type: .snapshot) == .applied(verified: true))
        #expect(book.isValid)
    }

    @Test func corruptedLevelIsDetected() throws {
        let stream = try KrakenTestSupport.recordedBookStream()
        var book = KrakenBook(symbol: "BTC/USD", precision: KrakenTestSupport.btcusd)
        #expect(book.apply(stream[0].data[0], type: .snapshot) == .applied(verified: true))
        var update = stream[1].data[0]
        update.bids.append(BookLevel(price: try #require(book.book.bestBid?.price), quantity: "0.12345678"))
        guard case .resync(let expected, let computed) = book.apply(update, type: .update) else {
            Issue.record("a changed level must fail the checksum"); return
        }
        #expect(expected != computed)
    }

    @Test func updateBeforeSnapshotAndUncheckedModes() throws {
        let stream = try KrakenTestSupport.recordedBookStream()
        var book = KrakenBook(symbol: "BTC/USD", precision: KrakenTestSupport.btcusd)
        #expect(book.apply(stream[1].data[0], type: .update) == .awaitingSnapshot)
        var unchecked = KrakenBook(symbol: "BTC/USD", precision: KrakenTestSupport.btcusd,
                                   options: .init(verifyChecksum: false))
        #expect(unchecked.apply(stream[0].data[0], type: .snapshot) == .applied(verified: false))
        var noChecksum = stream[1].data[0]
        noChecksum.checksum = nil
        #expect(unchecked.apply(noChecksum, type: .update) == .applied(verified: false))
        unchecked.invalidate()
        #expect(!unchecked.isValid && unchecked.book.isEmpty)
    }

    @Test func snapshotDeeperThanDepthIsTruncatedAndZeroQtyDeletes() throws {
        let bids = (0..<12).map { ("\(100 - $0).0", "1.00000000") }
        let asks = (0..<12).map { ("\(200 + $0).0", "2.00000000") }
        let snap = try Self.bookMessage(Self.frame(type: "snapshot", bids: bids, asks: asks, checksum: 0))
        var book = KrakenBook(symbol: "BTC/USD", precision: KrakenTestSupport.btcusd, options: .init(verifyChecksum: false))
        _ = book.apply(snap.data[0], type: .snapshot)
        #expect(book.book.bids.count == 10 && book.book.asks.count == 10)
        #expect(book.book.bids.last?.price == "91.0")
        // Same price twice in one update: applied in array order.
        let upd = try Self.bookMessage(Self.frame(type: "update", bids: [("100.0", "0.0"), ("100.0", "3.5")], asks: [("200.0", "0")], checksum: 0))
        _ = book.apply(upd.data[0], type: .update)
        #expect(book.book.bestBid?.quantity.description == "3.50000000")
        #expect(book.book.bestAsk?.price == "201.0")
    }
}
