import HFTCore
@testable import HFTSimulator
import Testing

/// The BGE front-end's REST (§8), the private channels it feeds (§6) and the fault plan.
@Suite(.serialized) struct BGERESTTests {
    static let limitBuy = #"{"product":"BTC_USDT","side":"buy","type":"limit","price":"1000.00","size":"0.01000","client_oid":"cid-1"}"#

    @Test func placeQueryCancelWithPrivatePushes() async throws {
        try await withBGE { h in
            let ws = try await h.loggedIn()
            ws.send(#"{"event":"sub","biz":"exchange","type":"orders","product":"all","zip":false}"#)
            #expect(try await ws.bge("orders", event: "sub")["code"].int == 200)
            ws.send(#"{"event":"sub","biz":"exchange","type":"assets","product":"BTC_USDT","zip":false}"#)
            _ = try await ws.bge("assets", event: "sub")

            let placed = try await h.rest("POST", "/v1/orders", body: Self.limitBuy)
            #expect(placed.status == 200 && placed.json.keys == ["order_id", "client_oid"])
            let id = try #require(placed.json["order_id"].raw)
            #expect(id.count == 18 && placed.json["client_oid"].string == "cid-1")

            let push = try await ws.bge("orders")
            #expect(push["product"].string == "all" && push["biz"].string == "exchange")
            let o = push["data"][0]
            #expect(o["order_id"].string == id && o["product"].string == "BTC_USDT" && o["status"].string == "1")
            #expect(o["price"].string?.hasPrefix("1000.00") == true && o["size"].string?.hasPrefix("0.01000") == true)
            #expect(o["client_oid"].string == "cid-1" && o["filled_size"].string?.hasPrefix("0.0") == true)
            let assets = try await ws.seen("an assets push") { $0["type"].string == "assets" && $0["event"].string == nil }
            #expect(assets["product"].string == "BTC_USDT")
            #expect(assets["data"].array.contains { $0["currency"].string == "USDT" && $0["hold"].string != nil })

            let byID = try await h.rest("GET", "/v1/orders/\(id)")
            #expect(byID.status == 200 && byID.json["order_id"].string == id)
            let byCID = try await h.rest("GET", "/v1/orders/single/cid-1")
            #expect(byCID.json["order_id"].string == id)
            let open = try await h.rest("GET", "/v1/orders", query: "product=BTC_USDT")
            #expect(open.json.array.map { $0["order_id"].string } == [id])
            let balances = try await h.rest("GET", "/v1/accounts")
            #expect(balances.json.array.contains { $0["currency"].string == "USDT" })

            // Duplicate client_oid → 1090.
            let dup = try await h.rest("POST", "/v1/orders", body: Self.limitBuy)
            #expect(dup.status == 400 && dup.json["code"].int == 1090)

            let cancel = try await h.rest("DELETE", "/v1/orders/\(id)")
            #expect(cancel.status == 200 && cancel.json["order_id"].raw == id)
            let cancelled = try await ws.next { $0["type"].string == "orders" && $0["data"][0]["status"].string == "5" }
            #expect(cancelled["data"][0]["order_id"].string == id)
            let again = try await h.rest("DELETE", "/v1/orders/\(id)")
            #expect(again.status == 400 && again.json["code"].int == 1087 && again.json["message"].string == "No data found")

            // Snapshots over the socket.
            ws.send(#"{"event":"req","biz":"exchange","type":"assets","product":"BTC_USDT","zip":false}"#)
            let snap = try await ws.bge("assets", event: "req")
            #expect(snap["data"].array.count == 2)
            ws.send(#"{"event":"req","biz":"exchange","type":"orders","product":"BTC_USDT","zip":false}"#)
            #expect(try await ws.bge("orders", event: "req")["data"].array.isEmpty)
            await ws.disconnect()
        }
    }

    @Test func cancelAllAndMarketOrders() async throws {
        try await withBGE { h in
            h.exchange.stepFlow(actions: 300, symbol: btcUSDT)
            for cid in ["a", "b"] {
                let body = Self.limitBuy.replacingOccurrences(of: "cid-1", with: cid)
                #expect(try await h.rest("POST", "/v1/orders", body: body).status == 200)
            }
            let all = try await h.rest("DELETE", "/v1/orders", query: "product=BTC_USDT")
            #expect(all.status == 200 && all.json.array.count == 2)
            let buy = #"{"product":"BTC_USDT","side":"buy","type":"market","funds":"100.00"}"#
            let r = try await h.rest("POST", "/v1/orders", body: buy)
            #expect(r.status == 200)
            let id = try #require(r.json["order_id"].raw)
            let q = try await h.rest("GET", "/v1/orders/\(id)")
            #expect(q.json["type"].string == "market" && ["3", "5"].contains(q.json["status"].string ?? ""))
            #expect(q.json["filled_size"].string != "0.000000")
        }
    }

    @Test func restSigningErrors() async throws {
        try await withBGE { h in
            let bad = try await h.rest("GET", "/v1/accounts", secret: "wrong")
            #expect(bad.status == 401 && bad.json["code"].int == 40010)
            let old = try await h.rest("GET", "/v1/accounts", timestamp: String(WallClock.milliseconds() - 120_000))
            #expect(old.json["code"].int == 40008)
            // ISO-8601 timestamp and the path signed without `/hk` are accepted.
            let iso = try await h.rest("GET", "/v1/accounts", timestamp: "2099-01-01T00:00:00.000Z")
            #expect(iso.json["code"].int == 40008)
            let short = try await h.rest("GET", "/v1/accounts", signedPath: "/v1/accounts")
            #expect(short.status == 200)
            let badProduct = try await h.rest("POST", "/v1/orders", body: #"{"product":"X_Y","side":"buy","type":"limit","price":"1","size":"1"}"#)
            #expect(badProduct.status == 400 && badProduct.json["code"].int != nil)
        }
    }

    @Test func restRateLimitPerKey() async throws {
        try await withBGE(options: .init(restRequestsPerSecond: 3)) { h in
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await h.rest("GET", "/v1/accounts").status) }
            #expect(statuses == [200, 200, 200, 429])
            // Another key has its own budget.
            #expect(try await h.rest("GET", "/v1/accounts", account: 2).status == 200)
        }
    }

    // MARK: Faults

    @Test func faultDropAndForcedDisconnect() async throws {
        try await withBGE { h in
            h.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 2))
            let ws = try await h.connect()
            ws.send(#"{"event":"sub","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#)
            ws.send(#"{"event":"sub","biz":"market","type":"fills","product":"BTC_USDT","zip":false}"#)
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(!ws.events.items.contains { $0.hasPrefix("close:") })

            h.exchange.faults.setPlan(FaultPlan(forceDisconnectAfterSeconds: 0.3))
            let ws2 = try await h.connect()
            ws2.send(#"{"event":"sub","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#)
            try await ws2.waitClosed(timeout: .seconds(5))
            #expect(ws2.events.items.contains("close:1001"))
        }
    }

    @Test func faultLoginExpiryAndMalformed() async throws {
        try await withBGE { h in
            h.exchange.faults.setPlan(FaultPlan(expireTokenAfterSeconds: 2))   // room for a loaded machine
            let ws = try await h.loggedIn()
            ws.send(#"{"event":"sub","biz":"exchange","type":"orders","product":"BTC_USDT","zip":false}"#)
            _ = try await ws.bge("orders", event: "sub")
            try await Task.sleep(for: .milliseconds(2_100))
            _ = try await h.rest("POST", "/v1/orders", body: Self.limitBuy)
            let e = try await ws.next { $0["event"].string == "login" && $0["code"].int == 40016 }
            #expect(e["msg"].string == "API_KEY expired")
            // Private subscriptions ended; a new login restores them.
            ws.send(#"{"event":"sub","biz":"exchange","type":"orders","product":"BTC_USDT","zip":false}"#)
            _ = try await ws.next { $0["event"].string == "sub" && $0["code"].string == "401" }
            h.exchange.faults.setPlan(FaultPlan(malformedEvery: 2))
            ws.send(BGEHarness.loginFrame())
            ws.send(#"{"event":"req","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#)
            try await ws.texts.wait("a malformed frame", timeout: .seconds(5)) { items in
                items.contains { TJ.parse($0).keys.isEmpty }
            }
            await ws.disconnect()
        }
    }

    @Test func perProductZippedOrdersAndStallDelayFaults() async throws {
        try await withBGE { h in
            let ws = try await h.loggedIn()
            ws.send(#"{"event":"sub","biz":"exchange","type":"orders","product":"ETH_USDT","zip":true}"#)
            _ = try await ws.bge("orders", event: "sub")
            _ = try await h.rest("POST", "/v1/orders", body: Self.limitBuy)
            let eth = Self.limitBuy.replacingOccurrences(of: "BTC_USDT", with: "ETH_USDT").replacingOccurrences(of: "0.01000", with: "0.010")
            let placed = try await h.rest("POST", "/v1/orders", body: eth.replacingOccurrences(of: "cid-1", with: "cid-2"))
            #expect(placed.status == 200)
            let push = try await ws.bge("orders")
            // Only the ETH order, as one gzip binary frame.
            #expect(push["product"].string == "ETH_USDT" && push["data"][0]["client_oid"].string == "cid-2")
            #expect(ws.events.items.filter { $0 == "binary" }.count == 1)
            await ws.disconnect()

            h.exchange.faults.setPlan(FaultPlan(responseDelayMillis: 300))
            let slow = try await h.connect()
            let start = ContinuousClock.now
            slow.send(#"{"event":"req","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#)
            _ = try await slow.bge("ticker", event: "req")
            #expect(ContinuousClock.now - start >= .milliseconds(280))
            await slow.disconnect()

            h.exchange.faults.setPlan(FaultPlan(stallAfterMessages: 1))
            let stalled = try await h.connect()
            stalled.send(#"{"event":"sub","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#)
            try await Task.sleep(for: .milliseconds(500))
            #expect(stalled.texts.items.count <= 1 && !stalled.events.items.contains("closed"))
            await stalled.disconnect()
        }
    }

    @Test func faultRateLimitOnRESTAndWebSocket() async throws {
        try await withBGE { h in
            h.exchange.faults.setPlan(FaultPlan(rateLimitAfterRequests: 2, rateLimitWindowSeconds: 60))
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await h.rest("GET", "/v1/accounts").status) }
            #expect(statuses == [200, 200, 429])
            let ws = try await h.connect()
            for _ in 0..<3 { ws.send(#"{"event":"req","biz":"market","type":"ticker","product":"BTC_USDT","zip":false}"#) }
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.events.items.contains("close:1008"))
        }
    }
}
