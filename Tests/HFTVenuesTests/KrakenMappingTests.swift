import HFTCore
import Testing
@testable import HFTVenues

@Suite struct KrakenMappingTests {
    func executions(_ s: String) throws -> KrakenExecutionsMessage {
        guard case .executions(let m) = try KrakenDecoder.decode(s) else { throw HFTError.unknownMessage(s) }
        return m
    }

    @Test func tradeAndTicker() throws {
        guard case .trade(let m) = try KrakenDecoder.decode(#"{"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"buy","price":0.5147,"qty":6423.46326,"ord_type":"limit","trade_id":4665846,"timestamp":"2023-09-25T07:48:36.925533Z"}]}"#) else { return }
        let t = try m.data[0].unified()
        #expect(t == Trade(venue: .kraken, symbol: "MATIC/USD", id: "4665846", price: "0.5147", quantity: "6423.46326", side: .buy,
                           timestamp: KrakenTime.parse("2023-09-25T07:48:36.925533Z")!))
        guard case .ticker(let k) = try KrakenDecoder.decode(#"{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":105944.2,"bid_qty":2.5,"ask":105944.3,"ask_qty":3.2,"last":105899.4,"volume":163.28908096,"vwap":105904.39279,"low":104711.0,"high":106613.1,"change":250.0,"change_pct":0.24,"timestamp":"TS"}]}"#) else { return }
        let tk = try k.data[0].unified(receivedAt: 42)
        #expect(tk.symbol == "BTC/USD" && tk.bid == "105944.2" && tk.askQuantity == "3.2" && tk.last == "105899.4")
        #expect(tk.volume24h?.description == "163.28908096" && tk.timestamp == 42)
    }

    @Test func orderLifecycleWithFill() throws {
        var tracker = KrakenOrderTracker()
        let pending = try executions(#"{"channel":"executions","type":"update","sequence":1,"data":[{"exec_type":"pending_new","order_id":"OX1","cl_ord_id":"c1","symbol":"BTC/USD","side":"buy","order_type":"limit","order_qty":0.01,"limit_price":30000.0,"order_status":"pending_new","time_in_force":"GTC","post_only":true,"timestamp":"2023-10-06T17:35:55.000001Z"}]}"#)
        guard case .order(let o1, let f1) = tracker.apply(pending.data[0]) else { Issue.record("untracked"); return }
        #expect(o1.status == .pending && o1.side == .buy && o1.price == "30000.0" && o1.quantity == "0.01" && o1.postOnly && o1.clientOrderID == "c1" && f1 == nil)

        let live = try executions(#"{"channel":"executions","type":"update","sequence":2,"data":[{"exec_type":"new","order_id":"OX1","order_status":"new","timestamp":"2023-10-06T17:35:55.000002Z"}]}"#)
        guard case .order(let o2, _) = tracker.apply(live.data[0]) else { return }
        #expect(o2.status == .open && o2.price == "30000.0")

        let trade = try executions(#"{"channel":"executions","type":"update","sequence":3,"data":[{"exec_type":"trade","order_id":"OX1","order_status":"partially_filled","exec_id":"E1","trade_id":123456,"last_qty":0.004,"last_price":30000.0,"cost":120.0,"liquidity_ind":"m","fees":[{"asset":"USD","qty":0.19}],"cum_qty":0.004,"avg_price":30000.0,"timestamp":"2023-10-06T17:35:55.000003Z"}]}"#)
        guard case .order(let o3, let fill) = tracker.apply(trade.data[0]) else { return }
        #expect(o3.status == .partiallyFilled && o3.filledQuantity == "0.004" && o3.remainingQuantity == "0.006")
        #expect(fill == Fill(venue: .kraken, symbol: "BTC/USD", tradeID: "123456", orderID: "OX1", clientOrderID: "c1", side: .buy,
                             price: "30000.0", quantity: "0.004", fee: "0.19", feeCurrency: "USD", liquidity: .maker,
                             timestamp: KrakenTime.parse("2023-10-06T17:35:55.000003Z")!))
        // A second fill without cum_qty accumulates; the trade that completes still says partially_filled.
        let trade2 = try executions(#"{"channel":"executions","type":"update","sequence":4,"data":[{"exec_type":"trade","order_id":"OX1","order_status":"partially_filled","trade_id":123457,"last_qty":0.006,"last_price":30000.0,"liquidity_ind":"t","fees":[{"asset":"USD","qty":0.2},{"asset":"USD","qty":0.05}],"timestamp":"2023-10-06T17:35:55.000004Z"}]}"#)
        guard case .order(let o4, let fill2) = tracker.apply(trade2.data[0]) else { return }
        #expect(o4.status == .partiallyFilled && o4.filledQuantity == "0.01" && fill2?.fee == "0.25" && fill2?.liquidity == .taker)
        let done = try executions(#"{"channel":"executions","type":"update","sequence":5,"data":[{"exec_type":"filled","order_id":"OX1","order_status":"filled","timestamp":"2023-10-06T17:35:55.000005Z"}]}"#)
        guard case .order(let o5, nil) = tracker.apply(done.data[0]) else { return }
        #expect(o5.status == .filled && tracker.orders["OX1"] == nil)
    }

    @Test("the filled event after a trade that already said filled is late, not unknown")
    func lateFilledAfterCompletingTrade() throws {
        var tracker = KrakenOrderTracker()
        let pending = try executions(#"{"channel":"executions","type":"update","sequence":1,"data":[{"exec_type":"pending_new","order_id":"OF","symbol":"BTC/USD","side":"sell","order_type":"limit","order_qty":0.01,"limit_price":30000.0,"order_status":"pending_new","time_in_force":"GTC","timestamp":"2023-10-06T17:35:55.000001Z"}]}"#)
        _ = tracker.apply(pending.data[0])
        let trade = try executions(#"{"channel":"executions","type":"update","sequence":2,"data":[{"exec_type":"trade","order_id":"OF","order_status":"filled","trade_id":9,"last_qty":0.01,"last_price":30000.0,"liquidity_ind":"m","cum_qty":0.01,"timestamp":"2023-10-06T17:35:55.000002Z"}]}"#)
        guard case .order(let o, let fill?) = tracker.apply(trade.data[0]) else { Issue.record("no fill"); return }
        #expect(o.status == .filled && fill.quantity == "0.01")
        let done = try executions(#"{"channel":"executions","type":"update","sequence":3,"data":[{"exec_type":"filled","order_id":"OF","order_status":"filled","timestamp":"2023-10-06T17:35:55.000003Z"}]}"#)
        #expect(tracker.apply(done.data[0]) == .late(done.data[0]))
        let stranger = try executions(#"{"channel":"executions","type":"update","sequence":4,"data":[{"exec_type":"filled","order_id":"ONEVER","timestamp":"2023-10-06T17:35:55.000004Z"}]}"#)
        #expect(tracker.apply(stranger.data[0]) == .untracked(stranger.data[0]))
    }

    @Test func cancelUntrackedAndSnapshot() throws {
        var tracker = KrakenOrderTracker()
        let snap = try executions(#"{"channel":"executions","type":"snapshot","sequence":1,"data":[{"exec_type":"new","order_id":"OA","symbol":"ETH/USD","side":"sell","order_type":"limit","order_qty":1.0,"limit_price":3000.0,"order_status":"new","cum_qty":0.25,"timestamp":"2023-10-06T17:35:55Z"}]}"#)
        let events = tracker.apply(snap)
        guard case .order(let o, _) = events.first else { Issue.record("snapshot"); return }
        #expect(o.status == .open && o.side == .sell && o.filledQuantity == "0.25" && tracker.orders.count == 1)
        let cancel = try executions(#"{"channel":"executions","type":"update","sequence":2,"data":[{"exec_type":"canceled","order_id":"OA","reason":"User requested","timestamp":"2023-10-06T17:35:56Z"}]}"#)
        guard case .order(let c, _) = tracker.apply(cancel.data[0]) else { return }
        #expect(c.status == .canceled && tracker.orders.isEmpty)
        let stray = try executions(#"{"channel":"executions","type":"update","sequence":3,"data":[{"exec_type":"canceled","order_id":"OZ","timestamp":"2023-10-06T17:35:56Z"}]}"#)
        #expect(tracker.apply(stray.data[0]) == .untracked(stray.data[0]))
        var x = KrakenExecution(execType: .amended, orderID: "O")
        #expect(KrakenOrderTracker.status(x, previous: .open) == .open)
        x.execType = .expired
        #expect(KrakenOrderTracker.status(x, previous: .open) == .expired)
    }

    @Test func balancesSnapshotThenLedger() throws {
        var tracker = KrakenBalanceTracker()
        guard case .balances(let snap) = try KrakenDecoder.decode(#"{"channel":"balances","type":"snapshot","sequence":1,"data":[{"asset":"BTC","asset_class":"currency","balance":1.2,"wallets":[{"type":"spot","id":"main","balance":1.2},{"type":"earn","id":"flex","balance":0.5}]},{"asset":"USD","balance":80595.49}]}"#) else { return }
        let b = tracker.apply(snap, receivedAt: 7)
        #expect(b == [Balance(venue: .kraken, asset: "BTC", available: "1.2", frozen: .zero, timestamp: 7),
                      Balance(venue: .kraken, asset: "USD", available: "80595.49", frozen: .zero, timestamp: 7)])
        guard case .balances(let upd) = try KrakenDecoder.decode(#"{"channel":"balances","type":"update","sequence":2,"data":[{"ledger_id":"L1","ref_id":"R1","timestamp":"2023-10-06T17:35:55.440295Z","type":"trade","subtype":"","category":"trade","asset":"USD","asset_class":"currency","amount":-120.19,"fee":0.19,"balance":80475.3,"wallet_type":"spot","wallet_id":"main"}]}"#) else { return }
        let u = tracker.apply(upd)
        #expect(u == [Balance(venue: .kraken, asset: "USD", available: "80475.3", frozen: .zero, timestamp: 1_696_613_755_440_295)])
        var all = KrakenBalanceTracker(countedWalletTypes: ["spot", "earn"])
        _ = all.apply(snap)
        #expect(all.balance("BTC")?.available == "1.7")
        var seq = KrakenSequence()
        #expect(seq.accept(1) && seq.accept(2) && !seq.accept(4) && seq.accept(5) && seq.accept(nil))
        seq.reset()
        #expect(seq.accept(9) && seq.last == 9)
    }
}
