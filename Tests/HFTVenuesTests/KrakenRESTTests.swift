import HFTCore
import Testing
@testable import HFTVenues

@Suite struct KrakenRESTTests {
    static let credentials = try! KrakenCredentials(apiKey: "PUBLIC-KEY-abcdef", secret: KrakenSignerTests.secret)

    @Test func tokenRequestIsSignedOverTheExactBody() throws {
        let r = KrakenREST.getWebSocketsToken(credentials: Self.credentials, nonce: 1_616_492_376_594)
        #expect(r.method == "POST" && r.url == "https://api.kraken.com/0/private/GetWebSocketsToken")
        #expect(r.bodyText == "nonce=1616492376594")
        #expect(r.header("API-Key") == "PUBLIC-KEY-abcdef")
        #expect(r.header("content-type") == "application/x-www-form-urlencoded")
        let expected = Self.credentials.signer.sign(path: "/0/private/GetWebSocketsToken", nonce: "1616492376594", postData: "nonce=1616492376594")
        #expect(r.header("API-Sign") == expected)
        // The signing path is the same K1 computation (checked against Kraken's vector there).
        let k1 = KrakenREST.privatePost("/0/private/AddOrder", fields: [("ordertype", "limit"), ("pair", "XBTUSD"), ("price", "37500"), ("type", "buy"), ("volume", "1.25")],
                                        credentials: Self.credentials, nonce: 1_616_492_376_594)
        #expect(k1.bodyText == KrakenSignerTests.postData)
        #expect(k1.header("API-Sign") == KrakenSignerTests.expected)
        // Logs never show the key or the signature.
        #expect(!r.description.contains("PUBLIC-KEY") && !r.description.contains(expected))
        var dumped = ""
        dump(r, to: &dumped)
        #expect(!dumped.contains("PUBLIC-KEY") && !dumped.contains(expected))
        let otp = KrakenREST.getWebSocketsToken(credentials: Self.credentials, nonce: 5, otp: "12 34&")
        #expect(otp.bodyText == "nonce=5&otp=12%2034%26")
    }

    @Test func tokenResponse() throws {
        let t = try KrakenREST.parseWebSocketsToken(Array(#"{"error":[],"result":{"token":"1Dwc4lzSwNWOAwkMdqhssNNFhs1ed606d1WcF3XfEMw","expires":900}}"#.utf8))
        #expect(t.token == "1Dwc4lzSwNWOAwkMdqhssNNFhs1ed606d1WcF3XfEMw" && t.expiresSeconds == 900)
        #expect(!t.description.contains("1Dwc4lz"))
    }

    @Test func errorArraysBecomeTypedErrors() {
        let cases: [(String, KrakenError.Kind, HFTError)] = [
            ("EAPI:Invalid key", .invalidKey, .authenticationFailed("EAPI:Invalid key")),
            ("EAPI:Invalid nonce", .invalidNonce, .authenticationFailed("EAPI:Invalid nonce")),
            ("EAPI:Invalid signature", .invalidSignature, .authenticationFailed("EAPI:Invalid signature")),
            ("EGeneral:Permission denied", .permissionDenied, .authenticationFailed("EGeneral:Permission denied")),
            ("EGeneral:Temporary lockout", .temporaryLockout, .authenticationFailed("EGeneral:Temporary lockout")),
            ("EAPI:Rate limit exceeded", .rateLimited, .rateLimited(retryAfterMicros: nil)),
            ("EService:Throttled: 1700000000", .rateLimited, .rateLimited(retryAfterMicros: nil)),
        ]
        for (text, kind, hft) in cases {
            let body = Array(#"{"error":["\#(text)"]}"#.utf8)
            #expect(throws: KrakenRESTError.venue([KrakenError(text)])) { try KrakenREST.parseWebSocketsToken(body) }
            #expect(KrakenError(text).kind == kind)
            #expect(KrakenRESTError.venue([KrakenError(text)]).hftError == hft)
        }
        #expect(throws: KrakenRESTError.self) { try KrakenREST.parseWebSocketsToken(Array("<html>502</html>".utf8)) }
        #expect(throws: KrakenRESTError.malformed("no result")) { try KrakenREST.parseWebSocketsToken(Array(#"{"error":[]}"#.utf8)) }
        #expect(throws: KrakenRESTError.malformed("result.token missing")) { try KrakenREST.parseWebSocketsToken(Array(#"{"error":[],"result":{}}"#.utf8)) }
        // Warnings (`W…`) in the array are not errors.
        #expect(throws: Never.self) { try KrakenREST.parseWebSocketsToken(Array(#"{"error":["WGeneral:Deprecated"],"result":{"token":"x","expires":900}}"#.utf8)) }
        // Token expiry on the WS side asks for a new token.
        #expect(KrakenError("EAPI:Invalid token").requiresNewToken && KrakenError("ESession:Invalid session").requiresNewToken)
        #expect(KrakenError("EOrder:Rate limit exceeded").hftError == .rateLimited(retryAfterMicros: nil))
        #expect(KrakenError("EOrder:Post only order").kind == .postOnlyWouldTake)
        #expect(KrakenError("EService:Market in cancel_only mode").kind == .marketMode)
    }

    @Test func assetPairsAndAssets() throws {
        let pairs = #"""
        {"error":[],"result":{
          "XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","aclass_base":"currency","base":"XXBT","aclass_quote":"currency","quote":"ZUSD","lot":"unit","cost_decimals":5,"pair_decimals":1,"lot_decimals":8,"lot_multiplier":1,"leverage_buy":[2,3],"leverage_sell":[2,3],"fees":[[0,0.4]],"fees_maker":[[0,0.25]],"fee_volume_currency":"ZUSD","margin_call":80,"margin_stop":40,"ordermin":"0.00005","costmin":"0.5","tick_size":"0.1","status":"online"},
          "XETHZUSD":{"altname":"ETHUSD","wsname":"ETH/USD","base":"XETH","quote":"ZUSD","pair_decimals":2,"lot_decimals":8,"cost_decimals":6,"ordermin":"0.002","costmin":"0.5","tick_size":"0.01","status":"online"},
          "XXBTZUSD.d":{"altname":"XBTUSD.d","base":"XXBT","quote":"ZUSD","pair_decimals":1,"lot_decimals":8}
        }}
        """#
        let list = try KrakenREST.parseAssetPairs(Array(pairs.utf8))
        #expect(list.map(\.symbol) == ["BTC/USD", "ETH/USD"])
        let btc = list[0]
        #expect(btc.precision == KrakenTestSupport.btcusd && btc.base == "BTC" && btc.quote == "USD")
        #expect(btc.qtyMin?.description == "0.00005" && btc.priceIncrement == "0.1" && btc.costMin == "0.5" && btc.costPrecision == 5)
        let registry = KrakenInstruments(pairs: list)
        #expect(registry.precision(for: "ETH/USD") == KrakenPrecision(price: 2, qty: 8))

        let assets = #"{"error":[],"result":{"XXBT":{"aclass":"currency","altname":"XBT","decimals":10,"display_decimals":5,"collateral_value":1,"status":"enabled"},"ZUSD":{"aclass":"currency","altname":"USD","decimals":4,"display_decimals":2,"status":"enabled"}}}"#
        let a = try KrakenREST.parseAssets(Array(assets.utf8))
        #expect(a == [KrakenAsset(id: "BTC", precision: 10, displayPrecision: 5, restName: "XXBT"),
                      KrakenAsset(id: "USD", precision: 4, displayPrecision: 2, restName: "ZUSD")])
        #expect(throws: KrakenRESTError.self) { try KrakenREST.parseAssets(Array(#"{"error":[],"result":{"X":{"altname":"X"}}}"#.utf8)) }
        #expect(throws: KrakenRESTError.venue([KrakenError("EGeneral:Unknown asset pair")])) {
            try KrakenREST.parseAssetPairs(Array(#"{"error":["EGeneral:Unknown asset pair"]}"#.utf8))
        }
    }

    @Test func publicRequests() {
        #expect(KrakenREST.assetPairs().url == "https://api.kraken.com/0/public/AssetPairs")
        #expect(KrakenREST.assetPairs(["XBTUSD", "ETHUSD"]).url == "https://api.kraken.com/0/public/AssetPairs?pair=XBTUSD%2CETHUSD")
        #expect(KrakenREST.assets(["XBT"]).url == "https://api.kraken.com/0/public/Assets?asset=XBT" && KrakenREST.assets().method == "GET")
    }
}
