import Crypto
import Foundation
import HFTCore
@testable import HFTSimulator
import Testing

@Suite("Binance WS API auth", .serialized)
struct BinanceAuthTests {
    // vectors.md "Binance WS API HMAC", B1.
    static let b1Key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    static let b1Secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    static let b1Params: [(String, String)] = [
        ("symbol", "BTCUSDT"), ("side", "SELL"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.01000000"),
        ("price", "52000.00"), ("recvWindow", "100"), ("timestamp", "1645423376532"), ("apiKey", b1Key),
    ]
    static let b1Signature = "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"

    @Test func signatureVectorB1() {
        let payload = BinanceAuth.payload(Self.b1Params)
        #expect(payload == "apiKey=\(Self.b1Key)&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT"
                + "&timeInForce=GTC&timestamp=1645423376532&type=LIMIT")
        #expect(BinanceAuth.hmacHex(secret: Self.b1Secret, payload: payload) == Self.b1Signature)
        #expect(binanceHMAC(Self.b1Params, secret: Self.b1Secret) == Self.b1Signature)   // the test's own signer agrees
    }

    /// The B1 request, sent as the documentation shows it, is accepted at its own timestamp.
    @Test func signatureVectorB1OverTheWire() async throws {
        let clock = ManualClock(startMicros: 1_645_423_376_532_000 + 40_000)
        try await withBinance(clock: clock) { h in
            let account = try h.exchange.addAccount(AccountSetup(
                credentials: SimCredentials(apiKey: Self.b1Key, apiSecret: Self.b1Secret), balances: ["BTC": "1"]))
            let ws = try await h.api()
            let params = binanceParams(Self.b1Params + [("signature", Self.b1Signature)])
            let r = try await ws.call(1, "order.place", params)
            #expect(r["status"].int == 200, "\(r)")
            #expect(r["result"]["status"].string == "NEW")
            #expect(r["result"]["price"].string == "52000.00000000")
            #expect(h.exchange.openOrders(account).count == 1)
            // Upper-case hex is accepted too; one changed digit is not.
            let upper = try await ws.call(2, "order.place", binanceParams(Self.b1Params + [("signature", Self.b1Signature.uppercased())]))
            #expect(upper["status"].int == 200)
            var bad = Array(Self.b1Signature)
            bad[0] = "b"
            let r3 = try await ws.call(3, "order.place", binanceParams(Self.b1Params + [("signature", String(bad))]))
            #expect(r3["status"].int == 400)
            #expect(r3["error"]["code"].int == -1022)
            clock.advance(micros: 100_000)   // now 140 ms after the timestamp: outside recvWindow=100
            let r4 = try await ws.call(4, "order.place", params)
            #expect(r4["error"]["code"].int == -1021)
            #expect(r4["error"]["msg"].string == "Timestamp for this request is outside of the recvWindow.")
            await ws.disconnect()
        }
    }

    @Test func timestampAheadAndKeyErrors() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            let ahead = try await ws.signed(1, "order.status", [("symbol", "BTCUSDT"), ("orderId", "1")], timestamp: nowMillis() + 5_000)
            #expect(ahead["error"]["code"].int == -1021)
            #expect(ahead["error"]["msg"].string == "Timestamp for this request was 1000ms ahead of the server's time.")
            let old = try await ws.signed(2, "order.status", [("symbol", "BTCUSDT"), ("orderId", "1")], timestamp: nowMillis() - 6_000)
            #expect(old["error"]["code"].int == -1021)
            var p = [("symbol", "BTCUSDT"), ("apiKey", "no-such-key"), ("timestamp", String(nowMillis()))]
            p.append(("signature", binanceHMAC(p, secret: "x")))
            let unknown = try await ws.call(3, "openOrders.status", binanceParams(p))
            #expect(unknown["error"]["code"].int == -2015)
            let unsigned = try await ws.call(4, "openOrders.status", binanceParams([("symbol", "BTCUSDT"), ("timestamp", String(nowMillis()))]))
            #expect(unsigned["error"]["code"].int == -1102)
            await ws.disconnect()
        }
    }

    @Test func ed25519LogonStatusLogout() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            let before = try await ws.call(1, "session.status")
            #expect(before["result"]["apiKey"].isNull)
            #expect(before["result"]["authorizedSince"].isNull)
            let logon = try await ws.logon(2)
            #expect(logon["status"].int == 200, "\(logon)")
            #expect(logon["result"]["apiKey"].string == "sim-key-1")
            #expect(logon["result"]["userDataStream"].bool == false)
            #expect(logon["result"].keys == ["apiKey", "authorizedSince", "connectedSince", "returnRateLimits", "serverTime", "userDataStream"])
            // Logged on: no apiKey/signature, still a timestamp.
            let open = try await ws.call(3, "openOrders.status", binanceParams([("symbol", "BTCUSDT"), ("timestamp", String(nowMillis()))]))
            #expect(open["status"].int == 200)
            #expect(open["result"].array.isEmpty)
            let noTimestamp = try await ws.call(4, "openOrders.status", binanceParams([("symbol", "BTCUSDT")]))
            #expect(noTimestamp["error"]["code"].int == -1102)
            let out = try await ws.call(5, "session.logout")
            #expect(out["result"]["apiKey"].isNull)
            let after = try await ws.call(6, "openOrders.status", binanceParams([("symbol", "BTCUSDT"), ("timestamp", String(nowMillis()))]))
            #expect(after["status"].int == 400)
            await ws.disconnect()
        }
    }

    @Test func hmacLogonIsRefused() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            var p = [("apiKey", "sim-key-1"), ("timestamp", String(nowMillis()))]
            p.append(("signature", binanceHMAC(p, secret: SimCredentials.simDefault(1).apiSecret)))
            let r = try await ws.call(1, "session.logon", binanceParams(p))
            #expect(r["status"].int == 400)
            #expect(r["error"]["code"].int == -4056)
            // A wrong Ed25519 key (sim key 2's) for sim-key-1.
            var q = [("apiKey", "sim-key-1"), ("timestamp", String(nowMillis()))]
            q.append(("signature", try binanceEd25519(q, key: 2)))
            let wrong = try await ws.call(2, "session.logon", binanceParams(q))
            #expect(wrong["error"]["code"].int == -1022)
            await ws.disconnect()
        }
    }

    @Test func registeredEd25519KeyActsForItsAccount() async throws {
        try await withBinance { h in
            let key = Curve25519.Signing.PrivateKey()
            h.simulator.registerEd25519Key(apiKey: "my-ed-key", publicKey: Array(key.publicKey.rawRepresentation), account: AccountID(1))
            let ws = try await h.api()
            var p = [("apiKey", "my-ed-key"), ("timestamp", String(nowMillis()))]
            let payload = p.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            p.append(("signature", try key.signature(for: Data(payload.utf8)).base64EncodedString()))
            let r = try await ws.call(1, "session.logon", binanceParams(p))
            #expect(r["result"]["apiKey"].string == "my-ed-key")
            await ws.disconnect()
        }
    }

    @Test func simKeyPEMIsPKCS8OfTheDocumentedSeed() {
        let pem = BinanceSimKeys.ed25519PrivateKeyPEM(1)
        #expect(pem == "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGvhfkos1X+M2OEMVX6ttBmjS9rmVdcLLc2LJVUZgc3I\n-----END PRIVATE KEY-----\n")
        let b64 = pem.split(separator: "\n")[1]
        let der = Array(Data(base64Encoded: String(b64))!)
        #expect(Array(der.suffix(32)) == Array(SHA256.hash(data: Data("sim-ed25519-1".utf8))))
    }

    @Test func envelopeErrors() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            ws.send("{not json")
            let bad = try await ws.next(where: { $0["status"].int == 400 })
            #expect(bad["id"].isNull)
            #expect(bad["error"]["code"].int == -1135)
            let unknown = try await ws.call(7, "no.such.method")
            #expect(unknown["status"].int == 400)
            let ping = try await ws.call(8, "v3/ping")
            #expect(ping["status"].int == 200)
            #expect(ping["result"].keys.isEmpty)
            #expect(ping["rateLimits"][0]["rateLimitType"].string == "REQUEST_WEIGHT")
            ws.send(#"{"id":"abc-1","method":"time"}"#)
            let t = try await ws.next(where: { $0["id"].string == "abc-1" })
            #expect(t["result"]["serverTime"].int != nil)
            await ws.disconnect()
            let quiet = try await h.api("?returnRateLimits=false")
            let p = try await quiet.call(9, "ping")
            #expect(p["rateLimits"].isNull)
            let with = try await quiet.call(10, "ping", #"{"returnRateLimits":true}"#)
            #expect(with["rateLimits"].array.count == 1)
            await quiet.disconnect()
        }
    }

    @Test func microsecondTimeUnit() async throws {
        try await withBinance { h in
            let ws = try await h.api("?timeUnit=MICROSECOND")
            let t = try await ws.call(1, "time")
            let serverTime = t["result"]["serverTime"].int ?? 0
            #expect(serverTime > 1_000_000_000_000_000)   // µs since the epoch
            // Timestamps are read in µs too: a ms timestamp looks 50 years old.
            let ms = try await ws.signed(2, "openOrders.status", [("symbol", "BTCUSDT")], timestamp: nowMillis())
            #expect(ms["error"]["code"].int == -1021)
            let us = try await ws.signed(3, "openOrders.status", [("symbol", "BTCUSDT")], timestamp: WallClock.microseconds())
            #expect(us["status"].int == 200, "\(us)")
            await ws.disconnect()
        }
    }

    @Test func orderTestValidatesWithoutPlacing() async throws {
        try await withBinance { h in
            let ws = try await h.api()
            let ok = try await ws.signed(1, "order.test", [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                                                          ("quantity", "0.001"), ("price", "70000.00")])
            #expect(ok["status"].int == 200)
            #expect(ok["result"].keys.isEmpty)
            #expect(h.exchange.openOrders(AccountID(0)).isEmpty)
            let bad = try await ws.signed(2, "order.test", [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "STOP_LOSS"), ("quantity", "0.001")])
            #expect(bad["status"].int == 400)
            await ws.disconnect()
        }
    }
}
