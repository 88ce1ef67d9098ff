import HFTCore
@testable import HFTSimulator
import Testing

/// The fault plan on the LBank front-end (endpoint names `ws`, `rest`).
@Suite(.serialized) struct LBankFaultTests {
    private func pings(_ ws: RawWebSocket, _ ids: ClosedRange<Int>) {
        for i in ids { ws.send(#"{"action":"ping","ping":"p\#(i)"}"#) }
    }

    @Test func dropAfterClosesWithoutCloseFrame() async throws {
        try await withLBank { h in
            h.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 2))
            let ws = try await h.connect()
            pings(ws, 1...3)
            try await ws.waitClosed()
            #expect(ws.texts.items == [#"{"action":"pong","pong":"p1"}"#, #"{"action":"pong","pong":"p2"}"#])
            #expect(!ws.events.items.contains { $0.hasPrefix("close:") })
        }
    }

    @Test func stallKeepsTheSocketButSendsNothing() async throws {
        try await withLBank { h in
            h.exchange.faults.setPlan(FaultPlan(stallAfterMessages: 1))
            let ws = try await h.connect()
            pings(ws, 1...2)
            _ = try await ws.next { $0["pong"].string == "p1" }
            await #expect(throws: KrakenWaitTimeout.self) {
                _ = try await ws.next(timeout: .milliseconds(500)) { $0["pong"].string == "p2" }
            }
            #expect(!ws.events.items.contains("closed"))
            await ws.disconnect()
        }
    }

    @Test func delayedRepliesAndMalformedFrames() async throws {
        try await withLBank { h in
            h.exchange.faults.setPlan(FaultPlan(responseDelayMillis: 200, malformedEvery: 2))
            let ws = try await h.connect()
            let start = ContinuousClock.now
            pings(ws, 1...2)
            _ = try await ws.next { $0["pong"].string == "p2" }
            #expect(ContinuousClock.now - start >= .milliseconds(200))
            let texts = ws.texts.items
            #expect(texts.count == 3)
            if case .invalid = TJ.parse(texts[1]) {} else { Issue.record("expected a malformed message, got \(texts)") }
            await ws.disconnect()
        }
    }

    @Test func forcedDisconnectAndMaxAge() async throws {
        try await withLBank { h in
            h.exchange.faults.setPlan(FaultPlan(forceDisconnectAfterSeconds: 0.3))
            let ws = try await h.connect()
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.events.items.contains("close:1001"))
        }
        try await withLBank(options: .init(maxConnectionAge: .milliseconds(300))) { h in
            let ws = try await h.connect()
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.events.items.contains("close:1001"))
        }
    }

    @Test func keyExpiresEarly() async throws {
        try await withLBank { h in
            let key = try await h.subscribeKey()
            h.exchange.faults.setPlan(FaultPlan(expireTokenAfterSeconds: 1.5))   // long enough for a loaded CI machine
            let ws = try await h.connect()
            ws.send(#"{"action":"subscribe","subscribe":"orderUpdate","subscribeKey":"\#(key)","pair":"all"}"#)
            _ = try await h.rest("/v2/supplement/create_order.do", [("symbol", "btc_usdt"), ("type", "buy"), ("price", "70000.00"), ("amount", "0.0100")])
            _ = try await ws.lbank("orderUpdate")
            try await Task.sleep(for: .milliseconds(1_600))
            _ = try await h.rest("/v2/supplement/create_order.do", [("symbol", "btc_usdt"), ("type", "buy"), ("price", "70001.00"), ("amount", "0.0100")])
            #expect(try await ws.lbankError()["message"].string?.contains("key") == true)
            #expect(try await h.rest("/v2/subscribe/refresh_key.do", [("subscribeKey", key)])["result"].string == "false")
            // A fresh key works again for its own 1.5 s.
            let fresh = try await h.subscribeKey()
            ws.send(#"{"action":"subscribe","subscribe":"orderUpdate","subscribeKey":"\#(fresh)","pair":"all"}"#)
            _ = try await h.rest("/v2/supplement/create_order.do", [("symbol", "btc_usdt"), ("type", "buy"), ("price", "70002.00"), ("amount", "0.0100")])
            #expect(try await ws.lbank("orderUpdate")["orderUpdate"]["orderPrice"].string == "70002.00")
            await ws.disconnect()
        }
    }

    @Test func rateLimits() async throws {
        try await withLBank { h in
            h.exchange.faults.setPlan(FaultPlan(rateLimitAfterRequests: 2))
            let ws = try await h.connect()
            pings(ws, 1...3)
            #expect(try await ws.lbankError()["message"].string == "Too many requests")
            #expect(ws.received { $0["action"].string == "pong" }.count == 2)
            await ws.disconnect()
            var codes: [Int64] = []
            for _ in 0..<3 { codes.append(try await h.rest("/v2/supplement/user_info_account.do")["error_code"].int ?? -1) }
            #expect(codes == [0, 0, 10004])
        }
    }
}
