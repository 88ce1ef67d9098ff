import HFTCore
@testable import HFTVenues
import Testing

@Suite("DigiFinex codec")
struct DigiFinexCodecTests {
    // MARK: Signing

    /// vectors.md D1 (official REST v3 example).
    @Test func restSignatureMatchesTheOfficialExample() throws {
        let creds = try DigiFinexCredentials(apiKey: "0123456789abcd", secret: "01234567890123456789abcd")
        let order = DigiFinexNewOrder(symbol: "trx_usdt", side: .buy, market: false, amount: "1", price: "0.01", postOnly: false)
        let r = DigiFinexREST.newOrder(order, credentials: creds, seconds: 1589872188)
        #expect(r.payload == "symbol=trx_usdt&price=0.01&amount=1&type=buy")
        #expect(r.headers.first { $0.0 == "ACCESS-SIGN" }?.1 == "7e2d0636cab21fd41c828b8c6ce8f77e643febecdeaeab0771c01dc4d7dbef38")
        #expect(r.headers.first { $0.0 == "ACCESS-TIMESTAMP" }?.1 == "1589872188")
        #expect(r.headers.first { $0.0 == "ACCESS-KEY" }?.1 == "0123456789abcd")
        #expect(r.method == "POST" && r.url == "https://openapi.digifinex.com/v3/spot/order/new")
        #expect(r.body.map { String(decoding: $0, as: UTF8.self) } == r.payload)
        // The sorted string signs differently (the doc signs the order sent).
        #expect(creds.signer.restSign(payload: "amount=1&price=0.01&symbol=trx_usdt&type=buy")
                == "8e2cd6655829ddc84b9cb8553913a62a517558ca632e6e9d110d26e26cd1f7be")
    }

    /// Derived (computed with Python's hmac/base64): Base64(HMAC-SHA256(secret, ms timestamp)).
    @Test func webSocketAuthSign() throws {
        let creds = try DigiFinexCredentials(apiKey: "5a8e6b662ddb0", secret: "01234567890123456789abcd")
        #expect(creds.authParams(milliseconds: 1583135616239) == ["5a8e6b662ddb0", "1583135616239", "tzcVcUbbxJ7fzsNURTvDD42uAs9jDTV67ObUJKQ+QHk="])
        let text = DigiFinexRequest.auth(id: 12312, credentials: creds, milliseconds: 1583135616239)
        #expect(text == #"{"id":12312,"method":"server.auth","params":["5a8e6b662ddb0","1583135616239","tzcVcUbbxJ7fzsNURTvDD42uAs9jDTV67ObUJKQ+QHk="]}"#)
        #expect(!"\(creds)".contains("0123456789abcd") && !"\(creds.signer)".contains("abcd"))
        #expect(DigiFinexRequest.redacted(text).contains("<sign>") && !DigiFinexRequest.redacted(text).contains("tzcV"))
    }

    @Test func signedGetSignsTheQuery() throws {
        let creds = try DigiFinexCredentials(apiKey: "k", secret: "s")
        let r = DigiFinexREST.openOrders(symbol: "BTC_USDT", credentials: creds, seconds: 1,
                                         endpoints: DigiFinexEndpoints(webSocket: "ws://h/ws/v1/", rest: "http://h:1"))
        #expect(r.url == "http://h:1/v3/spot/order/current?symbol=btc_usdt" && r.payload == "symbol=btc_usdt" && r.body == nil)
        #expect(r.headers.first { $0.0 == "ACCESS-SIGN" }?.1 == creds.signer.restSign(payload: "symbol=btc_usdt"))
        let c = DigiFinexREST.cancel(orderIDs: ["a1", "b2"], credentials: creds, seconds: 1)
        #expect(c.payload == "order_id=a1,b2")
        #expect(DigiFinexEndpoints.production.restURL(DigiFinexEndpoints.Path.assets) == "https://openapi.digifinex.com/v3/spot/assets")
    }

    // MARK: Requests

    @Test func requestFrames() throws {
        #expect(DigiFinexRequest.subscribe(id: 7, .depth, ["ETH_USDT", "BTC_USDT"]) == #"{"id":7,"method":"depth.subscribe","params":["ETH_USDT","BTC_USDT"]}"#)
        #expect(DigiFinexRequest.unsubscribe(id: 8, .trades) == #"{"id":8,"method":"trades.unsubscribe","params":[]}"#)
        #expect(DigiFinexRequest.ping(id: 9) == #"{"id":9,"method":"server.ping","params":[]}"#)
        #expect(DigiFinexRequest.subscribe(id: 1, .balance, ["USDT", "BTC"]) == #"{"id":1,"method":"balance.subscribe","params":["USDT","BTC"]}"#)
        #expect(try DigiFinexSymbols.native("BTC/USDT") == "BTC_USDT")
        #expect(try DigiFinexSymbols.restNative("BTC/USDT") == "btc_usdt")
        #expect(DigiFinexSymbols.unified("btc_usdt") == "BTC/USDT")
    }

    @Test func newOrderMapping() throws {
        let post = try DigiFinexNewOrder(PlaceOrder(symbol: "ETH/USDT", side: .sell, quantity: "0.50", price: "3000.10", postOnly: true))
        #expect(post.fields.map { "\($0.0)=\($0.1)" }.joined(separator: "&") == "symbol=eth_usdt&price=3000.10&amount=0.50&type=sell&post_only=1")
        let market = try DigiFinexNewOrder(PlaceOrder(symbol: "ETH/USDT", side: .buy, type: .market, quantity: "10"))
        #expect(market.typeText == "buy_market" && !market.fields.contains { $0.0 == "price" })
        #expect(throws: HFTError.self) { try DigiFinexNewOrder(PlaceOrder(symbol: "ETH/USDT", side: .buy, quantity: "1", price: "1", timeInForce: .ioc)) }
    }

    // MARK: Responses and pushes

    @Test func responses() throws {
        guard case .response(let ok) = try DigiFinexDecoder.decode(#"{"error":null,"result":{"status":"success"},"id":12312}"#) else { Issue.record("not a response"); return }
        #expect(ok.id == 12312 && ok.ok && ok.result == .status("success"))
        guard case .response(let pong) = try DigiFinexDecoder.decode(#"{"error":null,"result":"pong","id":3}"#) else { Issue.record("pong"); return }
        #expect(pong.result == .pong)
        guard case .response(let time) = try DigiFinexDecoder.decode(#"{"error":null,"result":1523348055,"id":4}"#) else { Issue.record("time"); return }
        #expect(time.result == .time(1523348055))
        guard case .response(let err) = try DigiFinexDecoder.decode(#"{"error":{"code":6,"message":"require auth"},"result":null,"id":5}"#) else { Issue.record("err"); return }
        #expect(err.error?.kind == .requireAuth)
        if case .authenticationFailed = err.error!.hftError {} else { Issue.record("require auth maps to authenticationFailed") }
        #expect(DigiFinexError(code: 7, message: "").hftError == .rateLimited(retryAfterMicros: nil))
        #expect(DigiFinexError(code: 20011, message: "", isREST: true).hftError == .venueRejected(code: "20011", message: "insufficient balance"))
    }

    /// vectors.md D5: the ccxws pushes (asks arrive highest first; zero sizes remove or are no-ops).
    @Test func depthCleanThenDelta() throws {
        let snapshot = #"{"method":"depth.update","params":[true,{"asks":[["11702.01","0.001"],["11700.24","0.8716"],["11699.57","0.1029"]],"bids":[["11697.89","0.2184"],["11697.13","7.0356"],["11696.79","0.2149"]]},"BTC_USDT"],"id":null}"#
        let delta = #"{"method":"depth.update","params":[false,{"asks":[["11702.81","0.001"],["11699.92","0.008"],["11788.73","0"],["11787.24","0"]],"bids":[["11642.72","13.1172"],["11627.05","2.1258"],["11621.42","0"],["11620.87","0"]]},"BTC_USDT"],"id":null}"#
        guard case .depth(let s) = try DigiFinexDecoder.decode(snapshot), case .depth(let d) = try DigiFinexDecoder.decode(delta) else {
            Issue.record("not depth"); return
        }
        var book = DigiFinexBook(symbol: "BTC/USDT")
        #expect(book.apply(d) == .awaitingSnapshot)
        #expect(book.book.isEmpty)
        #expect(book.apply(s) == .applied(snapshot: true))
        #expect(book.apply(d) == .applied(snapshot: false))
        #expect(book.book.asks.map { "\($0.price)→\($0.quantity)" } == ["11699.57→0.1029", "11699.92→0.008", "11700.24→0.8716", "11702.01→0.001", "11702.81→0.001"])
        #expect(book.book.bids.map { "\($0.price)→\($0.quantity)" } == ["11697.89→0.2184", "11697.13→7.0356", "11696.79→0.2149", "11642.72→13.1172", "11627.05→2.1258"])
        #expect(book.apply(s) == .applied(snapshot: true))
        #expect(book.book.asks.count == 3 && book.book.bids.count == 3)
        book.invalidate()
        #expect(book.apply(d) == .awaitingSnapshot)
    }

    @Test func tradesDecodeAndDedupe() throws {
        let clean = #"{"method":"trades.update","params":[true,[{"id":3,"time":1523339279.761838,"price":"398.59","amount":"0.027","type":"buy"},{"id":2,"time":1523339278.5,"price":"398.58","amount":"0.010","type":"sell"}],"ETH_USDT"],"id":null}"#
        guard case .trades(let u) = try DigiFinexDecoder.decode(clean) else { Issue.record("not trades"); return }
        #expect(u.clean && u.symbol == "ETH_USDT")
        #expect(u.trades[0].time == 1523339279761838 && u.trades[0].amount.description == "0.027" && u.trades[1].side == .sell)
        var filter = DigiFinexTradeFilter()
        #expect(filter.fresh(u).map(\.id) == [2, 3])
        let again = DigiFinexTradesUpdate(clean: true, trades: [u.trades[0], DigiFinexTrade(id: 4, time: 1523339280000000, price: "1", amount: "1", side: .buy)], symbol: "ETH_USDT")
        #expect(filter.fresh(again).map(\.id) == [4])
    }

    @Test func tickerOrderBalance() throws {
        let ticker = #"{"method":"ticker.update","params":[{"symbol":"BTC_USDT","open_24h":"1760","low_24h":"1.00","base_volume_24h":"11.40088557","quote_volume_24h":"29786.30588557","last":"4000","last_qty":"1","best_bid":"3375","best_bid_size":"0.003","best_ask":"4000","best_ask_size":"108.2542","timestamp":1586762545336}],"id":null}"#
        guard case .ticker(let t, all: false) = try DigiFinexDecoder.decode(ticker) else { Issue.record("ticker"); return }
        #expect(t[0].bestAskSize?.description == "108.2542" && t[0].timestamp == 1586762545336000 && t[0].high24h == nil)
        let order = #"{"method":"order.update","params":[{"amount":"0","filled":"0.9969","id":"31b7f41c81787b4200c75eb074e6edc9","mode":1,"notional":"9713.82","price":"0","price_avg":"9700","side":"buy","status":2,"symbol":"BTC_USDT","timestamp":1589272547000,"type":"market"}],"id":null}"#
        guard case .orders(let o) = try DigiFinexDecoder.decode(order) else { Issue.record("order"); return }
        #expect(o[0].status == 2 && o[0].type == .market && o[0].filled.description == "0.9969")
        let tracker = DigiFinexOrderTracker()
        let events = tracker.apply(o[0])
        guard case .order(let unified)? = events.first, case .fill(let fill)? = events.last else { Issue.record("\(events)"); return }
        #expect(unified.status == .filled && unified.quantity.description == "0.9969" && unified.averagePrice?.description == "9700")
        #expect(fill.quantity.description == "0.9969" && fill.price.description == "9744")  // 9713.82 / 0.9969, at the price scale
        #expect(tracker.apply(o[0]).isEmpty)  // identical repeat
        let balance = #"{"method":"balance.update","params":[{"currency":"USDT","free":"99944652.8478545303601106","total":"99944652.8478545303601106","used":"0.0000000000"}],"id":null}"#
        guard case .balances(let b) = try DigiFinexDecoder.decode(balance) else { Issue.record("balance"); return }
        #expect(b[0].free.description == "99944652.8478545303601106" && b[0].used.isZero)
    }

    @Test func badInputIsATypedError() {
        for text in ["{not json", "[]", #"{"method":"depth.update","params":[true]}"#, #"{"method":"nope.update","params":[]}"#,
                     #"{"method":"depth.update","params":[true,{"asks":[["x","1"]]},"BTC_USDT"],"id":null}"#,
                     #"{"method":"trades.update","params":[true,[{"id":"a"}],"BTC_USDT"]}"#, #"{"id":null}"#, ""] {
            #expect(throws: DigiFinexDecodeError.self, "\(text)") { try DigiFinexDecoder.decode(text) }
        }
        #expect((try? DigiFinexDecoder.decode(#"{"method":"nope.update","params":[]}"#)) == nil)
    }

    // MARK: REST replies

    @Test func restReplies() throws {
        #expect(try DigiFinexREST.parseNewOrder(Array(#"{"code":0,"order_id":"198361cecdc65f9c8c9bb2fa68faec40"}"#.utf8)) == "198361cecdc65f9c8c9bb2fa68faec40")
        let c = try DigiFinexREST.parseCancel(Array(#"{"code":0,"date":1589872188,"success":["a"],"error":["b"]}"#.utf8))
        #expect(c.success == ["a"] && c.failed == ["b"])
        let orders = try DigiFinexREST.parseOrders(Array(#"{"code":0,"data":[{"symbol":"BTC_USDT","order_id":"dd31","created_date":1562303547,"finished_date":0,"price":0.1,"avg_price":0,"amount":1,"cash_amount":0,"executed_amount":0,"status":0,"type":"buy","kind":"spot"}]}"#.utf8))
        #expect(orders.count == 1 && orders[0].price.description == "0.1" && orders[0].side == .buy && orders[0].status == 0)
        let assets = try DigiFinexREST.parseAssets(Array(#"{"code":0,"list":[{"currency":"btc","free":"4.5","total":"5"}]}"#.utf8))
        #expect(assets == [DigiFinexAsset(currency: "BTC", free: "4.5", total: "5")] && assets[0].frozen.description == "0.5")
        #expect(try DigiFinexREST.parseTime(Array(#"{"server_time":1589873762,"code":0}"#.utf8)) == 1589873762)
        #expect(throws: DigiFinexRESTError.venue(DigiFinexError(code: 20013, message: "", isREST: true))) {
            try DigiFinexREST.parseCancel(Array(#"{"code":20013}"#.utf8))
        }
        #expect(throws: DigiFinexRESTError.self) { try DigiFinexREST.parseAssets(Array("<html>".utf8)) }
    }

    @Test func descriptorAndOptions() throws {
        let d = DigiFinexDescriptor.descriptor
        #expect(d.endpoints.map(\.name) == ["ws", "rest"] && !d.websocketOrderEntry)
        #expect(VenueCatalog.descriptor(for: .digifinex) != nil)
        let o = try DigiFinexClientOptions(["recycle_interval_s": "1.5", "ping_interval_s": "0.2"])
        #expect(o.recycleInterval == .milliseconds(1500) && o.pingInterval == .milliseconds(200))
        #expect(throws: HFTError.self) { try DigiFinexClientOptions(["ping_interval_s": "61"]) }
        #expect(throws: HFTError.self) { try DigiFinexClientOptions(["nope": "1"]) }
    }
}

@Suite("DigiFinex order tracker")
struct DigiFinexOrderTrackerTests {
    static func push(_ status: Int, filled: String = "0", notional: String = "0") -> DigiFinexOrderUpdate {
        DigiFinexOrderUpdate(id: "abc", symbol: "BTC_USDT", side: .buy, type: .limit, mode: 1, status: status, amount: "0.010",
                             filled: FixedDecimal(filled)!, notional: FixedDecimal(notional)!, price: "100.00", priceAvg: "0",
                             timestamp: 1_000_000)
    }

    /// The REST ack may come before or after the first push; either way the push is delivered once.
    @Test func ackBeforeOrAfterThePush() {
        let order = PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.010", price: "100.00", clientOrderID: "c1")
        let ackFirst = DigiFinexOrderTracker()
        ackFirst.placed("abc", clientOrderID: "c1", order: order)
        let e1 = ackFirst.apply(Self.push(0))
        guard case .order(let o1)? = e1.first else { Issue.record("\(e1)"); return }
        #expect(e1.count == 1 && o1.clientOrderID == "c1" && o1.status == .open)
        #expect(ackFirst.apply(Self.push(0)).isEmpty)
        let pushFirst = DigiFinexOrderTracker()
        #expect(pushFirst.apply(Self.push(0)).count == 1)
        pushFirst.placed("abc", clientOrderID: "c1", order: order)
        #expect(pushFirst.apply(Self.push(0)).isEmpty)
        let fill = pushFirst.apply(Self.push(1, filled: "0.004", notional: "0.40"))
        guard case .order(let o2)? = fill.first, case .fill(let f)? = fill.last else { Issue.record("\(fill)"); return }
        #expect(o2.status == .partiallyFilled && o2.clientOrderID == "c1" && f.quantity.description == "0.004" && f.price.description == "100.00")
        #expect(pushFirst.apply(Self.push(0)).isEmpty)  // never back from a partial fill
        #expect(pushFirst.apply(Self.push(3, filled: "0.004", notional: "0.40")).count == 1)
        #expect(pushFirst.openOrders.isEmpty)
    }
}
