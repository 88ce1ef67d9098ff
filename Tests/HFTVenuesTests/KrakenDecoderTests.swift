import HFTCore
import Testing
@testable import HFTVenues

/// Every frame below is copied from protocols/kraken.md. Where the notes elide members with `…`
/// outside a string (not JSON), the elided envelope members are filled in and the test says so.
@Suite struct KrakenDecoderTests {
    func decode(_ s: String) throws -> KrakenInbound { try KrakenDecoder.decode(s) }

    func response(_ s: String) throws -> KrakenResponse {
        guard case .response(let r) = try decode(s) else { throw HFTError.unknownMessage(s) }
        return r
    }

    // MARK: §2 connection

    @Test func statusOnConnect() throws {
        let s = #"{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":12345,"system":"online","version":"2.0.0"}]}"#
        guard case .status(let m) = try decode(s) else { Issue.record("not status"); return }
        #expect(m.type == .update)
        #expect(m.data == [KrakenStatus(system: .online, apiVersion: "v2", connectionID: 12345, version: "2.0.0")])
        // connection_id beyond Int64 still decodes (UInt64).
        let big = #"{"channel":"status","type":"update","data":[{"connection_id":18446744073709551615,"system":"cancel_only"}]}"#
        guard case .status(let b) = try decode(big) else { Issue.record("not status"); return }
        #expect(b.data[0].connectionID == UInt64.max && b.data[0].system == .cancelOnly)
    }

    @Test func heartbeatAndPong() throws {
        #expect(try decode(#"{"channel":"heartbeat"}"#) == .heartbeat)
        let r = try response(#"{"method":"pong","req_id":101,"time_in":"2023-09-25T09:05:00.123456Z","time_out":"2023-09-25T09:05:00.123500Z"}"#)
        #expect(r.method == .pong && r.reqID == 101 && r.success && r.error == nil)
        #expect(r.timeIn == KrakenTime.parse("2023-09-25T09:05:00.123456Z"))
        #expect(r.serverMicros == 44)
    }

    @Test func bareErrorFrame() throws {
        let e = try decode(#"{"Error":"Exceeded msg rate"}"#)
        #expect(e == .error(KrakenError("Exceeded msg rate")))
        #expect(KrakenError("Exceeded msg rate").kind == .rateLimited)
    }

    // MARK: §4 envelope

    @Test func genericFailureEnvelope() throws {
        let r = try response(#"{"method":"<name>","req_id":42,"success":false,"error":"EOrder:Insufficient funds","time_in":"TS","time_out":"TS"}"#)
        #expect(r.method == .other("<name>") && r.reqID == 42 && !r.success)
        #expect(r.error?.kind == .insufficientFunds && r.error?.code == "EOrder:Insufficient funds")
        // "TS" placeholders are not timestamps: read as absent, the response itself survives.
        #expect(r.timeIn == nil && r.serverMicros == nil)
        // Missing `success` is a failure (except on pong).
        #expect(try response(#"{"method":"add_order","req_id":1}"#).success == false)
        #expect(try response(#"{"method":"add_order","req_id":1,"success":"yes"}"#).success == false)
    }

    // MARK: §5 subscriptions

    @Test func subscribeAcksOnePerSymbol() throws {
        let a = try response(#"{"method":"subscribe","req_id":7,"result":{"channel":"ticker","event_trigger":"trades","snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"TS","time_out":"TS"}"#)
        let b = try response(#"{"method":"subscribe","req_id":7,"result":{"channel":"ticker","event_trigger":"trades","snapshot":true,"symbol":"ETH/USD"},"success":true,"time_in":"TS","time_out":"TS"}"#)
        #expect(a.success && a.reqID == 7 && b.reqID == 7)
        #expect(a.result == .subscription(KrakenSubscriptionAck(channel: "ticker", symbol: "BTC/USD", snapshot: true, eventTrigger: "trades")))
        guard case .subscription(let ackB) = b.result else { Issue.record("ack"); return }
        #expect(ackB.symbol == "ETH/USD")
    }

    @Test func subscribeFailuresAndQuirks() throws {
        let f = try response(#"{"error":"Currency pair not supported XYZ/USD","method":"subscribe","req_id":7,"success":false,"symbol":"XYZ/USD","time_in":"TS","time_out":"TS"}"#)
        #expect(!f.success && f.symbol == "XYZ/USD" && f.result == .none && f.error?.kind == .pairNotSupported)
        // Elided in the notes as `…`; envelope members filled in.
        let u = try response(#"{"method":"unsubscribe","req_id":8,"result":{"channel":"ticker","event_trigger":"trades","symbol":"BTC/USD"},"success":true,"time_in":"2023-09-25T09:05:00.123456Z","time_out":"2023-09-25T09:05:00.123500Z"}"#)
        #expect(u.method == .unsubscribe && u.success && u.result == .subscription(KrakenSubscriptionAck(channel: "ticker", symbol: "BTC/USD", eventTrigger: "trades")))
        let nf = try response(#"{"error":"Subscription Not Found","method":"subscribe","req_id":8,"success":false,"symbol":"BTC/USD","time_in":"TS","time_out":"TS"}"#)
        #expect(nf.method == .subscribe && nf.error?.kind == .subscriptionNotFound)
        let book = try response(#"{"method":"subscribe","req_id":3,"result":{"channel":"book","depth":25,"snapshot":true,"symbol":"BTC/USD","warnings":["tick_size is deprecated"]},"success":true,"time_in":"TS","time_out":"TS"}"#)
        #expect(book.result == .subscription(KrakenSubscriptionAck(channel: "book", symbol: "BTC/USD", depth: 25, snapshot: true)))
        #expect(book.warnings == ["tick_size is deprecated"])
        let ex = try response(#"{"method":"subscribe","req_id":1,"result":{"channel":"executions","maxratecount":125,"snap_orders":true,"snap_trades":false},"success":true,"time_in":"TS","time_out":"TS"}"#)
        #expect(ex.result == .subscription(KrakenSubscriptionAck(channel: "executions", snapOrders: true, snapTrades: false, maxRateCount: 125)))
    }

    @Test func bookSnapshotAndUpdateExamples() throws {
        let snapshot = """
        {"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",
          "bids":[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015}],
          "asks":[{"price":45285.2,"qty":0.00100000},{"price":45286.4,"qty":1.54571953}],
          "checksum":1234567890}]}
        """
        guard case .book(let s) = try decode(snapshot) else { Issue.record("book"); return }
        #expect(s.type == .snapshot && s.data.count == 1)
        let d = s.data[0]
        #expect(d.symbol == "BTC/USD" && d.checksum == 1_234_567_890 && d.timestamp == nil)
        #expect(d.bids.map { "\($0.price) \($0.quantity)" } == ["45283.5 0.10000000", "45283.4 1.54582015"])
        #expect(d.asks.map { "\($0.price) \($0.quantity)" } == ["45285.2 0.00100000", "45286.4 1.54571953"])

        let update = """
        {"channel":"book","type":"update","data":[{"symbol":"BTC/USD",
          "bids":[{"price":45283.5,"qty":0.00000000}],"asks":[],
          "checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]}
        """
        guard case .book(let u) = try decode(update) else { Issue.record("book"); return }
        #expect(u.type == .update && u.data[0].asks.isEmpty && u.data[0].bids[0].quantity.isZero)
        #expect(u.data[0].checksum == 2_114_181_697 && u.data[0].timestamp == 1_696_613_755_440_295)
        // Checksums use the full unsigned range.
        guard case .book(let top) = try decode(#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"asks":[],"checksum":4294967295}]}"#) else { return }
        #expect(top.data[0].checksum == UInt32.max)
    }

    @Test func tradeExample() throws {
        let s = #"{"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"buy","price":0.5147,"qty":6423.46326,"ord_type":"limit","trade_id":4665846,"timestamp":"2023-09-25T07:48:36.925533Z"}]}"#
        guard case .trade(let m) = try decode(s) else { Issue.record("trade"); return }
        let t = m.data[0]
        #expect(m.type == .update && t.symbol == "MATIC/USD" && t.side == .buy && t.orderType == "limit")
        #expect(t.price.description == "0.5147" && t.qty.description == "6423.46326" && t.tradeID == 4_665_846)
        #expect(t.timestamp == KrakenTime.parse("2023-09-25T07:48:36.925533Z"))
    }

    @Test func tickerExample() throws {
        let s = #"{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":105944.2,"bid_qty":2.5,"ask":105944.3,"ask_qty":3.2,"last":105899.4,"volume":163.28908096,"vwap":105904.39279,"low":104711.0,"high":106613.1,"change":250.0,"change_pct":0.24,"timestamp":"TS"}]}"#
        guard case .ticker(let m) = try decode(s) else { Issue.record("ticker"); return }
        let t = m.data[0]
        #expect(t.symbol == "BTC/USD" && t.bid?.description == "105944.2" && t.askQty?.description == "3.2")
        #expect(t.volume?.description == "163.28908096" && t.low?.description == "104711.0" && t.changePct?.description == "0.24")
        #expect(t.timestamp == nil)
        guard case .ticker(let old) = try decode(#"{"channel":"ticker","type":"snapshot","data":[{"symbol":"ETH/USD","last":3000.1}]}"#) else { return }
        #expect(old.type == .snapshot && old.data[0].bid == nil && old.data[0].last == "3000.1")
    }

    @Test func instrumentSnapshot() throws {
        // The notes list the fields, not a full frame; this one follows that list.
        let s = #"{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled","precision":10,"precision_display":5}],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","price_precision":1,"qty_precision":8,"price_increment":0.1,"qty_increment":0.00000001,"qty_min":0.0001,"cost_min":0.5,"cost_precision":5,"marginable":true}]}}"#
        guard case .instrument(let m) = try decode(s) else { Issue.record("instrument"); return }
        #expect(m.type == .snapshot && m.assets == [KrakenAsset(id: "BTC", precision: 10, displayPrecision: 5)])
        let p = try #require(m.pairs.first)
        #expect(p.symbol == "BTC/USD" && p.precision == KrakenPrecision(price: 1, qty: 8))
        #expect(p.priceIncrement?.description == "0.1" && p.qtyIncrement?.description == "0.00000001" && p.costPrecision == 5)
        var registry = KrakenInstruments()
        registry.apply(m)
        #expect(registry.precision(for: "BTC/USD") == KrakenTestSupport.btcusd)
        #expect(registry["BTC/USD"]?.unifiedSymbol == Symbol("BTC/USD"))
        let upd = #"{"channel":"instrument","type":"update","data":{"pairs":[{"symbol":"ETH/USD","price_precision":2,"qty_precision":8,"tick_size":0.01}]}}"#
        guard case .instrument(let u) = try decode(upd) else { return }
        registry.apply(u)
        #expect(registry.pairs.count == 2 && registry["ETH/USD"]?.priceIncrement == "0.01" && registry["ETH/USD"]?.quote == "USD")
    }

    // MARK: §7 order entry

    @Test func addOrderResponses() throws {
        let ok = try response(#"{"method":"add_order","req_id":2,"result":{"cl_ord_id":"636a0574df7c4aa09c3b119a97f7c58b","order_id":"OJZGTY-IZ3D4-EVVSTJ"},"success":true,"time_in":"2025-07-24T00:57:21.688509Z","time_out":"2025-07-24T00:57:21.691084Z"}"#)
        #expect(ok.success && ok.reqID == 2)
        #expect(ok.result == .order(KrakenOrderAck(orderID: "OJZGTY-IZ3D4-EVVSTJ", clOrdID: "636a0574df7c4aa09c3b119a97f7c58b")))
        #expect(ok.serverMicros == 2575)
        let bad = try response(#"{"error":"EGeneral:Invalid arguments:volume minimum not met","method":"add_order","req_id":2,"success":false,"time_in":"TS","time_out":"TS"}"#)
        #expect(!bad.success && bad.error?.kind == .invalidArguments && bad.error?.code == "EGeneral:Invalid arguments")
        #expect(bad.error?.hftError == .venueRejected(code: "EGeneral:Invalid arguments", message: "EGeneral:Invalid arguments:volume minimum not met"))
    }

    @Test func amendCancelAndCancelAllResponses() throws {
        let amend = try response(#"{"method":"amend_order","req_id":43,"result":{"amend_id":"<amend id>","order_id":"OABCDE-12345-FGHIJ"},"success":true,"time_in":"TS","time_out":"TS"}"#)
        #expect(amend.result == .order(KrakenOrderAck(orderID: "OABCDE-12345-FGHIJ", amendID: "<amend id>")))
        let cancel = try response(#"{"method":"cancel_order","req_id":3,"result":{"order_id":"OK4GZK-XOTOY-U4C4X5"},"success":true,"time_in":"2026-01-05T07:48:55.895607Z","time_out":"2026-01-05T07:48:55.903683Z"}"#)
        #expect(cancel.method == .cancelOrder && cancel.result == .order(KrakenOrderAck(orderID: "OK4GZK-XOTOY-U4C4X5")))
        let all = try response(#"{"method":"cancel_all","req_id":9,"result":{"count":3},"success":true,"time_in":"TS","time_out":"TS"}"#)
        #expect(all.result == .count(3))
        // Elided in the notes (`"2023-…Z"`, `…`); times and envelope filled in.
        let after = try response(#"{"method":"cancel_all_orders_after","req_id":10,"result":{"currentTime":"2023-03-24T17:41:56Z","triggerTime":"2023-03-24T17:42:56Z"},"success":true,"time_in":"TS","time_out":"TS"}"#)
        #expect(after.result == .cancelAfter(currentTime: "2023-03-24T17:41:56Z", triggerTime: "2023-03-24T17:42:56Z"))
        let off = try response(#"{"method":"cancel_all_orders_after","req_id":11,"result":{"currentTime":"2023-03-24T17:41:56Z","triggerTime":"0"},"success":true}"#)
        #expect(off.result == .cancelAfter(currentTime: "2023-03-24T17:41:56Z", triggerTime: "0"))
        let unknown = try response(#"{"error":"EOrder:Invalid order","method":"cancel_order","req_id":4,"success":false,"time_in":"TS","time_out":"TS"}"#)
        #expect(unknown.error?.kind == .unknownOrder)
    }

    @Test func batchResponses() throws {
        let add = try response(#"{"method":"batch_add","req_id":5,"result":[{"order_id":"…","cl_ord_id":"…"},{"order_id":"…","order_userref":7}],"success":true,"time_in":"TS","time_out":"TS"}"#)
        #expect(add.result == .orders([KrakenOrderAck(orderID: "…", clOrdID: "…"), KrakenOrderAck(orderID: "…", orderUserref: 7)]))
        let documented = try response(#"{"method":"batch_cancel","req_id":6,"result":{"count":2},"success":true,"time_in":"TS","time_out":"TS"}"#)
        #expect(documented.result == .count(2))
        let observed = try response(#"{"method":"batch_cancel","orders_cancelled":2,"req_id":6,"success":true,"time_in":"TS","time_out":"TS"}"#)
        #expect(observed.result == .count(2))
    }

    // MARK: §8 private channels

    @Test func executionsExample() throws {
        let s = """
        {"channel":"executions","type":"update","sequence":12,"data":[{
         "exec_type":"trade","order_id":"O…","cl_ord_id":"…","symbol":"BTC/USD","side":"buy","order_type":"limit",
         "order_qty":0.01,"limit_price":30000.0,"order_status":"partially_filled","time_in_force":"GTC",
         "exec_id":"<exec id>","trade_id":123456,"last_qty":0.004,"last_price":30000.0,"cost":120.0,"liquidity_ind":"m",
         "fees":[{"asset":"USD","qty":0.19}],"fee_usd_equiv":0.19,"cum_qty":0.004,"cum_cost":120.0,"avg_price":30000.0,
         "post_only":true,"timestamp":"TS"}]}
        """
        guard case .executions(let m) = try decode(s) else { Issue.record("executions"); return }
        #expect(m.type == .update && m.sequence == 12 && m.data.count == 1)
        let x = m.data[0]
        #expect(x.execType == .trade && x.orderID == "O…" && x.clOrdID == "…" && x.side == .buy && x.orderType == "limit")
        #expect(x.orderQty == "0.01" && x.limitPrice?.description == "30000.0" && x.orderStatus == .partiallyFilled)
        #expect(x.timeInForce == "GTC" && x.execID == "<exec id>" && x.tradeID == 123_456)
        #expect(x.lastQty == "0.004" && x.lastPrice == "30000" && x.cost == "120" && x.liquidity == .maker)
        #expect(x.fees == [KrakenFee(asset: "USD", qty: "0.19")] && x.feeUSDEquivalent == "0.19")
        #expect(x.cumQty == "0.004" && x.avgPrice == "30000" && x.postOnly == true && x.timestamp == nil)
        // Sparse entries: only exec_type and order_id are needed.
        guard case .executions(let sparse) = try decode(#"{"channel":"executions","type":"update","sequence":13,"data":[{"exec_type":"canceled","order_id":"OABC","reason":"Post only order","timestamp":"2023-10-06T17:35:55.440295Z"}]}"#) else { return }
        #expect(sparse.data[0].execType == .canceled && sparse.data[0].reason == "Post only order" && sparse.data[0].side == nil)
    }

    @Test func balancesExamples() throws {
        let snap = """
        {"channel":"balances","type":"snapshot","sequence":1,"data":[{"asset":"BTC","asset_class":"currency","balance":1.2,
          "wallets":[{"type":"spot","id":"main","balance":1.2}]}]}
        """
        guard case .balances(let s) = try decode(snap) else { Issue.record("balances"); return }
        #expect(s.sequence == 1)
        #expect(s.payload == .snapshot([KrakenAssetBalance(asset: "BTC", assetClass: "currency", balance: "1.2",
                                                           wallets: [KrakenWallet(type: "spot", id: "main", balance: "1.2")])]))
        let upd = """
        {"channel":"balances","type":"update","sequence":2,"data":[{"ledger_id":"ADKKFF-WEA5A-CNUBHG","ref_id":"AGBWUJRU-LAREZ-W3UFAN",
          "timestamp":"TS","type":"trade","subtype":"","category":"trade","asset":"USD","asset_class":"currency",
          "amount":-120.19,"fee":0.19,"balance":80475.3,"wallet_type":"spot","wallet_id":"main"}]}
        """
        guard case .balances(let u) = try decode(upd), case .update(let entries) = u.payload else { Issue.record("update"); return }
        let e = entries[0]
        #expect(u.sequence == 2 && e.ledgerID == "ADKKFF-WEA5A-CNUBHG" && e.type == "trade" && e.subtype == "")
        #expect(e.amount?.description == "-120.19" && e.fee == "0.19" && e.balance.description == "80475.3")
        #expect(e.walletType == "spot" && e.walletID == "main" && e.asset == "USD")
    }

    // MARK: Malformed and unknown input

    @Test func malformedAndUnknownAreTypedErrors() {
        let cases: [(String, KrakenDecodeError)] = [
            (#"{"channel":"ohlc","type":"update","data":[]}"#, .unknownChannel("ohlc")),
            (#"{}"#, .unknownMessage),
            (#"{"foo":1}"#, .unknownMessage),
            (#"[1,2]"#, .notAnObject),
            (#""book""#, .notAnObject),
            (#"{"channel":"book","type":"update"}"#, .missingField("data")),
            (#"{"channel":"book","data":[]}"#, .missingField("type")),
            (#"{"channel":"book","type":"delta","data":[]}"#, .invalidField("type")),
            (#"{"channel":"book","type":"update","data":[{"bids":[],"asks":[],"checksum":1}]}"#, .missingField("symbol")),
            (#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":"abc","qty":1}],"checksum":1}]}"#, .invalidField("price")),
            (#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1.5}],"checksum":1}]}"#, .missingField("qty")),
            (#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"checksum":4294967296}]}"#, .invalidField("checksum")),
            (#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[],"checksum":-1}]}"#, .invalidField("checksum")),
            (#"{"channel":"book","type":"update","data":{"symbol":"BTC/USD"}}"#, .invalidField("data")),
            (#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":{"price":1}}]}"#, .invalidField("bids")),
            (#"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"hold","price":1,"qty":1,"trade_id":1,"timestamp":"2023-09-25T07:48:36.925533Z"}]}"#, .invalidField("side")),
            (#"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"trade_id":1,"timestamp":"TS"}]}"#, .invalidField("timestamp")),
            (#"{"channel":"executions","type":"update","data":[{"order_id":"O"}]}"#, .missingField("exec_type")),
            (#"{"channel":"executions","type":"update","data":[{"exec_type":"new","order_id":"O","liquidity_ind":"x"}]}"#, .invalidField("liquidity_ind")),
            (#"{"channel":"status","type":"update","data":[{"system":42}]}"#, .invalidField("system")),
            (#"{"method":42}"#, .invalidField("method")),
            (#"{"method":"subscribe","req_id":7.5,"success":true}"#, .invalidField("req_id")),
            (#"{"method":"subscribe","req_id":7,"success":true,"result":{"symbol":"BTC/USD"}}"#, .missingField("result.channel")),
            (#"{"method":"batch_add","req_id":7,"success":true,"result":{"order_id":"x"}}"#, .invalidField("result")),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try KrakenDecoder.decode(text) }
        }
        let broken = ["", "{", #"{"channel":"book""#, #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1,"qty":1}"#,
                      #"{"channel":"book",}"#, #"{"channel":"heartbeat"} trailing"#, "nul", #"{"a":01}"#]
        for text in broken {
            do {
                _ = try KrakenDecoder.decode(text)
                // Trailing bytes after a complete object are not looked at (lazy root).
                #expect(text.hasSuffix("trailing"), "\(text) decoded")
            } catch {
                guard case .malformedJSON = error else { Issue.record("\(text): \(error)"); continue }
            }
        }
        #expect(KrakenDecodeError.unknownChannel("ohlc").hftError == .unknownMessage("Kraken: unknown channel 'ohlc'"))
    }

    /// Random byte mutations of real frames never crash: each either decodes or throws KrakenDecodeError.
    @Test func fuzzMutationsNeverCrash() throws {
        let seeds = [
            #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.00000000}],"asks":[],"checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]}"#,
            #"{"method":"add_order","req_id":2,"result":{"cl_ord_id":"636a0574df7c4aa09c3b119a97f7c58b","order_id":"OJZGTY-IZ3D4-EVVSTJ"},"success":true,"time_in":"2025-07-24T00:57:21.688509Z","time_out":"2025-07-24T00:57:21.691084Z"}"#,
            #"{"channel":"executions","type":"update","sequence":12,"data":[{"exec_type":"trade","order_id":"O1","fees":[{"asset":"USD","qty":0.19}],"liquidity_ind":"m","timestamp":"2023-10-06T17:35:55.440295Z"}]}"#,
            #"{"channel":"balances","type":"snapshot","sequence":1,"data":[{"asset":"BTC","balance":1.2,"wallets":[{"type":"spot","id":"main","balance":1.2}]}]}"#,
            #"{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","precision":10}],"pairs":[{"symbol":"BTC/USD","price_precision":1,"qty_precision":8}]}}"#,
        ]
        var rng = SeededRandom(seed: 0x4B52_414B_454E)
        let alphabet = Array(#"{}[]",:0123456789.-eE"\ tfnrul"#.utf8) + [0, 0xFF, 0xC3]
        var decoded = 0, rejected = 0
        for seed in seeds {
            let base = Array(seed.utf8)
            for _ in 0..<2000 {
                var b = base
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 0..<b.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: b[i] = alphabet.randomElement(using: &rng)!
                    case 1: b.remove(at: i); if b.isEmpty { b = [0x7B] }
                    default: b.insert(alphabet.randomElement(using: &rng)!, at: i)
                    }
                }
                if Bool.random(using: &rng) { b = Array(b.prefix(Int.random(in: 0...b.count, using: &rng))) }
                do { _ = try KrakenDecoder.decode(b); decoded += 1 } catch { rejected += 1 }
            }
        }
        #expect(decoded + rejected == seeds.count * 2000 && rejected > 0)
    }
}

