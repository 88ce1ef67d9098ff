import Foundation
import HFTCore
@testable import HFTSimulator
import Testing

/// The FMex front-end's connection protocol (protocols/fmex.md §1–§4): signature, hello,
/// ping, private-socket authentication, `sub`/`unsub` replies and errors.
@Suite(.serialized) struct FMexProtocolTests {
    @Test func registeredAsBuiltIn() {
        #expect(VenueSimulators.available.contains(.fmex))
        let ex = try? SimulatedExchange(config: .preset(for: .fmex))
        #expect(ex.map { VenueSimulators.factories[.fmex]?($0) is FMexSimulator } == true)
    }

    /// vectors.md F1 (FMex testnet doc) and F3 (FCoin doc + Go SDK).
    @Test func signatureKnownAnswers() {
        let body = #"{"symbol":"btcusd_p","type":"limit","direction":"short","source":"WEB","price":5500,"quantity":100}"#
        let form = FMexSigner.bodyForm(Array(body.utf8))
        #expect(form == "direction=short&price=5500&quantity=100&source=WEB&symbol=btcusd_p&type=limit")
        let f1 = FMexSigner.prehash(method: "POST", url: "https://api.testnet.fmex.com/v3/contracts/orders",
                                    timestamp: "1571109222426", body: form ?? "")
        #expect(f1 == "POSThttps://api.testnet.fmex.com/v3/contracts/orders1571109222426direction=short&price=5500&quantity=100&source=WEB&symbol=btcusd_p&type=limit")
        #expect(SimCredentials.base64(Array(f1.utf8)) == "UE9TVGh0dHBzOi8vYXBpLnRlc3RuZXQuZm1leC5jb20vdjMvY29udHJhY3RzL29yZGVyczE1NzExMDkyMjI0MjZkaXJlY3Rpb249c2hvcnQmcHJpY2U9NTUwMCZxdWFudGl0eT0xMDAmc291cmNlPVdFQiZzeW1ib2w9YnRjdXNkX3AmdHlwZT1saW1pdA==")
        #expect(FMexSigner.sign(secret: "ebfaeef06e2e49e1bc7e535c2766bbe6", prehash: f1) == "g6vFomL3T3pOhCugUNo/UcaLxTw=")

        let f3Body = #"{"type":"limit","side":"buy","amount":"100.0","price":"100.0","symbol":"btcusdt"}"#
        let f3 = FMexSigner.prehash(method: "post", url: "https://api.fcoin.com/v2/orders", timestamp: "1523069544359",
                                    body: FMexSigner.bodyForm(Array(f3Body.utf8)) ?? "")
        #expect(f3 == "POSThttps://api.fcoin.com/v2/orders1523069544359amount=100.0&price=100.0&side=buy&symbol=btcusdt&type=limit")
        #expect(FMexSigner.sign(secret: "3600d0a74aa3410fb3b1996cca2419c8", prehash: f3) == "DeP6oftldIrys06uq3B7Lkh3a0U=")
        // Wrong secret, wrong order: different signatures.
        #expect(FMexSigner.sign(secret: "x", prehash: f3) != "DeP6oftldIrys06uq3B7Lkh3a0U=")
        #expect(FMexSigner.prehash(method: "GET", url: "https://h/p", query: "symbol=x&a=1", timestamp: "5") == "GEThttps://h/p?a=1&symbol=x5")
        #expect(FMexSigner.bodyForm(Array("{\"a\":".utf8)) == nil)
        #expect(FMexSigner.bodyForm([]) == "")
    }

    @Test func helloThenPingReply() async throws {
        try await withFMex { h in
            #expect(h.endpoints["ws"]!.hasSuffix("/v2/ws") && h.endpoints["ws-user"]!.hasSuffix("/v2/user/ws"))
            let ws = try await h.connect()
            let hello = TJ.parse(try await ws.next())
            #expect(hello.keys == ["type", "ts"] && hello["type"].string == "hello")
            let sent = WallClock.milliseconds() - 40
            ws.send(#"{"cmd":"ping","args":[\#(sent)],"id":"sample.client.id"}"#)
            let pong = try await ws.next { $0["type"].string == "ping" }
            #expect(pong.keys == ["id", "type", "ts", "gap"])
            #expect(pong["id"].string == "sample.client.id")
            let ts = try #require(pong["ts"].int), gap = try #require(pong["gap"].int)
            #expect(gap == ts - sent && gap >= 40 && gap < 10_000)
            await ws.disconnect()
        }
    }

    @Test func noPingClosesTheSocketPingsKeepItOpen() async throws {
        try await withFMex(options: FMexOptions(pingTimeout: .milliseconds(1_500))) { h in
            let quiet = try await h.connect()
            let busy = try await h.connect()
            // Pings every 100 ms until the quiet socket is closed: a 15× margin on a loaded machine.
            let pinger = Task {
                while !Task.isCancelled {
                    busy.send(#"{"cmd":"ping","args":[1],"id":"p"}"#)
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { pinger.cancel() }
            try await quiet.waitClosed(timeout: .seconds(20))
            #expect(quiet.events.items.contains("close:1000"))
            #expect(!busy.events.items.contains("closed"))
            await busy.disconnect()
        }
    }

    @Test func privateSocketAcceptsValidSignatures() async throws {
        try await withFMex(flow: false) { h in
            // Signed over the production host, over the simulator's own host (https and http).
            for base in ["https://api.fmex.com", "https://" + h.hostPort, "http://" + h.hostPort] {
                let ws = try await RawWebSocket.connect(h.userURL(signedBase: base))
                let hello = try await ws.next { $0["type"].string == "hello" }
                #expect(hello["ts"].int != nil)
                await ws.disconnect()
            }
            // A raw (unescaped) signature containing `+`: the query decoder's space is read back as `+`.
            var ts = WallClock.milliseconds()
            var url = h.userURL(timestamp: ts, escape: false)
            while !url.contains("+") {
                ts -= 1
                url = h.userURL(timestamp: ts, escape: false)
            }
            let ws = try await RawWebSocket.connect(url)
            _ = try await ws.next { $0["type"].string == "hello" }
            await ws.disconnect()
        }
    }

    @Test func privateSocketRefusesBadCredentialsWith401() async throws {
        try await withFMex(flow: false) { h in
            let stale = WallClock.milliseconds() - 60_000
            let urls = [h.userURL(secret: "wrong-secret"), h.userURL(timestamp: stale),
                        h.userURL().replacingKey("sim-key-1", with: "nobody"),
                        h.endpoints["ws-user"]!]
            for url in urls {
                let http = url.replacingPrefix("ws://", with: "http://")
                let r = try await rawHTTP("GET", http)
                #expect(r.status == 401)
                let body = TJ.parse(r.body)
                #expect(body["status"].int == 401 && body["msg"].string == "wrong API key, signature or timestamp")
                await #expect(throws: (any Error).self) { _ = try await RawWebSocket.connect(url) }
            }
            #expect(h.simulator.connectionCount == 0)
        }
    }

    @Test func subscribeAcksUnsubscribeAndTopicErrors() async throws {
        try await withFMex { h in
            let ws = try await h.connect()
            ws.send(#"{"cmd":"sub","args":["ticker.btcusd_p","depth.L20.btcusd_p"],"id":"s1"}"#)
            let ack = try await ws.next { $0["type"].string == "topics" }
            #expect(ack.keys == ["id", "type", "topics"] && ack["id"].string == "s1")
            #expect(ack["topics"].array.compactMap(\.string) == ["ticker.btcusd_p", "depth.L20.btcusd_p"])
            // Without id: no id in the ack.
            ws.send(#"{"cmd":"sub","args":["trade.btcusd_p"]}"#)
            let ack2 = try await ws.next { $0["type"].string == "topics" }
            #expect(ack2.keys == ["type", "topics"])
            // Errors: unknown topic, wrong level case, unknown symbol, private topic on the public socket, > 20 topics.
            for (topic, id) in [("xxx.M1.xxx", "e1"), ("depth.l20.btcusd_p", "e2"), ("ticker.ethusd_p", "e3"),
                                ("account", "e4"), ("candle.m1.btcusd_p", "e5")] {
                ws.send(#"{"cmd":"sub","args":["\#(topic)"],"id":"\#(id)"}"#)
                let e = try await ws.next { $0["id"].string == id }
                #expect(e.keys == ["id", "status", "msg"])
                #expect(e["status"].int == 41002 && e["msg"].string == "invalid sub topic, " + topic)
            }
            let many = (0..<21).map { _ in #""ticker.btcusd_p""# }.joined(separator: ",")
            ws.send(#"{"cmd":"sub","args":[\#(many)],"id":"e6"}"#)
            #expect(try await ws.next { $0["id"].string == "e6" }["status"].int == 41002)
            // unsub answers with what is left.
            ws.send(#"{"cmd":"unsub","args":["ticker.btcusd_p"],"id":"u1"}"#)
            let left = try await ws.next { $0["id"].string == "u1" }
            #expect(left["type"].string == "topics")
            #expect(left["topics"].array.compactMap(\.string) == ["depth.L20.btcusd_p", "trade.btcusd_p"])
            await ws.disconnect()
        }
    }

    @Test func malformedFramesGetAnErrorReplyAndTheSocketLives() async throws {
        try await withFMex(flow: false) { h in
            let ws = try await h.connect()
            ws.send(#"{"id":"11111","cmd":"sub","args":["ticker.btcusd_p"],}"#)  // the doc's trailing comma
            let e1 = try await ws.next { $0["status"].int != nil }
            #expect(e1["status"].int == 400 && e1["msg"].string?.hasPrefix("invalid request") == true)
            ws.send(#"{"cmd":"fly","args":[],"id":"f"}"#)
            let e2 = try await ws.next { $0["id"].string == "f" }
            #expect(e2["status"].int == 400)
            ws.send(#"{"cmd":"sub","args":"ticker.btcusd_p","id":"g"}"#)
            #expect(try await ws.next { $0["id"].string == "g" }["status"].int == 400)
            ws.send(#"{"cmd":"sub","args":[42],"id":"h"}"#)
            #expect(try await ws.next { $0["id"].string == "h" }["status"].int == 41002)
            ws.send("not json at all")
            ws.send(#"{"cmd":"ping","args":[1],"id":"alive"}"#)
            #expect(try await ws.next { $0["id"].string == "alive" }["type"].string == "ping")
            await ws.disconnect()
        }
    }
}

extension String {
    func replacingPrefix(_ p: String, with r: String) -> String { hasPrefix(p) ? r + dropFirst(p.count) : self }

    /// Replaces the first occurrence of `key`.
    func replacingKey(_ key: String, with r: String) -> String {
        guard let range = range(of: key) else { return self }
        return replacingCharacters(in: range, with: r)
    }
}
