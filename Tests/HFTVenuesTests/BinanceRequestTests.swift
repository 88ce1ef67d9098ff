import HFTCore
import Testing
@testable import HFTVenues

/// Frames checked against the examples in protocols/binance.md. Values the notes elide (`…`)
/// are filled in with the vector keys and fixed timestamps.
@Suite struct BinanceRequestTests {
    typealias T = BinanceTestSupport

    @Test func pingAndTimeOmitEmptyParams() {
        #expect(BinanceRequest.ping(id: 1).text == #"{"id":1,"method":"ping"}"#)
        #expect(BinanceRequest.time(id: 2).text == #"{"id":2,"method":"time"}"#)
        #expect(BinanceRequest.sessionStatus(id: 3).text == #"{"id":3,"method":"session.status"}"#)
        #expect(BinanceRequest.sessionLogout(id: 4).text == #"{"id":4,"method":"session.logout"}"#)
        #expect(BinanceRequest.ping(id: 1).weight == 1 && BinanceRequest.sessionStatus(id: 1).weight == 2)
    }

    @Test func orderPlaceLikeTheNotes() throws {
        let creds = try T.hmacCredentials()
        var order = BinanceNewOrder.limit("BTCUSDT", .sell, quantity: "0.00847000", price: "23416.10000000", clientOrderID: "my-id-1")
        order.responseType = .result
        let r = try BinanceRequest.orderPlace(id: 56374, order: order, auth: .signed(creds, timestamp: 1_660_801_715_431))
        let payload = "apiKey=\(T.apiKey)&newClientOrderId=my-id-1&newOrderRespType=RESULT&price=23416.10000000&quantity=0.00847000&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1660801715431&type=LIMIT"
        let signature = try BinanceHMACSigner(secret: Secret(T.secret)).sign(payload)
        #expect(r.text == #"{"id":56374,"method":"order.place","params":{"symbol":"BTCUSDT","side":"SELL","type":"LIMIT","timeInForce":"GTC","price":"23416.10000000","quantity":"0.00847000","newClientOrderId":"my-id-1","newOrderRespType":"RESULT","apiKey":"\#(T.apiKey)","timestamp":1660801715431,"signature":"\#(signature)"}}"#)
        #expect(r.method == .orderPlace && r.weight == 1 && r.method.orderCount == 1)
        #expect(r.redactedText.contains(#""apiKey":"<redacted>""#) && r.redactedText.contains(#""signature":"<redacted>""#))
    }

    @Test func signedRequestReproducesVectorB1() throws {
        // The B1 params, built as an order; the request's signature is the vector's answer.
        let order = BinanceNewOrder.limit("BTCUSDT", .sell, quantity: "0.01000000", price: "52000.00")
        let r = try BinanceRequest.orderPlace(id: 1, order: order,
                                              auth: .signed(try T.hmacCredentials(), timestamp: 1_645_423_376_532, recvWindow: "100"))
        #expect(r.params.signaturePayload == BinanceSignerTests.b1Payload)
        #expect(r.params["signature"] == .string(BinanceSignerTests.b1Expected))
        #expect(r.text.contains(#""recvWindow":100,"#))
    }

    @Test func sessionAuthSendsTimestampOnly() throws {
        let r = try BinanceRequest.orderPlace(id: 7, order: .postOnly("BTCUSDT", .buy, quantity: "0.001", price: "80000.00"),
                                              auth: .session(timestamp: 1_700_000_000_000, recvWindow: "1500.5"))
        #expect(T.paramsText(r) == #"{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT_MAKER","price":"80000.00","quantity":"0.001","recvWindow":"1500.5","timestamp":1700000000000}"#)
        #expect(r.params["apiKey"] == nil && r.params["signature"] == nil)
    }

    @Test func marketOrders() throws {
        let a = try BinanceRequest.orderPlace(id: 1, order: .market("ETHBTC", .buy, quantity: "1.5"), auth: .session(timestamp: 5))
        #expect(T.paramsText(a) == #"{"symbol":"ETHBTC","side":"BUY","type":"MARKET","quantity":"1.5","timestamp":5}"#)
        let q = BinanceNewOrder(symbol: "ETHBTC", side: .sell, type: .market, quoteOrderQty: "0.25000000", responseType: .full)
        let b = try BinanceRequest.orderPlace(id: 2, order: q, auth: .session(timestamp: 5))
        #expect(T.paramsText(b) == #"{"symbol":"ETHBTC","side":"SELL","type":"MARKET","quoteOrderQty":"0.25000000","newOrderRespType":"FULL","timestamp":5}"#)
    }

    @Test func orderValidation() {
        let bad: [BinanceNewOrder] = [
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .limit, price: "1", quantity: "1"),                       // no TIF
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .limitMaker, timeInForce: .gtc, price: "1", quantity: "1"), // TIF on maker
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .limit, timeInForce: .gtc, quantity: "1"),                // no price
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .market, price: "1", quantity: "1"),                      // price on market
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .market),                                                  // no qty
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .market, quantity: "1", quoteOrderQty: "1"),              // both
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .limit, timeInForce: .gtc, price: "0", quantity: "1"),    // zero price
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .limit, timeInForce: .gtc, price: "1", quantity: "-1"),   // negative
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .stopLoss, quantity: "1"),                                 // no trigger
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .limit, timeInForce: .gtc, price: "1", quantity: "1", stopPrice: "1"),
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .limit, timeInForce: .ioc, price: "1", quantity: "1", icebergQty: "0.1"),
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .limit, timeInForce: .gtc, price: "1", quantity: "1", strategyType: 5),
            BinanceNewOrder(symbol: "btcusdt", side: .buy, type: .limit, timeInForce: .gtc, price: "1", quantity: "1"),    // lower case
            BinanceNewOrder(symbol: "", side: .buy, type: .market, quantity: "1"),
            .limit("BTCUSDT", .buy, quantity: "1", price: "1", clientOrderID: "has space"),
            .limit("BTCUSDT", .buy, quantity: "1", price: "1", clientOrderID: String(repeating: "a", count: 37)),
        ]
        for o in bad { #expect(throws: HFTError.self) { try o.params() } }
        let good: [BinanceNewOrder] = [
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .stopLossLimit, timeInForce: .gtc, price: "1", quantity: "1", stopPrice: "2"),
            BinanceNewOrder(symbol: "BTCUSDT", side: .sell, type: .takeProfit, quantity: "1", trailingDelta: 100),
            BinanceNewOrder(symbol: "BTCUSDT", side: .buy, type: .limit, timeInForce: .gtc, price: "1", quantity: "1", icebergQty: "0.1",
                            strategyID: 7, strategyType: 1_000_000, selfTradePrevention: .expireMaker),
            .limit("BTCUSDT", .buy, quantity: "1", price: "1", clientOrderID: "a.b:c/d_e-F9"),
            .limit("币安人生USDT", .buy, quantity: "1", price: "1"),
        ]
        for o in good { #expect(throws: Never.self) { try o.params() } }
        #expect(throws: HFTError.self) { try BinanceRequest.orderPlace(id: 1, order: good[0], auth: .session(timestamp: 1, recvWindow: "60001")) }
        #expect(throws: HFTError.self) { try BinanceRequest.orderPlace(id: 1, order: good[0], auth: .session(timestamp: 1, recvWindow: "1.0001")) }
        #expect(throws: Never.self) { try BinanceRequest.orderPlace(id: 1, order: good[0], auth: .session(timestamp: 1, recvWindow: "60000")) }
    }

    @Test func nonASCIISymbolSignsUTF8() throws {
        let r = try BinanceRequest.orderPlace(id: 1, order: .limit("币安人生USDT", .buy, quantity: "1", price: "0.1"),
                                              auth: .signed(try T.hmacCredentials(), timestamp: 1))
        #expect(r.params.signaturePayload.contains("symbol=币安人生USDT"))
        #expect(r.params["signature"] == .string(try BinanceHMACSigner(secret: Secret(T.secret)).sign(r.params.signaturePayload)))
    }

    @Test func cancelByIdOrClientID() throws {
        let r = try BinanceRequest.orderCancel(id: 5633, symbol: "BTCUSDT", order: .orderID(12_569_099_453),
                                               auth: .session(timestamp: 1_660_801_715_830))
        #expect(r.text == #"{"id":5633,"method":"order.cancel","params":{"symbol":"BTCUSDT","orderId":12569099453,"timestamp":1660801715830}}"#)
        let c = try BinanceRequest.orderCancel(id: 1, symbol: "BTCUSDT", order: .clientOrderID("4d96324ff9d44481926157"),
                                               newClientOrderID: "renamed-1", restriction: .onlyNew, auth: .session(timestamp: 9))
        #expect(T.paramsText(c) == #"{"symbol":"BTCUSDT","origClientOrderId":"4d96324ff9d44481926157","newClientOrderId":"renamed-1","cancelRestrictions":"ONLY_NEW","timestamp":9}"#)
        #expect(throws: HFTError.self) { try BinanceRequest.orderCancel(id: 1, symbol: "BTCUSDT", order: .clientOrderID(""), auth: .session(timestamp: 1)) }
    }

    @Test func cancelReplace() throws {
        let newOrder = BinanceNewOrder.limit("BTCUSDT", .buy, quantity: "0.002", price: "79000.0", clientOrderID: "new-1")
        let r = try BinanceRequest.orderCancelReplace(id: 9, BinanceCancelReplace(cancel: .orderID(42), newOrder: newOrder,
                                                                                  cancelNewClientOrderID: "cxl-1", rateLimitMode: .cancelOnly),
                                                      auth: .session(timestamp: 3))
        #expect(T.paramsText(r) == #"{"symbol":"BTCUSDT","cancelReplaceMode":"STOP_ON_FAILURE","cancelOrderId":42,"cancelNewClientOrderId":"cxl-1","orderRateLimitExceededMode":"CANCEL_ONLY","side":"BUY","type":"LIMIT","timeInForce":"GTC","price":"79000.0","quantity":"0.002","newClientOrderId":"new-1","timestamp":3}"#)
        let a = try BinanceRequest.orderCancelReplace(id: 9, BinanceCancelReplace(mode: .allowFailure, cancel: .clientOrderID("old"),
                                                                                  newOrder: newOrder, cancelRestriction: .onlyPartiallyFilled),
                                                      auth: .session(timestamp: 3))
        #expect(a.params["cancelOrigClientOrderId"] == .string("old") && a.params["cancelReplaceMode"] == .string("ALLOW_FAILURE"))
        #expect(a.params["cancelRestrictions"] == .string("ONLY_PARTIALLY_FILLED"))
    }

    @Test func amendKeepPriorityAndQueries() throws {
        let a = try BinanceRequest.orderAmendKeepPriority(id: 1, symbol: "BTCUSDT", order: .orderID(7), newQty: "0.00500000",
                                                          auth: .session(timestamp: 2))
        #expect(a.text == #"{"id":1,"method":"order.amend.keepPriority","params":{"symbol":"BTCUSDT","orderId":7,"newQty":"0.00500000","timestamp":2}}"#)
        #expect(a.weight == 4 && a.method.orderCount == 0)
        #expect(throws: HFTError.self) { try BinanceRequest.orderAmendKeepPriority(id: 1, symbol: "BTCUSDT", order: .orderID(7), newQty: "0", auth: .session(timestamp: 2)) }

        let all = try BinanceRequest.openOrdersCancelAll(id: 2, symbol: "BTCUSDT", auth: .session(timestamp: 2))
        #expect(all.text == #"{"id":2,"method":"openOrders.cancelAll","params":{"symbol":"BTCUSDT","timestamp":2}}"#)
        let one = try BinanceRequest.openOrdersStatus(id: 3, symbol: "BTCUSDT", auth: .session(timestamp: 2))
        let every = try BinanceRequest.openOrdersStatus(id: 4, auth: .session(timestamp: 2))
        #expect(one.weight == 6 && every.weight == 80)
        #expect(every.text == #"{"id":4,"method":"openOrders.status","params":{"timestamp":2}}"#)
        let st = try BinanceRequest.orderStatus(id: 5, symbol: "BTCUSDT", order: .clientOrderID("abc"), auth: .session(timestamp: 2))
        #expect(st.text == #"{"id":5,"method":"order.status","params":{"symbol":"BTCUSDT","origClientOrderId":"abc","timestamp":2}}"#)
        #expect(st.weight == 4)
        let test = try BinanceRequest.orderTest(id: 6, order: .market("BTCUSDT", .buy, quantity: "1"), computeCommissionRates: true,
                                                auth: .session(timestamp: 2))
        #expect(test.weight == 20 && test.params["computeCommissionRates"] == .bool(true))
        let depth = try BinanceRequest.depth(id: 8, symbol: "BNBBTC")
        #expect(depth.text == #"{"id":8,"method":"depth","params":{"symbol":"BNBBTC","limit":5000}}"#)
        let small = try BinanceRequest.depth(id: 8, symbol: "BNBBTC", limit: 100)
        #expect(depth.weight == 250 && small.weight == 5)
    }

    @Test func sessionLogonEd25519() throws {
        let creds = try T.ed25519Credentials()
        let r = try BinanceRequest.sessionLogon(id: 11, credentials: creds, timestamp: 1_649_729_878_532)
        guard case .string(let sig)? = r.params["signature"] else { Issue.record("no signature"); return }
        #expect(r.text == #"{"id":11,"method":"session.logon","params":{"apiKey":"\#(T.apiKey)","signature":"\#(sig)","timestamp":1649729878532}}"#)
        let signer = try BinanceEd25519Signer(pem: Secret(T.pem))
        #expect(signer.isValidSignature(sig, for: "apiKey=\(T.apiKey)&timestamp=1649729878532"))
        let w = try BinanceRequest.sessionLogon(id: 12, credentials: creds, timestamp: 5, recvWindow: "3000")
        guard case .string(let sig2)? = w.params["signature"] else { Issue.record("no signature"); return }
        #expect(signer.isValidSignature(sig2, for: "apiKey=\(T.apiKey)&recvWindow=3000&timestamp=5"))
        #expect(w.weight == 2)
        // HMAC keys are refused locally.
        #expect(throws: HFTError.self) { try BinanceRequest.sessionLogon(id: 1, credentials: try T.hmacCredentials(), timestamp: 1) }
    }

    @Test func userDataStreamRequests() throws {
        #expect(BinanceRequest.userDataStreamSubscribe(id: 1).text == #"{"id":1,"method":"userDataStream.subscribe"}"#)
        let s = try BinanceRequest.userDataStreamSubscribeSignature(id: 2, credentials: try T.hmacCredentials(), timestamp: 1_700_000_000_000)
        let sig = try BinanceHMACSigner(secret: Secret(T.secret)).sign("apiKey=\(T.apiKey)&timestamp=1700000000000")
        #expect(s.text == #"{"id":2,"method":"userDataStream.subscribe.signature","params":{"apiKey":"\#(T.apiKey)","timestamp":1700000000000,"signature":"\#(sig)"}}"#)
        let e = try BinanceRequest.userDataStreamSubscribeSignature(id: 3, credentials: try T.ed25519Credentials(), timestamp: 9)
        guard case .string(let edSig)? = e.params["signature"] else { Issue.record("no signature"); return }
        #expect(try BinanceEd25519Signer(pem: Secret(T.pem)).isValidSignature(edSig, for: "apiKey=\(T.apiKey)&timestamp=9"))
        #expect(BinanceRequest.userDataStreamUnsubscribe(id: 4).text == #"{"id":4,"method":"userDataStream.unsubscribe"}"#)
        #expect(BinanceRequest.userDataStreamUnsubscribe(id: 5, subscriptionID: 0).text
                == #"{"id":5,"method":"userDataStream.unsubscribe","params":{"subscriptionId":0}}"#)
        #expect(BinanceRequest.sessionSubscriptions(id: 6).text == #"{"id":6,"method":"session.subscriptions"}"#)
    }

    @Test func streamControlMessages() throws {
        let sub = try BinanceStreamControl.subscribe(["btcusdt@aggTrade", "btcusdt@depth@100ms"], id: 1)
        #expect(sub.text == #"{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@depth@100ms"],"id":1}"#)
        #expect(try BinanceStreamControl.unsubscribe(["btcusdt@depth@100ms"], id: 312).text
                == #"{"method":"UNSUBSCRIBE","params":["btcusdt@depth@100ms"],"id":312}"#)
        #expect(BinanceStreamControl.listSubscriptions(id: 3).text == #"{"method":"LIST_SUBSCRIPTIONS","id":3}"#)
        #expect(BinanceStreamControl.setCombined(true, id: 5).text == #"{"method":"SET_PROPERTY","params":["combined",true],"id":5}"#)
        let typed = try BinanceStreamControl.subscribe([.aggTrade("BTCUSDT"), .depth("BTCUSDT")], id: 1)
        #expect(typed.text == sub.text)
        #expect(throws: HFTError.self) { try BinanceStreamControl.subscribe([String](), id: 1) }
        #expect(throws: HFTError.self) { try BinanceStreamControl.subscribe(["a b"], id: 1) }
        #expect(throws: HFTError.self) { try BinanceStreamControl.subscribe(Array(repeating: "x@trade", count: 1025), id: 1) }
        #expect(throws: HFTError.self) { try BinanceStreamControl.subscribe([BinanceStream.partialDepth("BTCUSDT", levels: 7)], id: 1) }
    }

    @Test func streamNames() {
        let cases: [(BinanceStream, String)] = [
            (.depth("BTCUSDT"), "btcusdt@depth@100ms"), (.depth("BNBBTC", speed: .ms1000), "bnbbtc@depth"),
            (.partialDepth("BTCUSDT", levels: 5), "btcusdt@depth5@100ms"), (.partialDepth("BTCUSDT", levels: 20, speed: .ms1000), "btcusdt@depth20"),
            (.trade("BNBBTC"), "bnbbtc@trade"), (.aggTrade("BNBBTC"), "bnbbtc@aggTrade"), (.bookTicker("BNBUSDT"), "bnbusdt@bookTicker"),
        ]
        for (stream, name) in cases {
            #expect(stream.name == name)
            #expect(BinanceStream(name: name) == stream)
        }
        #expect(BinanceStream(name: "btcusdt@depth@1000ms") == .depth("BTCUSDT", speed: .ms1000))
        #expect(BinanceStream(name: "btcusdt@trade").map(\.symbol) == "BTCUSDT")
        for bad in ["btcusdt", "@trade", "btcusdt@kline_1m", "btcusdt@depth@5ms", "btcusdt@trade@100ms", "a@b@c@d"] {
            #expect(BinanceStream(name: bad) == nil, "\(bad)")
        }
    }

    @Test func endpointsFollowTheNotes() throws {
        let p = BinanceEndpoints.production
        #expect(p.named.map(\.name) == ["ws-api", "streams", "rest"])
        #expect(p.webSocketAPI == "wss://ws-api.binance.com:443/ws-api/v3")
        #expect(p.webSocketAPIURL() == "wss://ws-api.binance.com:443/ws-api/v3")
        #expect(p.webSocketAPIURL(timeUnit: .microseconds, returnRateLimits: false)
                == "wss://ws-api.binance.com:443/ws-api/v3?timeUnit=MICROSECOND&returnRateLimits=false")
        #expect(p.rawStreamURL("btcusdt@depth@100ms") == "wss://stream.binance.com:9443/ws/btcusdt@depth@100ms")
        #expect(p.rawStreamURL() == "wss://stream.binance.com:9443/ws")
        #expect(p.combinedStreamURL(["btcusdt@trade", "ethbtc@trade"]) == "wss://stream.binance.com:9443/stream?streams=btcusdt@trade/ethbtc@trade")
        #expect(p.restURL(BinanceEndpoints.Path.depth, query: "symbol=BNBBTC&limit=5000") == "https://api.binance.com/api/v3/depth?symbol=BNBBTC&limit=5000")
        #expect(BinanceEndpoints.testnet.webSocketAPI == "wss://ws-api.testnet.binance.vision/ws-api/v3")
        #expect(BinanceEndpoints.testnet.rawStreamURL() == "wss://stream.testnet.binance.vision/ws")
        #expect(BinanceEndpoints.marketDataOnly.streams == "wss://data-stream.binance.vision")
        let local = BinanceEndpoints.local(host: "localhost", port: 9100)
        #expect(local.webSocketAPI == "ws://localhost:9100/ws-api/v3" && local.rest == "http://localhost:9100")
        #expect(local.combinedStreamURL(["x@trade"], timeUnit: .microseconds) == "ws://localhost:9100/stream?streams=x@trade&timeUnit=MICROSECOND")

        // --endpoint overrides; a given /ws or /stream path is not doubled.
        let o = try BinanceEndpoints(overrides: ["streams": "ws://127.0.0.1:7000/ws/", "rest": "http://127.0.0.1:7001/"])
        #expect(o.rawStreamURL("a@trade") == "ws://127.0.0.1:7000/ws/a@trade")
        #expect(o.combinedStreamURL(["a@trade"]) == "ws://127.0.0.1:7000/stream?streams=a@trade")
        #expect(o.restURL("/api/v3/time") == "http://127.0.0.1:7001/api/v3/time")
        #expect(o.webSocketAPI == p.webSocketAPI)
        #expect(throws: HFTError.self) { try BinanceEndpoints(overrides: ["ws": "wss://x"]) }
        #expect(throws: HFTError.self) { try BinanceEndpoints(overrides: ["rest": "wss://x"]) }
        #expect(throws: HFTError.self) { try BinanceEndpoints(overrides: ["ws-api": "https://x"]) }
    }

    @Test func methodNames() {
        #expect(BinanceMethod(wireName: "order.place") == .orderPlace)
        #expect(BinanceMethod(wireName: "v3/order.place") == .orderPlace)
        #expect(BinanceMethod(wireName: "userDataStream.subscribe.signature") == .userDataStreamSubscribeSignature)
        #expect(BinanceMethod(wireName: "order.nope") == nil)
    }
}
