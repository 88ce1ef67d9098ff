import HFTCore
@testable import HFTVenues
import Testing

/// BGE codec: signatures (known answers computed with Python's hmac), request encoders,
/// decoders of every channel, error replies with BGE's code, garbage never crashing.
@Suite("BGE codec")
struct BGECodecTests {
    static let creds = try! BGECredentials(apiKey: "de0535f81d51c998b7fbcf00f189f294", secret: "fake-bge-secret")

    @Test func loginSignatureKnownAnswerAndFrame() throws {
        #expect(Self.creds.signer.loginSign(milliseconds: 1635065532000) == "vl/fYlteN0ozIJsxIAT8R74v+0XHoFAkuMcqxziB1nI=")
        let text = BGERequest.login(Self.creds, milliseconds: 1635065532000)
        #expect(text == #"{"event":"login","params":{"type":"api","access_key":"de0535f81d51c998b7fbcf00f189f294","access_sign":"vl/fYlteN0ozIJsxIAT8R74v+0XHoFAkuMcqxziB1nI=","access_timestamp":1635065532000}}"#)
        #expect(!"\(Self.creds)".contains("fake-bge-secret") && !"\(Self.creds.signer)".contains("fake-bge-secret"))
    }

    @Test func restSignatureKnownAnswerWithAndWithoutBasePath() throws {
        let order = BGENewOrder(product: "BTC_USDT", side: .buy, market: false, size: FixedDecimal("3.3"),
                                price: FixedDecimal("2.00"), clientOrderID: "QZ_2020-jj")
        #expect(order.json == #"{"product":"BTC_USDT","side":"buy","type":"limit","price":"2.00","size":"3.3","client_oid":"QZ_2020-jj"}"#)
        let r = BGEREST.newOrder(order, credentials: Self.creds, milliseconds: 1635065532000)
        #expect(r.url == "https://api.bg.exchange/hk/v1/orders" && r.method == "POST")
        #expect(r.headers.first { $0.0 == "ACCESS-SIGN" }?.1 == "e1dzDMaDP6IynFMBF1gW0eWOGn6jFvtHZ+nOCKkHE3Y=")
        #expect(r.headers.first { $0.0 == "ACCESS-TIMESTAMP" }?.1 == "1635065532000")
        #expect(!r.payload.contains("e1dzDM") && !r.payload.contains("de0535"))
        let c = BGEREST.cancelAll(product: "BTC_USDT", credentials: Self.creds, milliseconds: 1635065532000,
                                  signing: .init(includeBasePath: false))
        #expect(c.url == "https://api.bg.exchange/hk/v1/orders?product=BTC_USDT" && c.method == "DELETE")
        #expect(c.headers.first { $0.0 == "ACCESS-SIGN" }?.1 == "MpKUhM9H6gccKDjY3aYDmxxi8lkZ0OlnbHqkdMUw4uY=")
        #expect(BGEEndpoints.production.basePath == "/hk")
    }

    @Test func derivedFillPricesKeepTheOrderPriceScaleWhenExact() {
        #expect(BGEOrderTracker.atPriceScale("80000.12000000", of: "80000.12").description == "80000.12")
        #expect(BGEOrderTracker.atPriceScale("80000.12345678", of: "80000.12").description == "80000.12345678")
        #expect(BGEOrderTracker.atPriceScale("80000.12000000", of: nil).description == "80000.12000000")
    }

    @Test func requestEncoders() {
        #expect(BGERequest.subscribe(BGETopic(.orderbook, "BTC_USDT", interval: "0"))
                == #"{"event":"sub","biz":"market","type":"orderbook","product":"BTC_USDT","interval":"0","zip":false}"#)
        #expect(BGERequest.unsubscribe(BGETopic(.fills, "ETH_USDT"))
                == #"{"event":"unsub","biz":"market","type":"fills","product":"ETH_USDT","zip":false}"#)
        #expect(BGERequest.request(BGETopic(.assets, "BTC_USDT"), zip: true)
                == #"{"event":"req","biz":"exchange","type":"assets","product":"BTC_USDT","zip":true}"#)
        #expect(BGERequest.subscribe(BGETopic(.orders, "all")).contains(#""biz":"exchange","type":"orders","product":"all""#))
        #expect(BGERequest.pong(1635065532000) == #"{"pong":1635065532000}"#)
    }

    @Test func decodesOrderbookAndPercent10() throws {
        guard case .book(let b) = try BGEDecoder.decode(#"{"id":"1689143926","biz":"market","type":"orderbook","data":{"seq_id":112588640,"bids":[["3.7366","0.66"],["3.6866","0.98"]],"asks":[["3.9966","0.9"]]},"product":"BTC_USDT","interval":"0"}"#) else {
            Issue.record("not a book"); return
        }
        #expect(b.product == "BTC_USDT" && b.interval == "0" && b.seqID == 112588640)
        #expect(b.bids.map(\.price.description) == ["3.7366", "3.6866"] && b.asks.first?.quantity.description == "0.9")
        guard case .percent10(let p) = try BGEDecoder.decode(#"{"id":"1689143539","biz":"market","seq_id":112588640,"type":"percent10","data":{"bids":[["3.8646667","0"]],"asks":[["3.8685333","0"],["3.8704666","0"]],"seq_id":112588640},"product":"BTC_USDT"}"#) else {
            Issue.record("not percent10"); return
        }
        #expect(p.asks.count == 2 && p.bids[0].quantity.isZero && p.seqID == 112588640)
        // Empty sides are fine.
        guard case .book(let e) = try BGEDecoder.decode(#"{"biz":"market","type":"orderbook","data":{"bids":[],"asks":[]},"product":"BTC_USDT","interval":"0"}"#) else {
            Issue.record("not a book"); return
        }
        #expect(e.bids.isEmpty && e.asks.isEmpty)
    }

    @Test func decodesFillsTickerPushAndReq() throws {
        guard case .fills(let product, let fills) = try BGEDecoder.decode(#"{"id":"310529","biz":"market","type":"fills","data":[{"vol":"0.79","ts":1689152279117,"price":"3.4134","direction":"buy","id":310529000}],"product":"BTC_USDT"}"#) else {
            Issue.record("not fills"); return
        }
        #expect(product == "BTC_USDT" && fills == [BGEFill(id: 310529000, price: "3.4134", volume: "0.79", side: .buy, time: 1689152279117000)])
        let push = #"{"id":"1689144487","biz":"market","type":"ticker","product":"BTC_USDT","data":[{"id":1689144487,"seq_id":112588640,"open":"3.7366","close":"3.7367","high":"3.7366","low":"3.7366","filled_size":"0","vol":"0","count":0,"change":"0","change_percent":"0"}]}"#
        guard case .ticker(_, let t) = try BGEDecoder.decode(push) else { Issue.record("not a ticker"); return }
        #expect(t.close?.description == "3.7367" && t.seqID == 112588640)
        let req = #"{"biz":"market","type":"ticker","product":"BTC_USDT","ts":1,"code":200,"status":"OK","event":"req","data":{"open":"1","close":"2.5","high":"3","low":"1","filled_size":"10","vol":"4"}}"#
        guard case .ticker(_, let r) = try BGEDecoder.decode(req) else { Issue.record("req ticker"); return }
        #expect(r.close?.description == "2.5" && r.quoteVolume?.description == "10")
    }

    @Test func decodesAssetsAndOrders() throws {
        guard case .assets(_, let a) = try BGEDecoder.decode(#"{"biz":"exchange","type":"assets","product":"ETH_USDT","data":[{"currency":"USDT","available":"999970.5238","hold":"29.4762"},{"currency":"ETH","available":"1","hold":"0"}]}"#) else {
            Issue.record("not assets"); return
        }
        #expect(a.map(\.currency) == ["USDT", "ETH"] && a[0].hold.description == "29.4762")
        guard case .orders(let product, let o) = try BGEDecoder.decode(#"{"biz":"exchange","type":"orders","product":"all","data":[{"order_id":"179577241915696235","product":"BTC_USDT","side":"buy","price":"3.53340000","size":"1.00000000","filled_amount":"0.00000000","funds":"1.00000000","filled_size":"0.00000000","type":"limit","status":"1","client_oid":""}]}"#) else {
            Issue.record("not orders"); return
        }
        #expect(product == "all" && o[0].orderID == "179577241915696235" && o[0].product == "BTC_USDT")
        #expect(o[0].status == 1 && o[0].clientOrderID == nil && o[0].price?.description == "3.53340000")
        // Status mapping (bge.md §6).
        #expect(BGEOrderTracker.status(4, filled: .zero) == .open && BGEOrderTracker.status(5, filled: .zero) == .canceled)
        #expect(BGEOrderTracker.status(6, filled: .zero) == .rejected && BGEOrderTracker.status(3, filled: .zero) == .filled)
    }

    @Test func errorRepliesCarryBGECodes() throws {
        guard case .error(let e, _) = try BGEDecoder.decode(#"{"event":"login","code":40010,"msg":"API verification failed"}"#) else {
            Issue.record("not an error"); return
        }
        #expect(e.code == 40010 && e.text == "API verification failed" && e.isAuthentication)
        #expect(e.hftError == .authenticationFailed("40010: API verification failed"))
        guard case .error(let s, _) = try BGEDecoder.decode(#"{"event":"sub","code":"400","msg":"Invalid request: {}"}"#) else {
            Issue.record("not an error"); return
        }
        #expect(s.code == 400 && s.hftError == .venueRejected(code: "400", message: "Invalid request: {}"))
        guard case .error(let f, let ack) = try BGEDecoder.decode(#"{"biz":"exchange","type":"orders","product":"all","ts":1690362052646,"code":500,"status":"FAIL","event":"sub"}"#) else {
            Issue.record("failed ack"); return
        }
        #expect(f.code == 500 && f.text == "system error" && ack?.product == "all")
        guard case .ack(let ok) = try BGEDecoder.decode(#"{"biz":"market","type":"orderbook","ts":1666851880448,"code":200,"status":"OK","event":"sub","product":"BTC_USDT","interval":0}"#) else {
            Issue.record("ack"); return
        }
        #expect(ok.product == "BTC_USDT" && ok.type == "orderbook")
        // REST error bodies.
        let rest = BGEREST.error(status: 400, body: Array(#"{"code":1100,"message":"insufficient balance"}"#.utf8), context: "POST /v1/orders")
        #expect(rest?.code == 1100 && rest?.hftError == .venueRejected(code: "1100", message: "insufficient balance"))
        #expect(BGEREST.error(status: 502, body: Array("bad gateway".utf8), context: "")?.code == 502)
        #expect(try BGEREST.parseNewOrder(Array(#"{"order_id":129149436110880967,"client_oid":"QZ"}"#.utf8)) == BGEPlaced(orderID: "129149436110880967", clientOrderID: "QZ"))
    }

    @Test func garbageNeverCrashes() {
        let inputs = ["", "{", "[]", "null", #"{"type":"orderbook"}"#, #"{"type":"orderbook","product":"X","data":{"bids":[["a","1"]]}}"#,
                      #"{"type":"fills","product":"X","data":[{"id":"x"}]}"#, #"{"event":5}"#, #"{"type":"nope"}"#,
                      #"{"type":"orders","product":"all","data":[{"order_id":"1"}]}"#, #"{"type":"ticker","product":"X","data":7}"#,
                      #"{"type":"orderbook","product":"X","data":{"bids":[["1","-2"]]}}"#, String(repeating: "[", count: 10_000)]
        for text in inputs {
            #expect(throws: BGEDecodeError.self) { _ = try BGEDecoder.decode(text) }
        }
        #expect(throws: BGERESTError.self) { _ = try BGEREST.parseNewOrder(Array("{}".utf8)) }
    }
}
