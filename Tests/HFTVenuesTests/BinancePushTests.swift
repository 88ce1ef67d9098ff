import Foundation
import HFTCore
import Testing
@testable import HFTVenues

/// Pushes copied from protocols/binance.md §2, §8, §9 (`…` placeholders filled in where noted).
@Suite struct BinancePushTests {
    typealias T = BinanceTestSupport

    func market(_ s: String, timeUnit: BinanceTimeUnit = .milliseconds) throws -> (BinanceMarketEvent, String?) {
        guard case .market(let e, let stream) = try T.decode(s, timeUnit: timeUnit) else { throw HFTError.unknownMessage(s) }
        return (e, stream)
    }

    func user(_ s: String) throws -> (BinanceUserEvent, Int64?) {
        guard case .userData(let e, let sub) = try T.decode(s) else { throw HFTError.unknownMessage(s) }
        return (e, sub)
    }

    static let depthUpdate = #"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}"#

    @Test func depthUpdateRawAndCombined() throws {
        let expected = BinanceDepthUpdate(eventTime: 1_672_515_782_136_000, symbol: "BNBBTC", firstUpdateID: 157, finalUpdateID: 160,
                                          bids: [BookLevel(price: "0.0024", quantity: "10")], asks: [BookLevel(price: "0.0026", quantity: "100")])
        let (raw, noStream) = try market(Self.depthUpdate)
        #expect(raw == .depthUpdate(expected) && noStream == nil)
        let (combined, stream) = try market(#"{"stream":"bnbbtc@depth@100ms","data":\#(Self.depthUpdate)}"#)
        #expect(combined == .depthUpdate(expected) && stream == "bnbbtc@depth@100ms")
        // Scale kept; empty sides; zero quantities (removals); key order irrelevant.
        let (z, _) = try market(#"{"a":[],"b":[["0.00240000","0.00000000"],["0.00230000","5.5"]],"u":161,"U":161,"s":"BNBBTC","E":1,"e":"depthUpdate"}"#)
        guard case .depthUpdate(let d) = z else { Issue.record("depth"); return }
        #expect(d.bids.map(\.price.description) == ["0.00240000", "0.00230000"] && d.bids[0].quantity.isZero && d.asks.isEmpty)
        // Microsecond connections keep µs.
        let (m, _) = try market(#"{"e":"depthUpdate","E":1672515782136123,"s":"BNBBTC","U":1,"u":1,"b":[],"a":[]}"#, timeUnit: .microseconds)
        guard case .depthUpdate(let dm) = m else { Issue.record("depth"); return }
        #expect(dm.eventTime == 1_672_515_782_136_123)
    }

    @Test func tradeAggTradeBookTickerPartialDepth() throws {
        let (t, _) = try market(#"{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}"#)
        #expect(t == .trade(BinanceTrade(eventTime: 1_672_515_782_136_000, symbol: "BNBBTC", tradeID: 12345, price: "0.001",
                                         quantity: "100", tradeTime: 1_672_515_782_136_000, buyerIsMaker: true)))
        let (a, _) = try market(#"{"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true}"#)
        #expect(a == .aggTrade(BinanceAggTrade(eventTime: 1_672_515_782_136_000, symbol: "BNBBTC", aggregateTradeID: 12345, price: "0.001",
                                               quantity: "100", firstTradeID: 100, lastTradeID: 105, tradeTime: 1_672_515_782_136_000,
                                               buyerIsMaker: true)))
        let (b, _) = try market(#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#)
        #expect(b == .bookTicker(BinanceBookTicker(updateID: 400_900_217, symbol: "BNBUSDT", bidPrice: "25.35190000", bidQty: "31.21000000",
                                                   askPrice: "25.36520000", askQty: "40.66000000")))
        let (p, stream) = try market(#"{"stream":"bnbbtc@depth5@100ms","data":{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}}"#)
        #expect(p == .partialDepth(BinanceDepthSnapshot(lastUpdateID: 160, bids: [BookLevel(price: "0.0024", quantity: "10")],
                                                        asks: [BookLevel(price: "0.0026", quantity: "100")])))
        #expect(stream.flatMap(BinanceStream.init(name:)) == .partialDepth("BNBBTC", levels: 5))
        let (rawPartial, _) = try market(#"{"lastUpdateId":160,"bids":[],"asks":[]}"#)
        #expect(rawPartial == .partialDepth(BinanceDepthSnapshot(lastUpdateID: 160, bids: [], asks: [])))
    }

    @Test func serverShutdownInAllThreeForms() throws {
        #expect(try T.decode(#"{"event":{"e":"serverShutdown","E":1770123456789}}"#) == .serverShutdown(eventTime: 1_770_123_456_789_000))
        #expect(try T.decode(#"{"e":"serverShutdown","E":1770123456789}"#) == .serverShutdown(eventTime: 1_770_123_456_789_000))
        #expect(try T.decode(#"{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}"#)
                == .serverShutdown(eventTime: 1_770_123_456_789_000))
    }

    static let executionReport = #"{"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"NEW","X":"NEW","r":"NONE","i":4293153,"l":"0.00000000","z":"0.00000000","L":"0.00000000","n":"0","N":null,"T":1499405658657,"t":-1,"I":8641984,"w":true,"m":false,"M":false,"O":1499405658657,"Z":"0.00000000","Y":"0.00000000","Q":"0.00000000","W":1499405658657,"V":"NONE"}"#

    @Test func executionReportFullMapping() throws {
        let (e, sub) = try user(#"{"subscriptionId":0,"event":\#(Self.executionReport)}"#)
        #expect(sub == 0)
        guard case .executionReport(let r) = e else { Issue.record("not an executionReport"); return }
        #expect(r.eventTime == 1_499_405_658_658_000 && r.symbol == "ETHBTC" && r.clientOrderID == "mUvoqJxFIILMdfAW5iGSOW")
        #expect(r.side == .buy && r.orderType == "LIMIT" && r.timeInForce == "GTC")
        #expect(r.quantity.description == "1.00000000" && r.price.description == "0.10264410")
        #expect(r.stopPrice?.isZero == true && r.icebergQty?.isZero == true && r.orderListID == -1)
        #expect(r.originalClientOrderID == nil)  // "C":"" reads as absent
        #expect(r.executionType == .new && r.orderStatus == .new && r.rejectReason == "NONE" && r.orderID == 4_293_153)
        #expect(r.lastQty.isZero && r.cumulativeQty.isZero && r.lastPrice.isZero && r.commission.isZero && r.commissionAsset == nil)
        #expect(r.transactionTime == 1_499_405_658_657_000 && r.tradeID == nil && r.executionID == 8_641_984)
        #expect(r.isOnBook == true && !r.isMaker && r.creationTime == 1_499_405_658_657_000)
        #expect(r.cumulativeQuoteQty?.isZero == true && r.lastQuoteQty?.isZero == true && r.quoteOrderQty?.isZero == true)
        #expect(r.workingTime == 1_499_405_658_657_000 && r.selfTradePreventionMode == "NONE")
        #expect(r.trailingDelta == nil && r.expiryReason == nil && r.counterSymbol == nil)
    }

    @Test func executionReportConditionalFields() throws {
        let s = #"{"subscriptionId":3,"event":{"e":"executionReport","E":2,"s":"ETHBTC","c":"c1","S":"SELL","o":"LIMIT_MAKER","f":"GTC","q":"1.0","p":"0.1","P":"0","F":"0","g":-1,"C":"orig","x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":9,"l":"0.4","z":"0.4","L":"0.1","n":"0.00004","N":"BNB","T":3,"t":77,"I":8,"w":true,"m":true,"M":true,"O":1,"Z":"0.04","Y":"0.04","Q":"0","W":1,"V":"EXPIRE_MAKER","d":10,"D":4,"j":5,"J":1000000,"v":6,"A":"0.1","B":"0.2","u":7,"U":8,"Cs":"ETHBTC","pl":"0.3","pL":"0.11","pY":"0.033","b":"ONE_PARTY_TRADE_REPORT","a":1234,"k":"EXCHANGE","uS":true,"gP":"PRIMARY_PEG","gOT":"PRICE_LEVEL","gOV":2,"gp":"0.12","eR":"NONE"}}"#
        let (e, sub) = try user(s)
        guard case .executionReport(let r) = e else { Issue.record("not an executionReport"); return }
        #expect(sub == 3 && r.executionType == .trade && r.orderStatus == .partiallyFilled && r.tradeID == 77 && r.isMaker)
        #expect(r.originalClientOrderID == "orig" && r.commissionAsset == "BNB" && r.commission.description == "0.00004")
        #expect(r.trailingDelta == 10 && r.trailingTime == 4_000 && r.strategyID == 5 && r.strategyType == 1_000_000)
        #expect(r.preventedMatchID == 6 && r.preventedQty?.description == "0.1" && r.lastPreventedQty?.description == "0.2")
        #expect(r.tradeGroupID == 7 && r.counterOrderID == 8 && r.counterSymbol == "ETHBTC")
        #expect(r.preventedExecutionQty?.description == "0.3" && r.preventedExecutionPrice?.description == "0.11")
        #expect(r.preventedExecutionQuoteQty?.description == "0.033" && r.matchType == "ONE_PARTY_TRADE_REPORT")
        #expect(r.allocationID == 1234 && r.workingFloor == "EXCHANGE" && r.usedSOR == true)
        #expect(r.pegPriceType == "PRIMARY_PEG" && r.pegOffsetType == "PRICE_LEVEL" && r.pegOffsetValue == 2)
        #expect(r.peggedPrice?.description == "0.12" && r.expiryReason == "NONE")
        // Statuses and execution types we do not know yet survive as `.other`.
        let odd = s.replacingOccurrences(of: #""X":"PARTIALLY_FILLED""#, with: #""X":"SOMETHING_NEW""#)
            .replacingOccurrences(of: #""x":"TRADE""#, with: #""x":"LATER""#)
        guard case (.executionReport(let o), _) = try user(odd) else { Issue.record("odd"); return }
        #expect(o.orderStatus == .other("SOMETHING_NEW") && o.executionType == .other("LATER"))
    }

    @Test func otherUserEvents() throws {
        let (p, _) = try user(#"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1564034571105,"u":1564034571073,"B":[{"a":"ETH","f":"10000.000000","l":"0.000000"}]}}"#)
        #expect(p == .accountPosition(BinanceAccountPosition(eventTime: 1_564_034_571_105_000, lastUpdateTime: 1_564_034_571_073_000,
                                                             balances: [.init(asset: "ETH", free: "10000.000000", locked: "0.000000")])))
        let (b, _) = try user(#"{"subscriptionId":0,"event":{"e":"balanceUpdate","E":1573200697110,"a":"BTC","d":"100.00000000","T":1573200697068}}"#)
        #expect(b == .balanceUpdate(BinanceBalanceDelta(eventTime: 1_573_200_697_110_000, asset: "BTC", delta: "100.00000000", time: 1_573_200_697_068_000)))
        let (x, _) = try user(#"{"subscriptionId":0,"event":{"e":"externalLockUpdate","E":1581557507324,"a":"NEO","d":"10.00000000","T":1581557507268}}"#)
        #expect(x == .externalLockUpdate(BinanceBalanceDelta(eventTime: 1_581_557_507_324_000, asset: "NEO", delta: "10.00000000", time: 1_581_557_507_268_000)))
        // listStatus: the notes elide E and T (`…`); filled in.
        let (l, _) = try user(#"{"subscriptionId":1,"event":{"e":"listStatus","E":1564035303637,"s":"ETHBTC","g":2,"c":"OCO","l":"EXEC_STARTED","L":"EXECUTING","r":"NONE","C":"F4QN4G8DlFATFlIUQ0cjdD","T":1564035303625,"O":[{"s":"ETHBTC","i":17,"c":"AJYsMjErWJesZvqlJCTUgL"}]}}"#)
        #expect(l == .listStatus(BinanceListStatus(eventTime: 1_564_035_303_637_000, symbol: "ETHBTC", orderListID: 2, contingencyType: "OCO",
                                                   listStatusType: "EXEC_STARTED", listOrderStatus: "EXECUTING", listRejectReason: "NONE",
                                                   listClientOrderID: "F4QN4G8DlFATFlIUQ0cjdD", transactionTime: 1_564_035_303_625_000,
                                                   orders: [.init(symbol: "ETHBTC", orderID: 17, clientOrderID: "AJYsMjErWJesZvqlJCTUgL")])))
        let (t, sub) = try user(#"{"subscriptionId":4,"event":{"e":"eventStreamTerminated","E":1728973001334}}"#)
        #expect(t == .eventStreamTerminated(eventTime: 1_728_973_001_334_000) && sub == 4)
    }

    @Test func unknownAndMalformedPushes() {
        let unknown = [
            #"{"e":"24hrTicker","E":1,"s":"BNBBTC"}"#, #"{"stream":"bnbbtc@kline_1m","data":{"e":"kline","E":1}}"#,
            #"{"subscriptionId":0,"event":{"e":"somethingNew","E":1}}"#, #"{"x":1}"#,
        ]
        for u in unknown {
            do {
                _ = try T.decode(u)
                Issue.record("decoded \(u)")
            } catch let e as BinanceDecodeError {
                switch e {
                case .unknownMessage, .unknownEvent: #expect(e.hftError == .unknownMessage(e.description))
                default: Issue.record("\(u): \(e)")
                }
            } catch {
                Issue.record("\(error)")
            }
        }
        let malformed = [
            #"{"e":"depthUpdate","E":1,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024"]],"a":[]}"#,           // level without qty
            #"{"e":"depthUpdate","E":1,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","-1"]],"a":[]}"#,      // negative qty
            #"{"e":"depthUpdate","E":1,"s":"BNBBTC","U":161,"u":160,"b":[],"a":[]}"#,                     // U > u
            #"{"e":"depthUpdate","E":1,"s":"BNBBTC","U":157,"b":[],"a":[]}"#,                              // no u
            #"{"e":"depthUpdate","E":1,"s":"BNBBTC","U":157,"u":160,"b":"x","a":[]}"#,
            #"{"e":"depthUpdate","E":1,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"],"a":[]}"#,        // broken JSON
            #"{"e":"trade","E":1,"s":"BNBBTC","t":1,"p":"x","q":"1","T":1,"m":true}"#,
            #"{"e":"trade","E":1,"s":"BNBBTC","t":1,"p":"1","q":"1","T":1,"m":"yes"}"#,
            #"{"e":7}"#, #"{"u":1,"s":"BNBUSDT","b":"1"}"#, #"{"stream":"x","data":[1]}"#,
            #"{"subscriptionId":0,"event":{"E":1}}"#, #"{"subscriptionId":0,"event":[]}"#,
            #"{"subscriptionId":"zero","event":{"e":"eventStreamTerminated","E":1}}"#,
            #"{"subscriptionId":0,"event":{"e":"executionReport","E":1,"s":"ETHBTC"}}"#,
            #"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1,"u":1,"B":[{"a":"ETH","f":"x","l":"0"}]}}"#,
            #"{"e":"trade""#, "\u{0}", "[1]", "42",
        ]
        for m in malformed {
            #expect(throws: BinanceDecodeError.self, "\(m)") { try T.decode(m) }
        }
    }

    @Test func fuzzedFramesNeverCrash() {
        var rng = SeededRandom(seed: 7)
        let seeds = [Self.depthUpdate, Self.executionReport,
                     #"{"id":1,"status":200,"result":{"symbol":"BTCUSDT","orderId":1,"clientOrderId":"c","fills":[{"price":"1","qty":"1","commission":"0","commissionAsset":"BNB","tradeId":1}]},"rateLimits":[]}"#]
        var decoded = 0
        for _ in 0..<3000 {
            var bytes = Array(seeds[Int.random(in: 0..<seeds.count, using: &rng)].utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: i)
                default: bytes = Array(bytes[..<i])
                }
                if bytes.isEmpty { break }
            }
            if (try? BinanceDecoder.decode(bytes)) != nil { decoded += 1 }
        }
        #expect(decoded < 3000)
    }
}
