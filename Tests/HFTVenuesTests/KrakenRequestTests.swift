import HFTCore
import Testing
@testable import HFTVenues

/// Expected texts are the request examples of protocols/kraken.md, byte for byte.
@Suite struct KrakenRequestTests {
    @Test func pingAndTickerSubscribe() throws {
        #expect(try KrakenRequest.ping(reqID: 101).text == #"{"method":"ping","req_id":101}"#)
        let r = try KrakenRequest.subscribe(.ticker(symbols: ["BTC/USD", "ETH/USD"], snapshot: true), reqID: 7)
        #expect(r.text == #"{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","ETH/USD"],"snapshot":true},"req_id":7}"#)
        #expect(r.expectedResponses == 2 && r.method == .subscribe && r.reqID == 7)
    }

    @Test func privateAndReferenceSubscriptions() throws {
        let ex = try KrakenRequest.subscribe(.executions(token: "…", snapOrders: true, snapTrades: false, orderStatus: true, rateCounter: false), reqID: 1)
        #expect(ex.text == #"{"method":"subscribe","params":{"channel":"executions","token":"…","snap_orders":true,"snap_trades":false,"order_status":true,"ratecounter":false},"req_id":1}"#)
        #expect(ex.expectedResponses == 1)
        let bal = try KrakenRequest.subscribe(.balances(token: "…", snapshot: true), reqID: 2)
        #expect(bal.params?.rendered == #"{"channel":"balances","token":"…","snapshot":true}"#)
        #expect(try KrakenRequest.subscribe(.instrument(), reqID: nil).text == #"{"method":"subscribe","params":{"channel":"instrument"}}"#)
        #expect(KrakenSubscription.balances(token: "t").isPrivate && !KrakenSubscription.trade(symbols: ["BTC/USD"]).isPrivate)
    }

    @Test func bookSubscribeAndUnsubscribeRepeatDepth() throws {
        let sub = try KrakenRequest.subscribe(.book(symbols: ["BTC/USD"], depth: .d25, snapshot: true), reqID: 4)
        #expect(sub.text == #"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":25,"snapshot":true},"req_id":4}"#)
        let unsub = try KrakenRequest.unsubscribe(.book(symbols: ["BTC/USD"], depth: .d25, snapshot: true), reqID: 5)
        #expect(unsub.text == #"{"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":25},"req_id":5}"#)
        let trades = try KrakenRequest.subscribe(.trade(symbols: ["BTC/USD"]), reqID: 6)
        #expect(trades.text == #"{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":6}"#)
        let bbo = try KrakenRequest.subscribe(.ticker(symbols: ["BTC/USD"], eventTrigger: .bbo), reqID: 8)
        #expect(bbo.text == #"{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"],"event_trigger":"bbo"},"req_id":8}"#)
        let unEx = try KrakenRequest.unsubscribe(.executions(token: "tok", snapOrders: true), reqID: 9)
        #expect(unEx.text == #"{"method":"unsubscribe","params":{"channel":"executions","token":"tok"},"req_id":9}"#)
        #expect(KrakenBookDepth.allCases.map(\.rawValue) == [10, 25, 100, 500, 1000])
    }

    @Test func addOrderMatchesTheNotes() throws {
        var o = KrakenNewOrder(orderType: .limit, side: .buy, quantity: "0.001", symbol: "BTC/USD", limitPrice: "80000.0",
                               timeInForce: .gtc, postOnly: true, clOrdID: "636a0574df7c4aa09c3b119a97f7c58b")
        let r = try KrakenRequest.addOrder(o, token: "nlFb…", reqID: 2, precision: KrakenTestSupport.btcusd)
        #expect(r.text == #"{"method":"add_order","req_id":2,"params":{"order_type":"limit","side":"buy","order_qty":0.001,"symbol":"BTC/USD","limit_price":80000.0,"time_in_force":"gtc","post_only":true,"cl_ord_id":"636a0574df7c4aa09c3b119a97f7c58b","token":"nlFb…"}}"#)
        // Padded style writes the pair's full precision.
        let padded = try KrakenRequest.addOrder(o, token: "t", reqID: 2, precision: KrakenTestSupport.btcusd, style: .padded)
        #expect(padded.text.contains(#""order_qty":0.00100000,"symbol":"BTC/USD","limit_price":80000.0,"#))
        // Trailing zeros beyond the precision are dropped; real extra digits are refused.
        o.limitPrice = "80000.00"
        #expect(try KrakenRequest.addOrder(o, token: "t", reqID: 2, precision: KrakenTestSupport.btcusd).text.contains(#""limit_price":80000.0,"#))
        o.limitPrice = "80000.05"
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(o, token: "t", reqID: 2, precision: KrakenTestSupport.btcusd) }
        o.limitPrice = "80000.0"
        o.quantity = "0.000000001"
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(o, token: "t", reqID: 2, precision: KrakenTestSupport.btcusd) }
        // Unknown precision: the caller's text goes out unchanged.
        #expect(try KrakenRequest.addOrder(o, token: "t", reqID: 2).text.contains(#""order_qty":0.000000001,"#))
    }

    @Test func addOrderOptionalFieldsAndValidation() throws {
        var o = KrakenNewOrder(orderType: .stopLossLimit, side: .sell, quantity: "1.5", symbol: "ETH/USD", limitPrice: "2999.5")
        o.trigger = KrakenTrigger(price: "3000", reference: "last", priceType: "static")
        o.timeInForce = .gtd
        o.expireTime = 1_696_613_755_440_295
        o.reduceOnly = true
        o.orderUserref = 7
        o.deadline = 1_696_613_756_000_000
        o.validate = true
        let r = try KrakenRequest.addOrder(o, token: "t", reqID: 3, precision: KrakenPrecision(price: 2, qty: 8))
        #expect(r.text == #"{"method":"add_order","req_id":3,"params":{"order_type":"stop-loss-limit","side":"sell","order_qty":1.5,"symbol":"ETH/USD","limit_price":2999.5,"triggers":{"reference":"last","price":3000,"price_type":"static"},"time_in_force":"gtd","expire_time":"2023-10-06T17:35:55.440295Z","reduce_only":true,"order_userref":7,"deadline":"2023-10-06T17:35:56.000000Z","validate":true,"token":"t"}}"#)

        let market = KrakenNewOrder(orderType: .market, side: .buy, quantity: "0.01", symbol: "BTC/USD")
        #expect(try KrakenRequest.addOrder(market, token: "t", reqID: 1).text == #"{"method":"add_order","req_id":1,"params":{"order_type":"market","side":"buy","order_qty":0.01,"symbol":"BTC/USD","token":"t"}}"#)

        var bad = market
        bad.limitPrice = "1"
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(bad, token: "t", reqID: 1) }  // market with a price
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(KrakenNewOrder(orderType: .limit, side: .buy, quantity: "1", symbol: "BTC/USD"), token: "t", reqID: 1) }
        bad = market; bad.clOrdID = "abc"; bad.orderUserref = 1
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(bad, token: "t", reqID: 1) }  // both ids
        bad = market; bad.clOrdID = String(repeating: "x", count: 19)
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(bad, token: "t", reqID: 1) }  // not a UUID, > 18
        bad.clOrdID = "b3e1c6a2-7d4f-4c1e-9a8b-0c2d4e6f8a1b"
        #expect(try KrakenRequest.addOrder(bad, token: "t", reqID: 1).text.contains(#""cl_ord_id":"b3e1c6a2-7d4f-4c1e-9a8b-0c2d4e6f8a1b""#))
        bad = market; bad.quantity = "0"
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(bad, token: "t", reqID: 1) }
        bad = market; bad.timeInForce = .gtd
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(bad, token: "t", reqID: 1) }  // gtd without expire_time
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(market, token: "", reqID: 1) }
        #expect(throws: HFTError.self) { try KrakenRequest.addOrder(market, token: "t", reqID: Int64(Int32.max) + 1) }
        #expect(throws: HFTError.unsupported("Kraken WebSocket v2 has no fill-or-kill time in force")) { try KrakenTimeInForce(.fok) }
        #expect(try KrakenTimeInForce(.ioc) == .ioc && KrakenOrderType(.market) == .market)
    }

    @Test func amendCancelAndDeadManSwitch() throws {
        let amend = try KrakenRequest.amendOrder(KrakenAmend(order: .orderID("OABCDE-12345-FGHIJ"), orderQty: "0.005", limitPrice: "30010.0"),
                                                 token: "…", reqID: 43, precision: KrakenTestSupport.btcusd)
        #expect(amend.text == #"{"method":"amend_order","req_id":43,"params":{"order_id":"OABCDE-12345-FGHIJ","order_qty":0.005,"limit_price":30010.0,"token":"…"}}"#)
        #expect(throws: HFTError.self) { try KrakenRequest.amendOrder(KrakenAmend(order: .orderID("O1")), token: "t", reqID: 1) }
        var byClient = KrakenAmend(order: .clOrdID("my-order-1"))
        byClient.postOnly = true
        #expect(try KrakenRequest.amendOrder(byClient, token: "t", reqID: 1).text == #"{"method":"amend_order","req_id":1,"params":{"cl_ord_id":"my-order-1","post_only":true,"token":"t"}}"#)

        let cancel = try KrakenRequest.cancelOrder(.orderIDs(["OK4GZK-XOTOY-U4C4X5"]), token: "…", reqID: 3)
        #expect(cancel.text == #"{"method":"cancel_order","req_id":3,"params":{"order_id":["OK4GZK-XOTOY-U4C4X5"],"token":"…"}}"#)
        let many = try KrakenRequest.cancelOrder(.clOrdIDs(["a", "b", "c"]), token: "t", reqID: 4)
        #expect(many.expectedResponses == 3 && many.text.contains(#""cl_ord_id":["a","b","c"]"#))
        #expect(try KrakenRequest.cancelOrder(.orderUserrefs([1, 2]), token: "t", reqID: 5).text.contains(#""order_userref":[1,2]"#))
        #expect(throws: HFTError.self) { try KrakenRequest.cancelOrder(.orderIDs([]), token: "t", reqID: 1) }

        #expect(try KrakenRequest.cancelAll(token: "…", reqID: 9).text == #"{"method":"cancel_all","req_id":9,"params":{"token":"…"}}"#)
        #expect(try KrakenRequest.cancelAllOrdersAfter(timeoutSeconds: 60, token: "…", reqID: 10).text
                == #"{"method":"cancel_all_orders_after","req_id":10,"params":{"timeout":60,"token":"…"}}"#)
        #expect(throws: HFTError.self) { try KrakenRequest.cancelAllOrdersAfter(timeoutSeconds: 86_400, token: "t", reqID: 1) }
    }

    @Test func batchRequests() throws {
        let a = KrakenNewOrder(orderType: .limit, side: .buy, quantity: "0.001", symbol: "BTC/USD", limitPrice: "80000.0", clOrdID: "a1")
        let b = KrakenNewOrder(orderType: .limit, side: .sell, quantity: "0.002", symbol: "", limitPrice: "90000.0", postOnly: true)
        let r = try KrakenRequest.batchAdd(symbol: "BTC/USD", orders: [a, b], validate: true, token: "t", reqID: 11, precision: KrakenTestSupport.btcusd)
        #expect(r.text == #"{"method":"batch_add","req_id":11,"params":{"symbol":"BTC/USD","orders":[{"order_type":"limit","side":"buy","order_qty":0.001,"limit_price":80000.0,"cl_ord_id":"a1"},{"order_type":"limit","side":"sell","order_qty":0.002,"limit_price":90000.0,"post_only":true}],"validate":true,"token":"t"}}"#)
        #expect(throws: HFTError.self) { try KrakenRequest.batchAdd(symbol: "BTC/USD", orders: [a], token: "t", reqID: 1) }
        var other = a
        other.symbol = "ETH/USD"
        #expect(throws: HFTError.self) { try KrakenRequest.batchAdd(symbol: "BTC/USD", orders: [a, other], token: "t", reqID: 1) }

        let c = try KrakenRequest.batchCancel(orders: ["OA", "OB"], clOrdIDs: ["a1"], token: "t", reqID: 12)
        #expect(c.text == #"{"method":"batch_cancel","req_id":12,"params":{"orders":["OA","OB"],"cl_ord_id":["a1"],"token":"t"}}"#)
        #expect(throws: HFTError.self) { try KrakenRequest.batchCancel(orders: ["OA"], token: "t", reqID: 1) }
    }

    @Test func tokensAreRedactedAndFramesAreJSON() throws {
        let r = try KrakenRequest.cancelAll(token: "SECRET-TOKEN-123", reqID: 1)
        #expect(!r.description.contains("SECRET-TOKEN-123") && r.redactedText.contains("<token>"))
        #expect(r.text.contains("SECRET-TOKEN-123"))
        let all: [KrakenRequest] = [
            try .ping(reqID: 1), r,
            try .subscribe(.book(symbols: ["BTC/USD", "ETH/USD"], depth: .d1000), reqID: 2),
            try .addOrder(KrakenNewOrder(orderType: .limit, side: .buy, quantity: "1", symbol: "A\"B/USD", limitPrice: "1"), token: "t\\x", reqID: 3),
        ]
        for req in all {
            let ok = req.bytes.withUnsafeBytes { (try? JSONValue.parse($0)) != nil }
            #expect(ok, "\(req.text)")
        }
    }
}

@Suite struct KrakenUnifiedRequestTests {
    @Test func placeOrderMapsToTheNotesExample() throws {
        let o = try KrakenNewOrder(PlaceOrder(symbol: "XBT/USD", side: .buy, quantity: "0.001", price: "80000.0", postOnly: true,
                                              clientOrderID: "636a0574df7c4aa09c3b119a97f7c58b"))
        let r = try KrakenRequest.addOrder(o, token: "nlFb…", reqID: 2, precision: KrakenTestSupport.btcusd)
        #expect(r.text == #"{"method":"add_order","req_id":2,"params":{"order_type":"limit","side":"buy","order_qty":0.001,"symbol":"BTC/USD","limit_price":80000.0,"time_in_force":"gtc","post_only":true,"cl_ord_id":"636a0574df7c4aa09c3b119a97f7c58b","token":"nlFb…"}}"#)
        #expect(throws: HFTError.self) { try KrakenNewOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "1", price: "1", timeInForce: .fok)) }
        #expect(throws: HFTError.self) { try KrakenNewOrder(PlaceOrder(symbol: "BTC/USD", side: .buy, quantity: "1")) }
    }

    @Test func amendCancelAndCredentials() throws {
        #expect(try KrakenAmend(AmendOrder(orderID: "O1", price: "1.5")) == KrakenAmend(order: .orderID("O1"), limitPrice: "1.5"))
        #expect(try KrakenAmend(AmendOrder(clientOrderID: "c1", quantity: "2")).order == .clOrdID("c1"))
        #expect(try KrakenCancelTarget(CancelOrder(orderID: "O1")) == .orderIDs(["O1"]))
        #expect(try KrakenCancelTarget(CancelOrder(clientOrderIDs: ["a", "b"])) == .clOrdIDs(["a", "b"]))
        #expect(throws: HFTError.self) { try KrakenCancelTarget(CancelOrder(orderIDs: ["O1"], clientOrderIDs: ["a"])) }
        let c = try KrakenCredentials(Credentials(key: "KEY1", secret: KrakenSignerTests.secret))
        #expect(c.apiKey == "KEY1")
        #expect(c.signer.sign(path: "/0/private/AddOrder", nonce: "1616492376594", postData: KrakenSignerTests.postData) == KrakenSignerTests.expected)
    }
}
