import HFTCore
@testable import HFTSimulator
import Testing

/// `OXXXXX-XXXXX-XXXXXX` with Kraken's base-32 letters.
func isKrakenOrderID(_ s: String?) -> Bool {
    guard let s else { return false }
    let b = Array(s.utf8)
    guard b.count == 19, b[0] == UInt8(ascii: "O"), b[6] == UInt8(ascii: "-"), b[12] == UInt8(ascii: "-") else { return false }
    return b.enumerated().allSatisfy { i, c in i == 0 || i == 6 || i == 12 || (65...90).contains(c) || (50...55).contains(c) }
}

@Suite("Kraken orders and private channels")
struct KrakenOrderTests {
    /// A ws-auth connection subscribed to executions (snapshot consumed).
    func trader(_ h: KrakenHarness, token: String) async throws -> RawWebSocket {
        let ws = try await h.connect("ws-auth")
        ws.send(#"{"method":"subscribe","params":{"channel":"executions","token":"\#(token)"},"req_id":1}"#)
        let ack = try await ws.next(where: { $0.method == "subscribe" })
        #expect(ack["result"].description == #"{"channel":"executions","maxratecount":125,"snap_orders":true,"snap_trades":false}"#)
        _ = try await ws.next(where: { $0.channel == "executions" && $0["type"].string == "snapshot" })
        return ws
    }

    @Test func orderLifecycleOverWebSocket() async throws {
        try await withKraken { h in
            let token = try await h.token()
            let ws = try await trader(h, token: token)

            ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.001,"symbol":"BTC/USD","limit_price":79000.0,"time_in_force":"gtc","post_only":true,"cl_ord_id":"636a0574df7c4aa09c3b119a97f7c58b","token":"\#(token)"},"req_id":2}"#)
            let added = try await ws.next(where: { $0.method == "add_order" })
            #expect(added.keys == ["method", "req_id", "result", "success", "time_in", "time_out"])
            #expect(added["success"].bool == true && added["req_id"].int == 2)
            #expect(added["result"]["cl_ord_id"].string == "636a0574df7c4aa09c3b119a97f7c58b")
            let orderID = added["result"]["order_id"].string
            #expect(isKrakenOrderID(orderID))

            let pending = try await ws.next(where: { $0.channel == "executions" && $0["data"][0]["exec_type"].string == "pending_new" })
            #expect(pending["sequence"].int == 2)
            #expect(pending.keys == ["channel", "type", "sequence", "data"])
            let p = pending["data"][0]
            #expect(p["order_id"].string == orderID && p["symbol"].string == "BTC/USD" && p["side"].string == "buy")
            #expect(p["order_qty"].raw == "0.00100000" && p["limit_price"].raw == "79000.0")
            #expect(p["order_status"].string == "pending_new" && p["time_in_force"].string == "GTC" && p["post_only"].bool == true)
            let live = try await ws.next(where: { $0.channel == "executions" })
            #expect(live["sequence"].int == 3 && live["data"][0]["exec_type"].string == "new" && live["data"][0]["order_status"].string == "new")

            // Amend in place.
            ws.send(#"{"method":"amend_order","params":{"order_id":"\#(orderID!)","limit_price":79100.0,"order_qty":0.002,"token":"\#(token)"},"req_id":3}"#)
            let amended = try await ws.next(where: { $0.method == "amend_order" })
            #expect(amended["success"].bool == true && amended["result"]["order_id"].string == orderID)
            #expect(amended["result"]["amend_id"].string?.hasPrefix("T") == true)
            let amendEvent = try await ws.next(where: { $0.channel == "executions" })
            #expect(amendEvent["data"][0]["exec_type"].string == "amended")
            #expect(amendEvent["data"][0]["limit_price"].raw == "79100.0" && amendEvent["data"][0]["order_qty"].raw == "0.00200000")
            let open = h.exchange.openOrders(AccountID(0))
            #expect(open.count == 1 && open[0].order.price == "79100.0")

            // Cancel by order id.
            ws.send(#"{"method":"cancel_order","params":{"order_id":["\#(orderID!)"],"token":"\#(token)"},"req_id":4}"#)
            let cancelled = try await ws.next(where: { $0.method == "cancel_order" })
            #expect(cancelled["result"].description == #"{"order_id":"\#(orderID!)"}"#)
            let cancelEvent = try await ws.next(where: { $0.channel == "executions" })
            #expect(cancelEvent["data"][0]["exec_type"].string == "canceled" && cancelEvent["data"][0]["reason"].string == "User requested")
            ws.send(#"{"method":"cancel_order","params":{"order_id":["\#(orderID!)"],"token":"\#(token)"},"req_id":5}"#)
            #expect(try await ws.next(where: { $0.method == "cancel_order" })["error"].string == "EOrder:Invalid order")
            ws.send(#"{"method":"amend_order","params":{"order_id":"\#(orderID!)","limit_price":1.0,"token":"\#(token)"},"req_id":6}"#)
            #expect(try await ws.next(where: { $0.method == "amend_order" })["error"].string == "EOrder:Unknown order")
            await ws.disconnect()
        }
    }

    @Test func fillsPostOnlyRejectAndCancelAll() async throws {
        try await withKraken { h in
            let token = try await h.token()
            let ws = try await trader(h, token: token)
            _ = try h.exchange.placeOrder(AccountID(1), .limit(btcUSD, .sell, quantity: "0.5", price: "80000.0"))

            // Post-only that would take.
            ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":80000.0,"post_only":true,"token":"\#(token)"},"req_id":10}"#)
            let reject = try await ws.next(where: { $0.method == "add_order" })
            #expect(reject.keys == ["error", "method", "req_id", "success", "time_in", "time_out"])
            #expect(reject["error"].string == "EOrder:Post only order" && reject["success"].bool == false && reject["req_id"].int == 10)

            // A taker fill: pending_new, new, trade, filled.
            ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":80000.0,"cl_ord_id":"taker-1","token":"\#(token)"},"req_id":11}"#)
            let added = try await ws.next(where: { $0.method == "add_order" })
            let id = added["result"]["order_id"].string!
            let events = try await ws.texts.wait("filled") { $0.contains { $0.contains(#""exec_type":"filled""#) } }
                .map(TJ.parse).filter { $0.channel == "executions" && $0["data"][0]["order_id"].string == id }
            #expect(events.map { $0["data"][0]["exec_type"].string! } == ["pending_new", "new", "trade", "filled"])
            let seqs = events.map { $0["sequence"].int! }
            #expect(seqs == Array(seqs[0]...(seqs[0] + 3)))
            let trade = events[2]["data"][0]
            #expect(trade["last_qty"].raw == "0.01000000" && trade["last_price"].raw == "80000.0" && trade["cost"].raw == "800.00000000")
            #expect(trade["liquidity_ind"].string == "t" && trade["cl_ord_id"].string == "taker-1" && trade["trade_id"].int == 1)
            #expect(trade["cum_qty"].raw == "0.01000000" && trade["avg_price"].raw == "80000.0")
            #expect(trade["fees"][0]["asset"].string == "BTC" && trade["fees"][0]["qty"].raw == "0.00002600")
            #expect(trade["fee_usd_equiv"].raw == "2.08000000")
            #expect(trade["exec_id"].string?.hasPrefix("T") == true)
            #expect(events[3]["data"][0]["order_status"].string == "filled")

            // cancel_all: two resting orders.
            for (i, price) in ["70000.0", "70001.0"].enumerated() {
                ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":\#(price),"order_userref":7,"token":"\#(token)"},"req_id":\#(20 + i)}"#)
                #expect(try await ws.next(where: { $0.method == "add_order" })["result"]["order_userref"].int == 7)
            }
            ws.send(#"{"method":"cancel_all","params":{"token":"\#(token)"},"req_id":30}"#)
            let all = try await ws.next(where: { $0.method == "cancel_all" })
            #expect(all["result"].description == #"{"count":2}"#)
            try await ws.texts.wait("two cancels") { $0.filter { $0.contains(#""exec_type":"canceled""#) }.count == 2 }
            #expect(h.exchange.openOrders(AccountID(0)).isEmpty)
            await ws.disconnect()
        }
    }

    @Test func multiIDCancelBatchesAndDeadMansSwitch() async throws {
        try await withKraken { h in
            let token = try await h.token()
            let ws = try await trader(h, token: token)
            ws.send(#"{"method":"batch_add","params":{"symbol":"BTC/USD","orders":[{"order_type":"limit","side":"buy","order_qty":0.01,"limit_price":70000.0,"cl_ord_id":"a1"},{"order_type":"limit","side":"buy","order_qty":0.01,"limit_price":70000.1,"cl_ord_id":"a2"},{"order_type":"limit","side":"buy","order_qty":0.00001,"limit_price":70000.2}],"token":"\#(token)"},"req_id":40}"#)
            let batch = try await ws.next(where: { $0.method == "batch_add" })
            let rows = batch["result"].array
            #expect(rows.count == 3 && rows[0]["cl_ord_id"].string == "a1" && isKrakenOrderID(rows[1]["order_id"].string))
            #expect(rows[2]["error"].string == "EGeneral:Invalid arguments:volume minimum not met")

            // One response per id, all with the same req_id.
            ws.send(#"{"method":"cancel_order","params":{"cl_ord_id":["a1","a2","nope"],"token":"\#(token)"},"req_id":41}"#)
            try await ws.texts.wait("three cancel responses") { $0.filter { $0.contains(#""method":"cancel_order""#) }.count == 3 }
            let responses = ws.received(where: { $0.method == "cancel_order" })
            #expect(responses.allSatisfy { $0["req_id"].int == 41 })
            #expect(responses.map { $0["success"].bool! } == [true, true, false])
            #expect(responses[0]["result"]["cl_ord_id"].string == "a1" && isKrakenOrderID(responses[0]["result"]["order_id"].string))

            // batch_cancel counts top-level.
            var ids: [String] = []
            for i in 0..<2 {
                ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"sell","order_qty":0.01,"symbol":"BTC/USD","limit_price":9000\#(i).0,"token":"\#(token)"},"req_id":\#(50 + i)}"#)
                ids.append(try await ws.next(where: { $0.method == "add_order" })["result"]["order_id"].string!)
            }
            ws.send(#"{"method":"batch_cancel","params":{"orders":["\#(ids[0])","\#(ids[1])"],"token":"\#(token)"},"req_id":52}"#)
            let bc = try await ws.next(where: { $0.method == "batch_cancel" })
            #expect(bc.keys == ["method", "orders_cancelled", "req_id", "success", "time_in", "time_out"])
            #expect(bc["orders_cancelled"].int == 2)

            // Dead man's switch: 1 s, then every open order is cancelled.
            ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":60000.0,"token":"\#(token)"},"req_id":60}"#)
            _ = try await ws.next(where: { $0.method == "add_order" })
            ws.send(#"{"method":"cancel_all_orders_after","params":{"timeout":1,"token":"\#(token)"},"req_id":61}"#)
            let armed = try await ws.next(where: { $0.method == "cancel_all_orders_after" })
            #expect(armed["result"].keys == ["currentTime", "triggerTime"])
            #expect(isKrakenTime(armed["result"]["currentTime"].string) && isKrakenTime(armed["result"]["triggerTime"].string))
            try await ws.texts.wait("switch fired", timeout: .seconds(10)) { texts in
                texts.contains { $0.contains(#""exec_type":"canceled""#) && $0.contains("60000.0") == false && !$0.contains("9000") }
                    && texts.filter { $0.contains(#""exec_type":"canceled""#) }.count >= 5
            }
            #expect(h.exchange.openOrders(AccountID(0)).isEmpty)
            ws.send(#"{"method":"cancel_all_orders_after","params":{"timeout":0,"token":"\#(token)"},"req_id":62}"#)
            #expect(try await ws.next(where: { $0.method == "cancel_all_orders_after" })["result"]["triggerTime"].string == "0")
            await ws.disconnect()
        }
    }

    @Test func tokensAndBalances() async throws {
        try await withKraken(manualClock: true) { h in
            let ws = try await h.connect("ws-auth")
            ws.send(#"{"method":"subscribe","params":{"channel":"executions","token":"bogus"},"req_id":1}"#)
            #expect(try await ws.next(where: { $0.method == "subscribe" })["error"].string == "EAPI:Invalid token")
            ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":1000.0},"req_id":2}"#)
            #expect(try await ws.next(where: { $0.method == "add_order" })["error"].string == "EAPI:Invalid token")

            let token = try await h.token(2)
            ws.send(#"{"method":"subscribe","params":{"channel":"balances","token":"\#(token)"},"req_id":3}"#)
            let ack = try await ws.next(where: { $0.method == "subscribe" })
            #expect(ack["result"].description == #"{"channel":"balances","snapshot":true}"#)
            let snap = try await ws.next(where: { $0.channel == "balances" })
            #expect(snap["type"].string == "snapshot" && snap["sequence"].int == 1)
            let usd = snap["data"].array.first { $0["asset"].string == "USD" }
            #expect(usd?["balance"].raw == "10000000.00000000" && usd?["wallets"][0]["id"].string == "main")

            // A fill moves balances: ledger entries with the fee.
            _ = try h.exchange.placeOrder(AccountID(0), .limit(btcUSD, .buy, quantity: "0.5", price: "80000.0"))
            ws.send(#"{"method":"add_order","params":{"order_type":"market","side":"sell","order_qty":0.5,"symbol":"BTC/USD","token":"\#(token)"},"req_id":4}"#)
            #expect(try await ws.next(where: { $0.method == "add_order" })["success"].bool == true)
            let entries = try await ws.texts.wait("two ledger entries") { $0.filter { $0.contains(#""ledger_id""#) }.count == 2 }
                .map(TJ.parse).filter { $0.channel == "balances" && $0["type"].string == "update" }.map { $0["data"][0] }
            let byAsset = Dictionary(uniqueKeysWithValues: entries.map { ($0["asset"].string!, $0) })
            #expect(byAsset["BTC"]?["amount"].raw == "-0.50000000" && byAsset["BTC"]?["balance"].raw == "99.50000000")
            #expect(byAsset["USD"]?["amount"].raw == "40000.00000000" && byAsset["USD"]?["fee"].raw == "104.00000000")
            #expect(byAsset["USD"]?["balance"].raw == "10039896.00000000" && byAsset["USD"]?["type"].string == "trade")

            // The token-expiry fault: 5 s after issue the token stops working.
            h.exchange.faults.setPlan(FaultPlan(expireTokenAfterSeconds: 5), forEndpoint: "ws-auth")
            let fresh = try await h.token(2)
            let ws2 = try await h.connect("ws-auth")
            ws2.send(#"{"method":"cancel_all","params":{"token":"\#(fresh)"},"req_id":5}"#)
            #expect(try await ws2.next(where: { $0.method == "cancel_all" })["success"].bool == true)
            h.clock!.advance(seconds: 6)
            ws2.send(#"{"method":"cancel_all","params":{"token":"\#(fresh)"},"req_id":6}"#)
            #expect(try await ws2.next(where: { $0.method == "cancel_all" })["error"].string == "EAPI:Invalid token")
            await ws.disconnect()
            await ws2.disconnect()
        }
    }

    @Test func requestValidation() async throws {
        try await withKraken { h in
            let token = try await h.token()
            let ws = try await h.connect("ws-auth")
            func send(_ params: String, _ id: Int) async throws -> String? {
                ws.send(#"{"method":"add_order","params":{\#(params),"token":"\#(token)"},"req_id":\#(id)}"#)
                return try await ws.next(where: { $0["req_id"].int == Int64(id) })["error"].string
            }
            let base = #""order_type":"limit","side":"buy","symbol":"BTC/USD""#
            #expect(try await send(base + #","order_qty":0.01,"limit_price":80000.05"#, 1)
                    == "EOrder:Invalid price:BTC/USD price can only be specified up to 1 decimals.")
            #expect(try await send(base + #","order_qty":"0.01","limit_price":80000.0"#, 2) == "EGeneral:Invalid arguments:order_qty")
            #expect(try await send(base + #","order_qty":0.01,"limit_price":80000.0,"leverage":2"#, 3) == "Unsupported field: 'leverage'")
            #expect(try await send(base + #","order_qty":0.01,"limit_price":80000.0,"cl_ord_id":"x","order_userref":1"#, 4)
                    == "EGeneral:Invalid arguments")
            #expect(try await send(base + #","order_qty":0.00001,"limit_price":80000.0"#, 5) == "EGeneral:Invalid arguments:volume minimum not met")
            #expect(try await send(base + #","order_qty":1000.0,"limit_price":80000.0"#, 6) == "EOrder:Insufficient funds")
            #expect(try await send(#""order_type":"limit","side":"buy","symbol":"DOGE/USD","order_qty":1.0,"limit_price":1.0"#, 7)
                    == "EQuery:Unknown asset pair")
            #expect(try await send(base + #","order_qty":0.0001,"limit_price":100.0"#, 8) == "EOrder:Cost minimum not met")
            #expect(try await send(base + #","order_qty":0.01,"limit_price":80000.0,"validate":true"#, 9) == nil)
            #expect(h.exchange.openOrders(AccountID(0)).isEmpty)
            ws.send(#"{"method":"frobnicate","req_id":10}"#)
            let unknown = try await ws.next(where: { $0["req_id"].int == 10 })
            #expect(unknown["success"].bool == false && unknown.method == "frobnicate")
            await ws.disconnect()
        }
    }

    @Test func tradingRateCounter() async throws {
        try await withKraken(options: .init(rateTier: KrakenRateTier(cap: 10, decayCentiPerSecond: 0))) { h in
            let token = try await h.token()
            let ws = try await h.connect("ws-auth")
            // add (1) + cancel of a fresh order (8) = 9; the next add fits (10), then the cap bites.
            ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":70000.0,"token":"\#(token)"},"req_id":1}"#)
            let id = try await ws.next(where: { $0.method == "add_order" })["result"]["order_id"].string!
            ws.send(#"{"method":"cancel_order","params":{"order_id":["\#(id)"],"token":"\#(token)"},"req_id":2}"#)
            #expect(try await ws.next(where: { $0.method == "cancel_order" })["success"].bool == true)
            for i in 3...4 {
                ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"BTC/USD","limit_price":70000.0,"token":"\#(token)"},"req_id":\#(i)}"#)
            }
            #expect(try await ws.next(where: { $0["req_id"].int == 3 })["success"].bool == true)
            #expect(try await ws.next(where: { $0["req_id"].int == 4 })["error"].string == "EOrder:Rate limit exceeded")
            // Per pair: ETH/USD has its own counter.
            ws.send(#"{"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":0.01,"symbol":"ETH/USD","limit_price":2000.00,"token":"\#(token)"},"req_id":5}"#)
            #expect(try await ws.next(where: { $0["req_id"].int == 5 })["success"].bool == true)
            await ws.disconnect()
        }
    }
}
