import HFTCore
@testable import HFTSimulator
import Testing

/// The fault plan on the FMex front-end (endpoints `ws`, `ws-user`, `rest`).
@Suite(.serialized) struct FMexFaultTests {
    @Test func dropAfterMessagesClosesAbruptly() async throws {
        try await withFMex { h in
            h.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 2))
            let ws = try await h.connect()
            ws.send(#"{"cmd":"sub","args":["depth.L20.btcusd_p"],"id":"d"}"#)
            h.exchange.stepFlow(actions: 50, symbol: fmexPerp)
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.texts.items.count <= 2)
            #expect(!ws.events.items.contains { $0.hasPrefix("close:") })
        }
    }

    @Test func skippedDeltaShowsAsPreSeqGap() async throws {
        try await withFMex { h in
            h.exchange.stepFlow(actions: 200, symbol: fmexPerp)
            let ws = try await h.connect()
            ws.send(#"{"cmd":"sub","args":["depth-delta.L20.btcusd_p"],"id":"dd"}"#)
            _ = try await ws.next { $0["type"].string == "depth.l20.btcusd_p" }
            h.exchange.faults.setPlan(FaultPlan(skipSequenceEvery: 3))
            for _ in 0..<20 {
                h.exchange.stepFlow(actions: 5, symbol: fmexPerp)
                try await Task.sleep(for: .milliseconds(10))
            }
            _ = try await ws.texts.wait("several deltas", timeout: .seconds(10)) { t in
                t.filter { $0.contains("depth-delta") }.count >= 5
            }
            var book = FMexDeltaBook()
            for m in ws.received(where: { $0["type"].string?.hasPrefix("depth") == true }) {
                book.apply(m, snapshot: m["type"].string == "depth.l20.btcusd_p", depth: 20)
            }
            #expect(book.broken)
            await ws.disconnect()
        }
    }

    @Test func delayedRepliesAndMalformedFrames() async throws {
        try await withFMex(flow: false) { h in
            h.exchange.faults.setPlan(FaultPlan(responseDelayMillis: 300))
            let ws = try await h.connect()
            _ = try await ws.next { $0["type"].string == "hello" }
            let start = ContinuousClock.now
            ws.send(#"{"cmd":"ping","args":[1],"id":"slow"}"#)
            _ = try await ws.next { $0["id"].string == "slow" }
            #expect(ContinuousClock.now - start >= .milliseconds(280))
            h.exchange.faults.setPlan(FaultPlan(malformedEvery: 1))
            ws.send(#"{"cmd":"ping","args":[1],"id":"bad"}"#)
            _ = try await ws.next { $0["id"].string == "bad" }
            #expect(ws.texts.items.contains { TJ.parse($0).description.hasPrefix("<invalid") })
            await ws.disconnect()
        }
    }

    @Test func forcedDisconnectAndRESTRateLimit() async throws {
        try await withFMex(flow: false) { h in
            h.exchange.faults.setPlan(FaultPlan(forceDisconnectAfterSeconds: 0.3))
            let ws = try await h.user(1)
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.events.items.contains("close:1001"))
            h.exchange.faults.setPlan(FaultPlan(rateLimitAfterRequests: 2, rateLimitWindowSeconds: 60))
            #expect(try await h.rest("GET", "/v3/contracts/accounts").status == 200)
            #expect(try await h.rest("GET", "/v3/contracts/accounts").status == 200)
            let limited = try await h.rest("GET", "/v3/contracts/accounts")
            #expect(limited.status == 429 && limited.json["status"].int == 429)
        }
    }
}
