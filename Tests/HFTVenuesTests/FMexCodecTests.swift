import HFTCore
import HFTTransport
@testable import HFTVenues
import Synchronization
import Testing

/// FMex signing (vectors.md F1, F3), symbols, decoder on the notes' samples (fmex.md §3–§6),
/// book rules (vectors.md F6), order/position mapping and REST parsers — no sockets.
@Suite("FMex codec")
struct FMexCodecTests {
    // MARK: Signing

    @Test func officialFMexVectorF1() throws {
        let prehash = FMexSigner.prehash(method: "POST", url: "https://api.testnet.fmex.com/v3/contracts/orders", timestamp: "1571109222426",
                                         body: [("symbol", "btcusd_p"), ("type", "limit"), ("direction", "short"), ("price", "5500"),
                                                ("quantity", "100"), ("source", "WEB")])
        #expect(prehash == "POSThttps://api.testnet.fmex.com/v3/contracts/orders1571109222426direction=short&price=5500&quantity=100&source=WEB&symbol=btcusd_p&type=limit")
        let signer = try FMexSigner(secret: "ebfaeef06e2e49e1bc7e535c2766bbe6")
        #expect(signer.sign(prehash) == "g6vFomL3T3pOhCugUNo/UcaLxTw=")
    }

    @Test func officialFCoinVectorF3() throws {
        let signer = try FMexSigner(secret: "3600d0a74aa3410fb3b1996cca2419c8")
        let sig = signer.restSign(method: "POST", url: "https://api.fcoin.com/v2/orders", timestamp: "1523069544359",
                                  body: [("type", "limit"), ("side", "buy"), ("amount", "100.0"), ("price", "100.0"), ("symbol", "btcusdt")])
        #expect(sig == "DeP6oftldIrys06uq3B7Lkh3a0U=")
    }

    /// The order builder signs what it sends: F1's order through `FMexREST.newOrder` (lowercase
    /// enums, `source`) gives the documented signature; the body is valid JSON with numbers.
    @Test func orderRequestReproducesF1() throws {
        let creds = try FMexCredentials(apiKey: "k", secret: "ebfaeef06e2e49e1bc7e535c2766bbe6")
        let o = FMexNewOrder(symbol: "btcusd_p", side: .sell, market: false, quantity: "100", price: "5500", source: "WEB")
        let e = FMexEndpoints(publicWebSocket: "wss://x/v2/ws", privateWebSocket: "wss://x/v2/user/ws", rest: "https://api.testnet.fmex.com")
        let r = FMexREST.newOrder(o, credentials: creds, milliseconds: 1571109222426, endpoints: e, options: .init(lowercaseEnums: true))
        #expect(r.headers.first { $0.0 == "FC-ACCESS-SIGNATURE" }?.1 == "g6vFomL3T3pOhCugUNo/UcaLxTw=")
        #expect(r.headers.first { $0.0 == "FC-ACCESS-TIMESTAMP" }?.1 == "1571109222426")
        #expect(String(decoding: r.body ?? [], as: UTF8.self)
                == #"{"direction":"short","price":5500,"quantity":100,"source":"WEB","symbol":"btcusd_p","type":"limit"}"#)
        #expect(!r.payload.contains("g6vFomL3") && !r.payload.contains("ebfaeef0"))
        // Default: uppercase enums (fmex.md §7), flags as strings.
        let up = try FMexNewOrder(PlaceOrder(symbol: "BTC/USD:BTC", side: .buy, quantity: "3", price: "9300.5", timeInForce: .ioc))
        let body = JSONText.object(up.members(lowercaseEnums: false).map { ($0.0, $0.1) }).rendered
        #expect(body == #"{"direction":"LONG","immediate_or_cancel":"true","price":9300.5,"quantity":3,"symbol":"BTCUSD_P","type":"LIMIT"}"#)
        #expect(throws: HFTError.self) { try FMexNewOrder(PlaceOrder(symbol: "BTC/USD:BTC", side: .buy, quantity: "1.5", price: "1")) }
    }

    @Test func privateSocketAddressIsSignedAsHTTPS() throws {
        let creds = try FMexCredentials(apiKey: "key+1", secret: "3600d0a74aa3410fb3b1996cca2419c8")
        let e = FMexEndpoints.production
        #expect(e.privateSignedAddress == "https://api.fmex.com/v2/user/ws")
        let sig = creds.signer.webSocketSign(address: e.privateSignedAddress, milliseconds: 1579154149629)
        #expect(sig == creds.signer.sign("GEThttps://api.fmex.com/v2/user/ws1579154149629") && sig.count == 28)
        let url = try FMexWsAPI.signedPrivateURL(e, creds, milliseconds: 1579154149629, percentEncode: true)
        #expect(url.target.hasPrefix("/v2/user/ws?FC-ACCESS-KEY=key%2B1&FC-ACCESS-TIMESTAMP=1579154149629&FC-ACCESS-SIGNATURE="))
        #expect(!url.target.contains("=" + sig) || !sig.contains(where: { "+/=".contains($0) }))
        let raw = try FMexWsAPI.signedPrivateURL(e, creds, milliseconds: 1579154149629, percentEncode: false)
        #expect(raw.target.hasSuffix("FC-ACCESS-SIGNATURE=" + sig))
        // ws:// loopback addresses sign as http://.
        let local = FMexEndpoints(publicWebSocket: "ws://127.0.0.1:9/v2/ws", privateWebSocket: "ws://127.0.0.1:9/v2/user/ws", rest: "http://127.0.0.1:9")
        #expect(local.privateSignedAddress == "http://127.0.0.1:9/v2/user/ws")
        #expect("\(creds)".contains("redacted") && !"\(creds)".contains("3600d0"))
    }

    @Test func symbols() {
        #expect(FMexSymbols.topic("BTC/USD:BTC") == "btcusd_p")
        #expect(FMexSymbols.topic("BTC/USD") == "btcusd_p")
        #expect(FMexSymbols.payload("BTC/USD:BTC") == "BTCUSD_P")
        #expect(FMexSymbols.unified("BTCUSD_P") == Symbol(base: "BTC", quote: "USD", settle: "BTC"))
        #expect(FMexSymbols.unified("btcusd_p")?.description == "BTC/USD:BTC")
        #expect(FMexSymbols.unified("btcusdt") == nil)
    }

    // MARK: Decoder

    @Test func controlMessages() throws {
        #expect(try FMexDecoder.decode(#"{"type":"hello","ts":1523693784042}"#) == .hello(ts: 1523693784042))
        #expect(try FMexDecoder.decode(#"{"id":"sample.client.id","type":"ping","ts":1523693784042,"gap":112}"#)
                == .pong(id: "sample.client.id", ts: 1523693784042))
        #expect(try FMexDecoder.decode(#"{"type":"topics","topics":["ticker.btcusd_p","depth.L20.btcusd_p"]}"#)
                == .topics(id: nil, ["ticker.btcusd_p", "depth.L20.btcusd_p"]))
        #expect(try FMexDecoder.decode(#"{"id":"invalid_topics_sample","status":41002,"msg":"invalid sub topic, xxx.M1.xxx"}"#)
                == .error(FMexError(code: 41002, message: "invalid sub topic, xxx.M1.xxx", context: "invalid_topics_sample"), id: "invalid_topics_sample"))
        #expect(try FMexDecoder.decode(#"{"id":"t1","ts":1523693400329,"data":[{"amount":1,"ts":1523419946174,"id":76000,"side":"sell","price":4.0}]}"#)
                == .reply(id: "t1"))
        #expect(try FMexDecoder.decode(#"{"type":"candle.M1.btcusd_p","id":1523691480,"seq":11400000,"open":2.0,"close":2.0,"high":2.0,"low":2.0,"count":0,"base_vol":0,"quote_vol":0}"#)
                == .candle(FMexCandle(symbol: "btcusd_p", resolution: "M1", openSeconds: 1523691480, seq: 11400000, open: "2.0", high: "2.0",
                                      low: "2.0", close: "2.0", baseVolume: "0", quoteVolume: "0", count: 0)))
        #expect(Array(#"{"id":"x","type":"ping","ts":1,"gap":2}"#.utf8).withUnsafeBytes { FMexDecoder.isPong($0) })
        #expect(!Array(#"{"type":"topics","topics":[]}"#.utf8).withUnsafeBytes { FMexDecoder.isPong($0) })
    }

    @Test func requestsAreValidJSONWithIDs() {
        #expect(FMexRequest.subscribe(.depth("btcusd_p", level: 20, delta: true))
                == #"{"cmd":"sub","args":["depth-delta.L20.btcusd_p"],"id":"sub.depth-delta.L20.btcusd_p"}"#)
        #expect(FMexRequest.subscribe(.account) == #"{"cmd":"sub","args":["account"],"id":"sub.account"}"#)
        #expect(FMexRequest.ping(milliseconds: 1540557696867, id: "ping.7") == #"{"cmd":"ping","args":[1540557696867],"id":"ping.7"}"#)
        #expect(FMexRequest.unsubscribe(.trade("btcusd_p")) == #"{"cmd":"unsub","args":["trade.btcusd_p"],"id":"unsub.trade.btcusd_p"}"#)
        #expect(FMexRequest.request(.trade("btcusd_p"), limit: 20, id: "t1") == #"{"cmd":"req","args":["trade.btcusd_p",20],"id":"t1"}"#)
    }

    @Test func marketDataSamples() throws {
        guard case .ticker(let t) = try FMexDecoder.decode(#"{"type":"ticker.btcusd_p","seq":1516333243320,"ticker":[8325,1,8325,49517,8325.5,11207,7867.5,8456.5,7731,94200972,11635.419473734316223965]}"#) else {
            Issue.record("not a ticker"); return
        }
        #expect(t.symbol == "btcusd_p" && t.last?.description == "8325" && t.bid?.description == "8325" && t.bidQuantity?.description == "49517")
        #expect(t.ask?.description == "8325.5" && t.askQuantity?.description == "11207" && t.volume24h?.description == "94200972")
        guard case .depth(let full) = try FMexDecoder.decode(#"{"type":"depth.L20.btcusd_p","ts":1523619211000,"seq":120,"bids":[9291,28800,9290.5,34],"asks":[9291.5,48417,9292,477]}"#) else {
            Issue.record("not depth"); return
        }
        #expect(!full.isDelta && full.level == "l20" && full.seq == 120 && full.bids.map(\.price.description) == ["9291", "9290.5"])
        guard case .depth(let snap) = try FMexDecoder.decode(#"{"type":"depth.l20.btcusd_p","seq":1809245699,"ts":1580782260172,"asks":[9291.5,48417,9292,477],"bids":[9291,28800,9290.5,34,9290,20]}"#),
              case .depth(let delta) = try FMexDecoder.decode(#"{"type":"depth-delta.l20.btcusd_p","seq":1809245710,"pre_seq":1809245699,"ts":1580782260238,"asks":[9294,4057,9296,4621,9298,237,9300,0],"bids":[]}"#) else {
            Issue.record("not depth"); return
        }
        #expect(!snap.isDelta && snap.bids.count == 3 && delta.isDelta && delta.preSeq == 1809245699 && delta.asks.count == 4 && delta.bids.isEmpty)
        #expect(try FMexDecoder.decode(#"{"type":"trade.btcusd_p","id":76000,"amount":1,"ts":1523419946174,"side":"sell","price":9288.0}"#)
                == .trade(FMexTrade(symbol: "btcusd_p", id: 76000, price: "9288.0", amount: "1", side: .sell, ts: 1523419946174)))
        // Odd flat arrays and non-objects are typed errors, not crashes.
        #expect(throws: FMexDecodeError.invalidField("bids")) { try FMexDecoder.decode(#"{"type":"depth.L20.btcusd_p","seq":1,"bids":[1,2,3],"asks":[]}"#) }
        #expect(throws: FMexDecodeError.self) { try FMexDecoder.decode(#"{"type":"depth.L20.btcusd_p","#) }
        #expect(throws: FMexDecodeError.self) { try FMexDecoder.decode("[1,2]") }
        #expect((try? FMexDecoder.decode(#"{"type":"mystery.btcusd_p"}"#)) == nil)
    }

    @Test func privateSamples() throws {
        #expect(try FMexDecoder.decode(#"{"type":"account","ts":1580802053662,"account":{"currency":"BTC","available":1.34242880408925,"frozen":0.0,"position":9.747280117178e-06,"updated_at":1580802053643}}"#)
                == .account(FMexAccount(currency: "BTC", available: "1.34242880408925", frozen: "0.0", positionMargin: "0.000009747280117178")))
        guard case .order(let o) = try FMexDecoder.decode(#"{"type":"order.btcusd_p","ts":1580802204232,"order":{"id":849758102002,"quantity":1,"direction":"LONG","features":8,"price":10210,"fill_price":9288.0,"unfilled_quantity":0,"symbol":"BTCUSD_P","margin_currency":"BTC","fee":4.8449612403e-08,"type":"MARKET","status":"FULLY_FILLED","trigger_direction":"LONG","trigger_on":0,"trailing_base_price":0,"trailing_distance":0,"created_at":1580802204215}}"#) else {
            Issue.record("not an order"); return
        }
        #expect(o.id == "849758102002" && o.side == .buy && o.type == .market && o.status == "FULLY_FILLED" && o.features == 8)
        #expect(o.filledQuantity.description == "1" && o.fee.description == "0.000000048449612403" && o.marginCurrency == "BTC")
        guard case .position(let p) = try FMexDecoder.decode(#"{"type":"position.btcusd_p","ts":1580802507401,"position":{"symbol":"BTCUSD_P","quantity":1,"direction":"LONG","leverage":50,"risk_level":0,"margin":9.749658727683e-06,"taker_fee_rate":0.00045,"realized_pnl":-4.8499218623e-08,"entry_price":9278.5,"liquidation_price":9363.483892761602,"bankruptcy_price":8512.606170669584,"minimum_maintenance_margin_rate":0.1,"updated_at":1580802507384}}"#) else {
            Issue.record("not a position"); return
        }
        #expect(p.long && p.quantity.description == "1" && p.leverage.description == "50" && p.entryPrice?.description == "9278.5")
        #expect(p.realizedPnL.description == "-0.000000048499218623" && p.updatedAt == 1580802507384)
        // Lowercase enums (some REST examples) parse too.
        guard case .order(let lower) = try FMexDecoder.decode(#"{"type":"order.btcusd_p","order":{"id":"5","quantity":10,"direction":"short","price":9000,"unfilled_quantity":4,"symbol":"btcusd_p","type":"limit","status":"partial_filled"}}"#) else {
            Issue.record("not an order"); return
        }
        #expect(lower.side == .sell && lower.type == .limit && lower.status == "PARTIAL_FILLED" && lower.symbol == "BTCUSD_P")
    }

    // MARK: Book rules

    /// vectors.md F6: snapshot + chained delta; 9300→0 removes nothing; a break resubscribes.
    @Test func depthDeltaChainAndGap() async throws {
        let reporter = FMexReporter()
        let gaps = Mutex<[String]>([])
        let market = FMexMarketState(reporter: reporter, onGap: { t in gaps.withLock { $0.append(t.name) } })
        let stream = EventStream<BookUpdate>(policy: .neverDrop(alarmThreshold: 100))
        let topic = FMexTopic.depth("btcusd_p", level: 20, delta: true)
        #expect(market.addBookSink(symbol: "btcusd_p", unified: "BTC/USD:BTC", topic: topic, levels: 20, stream: stream, depth: 20) == topic)
        func apply(_ text: String) throws {
            guard case .depth(let d) = try FMexDecoder.decode(text) else { Issue.record("not depth"); return }
            market.apply(d)
        }
        // A delta before any snapshot is ignored.
        try apply(#"{"type":"depth-delta.l20.btcusd_p","seq":5,"pre_seq":4,"asks":[1,1],"bids":[]}"#)
        #expect(market.book("btcusd_p") == nil && gaps.withLock { $0 }.isEmpty)
        try apply(#"{"type":"depth.l20.btcusd_p","seq":1809245699,"ts":1580782260172,"asks":[9291.5,48417,9292,477],"bids":[9291,28800,9290.5,34,9290,20]}"#)
        try apply(#"{"type":"depth-delta.l20.btcusd_p","seq":1809245710,"pre_seq":1809245699,"ts":1580782260238,"asks":[9294,4057,9296,4621,9298,237,9300,0],"bids":[]}"#)
        let b = try #require(market.book("btcusd_p"))
        #expect(b.asks.map { "\($0.price)→\($0.quantity)" } == ["9291.5→48417", "9292→477", "9294→4057", "9296→4621", "9298→237"])
        #expect(b.bids.map { "\($0.price)→\($0.quantity)" } == ["9291→28800", "9290.5→34", "9290→20"])
        #expect(b.sequence == 1809245710 && b.symbol.description == "BTC/USD:BTC")
        // Break: pre_seq ≠ last seq → invalid, resubscribe asked, later deltas ignored until a snapshot.
        try apply(#"{"type":"depth-delta.l20.btcusd_p","seq":1809245799,"pre_seq":1809245777,"asks":[9291.5,0],"bids":[]}"#)
        #expect(gaps.withLock { $0 } == ["depth-delta.L20.btcusd_p"] && market.book("btcusd_p") == nil && market.gapCount == 1)
        try apply(#"{"type":"depth-delta.l20.btcusd_p","seq":1809245800,"pre_seq":1809245799,"asks":[1,1],"bids":[]}"#)
        #expect(market.book("btcusd_p") == nil)
        try apply(#"{"type":"depth.l20.btcusd_p","seq":1809245900,"asks":[9300,1],"bids":[9299,2]}"#)
        #expect(market.book("btcusd_p")?.asks.map(\.price.description) == ["9300"])
        #expect(stream.bufferedCount == 3)   // snapshot, delta, snapshot after the break
        var events: [VenueStatus.Event] = []
        while reporter.status.bufferedCount > 0, let s = await reporter.status.next() { events.append(s.event) }
        #expect(events == [.bookInvalid, .bookResynced])
    }

    // MARK: Orders and positions

    @Test func orderPushesDeriveFills() {
        let t = FMexOrderTracker()
        func push(_ unfilled: String, _ status: String, avg: String?, fee: String) -> FMexOrderPush {
            FMexOrderPush(id: "7", symbol: "BTCUSD_P", side: .sell, type: .limit, price: "9300", quantity: "10",
                          unfilledQuantity: FixedDecimal(unfilled)!, fillPrice: avg.flatMap { FixedDecimal($0) }, fee: FixedDecimal(fee)!,
                          marginCurrency: "BTC", status: status, features: 2, createdAt: 1)
        }
        let e1 = t.apply(push("10", "PENDING", avg: nil, fee: "0"))
        guard case .order(let o1)? = e1.first else { Issue.record("no order"); return }
        #expect(e1.count == 1 && o1.status == .open && o1.postOnly && o1.symbol.description == "BTC/USD:BTC")
        let e2 = t.apply(push("6", "PARTIAL_FILLED", avg: "9300", fee: "0.0000001"))
        guard e2.count == 2, case .fill(let f1) = e2[1] else { Issue.record("no fill \(e2)"); return }
        #expect(f1.quantity.description == "4" && f1.price == FixedDecimal(9300) && f1.fee.description == "0.0000001" && f1.feeCurrency == "BTC")
        // Second fill at 9310: average (9300·4 + 9310·6)/10 = 9306.
        let e3 = t.apply(push("0", "FULLY_FILLED", avg: "9306", fee: "0.0000003"))
        guard e3.count == 2, case .order(let o3) = e3[0], case .fill(let f2) = e3[1] else { Issue.record("no fill \(e3)"); return }
        #expect(o3.status == .filled && f2.quantity.description == "6" && f2.price == FixedDecimal(9310) && f2.fee.description == "0.0000002")
        #expect(t.apply(push("0", "FULLY_FILLED", avg: "9306", fee: "0.0000003")).isEmpty)
        #expect(t.apply(push("10", "PENDING", avg: nil, fee: "0")).isEmpty)   // stale after final
        #expect(FMexOrderTracker.status("FULLY_CANCELLED", filled: .zero) == .canceled)
        #expect(FMexOrderTracker.status("PARTIAL_CANCELLED", filled: "1") == .canceled)
        #expect(FMexOrderTracker.status("STOP_FAILED", filled: .zero) == .rejected)
    }

    @Test func positionsAreSignedContracts() async throws {
        let feed = FMexPrivateFeed()
        let s = EventStream<Position>(policy: .neverDrop(alarmThreshold: 10))
        feed.addPositionSink(s)
        feed.apply(FMexPositionPush(symbol: "BTCUSD_P", quantity: "25", long: false, leverage: "0", margin: "0.001", realizedPnL: .zero,
                                    entryPrice: "9000", liquidationPrice: nil, bankruptcyPrice: nil, updatedAt: 1000))
        let p = await s.next()
        #expect(p?.quantity.description == "-25" && p?.symbol.description == "BTC/USD:BTC" && p?.timestamp == 1_000_000)
    }

    // MARK: REST

    @Test func restReplies() throws {
        let acc = try FMexREST.parseAccounts(Array(#"{"status":0,"data":{"BTC":[1.5,0.25,0.125],"USDT":[3,0,0]}}"#.utf8))
        #expect(acc == [FMexAccount(currency: "BTC", available: "1.5", frozen: "0.25", positionMargin: "0.125"),
                        FMexAccount(currency: "USDT", available: "3", frozen: "0", positionMargin: "0")])
        let placed = try FMexREST.parseNewOrder(Array(#"{"status":0,"data":{"id":849758102002,"status":"PENDING","quantity":1,"direction":"LONG","price":9000,"symbol":"BTCUSD_P","type":"LIMIT","unfilled_quantity":1}}"#.utf8))
        #expect(placed.id == "849758102002" && placed.order?.status == "PENDING")
        let open = try FMexREST.parseOrders(Array(#"{"status":0,"data":{"results":[{"id":1,"quantity":2,"direction":"SHORT","price":9500,"unfilled_quantity":2,"symbol":"BTCUSD_P","type":"LIMIT","status":"PENDING"}]}}"#.utf8))
        #expect(open.map(\.id) == ["1"])
        #expect(try FMexREST.parseOrders(Array(#"{"status":0,"data":[]}"#.utf8)).isEmpty)
        #expect(FMexREST.error(status: 200, body: Array(#"{"status":0,"data":{}}"#.utf8), context: "x") == nil)
        #expect(FMexREST.error(status: 200, body: Array(#"{"status":"ok","data":{}}"#.utf8), context: "x") == nil)
        let e = FMexREST.error(status: 400, body: Array(#"{"status":6005,"msg":"insufficient margin"}"#.utf8), context: "POST /v3/contracts/orders")
        #expect(e?.hftError == .venueRejected(code: "6005", message: "insufficient margin"))
        #expect(FMexREST.error(status: 401, body: Array("unauthorized".utf8), context: "x")?.hftError
                == .authenticationFailed("401: wrong API key, signature or timestamp"))
        #expect(FMexREST.error(status: 200, body: Array(#"{"status":1002,"msg":"system busy"}"#.utf8), context: "x")?.code == 1002)
    }

    @Test func descriptorAndOptions() throws {
        let d = FMexDescriptor.descriptor
        #expect(d.defaultURL("ws") == "wss://api.fmex.com/v2/ws" && d.defaultURL("ws-user") == "wss://api.fmex.com/v2/user/ws")
        #expect(!d.websocketOrderEntry && VenueCatalog.descriptor(for: .fmex) != nil)
        let o = try FMexClientOptions()
        #expect(o.pingInterval == .seconds(15) && o.pingMisses == 2 && o.depthLevel == 20 && o.depthDelta)
        #expect(throws: HFTError.self) { try FMexClientOptions(["depth_level": "50"]) }
        let c = o.webSocketConfiguration(url: try WebSocketURL("ws://127.0.0.1:1/v2/ws"), reconnect: o.reconnectPolicy)
        #expect(c.keepAlive.appPing?.interval == .seconds(15) && c.keepAlive.appPing?.timeout == .seconds(30))
    }
}
