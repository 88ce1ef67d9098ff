import HFTCore
import Testing
@testable import HFTVenues

@Suite struct BinanceMappingTests {
    typealias T = BinanceTestSupport

    static func symbols() throws -> BinanceSymbolMap {
        BinanceSymbolMap(try BinanceREST.parseExchangeInfo(Array(BinanceRESTTests.exchangeInfo.utf8)))
    }

    @Test func symbolSpelling() throws {
        let m = try Self.symbols()
        #expect(m.count == 2)
        #expect(m.unified("ETHBTC") == Symbol("ETH/BTC") && m.unified("1000SATSFDUSD") == Symbol("1000SATS/FDUSD"))
        #expect(try m.native("ETH/BTC") == "ETHBTC" && m.streamName("ETH/BTC") == "ethbtc")
        // Not in exchangeInfo: the SymbolSpelling fallback splits by known quotes.
        #expect(m.unified("BTCUSDT") == Symbol("BTC/USDT") && m.unified("BNBBTC") == Symbol("BNB/BTC"))
        #expect(try m.native("BTC/USDT") == "BTCUSDT")
        #expect(m.unified("XYZ") == nil)
        #expect(throws: HFTError.self) { try m.native("BTC/USD:BTC") }
        #expect(try m.resolve("BTC/USDT") == Symbol("BTC/USDT") && m.resolve("ethbtc") == Symbol("ETH/BTC"))
        #expect(throws: HFTError.self) { try m.resolve("???") }
        // Assets whose names end like a quote are split right once exchangeInfo is known.
        var custom = BinanceSymbolMap()
        #expect(custom.unified("USDCUSDT") == Symbol("USDC/USDT"))
        custom.add(native: "BTCTUSD", base: "BTC", quote: "TUSD")
        #expect(custom.unified("BTCTUSD") == Symbol("BTC/TUSD"))
    }

    @Test func tradesTickersBalances() throws {
        let m = BinanceSymbolMap()
        let t = BinanceTrade(eventTime: 1, symbol: "BNBBTC", tradeID: 12345, price: "0.001", quantity: "100", tradeTime: 2, buyerIsMaker: true)
        #expect(try t.unified(symbols: m) == Trade(venue: .binance, symbol: "BNB/BTC", id: "12345", price: "0.001", quantity: "100", side: .sell, timestamp: 2))
        var buy = t
        buy.buyerIsMaker = false
        #expect(try buy.unified(symbols: m).side == .buy)
        let a = BinanceAggTrade(eventTime: 1, symbol: "BNBBTC", aggregateTradeID: 9, price: "1", quantity: "2", firstTradeID: 100, lastTradeID: 105,
                                tradeTime: 3, buyerIsMaker: false)
        #expect(try a.unified(symbols: m) == Trade(venue: .binance, symbol: "BNB/BTC", id: "9", price: "1", quantity: "2", side: .buy, timestamp: 3))
        let b = BinanceBookTicker(updateID: 400_900_217, symbol: "BNBUSDT", bidPrice: "25.35190000", bidQty: "31.21000000",
                                  askPrice: "25.36520000", askQty: "40.66000000")
        let ticker = try b.unified(symbols: m, receivedAt: 77)
        #expect(ticker == Ticker(venue: .binance, symbol: "BNB/USDT", bid: "25.35190000", bidQuantity: "31.21000000", ask: "25.36520000",
                                 askQuantity: "40.66000000", timestamp: 77))
        #expect(ticker.bid?.description == "25.35190000")
        let p = BinanceAccountPosition(eventTime: 5, lastUpdateTime: 4, balances: [.init(asset: "ETH", free: "10000.000000", locked: "1.5")])
        #expect(p.unified() == [Balance(venue: .binance, asset: "ETH", available: "10000.000000", frozen: "1.5", timestamp: 5)])
        #expect(p.unified()[0].total == "10001.500000")
        #expect(throws: HFTError.self) { try BinanceTrade(eventTime: 1, symbol: "??", tradeID: 1, price: "1", quantity: "1", tradeTime: 1, buyerIsMaker: true).unified(symbols: m) }
    }

    @Test func orderStatusMapping() {
        let cases: [(String, OrderStatus)] = [
            ("NEW", .open), ("PENDING_NEW", .pending), ("PARTIALLY_FILLED", .partiallyFilled), ("FILLED", .filled),
            ("CANCELED", .canceled), ("PENDING_CANCEL", .open), ("REJECTED", .rejected), ("EXPIRED", .expired),
            ("EXPIRED_IN_MATCH", .expired), ("WHATEVER", .unknown),
        ]
        for (wire, status) in cases {
            #expect(BinanceOrderStatus(wire: wire).unified == status, "\(wire)")
            #expect(BinanceOrderStatus(wire: wire).wire == wire)
        }
    }

    func report(_ json: String) throws -> BinanceExecutionReport {
        guard case .userData(.executionReport(let r), _) = try T.decode(#"{"subscriptionId":0,"event":\#(json)}"#) else {
            throw HFTError.unknownMessage(json)
        }
        return r
    }

    @Test func executionReportToOrderAndFill() throws {
        let m = BinanceSymbolMap()
        let new = try report(BinancePushTests.executionReport)
        let o = try new.unifiedOrder(symbols: m)
        #expect(o == Order(venue: .binance, symbol: "ETH/BTC", orderID: "4293153", clientOrderID: "mUvoqJxFIILMdfAW5iGSOW", side: .buy,
                           type: .limit, timeInForce: .gtc, postOnly: false, price: "0.10264410", quantity: "1.00000000",
                           filledQuantity: "0.00000000", averagePrice: nil, status: .open, timestamp: 1_499_405_658_657_000))
        #expect(try new.unifiedFill(symbols: m) == nil)

        // A maker fill of a post-only order.
        let trade = try report(#"{"e":"executionReport","E":2,"s":"ETHBTC","c":"c1","S":"SELL","o":"LIMIT_MAKER","f":"GTC","q":"1.00000000","p":"0.10000000","P":"0","F":"0","g":-1,"C":"","x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":9,"l":"0.40000000","z":"0.60000000","L":"0.10000000","n":"0.00004000","N":"BNB","T":3,"t":77,"I":8,"w":true,"m":true,"M":true,"O":1,"Z":"0.06100000","Y":"0.04000000","Q":"0","W":1,"V":"NONE"}"#)
        let to = try trade.unifiedOrder(symbols: m)
        #expect(to.postOnly && to.type == .limit && to.status == .partiallyFilled && to.filledQuantity == "0.6")
        #expect(to.averagePrice?.description == "0.10166667")  // 0.061 / 0.6 at 8 dp
        #expect(to.remainingQuantity == "0.4")
        let f = try #require(try trade.unifiedFill(symbols: m))
        #expect(f == Fill(venue: .binance, symbol: "ETH/BTC", tradeID: "77", orderID: "9", clientOrderID: "c1", side: .sell, price: "0.10000000",
                          quantity: "0.40000000", fee: "0.00004000", feeCurrency: "BNB", liquidity: .maker, timestamp: 3_000))

        // Cancels: `c` is the cancel's id, `C` the original; the order keeps the original.
        let cancel = try report(#"{"e":"executionReport","E":4,"s":"ETHBTC","c":"cancel-9","S":"SELL","o":"LIMIT","f":"IOC","q":"1","p":"0.1","P":"0","F":"0","g":-1,"C":"c1","x":"CANCELED","X":"CANCELED","r":"NONE","i":9,"l":"0","z":"0.6","L":"0","n":"0","N":null,"T":5,"t":-1,"I":10,"w":false,"m":false,"M":false,"O":1,"Z":"0.061","Y":"0","Q":"0","W":1,"V":"NONE"}"#)
        let co = try cancel.unifiedOrder(symbols: m)
        #expect(co.clientOrderID == "c1" && co.status == .canceled && co.timeInForce == .ioc && co.status.isFinal)

        // Market orders have no price; STP expiry maps to expired.
        let market = try report(#"{"e":"executionReport","E":6,"s":"ETHBTC","c":"m1","S":"BUY","o":"MARKET","f":"GTC","q":"2","p":"0.00000000","P":"0","F":"0","g":-1,"C":"","x":"EXPIRED","X":"EXPIRED_IN_MATCH","r":"NONE","i":11,"l":"0","z":"0","L":"0","n":"0","N":null,"T":7,"t":-1,"I":12,"w":false,"m":false,"M":false,"O":6,"Z":"0","Y":"0","Q":"0","W":6,"V":"EXPIRE_TAKER"}"#)
        let mo = try market.unifiedOrder(symbols: m)
        #expect(mo.type == .market && mo.price == nil && mo.status == .expired && mo.averagePrice == nil)
    }

    @Test func orderReportsToOrdersAndFills() throws {
        let m = BinanceSymbolMap()
        let full = BinanceOrderReport(symbol: "BTCUSDT", orderID: 12_569_099_453, orderListID: -1, clientOrderID: "4d96", transactTime: 10,
                                      price: "0.00000000", origQty: "0.00847000", executedQty: "0.00847000", cumulativeQuoteQty: "198.33521500",
                                      status: .filled, timeInForce: "GTC", type: "MARKET", side: .sell,
                                      fills: [BinanceOrderFill(price: "23422.00000000", qty: "0.00847000", commission: "0.00000000",
                                                               commissionAsset: "BNB", tradeID: 1_940_759)])
        let o = try #require(full.unifiedOrder(symbols: m))
        #expect(o.symbol == "BTC/USDT" && o.orderID == "12569099453" && o.type == .market && o.price == nil && o.status == .filled)
        #expect(o.averagePrice?.description == "23416.20011806" && o.timestamp == 10)
        #expect(full.unifiedFills(symbols: m) == [Fill(venue: .binance, symbol: "BTC/USDT", tradeID: "1940759", orderID: "12569099453",
                                                       clientOrderID: "4d96", side: .sell, price: "23422.00000000", quantity: "0.00847000",
                                                       fee: "0.00000000", feeCurrency: "BNB", liquidity: .taker, timestamp: 10)])
        let ack = BinanceOrderReport(symbol: "BTCUSDT", orderID: 1, clientOrderID: "x", transactTime: 1)
        #expect(ack.unifiedOrder(symbols: m) == nil && ack.unifiedFills(symbols: m).isEmpty)
        let cancelled = BinanceOrderReport(symbol: "BTCUSDT", orderID: 2, clientOrderID: "new", origClientOrderID: "old", price: "1.00",
                                           origQty: "3", executedQty: "1", status: .canceled, timeInForce: "GTC", type: "LIMIT", side: .buy,
                                           updateTime: 42)
        let c = try #require(cancelled.unifiedOrder(symbols: m))
        #expect(c.clientOrderID == "old" && c.price == "1.00" && c.filledQuantity == "1" && c.timestamp == 42 && c.averagePrice == nil)
    }

    @Test func unifiedPlaceOrder() throws {
        let m = BinanceSymbolMap()
        let auth = BinanceAuth.session(timestamp: 1)
        let post = try BinanceRequest.place(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "0.001", price: "80000.0", postOnly: true,
                                                       clientOrderID: "p1"), symbols: m, id: 1, auth: auth)
        #expect(T.paramsText(post) == #"{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT_MAKER","price":"80000.0","quantity":"0.001","newClientOrderId":"p1","newOrderRespType":"RESULT","timestamp":1}"#)
        let ioc = try BinanceRequest.place(PlaceOrder(symbol: "BTC/USDT", side: .sell, quantity: "1", price: "2", timeInForce: .ioc),
                                           symbols: m, id: 2, auth: auth, responseType: .full)
        #expect(T.paramsText(ioc) == #"{"symbol":"BTCUSDT","side":"SELL","type":"LIMIT","timeInForce":"IOC","price":"2","quantity":"1","newOrderRespType":"FULL","timestamp":1}"#)
        let mkt = try BinanceRequest.place(PlaceOrder(symbol: "BTC/USDT", side: .buy, type: .market, quantity: "1"), symbols: m, id: 3,
                                           auth: auth, responseType: nil)
        #expect(T.paramsText(mkt) == #"{"symbol":"BTCUSDT","side":"BUY","type":"MARKET","quantity":"1","timestamp":1}"#)
        #expect(throws: HFTError.self) {
            try BinanceRequest.place(PlaceOrder(symbol: "BTC/USDT", side: .buy, quantity: "1", price: "1", timeInForce: .fok, postOnly: true),
                                     symbols: m, id: 4, auth: auth)
        }
        // exchangeInfo filters are checked before sending.
        let info = try #require(try BinanceREST.parseExchangeInfo(Array(BinanceRESTTests.exchangeInfo.utf8))["ETHBTC"])
        #expect(throws: HFTError.self) {
            try BinanceRequest.place(PlaceOrder(symbol: "ETH/BTC", side: .buy, quantity: "1", price: "0.051234"), symbols: m, id: 5, auth: auth, info: info)
        }
    }

    @Test func unifiedCancelAmendCancelAll() throws {
        let m = BinanceSymbolMap()
        let auth = BinanceAuth.session(timestamp: 1)
        var next: RequestID = 100
        let cancels = try BinanceRequest.cancel(CancelOrder(orderIDs: ["1", "2"], clientOrderIDs: ["c3"], symbol: "BTC/USDT"), symbols: m, auth: auth) {
            next += 1
            return next
        }
        #expect(cancels.map(\.id) == [101, 102, 103])
        #expect(cancels.map(\.text) == [
            #"{"id":101,"method":"order.cancel","params":{"symbol":"BTCUSDT","orderId":1,"timestamp":1}}"#,
            #"{"id":102,"method":"order.cancel","params":{"symbol":"BTCUSDT","orderId":2,"timestamp":1}}"#,
            #"{"id":103,"method":"order.cancel","params":{"symbol":"BTCUSDT","origClientOrderId":"c3","timestamp":1}}"#,
        ])
        #expect(throws: HFTError.self) { try BinanceRequest.cancel(CancelOrder(orderID: "1"), symbols: m, auth: auth) { 1 } }
        #expect(throws: HFTError.self) { try BinanceRequest.cancel(CancelOrder(orderID: "abc", symbol: "BTC/USDT"), symbols: m, auth: auth) { 1 } }

        let current = Order(venue: .binance, symbol: "BTC/USDT", orderID: "7", clientOrderID: "c7", side: .buy, type: .limit, postOnly: true,
                            price: "80000.00", quantity: "0.010", filledQuantity: "0.004", status: .partiallyFilled, timestamp: 0)
        // Quantity down only: keepPriority (with or without the current order).
        let down = try BinanceRequest.amend(AmendOrder(orderID: "7", symbol: "BTC/USDT", quantity: "0.008"), current: current, symbols: m, id: 1, auth: auth)
        #expect(down.method == .orderAmendKeepPriority && down.params["newQty"] == .decimal("0.008"))
        let blind = try BinanceRequest.amend(AmendOrder(clientOrderID: "c7", symbol: "BTC/USDT", quantity: "0.008"), current: nil, symbols: m, id: 2, auth: auth)
        #expect(T.paramsText(blind) == #"{"symbol":"BTCUSDT","origClientOrderId":"c7","newQty":"0.008","timestamp":1}"#)
        // A price change: cancelReplace, post-only kept, quantity defaults to what is left.
        let px = try BinanceRequest.amend(AmendOrder(orderID: "7", price: "79999.00"), current: current, symbols: m, id: 3, auth: auth)
        #expect(px.method == .orderCancelReplace)
        #expect(T.paramsText(px) == #"{"symbol":"BTCUSDT","cancelReplaceMode":"STOP_ON_FAILURE","cancelOrderId":7,"side":"BUY","type":"LIMIT_MAKER","price":"79999.00","quantity":"0.006","newOrderRespType":"RESULT","timestamp":1}"#)
        // Raising the quantity is a cancel-replace too.
        let up = try BinanceRequest.amend(AmendOrder(orderID: "7", quantity: "0.02"), current: current, symbols: m, id: 4, auth: auth)
        #expect(up.method == .orderCancelReplace && up.params["quantity"] == .decimal("0.02"))
        #expect(throws: HFTError.self) { try BinanceRequest.amend(AmendOrder(orderID: "7", symbol: "BTC/USDT", price: "1"), current: nil, symbols: m, id: 5, auth: auth) }

        #expect(try BinanceRequest.cancelAll(symbol: "BTC/USDT", symbols: m, id: 6, auth: auth).method == .openOrdersCancelAll)
        #expect(throws: HFTError.self) { try BinanceRequest.cancelAll(symbol: nil, symbols: m, id: 7, auth: auth) }
    }
}
