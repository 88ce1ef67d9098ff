import HFTCore
@testable import HFTSimulator
import Testing

/// The knobs that settle the notes' UNCERTAIN points (README table), and order/position
/// life cycles beyond a single fill.
@Suite(.serialized) struct FMexOptionsTests {
    @Test func strictSignedHostNoHelloAndPrivateOnlyUserSocket() async throws {
        let options = FMexOptions(helloOnUserSocket: false, signedHost: "api.fmex.com", acceptSpaceForPlus: false,
                                  publicTopicsOnUserSocket: false)
        try await withFMex(flow: false, options: options) { h in
            let local = h.userURL(signedBase: "http://" + h.hostPort).replacingPrefix("ws://", with: "http://")
            #expect(try await rawHTTP("GET", local).status == 401)
            let ws = try await RawWebSocket.connect(h.userURL(signedBase: "https://api.fmex.com"))
            ws.send(#"{"cmd":"ping","args":[1],"id":"first"}"#)
            #expect(TJ.parse(try await ws.next())["id"].string == "first")   // no hello before it
            ws.send(#"{"cmd":"sub","args":["ticker.btcusd_p"],"id":"pub"}"#)
            #expect(try await ws.next { $0["id"].string == "pub" }["status"].int == 41002)
            ws.send(#"{"cmd":"sub","args":["position.btcusd_p"],"id":"priv"}"#)
            #expect(try await ws.next { $0["id"].string == "priv" }["type"].string == "topics")
            await ws.disconnect()
            // A raw `+` is no longer read back from a space.
            var ts = WallClock.milliseconds()
            var url = h.userURL(timestamp: ts, escape: false)
            while !url.contains("+") {
                ts -= 1
                url = h.userURL(timestamp: ts, escape: false)
            }
            #expect(try await rawHTTP("GET", url.replacingPrefix("ws://", with: "http://")).status == 401)
        }
    }

    @Test func deltaWindowRemovalsOffSendsNoZeroForLevelsPushedOut() async throws {
        try await withFMex(flow: false, options: FMexOptions(deltaWindowRemovals: false)) { h in
            let bob = try #require(h.exchange.account(forAPIKey: "sim-key-2"))
            // 20 asks 10000.0 … 10009.5.
            for i in 0..<20 { try h.exchange.limit(bob, .sell, "1", at: FixedDecimal(mantissa: Int128(100_000 + 5 * i), scale: 1), symbol: fmexPerp) }
            let ws = try await h.connect()
            ws.send(#"{"cmd":"sub","args":["depth-delta.L20.btcusd_p"],"id":"d"}"#)
            let snap = try await ws.next { $0["type"].string == "depth.l20.btcusd_p" }
            #expect(fmexLevels(snap["asks"]).count == 20)
            // A better ask pushes 10009.5 out of the window: only the new level is sent.
            try h.exchange.limit(bob, .sell, "2", at: "9999.5", symbol: fmexPerp)
            let d = try await ws.next { $0["type"].string == "depth-delta.l20.btcusd_p" }
            #expect(same(fmexLevels(d["asks"]), [("9999.5", "2")]) && d["bids"].array.isEmpty)
            #expect(d["pre_seq"].int == snap["seq"].int)
            await ws.disconnect()
        }
    }

    @Test func deltaWindowRemovalsOnSendsZeroForLevelsPushedOut() async throws {
        try await withFMex(flow: false) { h in
            let bob = try #require(h.exchange.account(forAPIKey: "sim-key-2"))
            for i in 0..<20 { try h.exchange.limit(bob, .sell, "1", at: FixedDecimal(mantissa: Int128(100_000 + 5 * i), scale: 1), symbol: fmexPerp) }
            let ws = try await h.connect()
            ws.send(#"{"cmd":"sub","args":["depth-delta.L20.btcusd_p"],"id":"d"}"#)
            _ = try await ws.next { $0["type"].string == "depth.l20.btcusd_p" }
            try h.exchange.limit(bob, .sell, "2", at: "9999.5", symbol: fmexPerp)
            let d = try await ws.next { $0["type"].string == "depth-delta.l20.btcusd_p" }
            #expect(same(fmexLevels(d["asks"]), [("9999.5", "2"), ("10009.5", "0")]))
            await ws.disconnect()
        }
    }

    @Test func partialFillCancelAndPositionClose() async throws {
        try await withFMex(flow: false) { h in
            let bob = try #require(h.exchange.account(forAPIKey: "sim-key-2"))
            let ws = try await h.user(1)
            ws.send(#"{"cmd":"sub","args":["order.btcusd_p","position.btcusd_p","account"],"id":"s"}"#)
            _ = try await ws.next { $0["id"].string == "s" }
            try h.exchange.limit(bob, .sell, "400", at: "10000.0", symbol: fmexPerp)
            let body = #"{"symbol":"BTCUSD_P","type":"LIMIT","direction":"LONG","price":10000,"quantity":1000}"#
            let placed = try await h.rest("POST", "/v3/contracts/orders", body: body)
            #expect(placed.json["data"]["status"].string == "PARTIAL_FILLED" && placed.json["data"]["unfilled_quantity"].raw == "600")
            let id = try #require(placed.json["data"]["id"].int)
            _ = try await ws.next { $0["type"].string == "order.btcusd_p" && $0["order"]["status"].string == "PARTIAL_FILLED" }
            let cancelled = try await h.rest("POST", "/v3/contracts/orders/\(id)/cancel")
            #expect(cancelled.json["data"]["status"].string == "PARTIAL_CANCELLED")
            _ = try await ws.next { $0["type"].string == "order.btcusd_p" && $0["order"]["status"].string == "PARTIAL_CANCELLED" }
            // Close the 400 long with a market sell into bob's bid.
            try h.exchange.limit(bob, .buy, "400", at: "12500.0", symbol: fmexPerp)
            let sell = #"{"symbol":"BTCUSD_P","type":"MARKET","direction":"SHORT","quantity":400}"#
            let m = try await h.rest("POST", "/v3/contracts/orders", body: sell)
            #expect(m.json["data"]["status"].string == "FULLY_FILLED" && m.json["data"]["type"].string == "MARKET")
            #expect(m.json["data"]["fill_price"].raw.flatMap { FixedDecimal($0) } == FixedDecimal("12500"))
            let flat = try await ws.next { $0["type"].string == "position.btcusd_p" && $0["position"]["quantity"].raw == "0" }
            // PnL = 400 × (1/10000 − 1/12500) = 0.008 BTC.
            #expect(flat["position"]["realized_pnl"].raw.flatMap { FixedDecimal($0) } == FixedDecimal("0.008"))
            #expect(flat["position"]["margin"].raw.flatMap { FixedDecimal($0) } == .zero)
            let acct = try await ws.seen("flat account") { m in
                m["type"].string == "account" && m["account"]["position"].raw.flatMap { FixedDecimal($0) } == .zero
                    && m["account"]["frozen"].raw.flatMap { FixedDecimal($0) } == .zero
            }
            let alice = try #require(h.exchange.account(forAPIKey: "sim-key-1"))
            let bal = try #require(h.exchange.balance(alice, asset: "BTC"))
            #expect(acct["account"]["available"].raw.flatMap { FixedDecimal($0) } == bal.available)
            await ws.disconnect()
        }
    }

    @Test func stallKeepsTheSocketOpenButSilent() async throws {
        try await withFMex(flow: false) { h in
            h.exchange.faults.setPlan(FaultPlan(stallAfterMessages: 1))
            let ws = try await h.connect()
            _ = try await ws.next { $0["type"].string == "hello" }
            ws.send(#"{"cmd":"ping","args":[1],"id":"p"}"#)
            try await Task.sleep(for: .milliseconds(300))
            #expect(ws.texts.items.count == 1 && !ws.events.items.contains("closed"))
            await ws.disconnect()
        }
    }
}
