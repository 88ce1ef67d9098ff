import Crypto
import Foundation
import HFTCore
@testable import HFTSimulator
import Testing

/// API-Sign computed here from the notes (§3.1), independently of the simulator's signer.
func referenceSign(path: String, nonce: String, postData: String, secret: String) -> String {
    let key = SymmetricKey(data: Data(base64Encoded: secret)!)
    let inner = Data(SHA256.hash(data: Data((nonce + postData).utf8)))
    let mac = HMAC<SHA512>.authenticationCode(for: Data(path.utf8) + inner, using: key)
    return Data(mac).base64EncodedString()
}

@Suite("Kraken REST")
struct KrakenRESTTests {
    // vectors.md K1
    let k1Secret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
    let k1Nonce = "1616492376594"
    let k1PostData = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
    let k1Path = "/0/private/AddOrder"
    let k1Sign = "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="

    @Test func k1VectorAcceptedByVerifier() {
        #expect(referenceSign(path: k1Path, nonce: k1Nonce, postData: k1PostData, secret: k1Secret) == k1Sign)
        #expect(KrakenSigner.sign(path: k1Path, nonce: k1Nonce, postData: k1PostData, secret: KrakenBase64.decode(k1Secret)!) == k1Sign)
        #expect(KrakenSigner.verify(signature: k1Sign, path: k1Path, nonce: k1Nonce, postData: k1PostData, secret: k1Secret))
        var tampered = Array(k1Sign.utf8)
        tampered[5] = tampered[5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(!KrakenSigner.verify(signature: String(decoding: tampered, as: UTF8.self), path: k1Path, nonce: k1Nonce,
                                     postData: k1PostData, secret: k1Secret))
        #expect(!KrakenSigner.verify(signature: k1Sign, path: k1Path, nonce: "1616492376595", postData: k1PostData, secret: k1Secret))
        #expect(KrakenBase64.decode("c2ltLXNlY3JldC0x") == Array("sim-secret-1".utf8))
        #expect(KrakenBase64.decode("not base64!") == nil)
    }

    @Test func tokenNeedsKeySignatureAndIncreasingNonce() async throws {
        try await withKraken { h in
            let url = h.endpoints["rest"]! + KrakenREST.tokenPath
            let creds = SimCredentials.simDefault(1)
            func post(key: String, nonce: UInt64, secret: String) async throws -> TJ {
                let body = "nonce=\(nonce)"
                let sign = referenceSign(path: KrakenREST.tokenPath, nonce: "\(nonce)", postData: body, secret: secret)
                let r = try await rawHTTP("POST", url, headers: [("API-Key", key), ("API-Sign", sign),
                                                                 ("Content-Type", "application/x-www-form-urlencoded")], body: body)
                #expect(r.status == 200)
                return TJ.parse(r.body)
            }
            let ok = try await post(key: creds.apiKey, nonce: 1_000, secret: creds.apiSecret)
            #expect(ok["error"].array.isEmpty)
            #expect(ok["result"]["token"].string?.count == 43)
            #expect(ok["result"]["expires"].int == 900)
            #expect(ok["result"].keys == ["token", "expires"])

            let badSign = try await post(key: creds.apiKey, nonce: 1_001, secret: SimCredentials.simDefault(2).apiSecret)
            #expect(badSign.description == #"{"error":["EAPI:Invalid signature"]}"#)
            let badKey = try await post(key: "nobody", nonce: 1_002, secret: creds.apiSecret)
            #expect(badKey["error"][0].string == "EAPI:Invalid key")
            let staleNonce = try await post(key: creds.apiKey, nonce: 999, secret: creds.apiSecret)
            #expect(staleNonce["error"][0].string == "EAPI:Invalid nonce")
            let sameNonce = try await post(key: creds.apiKey, nonce: 1_000, secret: creds.apiSecret)
            #expect(sameNonce["error"][0].string == "EAPI:Invalid nonce")
            // A rejected signature did not burn the nonce it carried.
            let next = try await post(key: creds.apiKey, nonce: 1_001, secret: creds.apiSecret)
            #expect(next["result"]["token"].string != nil)
            // Another key has its own nonces.
            let other = try await post(key: "sim-key-2", nonce: 5, secret: SimCredentials.simDefault(2).apiSecret)
            #expect(other["result"]["token"].string != nil)

            let unsigned = try await rawHTTP("POST", url, headers: [("API-Key", creds.apiKey)], body: "nonce=2000")
            #expect(TJ.parse(unsigned.body)["error"][0].string == "EAPI:Invalid signature")
        }
    }

    @Test func assetPairsAndAssets() async throws {
        try await withKraken { h in
            let pairs = TJ.parse(try await rawHTTP("GET", h.endpoints["rest"]! + "/0/public/AssetPairs").body)
            #expect(pairs["error"].array.isEmpty)
            let btc = pairs["result"]["XXBTZUSD"]
            #expect(btc["altname"].string == "XBTUSD")
            #expect(btc["wsname"].string == "XBT/USD")
            #expect(btc["base"].string == "XXBT" && btc["quote"].string == "ZUSD")
            #expect(btc["pair_decimals"].int == 1 && btc["lot_decimals"].int == 8 && btc["cost_decimals"].int == 8)
            #expect(btc["ordermin"].string == "0.0001" && btc["costmin"].string == "0.5" && btc["tick_size"].string == "0.1")
            #expect(btc["fees"][0][1].raw == "0.26" && btc["fees_maker"][0][1].raw == "0.16")
            #expect(pairs["result"]["XETHZUSD"]["pair_decimals"].int == 2)

            let one = TJ.parse(try await rawHTTP("GET", h.endpoints["rest"]! + "/0/public/AssetPairs?pair=ETHUSD").body)
            #expect(one["result"].keys == ["XETHZUSD"])
            let unknown = TJ.parse(try await rawHTTP("GET", h.endpoints["rest"]! + "/0/public/AssetPairs?pair=DOGEUSD").body)
            #expect(unknown["error"][0].string == "EQuery:Unknown asset pair")

            let assets = TJ.parse(try await rawHTTP("GET", h.endpoints["rest"]! + "/0/public/Assets").body)
            #expect(assets["result"]["XXBT"]["altname"].string == "XBT")
            #expect(assets["result"]["ZUSD"]["decimals"].int == 8)
        }
    }

    @Test func restRateLimitFault() async throws {
        try await withKraken { h in
            h.exchange.faults.setPlan(FaultPlan(rateLimitAfterRequests: 2, rateLimitWindowSeconds: 60), forEndpoint: "rest")
            let url = h.endpoints["rest"]! + KrakenREST.tokenPath
            var errors: [String] = []
            for _ in 0..<3 {
                let r = try await rawHTTP("POST", url, headers: [("API-Key", "nobody")], body: "nonce=1")
                errors.append(TJ.parse(r.body)["error"][0].string ?? "")
            }
            #expect(errors == ["EAPI:Invalid key", "EAPI:Invalid key", "EAPI:Rate limit exceeded"])
        }
    }
}
