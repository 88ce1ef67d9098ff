import HFTCore
@testable import HFTSimulator
import Testing

/// The fault plan and the connection limits on the DigiFinex front-end (§4, §9).
@Suite(.serialized) struct DigiFinexFaultTests {
    private func pings(_ ws: RawWebSocket, _ ids: ClosedRange<Int>) {
        for i in ids { ws.send(#"{"id":\#(i),"method":"server.ping","params":[]}"#) }
    }

    @Test func dropAfterClosesWithoutCloseFrame() async throws {
        try await withDigiFinex { h in
            h.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 2))
            let ws = try await h.connect()
            pings(ws, 1...3)
            try await ws.waitClosed()
            #expect(ws.texts.items.count == 2)
            #expect(!ws.events.items.contains { $0.hasPrefix("close:") })
        }
    }

    @Test func stallKeepsTheSocketButSendsNothing() async throws {
        try await withDigiFinex { h in
            h.exchange.faults.setPlan(FaultPlan(stallAfterMessages: 1))
            let ws = try await h.connect()
            pings(ws, 1...2)
            _ = try await ws.reply(1)
            await #expect(throws: KrakenWaitTimeout.self) { _ = try await ws.reply(2, timeout: .milliseconds(500)) }
            #expect(!ws.events.items.contains("closed"))
            await ws.disconnect()
        }
    }

    @Test func delayedResponsesAndMalformedFrames() async throws {
        try await withDigiFinex { h in
            h.exchange.faults.setPlan(FaultPlan(responseDelayMillis: 200, malformedEvery: 2))
            let ws = try await h.connect()
            let start = ContinuousClock.now
            pings(ws, 1...2)
            _ = try await ws.reply(2)
            #expect(ContinuousClock.now - start >= .milliseconds(200))
            let texts = ws.texts.items
            #expect(texts.count == 3)
            if case .invalid = TJ.parse(texts[1]) {} else { Issue.record("expected a malformed message, got \(texts)") }
            await ws.disconnect()
        }
    }

    @Test func forcedDisconnectAndMaxAge() async throws {
        try await withDigiFinex { h in
            h.exchange.faults.setPlan(FaultPlan(forceDisconnectAfterSeconds: 0.3))
            let ws = try await h.connect()
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.events.items.contains("close:1001"))
        }
        try await withDigiFinex(options: .init(maxConnectionAge: .milliseconds(300))) { h in
            let ws = try await h.connect()
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.events.items.contains("close:1001"))
        }
    }

    @Test func loginExpiryStopsPrivateChannels() async throws {
        try await withDigiFinex(flows: false) { h in
            h.exchange.faults.setPlan(FaultPlan(expireTokenAfterSeconds: 2))   // room for a loaded machine
            let ws = try await h.connect()
            #expect(try await h.auth(ws)["error"].isNull)
            ws.send(#"{"id":2,"method":"order.subscribe","params":["BTC_USDT"]}"#)
            #expect(try await ws.reply(2)["error"].isNull)
            try await Task.sleep(for: .milliseconds(2_100))
            _ = try await h.rest("POST", "/spot/order/new", "symbol=btc_usdt&price=79000.00&amount=0.010000&type=buy")
            ws.send(#"{"id":3,"method":"order.subscribe","params":["BTC_USDT"]}"#)
            #expect(try await ws.reply(3)["error"]["code"].int == 6)
            #expect(ws.received { $0.method == "order.update" }.isEmpty)
            await ws.disconnect()
        }
    }

    @Test func skippedAndCorruptedDepthUpdatesLeaveTheClientBookWrong() async throws {
        try await withDigiFinex(flows: false) { h in
            let alice = h.exchange.account(forAPIKey: "sim-key-1")!
            h.exchange.faults.setPlan(FaultPlan(corruptChecksumEvery: 2))
            let ws = try await h.connect()
            ws.send(#"{"id":1,"method":"depth.subscribe","params":["BTC_USDT"]}"#)
            _ = try await ws.push("depth.update", symbol: "BTC_USDT")
            _ = try h.exchange.placeOrder(alice, .limit(btcUSDT, .buy, quantity: "0.010000", price: "70000.00"))
            let corrupt = try await ws.push("depth.update", symbol: "BTC_USDT")
            #expect(corrupt["params"][1]["bids"][0].array.map(\.string) == ["70000.00", "0.010001"])
            h.exchange.faults.setPlan(FaultPlan(skipSequenceEvery: 1))
            _ = try h.exchange.placeOrder(alice, .limit(btcUSDT, .buy, quantity: "0.010000", price: "70001.00"))
            ws.send(#"{"id":2,"method":"server.ping","params":[]}"#)
            _ = try await ws.reply(2)
            #expect(ws.received { $0.method == "depth.update" }.count == 2)
            await ws.disconnect()
        }
    }

    @Test func idleConnectionsAreDroppedAndTrafficKeepsThemOpen() async throws {
        try await withDigiFinex(options: .init(idleTimeout: .milliseconds(400))) { h in
            let idle = try await h.connect()
            let busy = try await h.connect()
            for i in 1...8 {
                busy.send(#"{"id":\#(i),"method":"server.ping","params":[]}"#)
                try await Task.sleep(for: .milliseconds(150))
            }
            try await idle.waitClosed(timeout: .seconds(2))
            #expect(!busy.events.items.contains("closed"))
            _ = try await busy.reply(8)
            await busy.disconnect()
        }
    }

    @Test func rateLimitAnswersTooQuick() async throws {
        try await withDigiFinex { h in
            h.exchange.faults.setPlan(FaultPlan(rateLimitAfterRequests: 2, rateLimitWindowSeconds: 60))
            let ws = try await h.connect()
            pings(ws, 1...3)
            #expect(try await ws.reply(3)["error"]["code"].int == 7)
            await ws.disconnect()
        }
    }
}
