import HFTCore
@testable import HFTSimulator
import Testing

@Suite("Kraken fault injection")
struct KrakenFaultInjectionTests {
    @Test func corruptChecksumOnTheNthBookMessage() async throws {
        try await withKraken { h in
            h.exchange.faults.setPlan(FaultPlan(corruptChecksumEvery: 2), forEndpoint: "ws")
            _ = try h.exchange.placeOrder(AccountID(1), .limit(btcUSD, .buy, quantity: "1.0", price: "79000.0"))
            let ws = try await h.connect()
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"]},"req_id":1}"#)
            _ = try await ws.next(where: { $0.channel == "book" })
            for i in 0..<3 {
                _ = try h.exchange.placeOrder(AccountID(1), .limit(btcUSD, .sell, quantity: "1.0", price: FixedDecimal(mantissa: Int128(800_000 + i), scale: 1)))
            }
            let texts = try await ws.texts.wait("4 book messages") { $0.filter { $0.hasPrefix(#"{"channel":"book""#) }.count == 4 }
            var book = TestBook(depth: 10)
            var matches: [Bool] = []
            for m in texts.map(TJ.parse) where m.channel == "book" {
                book.apply(m["data"][0], snapshot: m["type"].string == "snapshot")
                matches.append(UInt32(m["data"][0]["checksum"].int!) == book.checksum)
            }
            // Book messages 2 and 4 carry a wrong checksum; their data is right.
            #expect(matches == [true, false, true, false])
            await ws.disconnect()
        }
    }

    @Test func dropAfterNMessagesClosesTheSocket() async throws {
        try await withKraken { h in
            h.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 2), forEndpoint: "ws")
            let ws = try await h.connect()                 // 1: status
            ws.send(#"{"method":"ping","req_id":1}"#)
            #expect(TJ.parse(try await ws.next()).method == "pong")   // 2: pong
            ws.send(#"{"method":"ping","req_id":2}"#)        // 3rd message: dropped with the connection
            try await ws.waitClosed()
            #expect(ws.texts.items.count == 2)
            #expect(!ws.events.items.contains { $0.hasPrefix("close:") })   // no close frame: abrupt
            // The auth endpoint is unaffected.
            let auth = try await h.connect("ws-auth")
            auth.send(#"{"method":"ping","req_id":3}"#)
            auth.send(#"{"method":"ping","req_id":4}"#)
            _ = try await auth.next(where: { $0["req_id"].int == 4 })
            await auth.disconnect()
        }
    }

    @Test func rateLimitRepliesThenCloses() async throws {
        try await withKraken { h in
            h.exchange.faults.setPlan(FaultPlan(rateLimitAfterRequests: 3, rateLimitWindowSeconds: 60), forEndpoint: "ws")
            let ws = try await h.connect()
            for i in 1...5 { ws.send(#"{"method":"ping","req_id":\#(i)}"#) }
            try await ws.waitClosed()
            let texts = ws.texts.items.dropFirst()
            #expect(texts.count == 4)
            #expect(texts.last == #"{"Error":"Exceeded msg rate"}"#)
            #expect(ws.events.items.contains("close:1000"))
        }
    }

    @Test func stallKeepsTheSocketButSendsNothing() async throws {
        try await withKraken { h in
            h.exchange.faults.setPlan(FaultPlan(stallAfterMessages: 1), forEndpoint: "ws")
            let ws = try await h.connect()
            ws.send(#"{"method":"ping","req_id":1}"#)
            await #expect(throws: KrakenWaitTimeout.self) { _ = try await ws.next(timeout: .milliseconds(300)) }
            #expect(!ws.events.items.contains("closed"))
            await ws.disconnect()
        }
    }

    @Test func malformedFrameBeforeTheNthMessageAndDelayedResponses() async throws {
        try await withKraken { h in
            h.exchange.faults.setPlan(FaultPlan(responseDelayMillis: 150, malformedEvery: 2), forEndpoint: "ws")
            let ws = try await h.connect()
            let start = ContinuousClock.now
            ws.send(#"{"method":"ping","req_id":1}"#)
            let texts = try await ws.texts.wait("pong") { $0.contains { $0.contains("pong") } }
            #expect(ContinuousClock.now - start >= .milliseconds(150))
            // status, then the malformed frame, then the pong (message 2).
            #expect(texts.count == 3 && texts[1] == String(decoding: FaultDecider.malformedFrame, as: UTF8.self))
            #expect(TJ.parse(texts[2]).method == "pong")
            await ws.disconnect()
        }
    }

    @Test func forcedDisconnect() async throws {
        try await withKraken { h in
            h.exchange.faults.setPlan(FaultPlan(forceDisconnectAfterSeconds: 0.2), forEndpoint: "ws")
            let ws = try await h.connect()
            try await ws.waitClosed(timeout: .seconds(5))
            #expect(ws.events.items.contains("close:1001"))
        }
    }

    @Test func skippedBookUpdateShowsInTheNextChecksum() async throws {
        try await withKraken { h in
            h.exchange.faults.setPlan(FaultPlan(skipSequenceEvery: 2), forEndpoint: "ws")
            let ws = try await h.connect()
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"]},"req_id":1}"#)
            _ = try await ws.next(where: { $0.channel == "book" })
            for i in 0..<2 {
                _ = try h.exchange.placeOrder(AccountID(1), .limit(btcUSD, .sell, quantity: "1.0", price: FixedDecimal(mantissa: Int128(800_000 + i), scale: 1)))
            }
            // Update 1 arrives; update 2 is lost.
            _ = try await ws.next(where: { $0.channel == "book" })
            _ = try h.exchange.placeOrder(AccountID(1), .limit(btcUSD, .sell, quantity: "1.0", price: "80010.0"))
            try await ws.texts.wait("third update") { $0.filter { $0.hasPrefix(#"{"channel":"book""#) }.count == 3 }
            let r = TestBook.replay(ws.texts.items, symbol: "BTC/USD", depth: 10)
            #expect(!r.checksumsOK)
            await ws.disconnect()
        }
    }
}
