import HFTCore
@testable import HFTVenues
import Testing

/// LBank codec: signing known answer, request encoders, push decoders (lbank.md §3–§6).
@Suite("LBank codec")
struct LBankCodecTests {
    // Known answer computed independently (Python hashlib/hmac) over the steps of lbank.md §6.
    @Test func signerKnownAnswer() throws {
        let params = [("symbol", "eth_btc"), ("type", "buy"), ("price", "0.02455211"), ("amount", "0.003"),
                      ("api_key", "c821db84-6fbd-11e4-a9e3-c86000d26d7c"), ("echostr", "P3LHfw6tUIYWc8R2VQNy0ilKmdg5pjhbxC7"),
                      ("signature_method", "HmacSHA256"), ("timestamp", "1561704577786")]
        let canonical = LBankSigner.canonical(params)
        #expect(canonical == "amount=0.003&api_key=c821db84-6fbd-11e4-a9e3-c86000d26d7c&echostr=P3LHfw6tUIYWc8R2VQNy0ilKmdg5pjhbxC7&price=0.02455211&signature_method=HmacSHA256&symbol=eth_btc&timestamp=1561704577786&type=buy")
        #expect(LBankSigner.prepared(canonical) == "9F25FDB080F521FD0A7A18A982025B8C")
        #expect(try LBankSigner(secret: "secretkey123").sign(params) == "0c45fe2f859d2a99c9f7237be196a80deb1f4b6f02d9d8a58c1b967c5e99ce8e")
    }

    @Test func signedRequestHeadersBodyAndRedaction() throws {
        let c = try LBankCredentials(apiKey: "c821db84-6fbd-11e4-a9e3-c86000d26d7c", secret: "secretkey123")
        let r = LBankREST.signed(LBankEndpoints.Path.createOrder, [("symbol", "eth_btc"), ("type", "buy"), ("price", "0.02455211"), ("amount", "0.003")],
                                 credentials: c, milliseconds: 1561704577786, echostr: "P3LHfw6tUIYWc8R2VQNy0ilKmdg5pjhbxC7",
                                 endpoints: LBankEndpoints(webSocket: "ws://x/ws/V2/", rest: "http://127.0.0.1:1/"))
        #expect(r.url == "http://127.0.0.1:1/v2/supplement/create_order.do")
        #expect(r.body == "symbol=eth_btc&type=buy&price=0.02455211&amount=0.003&api_key=c821db84-6fbd-11e4-a9e3-c86000d26d7c&sign=0c45fe2f859d2a99c9f7237be196a80deb1f4b6f02d9d8a58c1b967c5e99ce8e")
        #expect(r.headers.contains { $0 == ("timestamp", "1561704577786") })
        #expect(r.headers.contains { $0 == ("echostr", "P3LHfw6tUIYWc8R2VQNy0ilKmdg5pjhbxC7") })
        #expect(r.headers.contains { $0 == ("signature_method", "HmacSHA256") })
        #expect(!r.redacted.contains("api_key") && !r.redacted.contains("sign") && r.redacted.contains("eth_btc"))
        #expect(!"\(c)".contains("secretkey123"))
        let e = LBankSigner.echostr()
        #expect((30...40).contains(e.count) && e.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) })
    }

    @Test func requestEncoders() {
        #expect(LBankRequest.subscribe(.depth(pair: "eth_btc", levels: 100)) == #"{"action":"subscribe","subscribe":"depth","depth":"100","pair":"eth_btc"}"#)
        #expect(LBankRequest.unsubscribe(.trade(pair: "btc_usdt")) == #"{"action":"unsubscribe","unsubscribe":"trade","pair":"btc_usdt"}"#)
        #expect(LBankRequest.subscribe(.orderUpdate(pair: "all"), subscribeKey: "k1") == #"{"action":"subscribe","subscribe":"orderUpdate","subscribeKey":"k1","pair":"all"}"#)
        #expect(LBankRequest.subscribe(.assetUpdate, subscribeKey: "k1") == #"{"action":"subscribe","subscribe":"assetUpdate","subscribeKey":"k1"}"#)
        #expect(LBankRequest.pong("0ca8f854") == #"{"action":"pong","pong":"0ca8f854"}"#)
        #expect(LBankRequest.depthLevel(for: 5) == 10 && LBankRequest.depthLevel(for: 11) == 50 && LBankRequest.depthLevel(for: 500) == 100)
    }

    @Test func tsIsBeijingTime() {
        // orderUpdate example: updateTime 1561704577786 = 06:49:37.786Z, TS 14:49:37.816 (UTC+8).
        #expect(LBankTime.micros("2019-06-28T14:49:37.816") == 1_561_704_577_816_000)
        #expect(LBankTime.micros("2019-06-28T14:49:37") == 1_561_704_577_000_000)
        #expect(LBankTime.format(1_561_704_577_816_000) == "2019-06-28T14:49:37.816")
        #expect(LBankTime.micros("2019-13-28T14:49:37.816") == nil)
        #expect(LBankTime.micros("garbage") == nil)
    }

    @Test func depthDecodesExactDecimals() throws {
        let m = try LBankDecoder.decode(#"{"depth":{"asks":[[0.0252,0.5833],[0.025215,4.377]],"bids":[[0.025135,3.962],[0.025134,3.46]]},"count":100,"type":"depth","pair":"eth_btc","SERVER":"V2","TS":"2019-06-28T17:49:22.722"}"#)
        guard case .depth(let d) = m else { Issue.record("not depth: \(m)"); return }
        #expect(d.pair == "eth_btc")
        #expect(d.asks.map { "\($0.price)@\($0.quantity)" } == ["0.0252@0.5833", "0.025215@4.377"])
        #expect(d.bids.map(\.price.description) == ["0.025135", "0.025134"])
        #expect(d.timestamp == 1_561_715_362_722_000)  // 17:49:22.722 UTC+8 = 09:49:22.722Z
        // The one-shot request reply has the book at top level.
        let r = try LBankDecoder.decode(#"{"SERVER":"V2","asks":[[42585.84,1.4422]],"bids":[[42585.83,1.8054]],"count":100,"type":"depth","pair":"btc_usdt","TS":"2024-01-16T08:09:43.314"}"#)
        guard case .depth(let rd) = r else { Issue.record("not depth"); return }
        #expect(rd.asks.first?.price.description == "42585.84")
    }

    @Test func tradeQuantityIsVolumeAndMakerSuffixInverts() throws {
        let m = try LBankDecoder.decode(#"{"trade":{"volume":6.3607,"amount":77148.9303,"price":12129,"direction":"sell","TS":"2019-06-28T19:55:49.460"},"type":"trade","pair":"btc_usdt","SERVER":"V2","TS":"2019-06-28T19:55:49.466"}"#)
        guard case .trade(let t) = m else { Issue.record("not trade"); return }
        #expect(t.quantity.description == "6.3607" && t.quoteValue?.description == "77148.9303" && t.price.description == "12129")
        #expect(t.side == .sell)
        #expect(t.timestamp == 1_561_722_949_460_000)
        #expect(LBankDecoder.side(direction: "sell_maker") == .buy)
        #expect(LBankDecoder.side(direction: "buy_maker") == .sell)
        #expect(LBankDecoder.side(direction: "buy_ioc") == .buy)
        #expect(LBankDecoder.side(direction: "hold") == nil)
    }

    @Test func tickOrderUpdateAssetUpdatePingAndError() throws {
        guard case .tick(let t) = try LBankDecoder.decode(#"{"tick":{"to_cny":76643.5,"high":0.02719761,"vol":497529.7686,"low":0.02603071,"change":2.54,"usd":299.12,"to_usd":11083.66,"dir":"sell","turnover":13224.0186,"latest":0.02698749,"cny":2068.41},"type":"tick","pair":"eth_btc","SERVER":"V2","TS":"2019-07-01T11:33:55.188"}"#) else { Issue.record("tick"); return }
        #expect(t.latest?.description == "0.02698749" && t.volume?.description == "497529.7686")

        guard case .orderUpdate(let u) = try LBankDecoder.decode(#"{"orderUpdate":{"accAmt":"0.003","amount":"0.003","avgPrice":"0.02455211","symbol":"eth_btc","type":"buy","orderAmt":"0.003","orderStatus":2,"orderPrice":"0.02455211","price":"0.02455211","role":"maker","remainAmt":"0","updateTime":1561704577786,"uuid":"d0db191d-4418","txUuid":"da88f354","volumePrice":"0.00007365633","customerID":""},"pair":"eth_btc","type":"orderUpdate","SERVER":"V2","TS":"2019-06-28T14:49:37.816"}"#) else { Issue.record("orderUpdate"); return }
        #expect(u.orderID == "d0db191d-4418" && u.clientOrderID == nil && u.tradeID == "da88f354" && u.status == 2)
        #expect(u.timestamp == 1_561_704_577_786_000)
        let events = LBankRouter.events(u)
        guard events.count == 2, case .order(let o) = events[0], case .fill(let f) = events[1] else { Issue.record("events \(events)"); return }
        #expect(o.status == .filled && o.side == .buy && o.filledQuantity.description == "0.003" && o.symbol == "ETH/BTC")
        #expect(f.quantity.description == "0.003" && f.price.description == "0.02455211" && f.liquidity == .maker)

        // Old servers: no orderPrice/orderAmt/symbol/type; no txUuid → no fill.
        guard case .orderUpdate(let old) = try LBankDecoder.decode(#"{"orderUpdate":{"amount":"0","price":"0.5","orderStatus":0,"updateTime":1561704577786,"uuid":"x1","customerID":"c1"},"pair":"eth_btc","type":"orderUpdate","SERVER":"V2","TS":"2019-06-28T14:49:37.816"}"#) else { Issue.record("old"); return }
        #expect(old.clientOrderID == "c1" && LBankRouter.events(old).count == 1)

        guard case .assetUpdate(let a) = try LBankDecoder.decode(#"{"data":{"asset":"114548.31881315","assetCode":"usdt","free":"97430.6739041","freeze":"17117.64490905","time":1627300043270,"type":"ORDER_CREATE"},"SERVER":"V2","type":"assetUpdate","TS":"2021-07-26T19:48:03.548"}"#) else { Issue.record("asset"); return }
        #expect(a.asset == "USDT" && a.free.description == "97430.6739041" && a.frozen.description == "17117.64490905")

        guard case .ping(let id) = try LBankDecoder.decode(#"{"action":"ping","ping":"0ca8f854-7ba7"}"#) else { Issue.record("ping"); return }
        #expect(id == "0ca8f854-7ba7")
        guard case .error(let e) = try LBankDecoder.decode(#"{"SERVER":"V2","message":"invalid subscribeKey","status":"error","TS":"2024-01-16T08:09:43.314"}"#) else { Issue.record("error"); return }
        #expect(e.mentionsKey)
    }

    @Test func badInputNeverCrashes() {
        let bad = ["", "{", "[]", "null", #"{"type":"depth"}"#, #"{"type":"depth","pair":"eth_btc","TS":"x","depth":{"asks":[[1]]}}"#,
                   #"{"type":"trade","pair":"a_b","trade":{"price":"x"}}"#, #"{"type":"orderUpdate","orderUpdate":{}}"#,
                   #"{"type":"assetUpdate","data":[]}"#, #"{"foo":1}"#, "\u{0}\u{1}"]
        for b in bad { #expect(throws: LBankDecodeError.self) { try LBankDecoder.decode(b) } }
        #expect(throws: LBankDecodeError.self) { try LBankREST.parseKey(Array(#"{"result":"false","error_code":10007}"#.utf8)) }
    }

    @Test func restRepliesAllKeyShapesAndErrors() throws {
        let k = String(repeating: "ab", count: 32)
        #expect(try LBankREST.parseKey(Array(#"{"result":true,"data":"\#(k)","error_code":0,"ts":1705602277198}"#.utf8)) == k)
        #expect(try LBankREST.parseKey(Array(#"{"result":true,"data":{"key":"\#(k)"}}"#.utf8)) == k)
        #expect(try LBankREST.parseKey(Array(#"{"result":"true","subscribeKey":"\#(k)"}"#.utf8)) == k)
        try LBankREST.parseOK(Array(#"{"result":"true"}"#.utf8))
        do {
            try LBankREST.parseOK(Array(#"{"result":"false","error_code":10007}"#.utf8))
            Issue.record("accepted a failure")
        } catch {
            #expect(error == .rejected(LBankError(code: 10007)))
            if case .authenticationFailed = error.hftError {} else { Issue.record("10007 is an auth failure") }
        }
        let ack = try LBankREST.parseOrderAck(Array(#"{"result":true,"data":{"order_id":"o-1","symbol":"lbk_usdt","custom_id":"c-1"},"error_code":0,"ts":1}"#.utf8))
        #expect(ack == LBankOrderAck(orderID: "o-1", clientOrderID: "c-1"))
        let b = try LBankREST.parseAssets(Array(#"{"result":true,"data":{"balances":[{"asset":"usdt","free":"10.5","locked":"1"}]}}"#.utf8))
        #expect(b.first?.asset == "USDT" && b.first?.available.description == "10.5" && b.first?.frozen.description == "1")
    }

    @Test func orderMapping() throws {
        #expect(try LBankNewOrder(PlaceOrder(symbol: "ETH/BTC", side: .buy, quantity: "0.003", price: "0.024")).params.map { "\($0.0)=\($0.1)" }
                == ["symbol=eth_btc", "type=buy", "price=0.024", "amount=0.003"])
        #expect(try LBankNewOrder(PlaceOrder(symbol: "ETH/BTC", side: .sell, quantity: "1", price: "2", postOnly: true)).type == "sell_maker")
        #expect(try LBankNewOrder(PlaceOrder(symbol: "ETH/BTC", side: .buy, quantity: "1", price: "2", timeInForce: .ioc)).type == "buy_ioc")
        #expect(try LBankNewOrder(PlaceOrder(symbol: "ETH/BTC", side: .sell, type: .market, quantity: "1")).type == "sell_market")
        #expect(throws: HFTError.self) { try LBankNewOrder(PlaceOrder(symbol: "ETH/BTC", side: .buy, type: .market, quantity: "1")) }
        #expect(throws: HFTError.self) { try LBankNewOrder(PlaceOrder(symbol: "ETH/BTC", side: .buy, quantity: "1", price: "2", clientOrderID: "a&b")) }
        #expect(LBankNewOrder.status(3, filled: true) == .canceled && LBankNewOrder.status(4, filled: false) == .open)
    }

    @Test func optionsValidateKeyRefresh() throws {
        #expect(try LBankClientOptions().keyRefresh == .seconds(1800))
        #expect(throws: HFTError.self) { try LBankClientOptions(["key_refresh_s": "3600"]) }
        #expect(throws: HFTError.self) { try LBankClientOptions(["nope": "1"]) }
        #expect(LBankDescriptor.descriptor.defaultURL("ws") == "wss://www.lbkex.net/ws/V2/")
        #expect(LBankDescriptor.descriptor.defaultURL("rest") == "https://www.lbkex.net/")
    }

    @Test func registryBuildsLBankWithItsRESTAPI() async throws {
        #expect(VenueCatalog.descriptor(for: .lbank)?.websocketOrderEntry == false)
        let exchanges = Exchanges(factories: .builtIn)
        let settings = VenueAPISettings(venue: .lbank, credentials: Credentials(apiKey: "k", apiSecret: "s"),
                                        endpoints: ["ws": "ws://127.0.0.1:1/ws/V2/", "rest": "http://127.0.0.1:1/"], options: ["key_refresh_s": "600"])
        let ws = try exchanges.createWsAPI(settings)
        let lb = try #require(ws as? LBankWsAPI)
        #expect(lb.options.keyRefresh == .seconds(600))
        #expect(try exchanges.restAPI(.lbank) === lb.rest)
        await exchanges.shutdownAll()
    }
}
