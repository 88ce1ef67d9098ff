import HFTCore
@testable import HFTSimulator
import Testing

/// Private pushes (protocols/fmex.md §6) driven by signed REST orders (§7), and the REST calls.
@Suite(.serialized) struct FMexPrivateTests {
    @Test func signedOrderFillDrivesOrderPositionAndAccountPushes() async throws {
        try await withFMex(flow: false) { h in
            let bob = try #require(h.exchange.account(forAPIKey: "sim-key-2"))
            let ws = try await h.user(1)
            ws.send(#"{"id":"11111","cmd":"sub","args":["account","order.btcusd_p","position.btcusd_p"]}"#)
            let ack = try await ws.next { $0["id"].string == "11111" }
            #expect(ack["topics"].array.compactMap(\.string) == ["account", "order.btcusd_p", "position.btcusd_p"])
            // Incremental only: nothing is pushed until something changes.
            try await Task.sleep(for: .milliseconds(100))
            let early = ws.received { $0["type"].string?.hasPrefix("order") == true || $0["type"].string == "account" }
            #expect(early.isEmpty)

            try h.exchange.limit(bob, .sell, "1000", at: "10000.0", symbol: fmexPerp)
            let body = #"{"symbol":"BTCUSD_P","type":"LIMIT","direction":"LONG","price":10000,"quantity":1000}"#
            let r = try await h.rest("POST", "/v3/contracts/orders", body: body)
            #expect(r.status == 200 && r.json["status"].int == 0)
            #expect(r.json["data"]["status"].string == "FULLY_FILLED" && r.json["data"]["direction"].string == "LONG")

            let order = try await ws.next { $0["type"].string == "order.btcusd_p" && $0["order"]["status"].string == "FULLY_FILLED" }
            #expect(order.keys == ["type", "ts", "order"])
            let o = order["order"]
            #expect(o.keys == ["id", "quantity", "direction", "features", "price", "fill_price", "unfilled_quantity", "symbol",
                               "margin_currency", "fee", "type", "status", "trigger_direction", "trigger_on",
                               "trailing_base_price", "trailing_distance", "created_at"])
            #expect(o["quantity"].raw == "1000" && o["unfilled_quantity"].raw == "0" && o["price"].raw == "10000.0")
            #expect(o["fill_price"].raw == "10000" || o["fill_price"].raw?.hasPrefix("10000.") == true)
            #expect(o["symbol"].string == "BTCUSD_P" && o["margin_currency"].string == "BTC" && o["type"].string == "LIMIT")
            #expect(o["fee"].raw.flatMap { FixedDecimal($0) } == FixedDecimal("0.000045"))   // 0.1 BTC × 0.045 %
            #expect(o["id"].int == r.json["data"]["id"].int)

            let pos = try await ws.next { $0["type"].string == "position.btcusd_p" }
            let p = pos["position"]
            #expect(p.keys == ["symbol", "quantity", "direction", "leverage", "risk_level", "margin", "taker_fee_rate",
                               "realized_pnl", "entry_price", "liquidation_price", "bankruptcy_price",
                               "minimum_maintenance_margin_rate", "updated_at"])
            #expect(p["quantity"].raw == "1000" && p["direction"].string == "LONG" && p["leverage"].raw == "20")
            #expect(p["margin"].raw.flatMap { FixedDecimal($0) } == FixedDecimal("0.005"))
            #expect(p["entry_price"].raw.flatMap { FixedDecimal($0) } == FixedDecimal("10000"))
            #expect(p["bankruptcy_price"].raw == "9523.80952" && p["liquidation_price"].raw == "9569.37799")

            let acct = try await ws.seen("account after fill") { m in
                m["type"].string == "account" && m["account"]["position"].raw.flatMap { FixedDecimal($0) } == FixedDecimal("0.005")
            }
            let a = acct["account"]
            #expect(a.keys == ["currency", "available", "frozen", "position", "updated_at"])
            #expect(a["currency"].string == "BTC")
            #expect(a["available"].raw.flatMap { FixedDecimal($0) } == FixedDecimal("9.994955"))
            #expect(a["frozen"].raw.flatMap { FixedDecimal($0) } == FixedDecimal.zero)

            // Another account's orders are not pushed here.
            let others = ws.received { $0["type"].string == "order.btcusd_p" && $0["order"]["direction"].string == "SHORT" }
            #expect(others.isEmpty)
            await ws.disconnect()
        }
    }

    @Test func restOrdersQueriesCancelsAndBalances() async throws {
        try await withFMex(flow: false) { h in
            let time = try await rawHTTP("GET", h.restBase + "/v2/public/server-time")
            #expect(time.status == 200 && TJ.parse(time.body)["status"].int == 0 && TJ.parse(time.body)["data"].int != nil)

            let ws = try await h.user(1)
            ws.send(#"{"cmd":"sub","args":["order.btcusd_p","account"],"id":"s"}"#)
            _ = try await ws.next { $0["id"].string == "s" }
            // Lowercase enums and string numbers (§8), post-only flag.
            let body = #"{"symbol":"btcusd_p","type":"limit","direction":"short","price":"12000.5","quantity":"50","post_only":"true","source":"WEB"}"#
            let placed = try await h.rest("POST", "/v3/contracts/orders", body: body)
            #expect(placed.status == 200)
            let id = try #require(placed.json["data"]["id"].int)
            #expect(placed.json["data"]["status"].string == "PENDING" && placed.json["data"]["features"].int == 2)
            let pending = try await ws.next { $0["type"].string == "order.btcusd_p" }
            #expect(pending["order"]["status"].string == "PENDING" && pending["order"]["direction"].string == "SHORT")

            let open = try await h.rest("GET", "/v3/contracts/orders/open")
            #expect(open.status == 200 && open.json["data"].array.map { $0["id"].int } == [id])
            let one = try await h.rest("GET", "/v3/contracts/orders/\(id)")
            #expect(one.json["data"]["price"].raw == "12000.5")
            let accounts = try await h.rest("GET", "/v3/contracts/accounts")
            let btc = accounts.json["data"]["BTC"].array.map { $0.raw.flatMap { FixedDecimal($0) } }
            // 50 / 12000.5 = 0.004166493063 BTC; margin ceil(/20) + fee reserve ceil(× 0.045 %) frozen for the order.
            #expect(btc.count == 3 && btc[2] == .zero && (btc[1] ?? .zero) > .zero)
            #expect((btc[0] ?? .zero) + (btc[1] ?? .zero) == FixedDecimal("10"))

            let cancelled = try await h.rest("POST", "/v3/contracts/orders/\(id)/cancel")
            #expect(cancelled.status == 200 && cancelled.json["data"]["status"].string == "FULLY_CANCELLED")
            _ = try await ws.next { $0["type"].string == "order.btcusd_p" && $0["order"]["status"].string == "FULLY_CANCELLED" }
            let again = try await h.rest("POST", "/v3/contracts/orders/\(id)/cancel")
            #expect(again.status == 404 && again.json["status"].int == 404)

            // Cancel all (with the symbol in the signed query).
            for price in ["13000.0", "13000.5"] {
                let b = #"{"symbol":"BTCUSD_P","type":"LIMIT","direction":"SHORT","price":\#(price),"quantity":1}"#
                #expect(try await h.rest("POST", "/v3/contracts/orders", body: b).status == 200)
            }
            let all = try await h.rest("POST", "/v3/contracts/orders/cancel", query: "symbol=BTCUSD_P")
            #expect(all.status == 200 && all.json["data"].array.count == 2)
            #expect(h.exchange.openOrders(try #require(h.exchange.account(forAPIKey: "sim-key-1"))).isEmpty)

            let positions = try await h.rest("GET", "/v3/broker/auth/contracts/positions")
            #expect(positions.status == 200 && positions.json["data"].array.isEmpty)
            await ws.disconnect()
        }
    }

    @Test func restErrors() async throws {
        try await withFMex(flow: false) { h in
            let order = #"{"symbol":"BTCUSD_P","type":"LIMIT","direction":"LONG","price":9000,"quantity":1}"#
            let badSig = try await h.rest("POST", "/v3/contracts/orders", body: order, secret: "wrong")
            #expect(badSig.status == 401 && badSig.json["status"].int == 401)
            let stale = try await h.rest("GET", "/v3/contracts/accounts", timestamp: String(WallClock.milliseconds() - 31_000))
            #expect(stale.status == 401)
            let noKey = try await rawHTTP("GET", h.restBase + "/v3/contracts/accounts")
            #expect(noKey.status == 401)
            // The signed URL must be this request's (another path does not verify).
            let wrongURL = try await h.rest("GET", "/v3/contracts/accounts", signedBase: "https://example.com")
            #expect(wrongURL.status == 401)
            let prod = try await h.rest("GET", "/v3/contracts/accounts", signedBase: "https://api.fmex.com")
            #expect(prod.status == 200)
            #expect(try await h.rest("POST", "/v3/contracts/orders", body: #"{"symbol":"#).status == 406)
            #expect(try await h.rest("GET", "/v3/contracts/nothing").status == 404)
            #expect(try await h.rest("GET", "/v3/contracts/orders").status == 405)
            for bad in [#"{"symbol":"BTCUSD_P","type":"LIMIT","direction":"LONG","price":9000,"quantity":1.5}"#,
                        #"{"symbol":"BTCUSD_P","type":"LIMIT","direction":"UP","price":9000,"quantity":1}"#,
                        #"{"symbol":"ETHUSD_P","type":"LIMIT","direction":"LONG","price":9000,"quantity":1}"#,
                        #"{"symbol":"BTCUSD_P","type":"LIMIT","direction":"LONG","quantity":1}"#,
                        #"{"symbol":"BTCUSD_P","type":"LIMIT","direction":"LONG","price":9000.3,"quantity":1}"#,
                        #"{"symbol":"BTCUSD_P","type":"LIMIT","direction":"LONG","price":9000,"quantity":100000000}"#] {
                let r = try await h.rest("POST", "/v3/contracts/orders", body: bad)
                #expect(r.status == 400 && r.json["status"].int == 400 && r.json["msg"].string != nil, "\(bad)")
            }
        }
    }
}
