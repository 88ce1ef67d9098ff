import HFTCore
@testable import HFTSimulator
import Testing

/// The kbar one-shot `request` (protocols/lbank.md §3, §4) over a raw loopback client: trades at
/// known prices and times (a manual clock, no synthetic flow) give exact rows.
@Suite(.serialized) struct LBankKbarRequestTests {
    /// 2018-08-03T17:35:00 Beijing time, the first 5min bar after the notes' `start`.
    static let bar1735: Int64 = 1_533_288_900

    /// An LBank simulator over the preset without flow (an empty book), on a manual clock.
    private func withQuietLBank(options: LBankOptions = .init(pingInterval: nil),
                                _ body: (LBankHarness, ManualClock) async throws -> Void) async throws {
        var config = ExchangeConfig.preset(for: .lbank)
        config.flows = []
        let clock = ManualClock(startMicros: Self.bar1735 * 1_000_000)
        let exchange = try SimulatedExchange(config: config, clock: clock)
        let simulator = LBankSimulator(exchange: exchange, options: options)
        let endpoints = try await simulator.start(host: "127.0.0.1", port: 0)
        let h = LBankHarness(exchange: exchange, simulator: simulator, endpoints: endpoints)
        do { try await body(h, clock) } catch {
            await h.stop()
            throw error
        }
        await h.stop()
    }

    /// One BTC/USDT trade of `quantity` at `price`, `millis` after 17:35:00 (+08): account 2
    /// rests a sell on the empty book, account 1 takes it whole.
    private func trade(_ h: LBankHarness, _ clock: ManualClock, at millis: Int64, _ price: FixedDecimal,
                       _ quantity: FixedDecimal) throws {
        let seller = try #require(h.exchange.account(forAPIKey: SimCredentials.simDefault(2).apiKey))
        let buyer = try #require(h.exchange.account(forAPIKey: SimCredentials.simDefault(1).apiKey))
        clock.set(micros: Self.bar1735 * 1_000_000 + millis * 1_000)
        _ = try h.exchange.placeOrder(seller, .limit(btcUSDT, .sell, quantity: quantity, price: price))
        _ = try h.exchange.placeOrder(buyer, .limit(btcUSDT, .buy, quantity: quantity, price: price))
    }

    /// Three trades in the 17:35 bar, one in 17:40, none in 17:45, one in 17:50.
    private func tradeFiveTimes(_ h: LBankHarness, _ clock: ManualClock) throws {
        try trade(h, clock, at: 10_000, "80000.00", "0.1000")
        try trade(h, clock, at: 60_000, "80010.50", "0.0250")
        try trade(h, clock, at: 299_999, "79990.25", "0.0300")
        try trade(h, clock, at: 300_000, "80001.00", "0.0100")
        try trade(h, clock, at: 1_050_000, "80002.00", "0.2000")
        #expect(h.exchange.recentTrades(btcUSDT, limit: 10).count == 5)
    }

    /// The rows of a reply as raw tokens.
    private func rows(_ m: TJ) -> [[String]] { m["records"].array.map { $0.array.map { $0.raw ?? "?" } } }

    /// The notes' example request (§3) on a simulator pair, with `size` as given.
    private static func notesRequest(size: String = "576") -> String {
        #"{"action":"request","request":"kbar","kbar":"5min","pair":"btc_usdt","start":"2018-08-03T17:32:00","end":"2018-08-05T17:32:00","size":"\#(size)"}"#
    }

    private static let row1735 = ["1533288900", "80000.00", "80010.50", "79990.25", "79990.25", "0.1550", "12399.970000", "3"]
    private static let row1740 = ["1533289200", "80001.00", "80001.00", "80001.00", "80001.00", "0.0100", "800.010000", "1"]
    private static let row1750 = ["1533289800", "80002.00", "80002.00", "80002.00", "80002.00", "0.2000", "16000.400000", "1"]

    @Test func startAndEndFormats() {
        let notesStart: Timestamp = 1_533_288_720_000_000
        #expect(LBankTime.parse("2018-08-03T17:32:00") == notesStart)
        #expect(LBankTime.parse("1533288720") == notesStart)
        #expect(LBankTime.parse("2018-08-03T17:32:00.5") == notesStart + 500_000)
        #expect(LBankTime.parse("2018-08-03T17:32:00.250") == notesStart + 250_000)
        #expect(LBankTime.parse(LBankTime.string(1_561_704_577_786_000)) == 1_561_704_577_786_000)
        #expect(LBankTime.parse("2020-02-29T00:00:00") != nil)
        for bad in ["", "2018-08-03", "2018-08-03 17:32:00", "2018-08-03T17:32", "2019-02-29T00:00:00", "2018-13-01T00:00:00",
                    "2018-08-03T24:00:00", "2018-08-03T17:32:00Z", "2018-08-03T17:32:00.", "-5", "1533288720000000", "12ab"] {
            #expect(LBankTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func rowsAreTheSlotBarsWithExactDecimals() async throws {
        try await withQuietLBank { h, clock in
            try tradeFiveTimes(h, clock)
            let ws = try await h.connect()
            ws.send(Self.notesRequest())
            let r = try await ws.lbank("kbar", pair: "btc_usdt")
            #expect(r.keys == ["records", "columns", "count", "kbar", "type", "pair", "SERVER", "TS"])
            #expect(r["columns"].array.compactMap(\.string) == ["timestamp", "open", "high", "low", "close", "volume", "turnover", "count"])
            // The 17:45 slot had no trade: no row.
            #expect(rows(r) == [Self.row1735, Self.row1740, Self.row1750])
            #expect(r["count"].int == 3 && r["kbar"].string == "5min" && r["SERVER"].string == "V2")
            #expect(r["TS"].string == LBankTime.string(clock.nowMicros()))

            // Unix seconds, as a number or a string, and a `TS`-style time select the same bars.
            ws.send(#"{"action":"request","request":"kbar","kbar":"5min","pair":"btc_usdt","start":1533288720,"end":"1533461520","size":576}"#)
            #expect(rows(try await ws.lbank("kbar")) == [Self.row1735, Self.row1740, Self.row1750])
            ws.send(#"{"action":"request","request":"kbar","kbar":"5min","pair":"btc_usdt","start":"2018-08-03T17:32:00.000"}"#)
            #expect(rows(try await ws.lbank("kbar")) == [Self.row1735, Self.row1740, Self.row1750])

            // Longer slots aggregate the same trades, aligned in Beijing time.
            ws.send(#"{"action":"request","request":"kbar","kbar":"1hr","pair":"btc_usdt"}"#)
            let hour = try await ws.lbank("kbar")
            #expect(hour["kbar"].string == "1hr")
            #expect(rows(hour) == [["1533286800", "80000.00", "80010.50", "79990.25", "80002.00", "0.3650", "29200.380000", "5"]])
            ws.send(#"{"action":"request","request":"kbar","kbar":"day","pair":"btc_usdt"}"#)
            #expect(rows(try await ws.lbank("kbar")).map { $0[0] } == ["1533225600"])

            // The push computes the same bar as the last row.
            ws.send(#"{"action":"subscribe","subscribe":"kbar","kbar":"5min","pair":"btc_usdt"}"#)
            let push = try await ws.next { $0["type"].string == "kbar" && $0["kbar"]["slot"].string == "5min" }
            let k = push["kbar"]
            #expect([k["o"].raw, k["h"].raw, k["l"].raw, k["c"].raw, k["v"].raw, k["a"].raw, k["n"].raw].map { $0 ?? "?" }
                == Array(Self.row1750.dropFirst()))
            #expect(k["t"].string == "2018-08-03T17:50:00.000")
            await ws.disconnect()
        }
    }

    @Test func sizeAndBoundsLimitTheRows() async throws {
        try await withQuietLBank { h, clock in
            try tradeFiveTimes(h, clock)
            let ws = try await h.connect()
            // By default `size` bars forward from `start`.
            ws.send(#"{"action":"request","request":"kbar","kbar":"5min","pair":"btc_usdt","start":"2018-08-03T17:32:00","end":"2018-08-05T17:32:00","size":"2"}"#)
            let two = try await ws.lbank("kbar")
            #expect(rows(two) == [Self.row1735, Self.row1740] && two["count"].int == 2)
            ws.send(#"{"action":"request","request":"kbar","kbar":"1min","pair":"btc_usdt","size":1}"#)
            #expect(rows(try await ws.lbank("kbar")).map { $0[0] } == ["1533288900"])
            // Both bounds are inclusive on the bar's open time.
            ws.send(#"{"action":"request","request":"kbar","kbar":"5min","pair":"btc_usdt","start":"2018-08-03T17:40:00","end":"2018-08-03T17:50:00"}"#)
            #expect(rows(try await ws.lbank("kbar")) == [Self.row1740, Self.row1750])
            ws.send(#"{"action":"request","request":"kbar","kbar":"5min","pair":"btc_usdt","start":"2018-08-03T17:35:00.001","end":"2018-08-03T17:49:59"}"#)
            #expect(rows(try await ws.lbank("kbar")) == [Self.row1740])
            await ws.disconnect()
        }
        // The option keeps the newest `size` instead.
        try await withQuietLBank(options: .init(pingInterval: nil, kbarRequestKeepsNewest: true)) { h, clock in
            try tradeFiveTimes(h, clock)
            let ws = try await h.connect()
            ws.send(Self.notesRequest(size: "2"))
            #expect(rows(try await ws.lbank("kbar")) == [Self.row1740, Self.row1750])
            await ws.disconnect()
        }
    }

    @Test func emptyRangesGiveZeroRows() async throws {
        try await withQuietLBank { h, clock in
            let ws = try await h.connect()
            // No trade yet at all.
            ws.send(Self.notesRequest())
            let none = try await ws.lbank("kbar")
            #expect(none["records"].array.isEmpty && none["count"].int == 0 && none["columns"].array.count == 8)
            try tradeFiveTimes(h, clock)
            // A range before the trades, one between two bars, one after them, and start after end.
            for (start, end) in [("2018-08-01T00:00:00", "2018-08-03T17:34:59"), ("2018-08-03T17:44:00", "2018-08-03T17:49:00"),
                                 ("2018-08-03T17:50:01", "2018-08-05T17:32:00"), ("2018-08-05T17:32:00", "2018-08-03T17:32:00")] {
                ws.send(#"{"action":"request","request":"kbar","kbar":"5min","pair":"btc_usdt","start":"\#(start)","end":"\#(end)","size":"576"}"#)
                let r = try await ws.lbank("kbar", pair: "btc_usdt")
                #expect(r["records"].array.isEmpty && r["count"].int == 0, "\(start)…\(end)")
            }
            // The other pair had no trade.
            ws.send(#"{"action":"request","request":"kbar","kbar":"5min","pair":"eth_usdt"}"#)
            #expect(try await ws.lbank("kbar", pair: "eth_usdt")["count"].int == 0)
            await ws.disconnect()
        }
    }

    @Test func badRequestsGetTheErrorReply() async throws {
        try await withQuietLBank { h, clock in
            try tradeFiveTimes(h, clock)
            let ws = try await h.connect()
            let base = #""action":"request","request":"kbar""#
            let cases: [(String, String)] = [
                (#"{\#(base),"pair":"btc_usdt","start":"2018-08-03T17:32:00"}"#, "Missing parameter ['kbar']"),
                (#"{\#(base),"kbar":"5min"}"#, "Missing parameter ['pair']"),
                (#"{\#(base),"kbar":"2min","pair":"btc_usdt"}"#, "Invalid kbar '2min'"),
                (#"{\#(base),"kbar":"5min","pair":"doge_usdt"}"#, "Invalid pair 'doge_usdt'"),
                (#"{\#(base),"kbar":"5min","pair":"btc_usdt","start":"2018-13-03T17:32:00"}"#, "Invalid start '2018-13-03T17:32:00'"),
                (#"{\#(base),"kbar":"5min","pair":"btc_usdt","start":"yesterday"}"#, "Invalid start 'yesterday'"),
                (#"{\#(base),"kbar":"5min","pair":"btc_usdt","end":"2018-02-30T00:00:00"}"#, "Invalid end '2018-02-30T00:00:00'"),
                (#"{\#(base),"kbar":"5min","pair":"btc_usdt","size":"0"}"#, "Invalid size '0'"),
                (#"{\#(base),"kbar":"5min","pair":"btc_usdt","size":"many"}"#, "Invalid size 'many'"),
            ]
            for (request, message) in cases {
                ws.send(request)
                let e = try await ws.lbankError()
                #expect(e.keys == ["SERVER", "message", "status", "TS"])
                #expect(e["message"].string == message && e["SERVER"].string == "V2" && e["TS"].string?.count == 23)
            }
            // No reply other than the errors, and the socket still serves.
            ws.send(Self.notesRequest())
            #expect(rows(try await ws.lbank("kbar")).count == 3)
            #expect(ws.texts.items.count == cases.count + 1)
            await ws.disconnect()
        }
    }
}
