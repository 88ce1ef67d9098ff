import HFTCore
import Testing
@testable import HFTVenues

@Suite struct BinanceRESTTests {
    @Test func depthRequestAndWeights() throws {
        let r = try BinanceREST.depth(symbol: "BNBBTC")
        #expect(r.method == "GET" && r.url == "https://api.binance.com/api/v3/depth?symbol=BNBBTC&limit=5000")
        let local = try BinanceREST.depth(symbol: "BTCUSDT", limit: 100, endpoints: .local(host: "localhost", port: 9000))
        #expect(local.url == "http://localhost:9000/api/v3/depth?symbol=BTCUSDT&limit=100")
        #expect(try [1, 100, 101, 500, 501, 1000, 1001, 5000].map { try BinanceREST.depthWeight(limit: $0) } == [5, 5, 25, 25, 50, 50, 250, 250])
        for bad in [0, -1, 5001] { #expect(throws: HFTError.self) { try BinanceREST.depthWeight(limit: bad) } }
        #expect(throws: HFTError.self) { try BinanceREST.depth(symbol: "bnbbtc") }
        #expect(try BinanceREST.depth(symbol: "币安人生USDT", limit: 5).url
                == "https://api.binance.com/api/v3/depth?symbol=%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT&limit=5")
    }

    @Test func exchangeInfoAndTimeRequests() throws {
        #expect(try BinanceREST.exchangeInfo().url == "https://api.binance.com/api/v3/exchangeInfo")
        #expect(try BinanceREST.exchangeInfo(symbols: ["BTCUSDT"]).url == "https://api.binance.com/api/v3/exchangeInfo?symbol=BTCUSDT")
        #expect(try BinanceREST.exchangeInfo(symbols: ["BTCUSDT", "BNBBTC"]).url
                == "https://api.binance.com/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22%2C%22BNBBTC%22%5D")
        #expect(BinanceREST.time().url == "https://api.binance.com/api/v3/time")
    }

    @Test func parsesDepthSnapshot() throws {
        let body = Array(#"{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"],["3.99000000","9.00000000"]],"asks":[["4.00000200","12.00000000"]]}"#.utf8)
        let s = try BinanceREST.parseDepth(body)
        #expect(s.lastUpdateID == 1_027_024 && s.bids.count == 2 && s.asks.count == 1)
        #expect(s.bids[0].price.description == "4.00000000" && s.asks[0].quantity.description == "12.00000000")
        for bad in [#"{"bids":[],"asks":[]}"#, #"{"lastUpdateId":1,"bids":[["a","1"]],"asks":[]}"#, #"{"lastUpdateId":1} x"#, "[]", ""] {
            #expect(throws: BinanceDecodeError.self, "\(bad)") { try BinanceREST.parseDepth(Array(bad.utf8)) }
        }
    }

    @Test func parsesServerTime() throws {
        #expect(try BinanceREST.parseServerTime(Array(#"{"serverTime":1499827319559}"#.utf8)) == 1_499_827_319_559_000)
        #expect(throws: BinanceDecodeError.self) { try BinanceREST.parseServerTime(Array(#"{"serverTime":"soon"}"#.utf8)) }
    }

    static let exchangeInfo = #"""
    {"timezone":"UTC","serverTime":1565246363776,
     "rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},
                   {"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50},
                   {"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":160000},
                   {"rateLimitType":"RAW_REQUESTS","interval":"MINUTE","intervalNum":5,"limit":61000}],
     "exchangeFilters":[],
     "symbols":[{"symbol":"ETHBTC","status":"TRADING","baseAsset":"ETH","baseAssetPrecision":8,"quoteAsset":"BTC","quotePrecision":8,
                 "quoteAssetPrecision":8,"orderTypes":["LIMIT","LIMIT_MAKER","MARKET","STOP_LOSS_LIMIT","TAKE_PROFIT_LIMIT"],
                 "icebergAllowed":true,"ocoAllowed":true,"isSpotTradingAllowed":true,
                 "filters":[{"filterType":"PRICE_FILTER","minPrice":"0.00001000","maxPrice":"922327.00000000","tickSize":"0.00001000"},
                            {"filterType":"LOT_SIZE","minQty":"0.00010000","maxQty":"100000.00000000","stepSize":"0.00010000"},
                            {"filterType":"ICEBERG_PARTS","limit":10},
                            {"filterType":"NOTIONAL","minNotional":"0.00010000","applyMinToMarket":true,"maxNotional":"9000000.00000000"}],
                 "permissions":[],"defaultSelfTradePreventionMode":"NONE"},
                {"symbol":"1000SATSFDUSD","status":"BREAK","baseAsset":"1000SATS","quoteAsset":"FDUSD","filters":[]}]}
    """#

    @Test func parsesExchangeInfo() throws {
        let info = try BinanceREST.parseExchangeInfo(Array(Self.exchangeInfo.utf8))
        #expect(info.serverTime == 1_565_246_363_776_000)
        #expect(info.rateLimits.count == 4 && info.rateLimits[3].type == .rawRequests && info.rateLimits[3].windowMillis == 300_000)
        #expect(info.rateLimits.allSatisfy { $0.count == nil })
        let eth = try #require(info["ETHBTC"])
        #expect(eth.baseAsset == "ETH" && eth.quoteAsset == "BTC" && eth.baseAssetPrecision == 8 && eth.quoteAssetPrecision == 8)
        #expect(eth.orderTypes.contains("LIMIT_MAKER") && eth.unified == Symbol("ETH/BTC"))
        #expect(eth.price == .init(min: "0.00001000", max: "922327.00000000", step: "0.00001000"))
        #expect(eth.lot == .init(min: "0.00010000", max: "100000.00000000", step: "0.00010000"))
        #expect(eth.minNotional?.description == "0.00010000")
        let sats = try #require(info["1000SATSFDUSD"])
        #expect(sats.status == "BREAK" && sats.price == nil && sats.unified == Symbol("1000SATS/FDUSD"))
        #expect(throws: BinanceDecodeError.self) { try BinanceREST.parseExchangeInfo(Array(#"{"symbols":[{"symbol":"X"}]}"#.utf8)) }
    }

    @Test func filtersCheckOrders() throws {
        let info = try BinanceREST.parseExchangeInfo(Array(Self.exchangeInfo.utf8))
        let eth = try #require(info["ETHBTC"])
        #expect(throws: Never.self) { try eth.check(price: "0.05123", quantity: "1.2345") }
        #expect(throws: Never.self) { try eth.check(price: "0.05123000", quantity: nil) }
        for (p, q) in [("0.051234", "1"), ("0.000001", "1"), ("0.05", "0.00001"), ("0.05", "1.23456"), ("0.05", "100001"), ("0.00001", "0.0001")] as [(FixedDecimal, FixedDecimal)] {
            #expect(throws: HFTError.self, "\(p) \(q)") { try eth.check(price: p, quantity: q) }
        }
    }

    @Test func errorBodies() {
        func check(_ status: Int, _ body: String, _ retryAfter: String? = nil) -> HFTError? {
            do { try BinanceREST.check(status: status, body: Array(body.utf8), retryAfter: retryAfter); return nil } catch { return error }
        }
        #expect(check(200, "{}") == nil)
        #expect(check(400, #"{"code":-1121,"msg":"Invalid symbol."}"#) == .venueRejected(code: "-1121", message: "Invalid symbol."))
        #expect(check(429, #"{"code":-1003,"msg":"Too many requests."}"#, "7") == .rateLimited(retryAfterMicros: 7_000_000))
        #expect(check(418, "<html>banned</html>", "120") == .rateLimited(retryAfterMicros: 120_000_000))
        #expect(check(429, "", nil) == .rateLimited(retryAfterMicros: nil))
        #expect(check(401, #"{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}"#)
                == .authenticationFailed("-2015 Invalid API-key, IP, or permissions for action."))
        #expect(check(502, "Bad Gateway") == .venueRejected(code: "0", message: "HTTP 502"))
        #expect(BinanceREST.apiError(Array("not json".utf8)) == nil)
    }
}
