import HFTCore
@testable import HFTSimulator
import NIOCore
import NIOPosix
import Testing

@Suite("Binance limits and faults", .serialized)
struct BinanceLimitsAndFaultsTests {
    @Test func requestWeight429Then418() async throws {
        let limits = BinanceRateLimitConfig(requestWeightPerMinute: 10, banAfterViolations: 3, firstBan: .seconds(120))
        try await withBinance(options: .init(rateLimits: limits)) { h in
            let ws = try await h.api()   // 2 weight
            var statuses: [Int64] = []
            // Until the ban (12 calls in one minute; a minute boundary in the middle resets the
            // weight, so keep calling, at most 40 times).
            for id in 1...40 where statuses.last != 418 {
                let r = try await ws.call(id, "ping")
                statuses.append(r["status"].int ?? 0)
                if r["status"].int == 429 {
                    #expect(r["error"]["code"].int == -1003)
                    #expect(r["error"]["data"]["retryAfter"].int! % 60_000 == 0)   // the next minute
                    #expect(r["error"]["data"]["retryAfter"].int! > r["error"]["data"]["serverTime"].int!)
                }
                if r["status"].int == 418 {
                    #expect(r["error"]["code"].int == -1003)
                    #expect(r["error"]["msg"].string?.hasPrefix("Way too much request weight used; IP banned until") == true)
                    #expect(r["error"]["data"]["retryAfter"].int! >= nowMillis() + 110_000)
                }
            }
            // 8 within the limit (2 + 8 = 10), two 429s, then the ban (more calls when a minute
            // boundary fell in the middle).
            let first429 = statuses.firstIndex(of: 429)
            #expect(first429 == nil || statuses.prefix(first429!).allSatisfy { $0 == 200 })
            #expect(statuses.last == 418)
            // REST shares the IP: banned too, with Retry-After.
            let rest = try await h.rest("/api/v3/time")
            #expect(rest.status == 418)
            #expect(TJ.parse(rest.body)["code"].int == -1003)
            await ws.disconnect()
        }
    }

    @Test func unfilledOrderCount429() async throws {
        try await withBinance(options: .init(rateLimits: .init(ordersPer10Seconds: 2))) { h in
            let ws = try await h.api()
            var codes: [Int64] = []
            for id in 1...3 {
                let r = try await ws.signed(id, "order.place", [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"),
                                                                ("timeInForce", "GTC"), ("quantity", "0.001"), ("price", "70000.00")])
                codes.append(r["status"].int ?? 0)
                if id == 3 && r["status"].int == 429 {     // not when a 10 s boundary reset the count
                    #expect(r["error"]["code"].int == -1015)
                    #expect(r["error"]["msg"].string == "Too many new orders; current limit is 2 orders per 10 SECOND.")
                    #expect(r["rateLimits"][1]["count"].int == 3)
                }
            }
            // A 10 s window boundary may fall between the requests.
            #expect(codes == [200, 200, 429] || codes.filter { $0 == 429 }.isEmpty)
            await ws.disconnect()
        }
    }

    @Test func restEndpoints() async throws {
        try await withBinance { h in
            _ = try h.rest(1, .buy, "0.01", at: "79000.00")
            let info = try await h.rest("/api/v3/exchangeInfo?symbol=BTCUSDT")
            #expect(info.status == 200)
            let s = TJ.parse(info.body)["symbols"][0]
            #expect(s["symbol"].string == "BTCUSDT")
            let filters = s["filters"].array
            #expect(filters.map { $0["filterType"].string ?? "" } == ["PRICE_FILTER", "LOT_SIZE", "NOTIONAL"])
            #expect(filters[0]["tickSize"].string == "0.01000000")
            #expect(filters[1]["stepSize"].string == "0.00001000")
            #expect(filters[1]["minQty"].string == "0.00001000")
            #expect(filters[2]["minNotional"].string == "5.00000000")
            let depth = try await h.rest("/api/v3/depth?symbol=BTCUSDT&limit=5")
            let d = TJ.parse(depth.body)
            #expect(d["bids"][0][0].string == "79000.00000000")
            #expect(d["lastUpdateId"].int == 1)
            let bad = try await h.rest("/api/v3/depth?symbol=NOPE")
            #expect(bad.status == 400)
            #expect(TJ.parse(bad.body)["code"].int == -1121)
            let time = try await h.rest("/api/v3/time")
            #expect(TJ.parse(time.body)["serverTime"].int != nil)
        }
    }

    @Test func restWeightHeader() async throws {
        try await withBinance(options: .init(rateLimits: .init(requestWeightPerMinute: 30))) { h in
            let (host, port, _) = splitURL(h.endpoints["rest"]!)
            let first = try await rawHTTPWithHead("http://\(host):\(port)/api/v3/depth?symbol=BTCUSDT&limit=100")
            #expect(first.head.contains("X-MBX-USED-WEIGHT-1M: "))
            _ = try await h.rest("/api/v3/depth?symbol=BTCUSDT&limit=500")   // 25 more
            let over = try await rawHTTPWithHead("http://\(host):\(port)/api/v3/depth?symbol=BTCUSDT")
            #expect(over.status == 429)
            #expect(over.head.contains("Retry-After: "))
        }
    }

    @Test func faultDropAfterAndStall() async throws {
        try await withBinance { h in
            h.exchange.faults.setPlan(FaultPlan(dropAfterMessages: 2), forEndpoint: "ws-api")
            let ws = try await h.api()
            _ = try await ws.call(1, "ping")
            _ = try await ws.call(2, "ping")
            ws.send(#"{"id":3,"method":"ping"}"#)
            try await ws.waitClosed()
            #expect(ws.texts.items.count == 2)
            #expect(!ws.events.items.contains { $0.hasPrefix("close:") })
            h.exchange.faults.setPlan(FaultPlan(stallAfterMessages: 1), forEndpoint: "ws-api")
            let stalled = try await h.api()
            _ = try await stalled.call(1, "ping")
            stalled.send(#"{"id":2,"method":"ping"}"#)
            try await Task.sleep(for: .milliseconds(300))
            #expect(stalled.texts.items.count == 1)
            #expect(!stalled.events.items.contains("closed"))
            await stalled.disconnect()
        }
    }

    @Test func faultDelayMalformedAndRateLimit() async throws {
        try await withBinance { h in
            h.exchange.faults.setPlan(FaultPlan(responseDelayMillis: 150), forEndpoint: "ws-api")
            let ws = try await h.api()
            let start = ContinuousClock.now
            _ = try await ws.call(1, "ping")
            #expect(ContinuousClock.now - start >= .milliseconds(140))
            await ws.disconnect()
            h.exchange.faults.setPlan(FaultPlan(malformedEvery: 2), forEndpoint: "ws-api")
            let bad = try await h.api()
            _ = try await bad.call(1, "ping")
            _ = try await bad.call(2, "ping")
            #expect(bad.texts.items.contains { TJ.parse($0).description.hasPrefix("<invalid") })
            await bad.disconnect()
            h.exchange.faults.setPlan(FaultPlan(rateLimitAfterRequests: 2, rateLimitWindowSeconds: 60), forEndpoint: "ws-api")
            let limited = try await h.api()
            _ = try await limited.call(1, "ping")
            _ = try await limited.call(2, "ping")
            let r = try await limited.call(3, "ping")
            #expect(r["status"].int == 429)
            #expect(r["error"]["code"].int == -1003)
            #expect(r["error"]["data"]["retryAfter"].int != nil)
            await limited.disconnect()
        }
    }

    @Test func faultSkipSequenceShowsAGap() async throws {
        try await withBinance { h in
            h.exchange.faults.setPlan(FaultPlan(skipSequenceEvery: 2), forEndpoint: "streams")
            let ws = try await h.stream("/ws/btcusdt@depth@100ms")
            var events: [TJ] = []
            for i in 0..<4 {
                _ = try h.rest(1, .buy, "0.01", at: FixedDecimal(mantissa: Int128(7_900_000 - i * 100), scale: 2))
                try await Task.sleep(for: .milliseconds(150))
            }
            while events.count < 2 { events.append(TJ.parse(try await ws.next(timeout: .seconds(3)))) }
            // Every second diff is withheld: the next one starts after a hole.
            #expect(events[1]["U"].int! > events[0]["u"].int! + 1)
            await ws.disconnect()
        }
    }

    @Test func forcedPeriodicDisconnect() async throws {
        try await withBinance { h in
            h.exchange.faults.setPlan(FaultPlan(forceDisconnectAfterSeconds: 0.3))
            let ws = try await h.stream("/ws/btcusdt@trade")
            let api = try await h.api()
            try await ws.waitClosed(timeout: .seconds(3))
            try await api.waitClosed(timeout: .seconds(3))
            #expect(ws.events.items.contains("close:1001"))
        }
    }

    @Test func connectionAttemptsLimit() async throws {
        try await withBinance(options: .init(rateLimits: .init(connectionsPer5Minutes: 2))) { h in
            let a = try await h.api()
            let b = try await h.stream("/ws/btcusdt@trade")
            await #expect(throws: (any Error).self) { _ = try await h.api() }
            let refused = try await h.rest("/ws-api/v3")
            #expect(refused.status == 429)
            await a.disconnect()
            await b.disconnect()
        }
    }
}

/// One GET; the status, the response head and the body.
func rawHTTPWithHead(_ url: String) async throws -> (status: Int, head: String, body: String) {
    let (host, port, path) = splitURL(url)
    let received = KrakenRecorder<[UInt8]>()
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { ch in
            ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(RawHTTPHandler(received: received)) }
        }
        .connect(host: host, port: port).get()
    try await channel.writeAndFlush(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n"))
    let all = try await received.wait("HTTP response", timeout: .seconds(10)) { $0.contains([]) }
    let text = String(decoding: all.dropLast().flatMap { $0 }, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw KrakenWaitTimeout(what: "HTTP head", seen: text) }
    return (Int(text.split(separator: " ")[1]) ?? 0, String(text[..<split.lowerBound]), String(text[split.upperBound...]))
}
