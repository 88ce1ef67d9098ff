import ArgumentParser
@testable import hft
import HFTKit
import Testing

@Suite("hft argument and line shapes")
struct CLIParsingTests {
    @Test("symbols: unified or the venue's own spelling")
    func symbols() throws {
        #expect(try CLISymbol.parse("BTC/USD", venue: .kraken) == Symbol(base: "BTC", quote: "USD"))
        #expect(try CLISymbol.parse("BTCUSDT", venue: .binance) == Symbol(base: "BTC", quote: "USDT"))
        #expect(try CLISymbol.parse("btc_usdt", venue: .digifinex) == Symbol(base: "BTC", quote: "USDT"))
        #expect(try CLISymbol.parse("btcusd_p", venue: .fmex) == Symbol(base: "BTC", quote: "USD", settle: "BTC"))
        #expect(try CLISymbol.parse("BTC/USD:BTC", venue: .fmex) == Symbol(base: "BTC", quote: "USD", settle: "BTC"))
        #expect(throws: ValidationError.self) { try CLISymbol.parse("XYZ", venue: .binance) }
        #expect(throws: ValidationError.self) { try CLISymbol.parse("BTC/", venue: .kraken) }
    }

    @Test("order place keeps the exact decimals and checks what a venue needs")
    func orderPlace() throws {
        let cmd = try OrderCommand.parse(["kraken", "place", "--symbol", "BTC/USD", "--side", "buy", "--qty", "0.0100",
                                          "--price", "79000.0", "--post-only", "--client-id", "c1"])
        guard case .place(let order) = try cmd.request(.kraken) else { Issue.record("not a place"); return }
        #expect(order.quantity.description == "0.0100")
        #expect(order.price?.description == "79000.0")
        #expect(order.postOnly && order.clientOrderID == "c1" && order.side == .buy)

        // Refused while parsing (validate), before anything connects.
        #expect(throws: (any Error).self) { try OrderCommand.parse(["kraken", "place", "--symbol", "BTC/USD", "--side", "buy", "--qty", "1"]) }
        #expect(throws: (any Error).self) {
            try OrderCommand.parse(["kraken", "place", "--symbol", "BTC/USD", "--side", "buy", "--qty", "1e3x", "--price", "1"])
        }
        #expect(throws: (any Error).self) {
            try OrderCommand.parse(["kraken", "place", "--symbol", "BTC/USD", "--side", "sell", "--type", "market", "--qty", "1", "--price", "1"])
        }
        #expect(throws: (any Error).self) { try OrderCommand.parseAsRoot(["kraken", "launch"]) }
    }

    @Test("cancel and amend name their orders")
    func cancelAmend() throws {
        let cancel = try OrderCommand.parse(["binance", "cancel", "--order-id", "1", "--order-id", "2", "--symbol", "BTCUSDT"])
        guard case .cancel(let c) = try cancel.request(.binance) else { Issue.record("not a cancel"); return }
        #expect(c.orderIDs == ["1", "2"] && c.symbol == Symbol(base: "BTC", quote: "USDT"))
        #expect(throws: (any Error).self) { try OrderCommand.parse(["kraken", "cancel"]) }
        let amend = try OrderCommand.parse(["kraken", "amend", "--order-id", "O1", "--qty", "0.5"])
        guard case .amend(let a) = try amend.request(.kraken) else { Issue.record("not an amend"); return }
        #expect(a.orderID == "O1" && a.quantity?.description == "0.5" && a.price == nil)
        #expect(throws: (any Error).self) { try OrderCommand.parse(["kraken", "amend", "--order-id", "O1"]) }
    }

    @Test("stream options are checked before anything connects")
    func streamValidation() throws {
        #expect(throws: (any Error).self) { try StreamCommand.parseAsRoot(["kraken", "book"]) }
        #expect(throws: (any Error).self) { try StreamCommand.parseAsRoot(["kraken", "candles", "BTC/USD"]) }
        #expect(throws: (any Error).self) { try StreamCommand.parseAsRoot(["nowhere", "book", "BTC/USD"]) }
        #expect(throws: (any Error).self) { try StreamCommand.parseAsRoot(["kraken", "book", "BTC/USD", "--count", "0"]) }
        #expect(throws: (any Error).self) { try StreamCommand.parseAsRoot(["kraken", "book", "BTC/USD", "--endpoint", "ws"]) }
        _ = try StreamCommand.parseAsRoot(["kraken", "book", "BTC/USD", "--depth", "5", "--count", "3", "--endpoint", "ws=ws://127.0.0.1:1/v2"])
    }

    @Test("book lines print the venue's decimals as received, to the asked depth")
    func bookLine() throws {
        var book = OrderBook(venue: .kraken, symbol: "BTC/USD")
        for (p, q) in [("45283.5", "0.10000000"), ("45283.4", "1.00000000"), ("45283.3", "2.5")] {
            book.apply(.buy, price: try #require(FixedDecimal(p)), quantity: try #require(FixedDecimal(q)))
        }
        book.apply(.sell, price: "45283.6", quantity: "0.00100000")
        let line = EventLines.book(BookUpdate(book: book, isSnapshot: true), depth: 2).rendered
        #expect(line.contains(#""bids":[["45283.5","0.10000000"],["45283.4","1.00000000"]]"#))
        #expect(line.contains(#""asks":[["45283.6","0.00100000"]]"#))
        #expect(line.hasPrefix(#"{"type":"book","venue":"kraken","symbol":"BTC/USD""#))
    }

    @Test("response lines embed the venue's reply and its own error text")
    func responseLine() {
        let ok = OrderResult(venue: .kraken, requestID: 7, method: "add_order", request: "{}", response: #"{"success":true,"req_id":7}"#,
                             latencyMicros: 812, ok: true, orderID: "O1", clientOrderID: "c1")
        #expect(EventLines.response(ok).rendered == #"{"type":"response","venue":"kraken","method":"add_order","request_id":7,"ok":true,"latency_us":812,"order_id":"O1","client_order_id":"c1","error":null,"response":{"success":true,"req_id":7}}"#)
        let refused = OrderResult(venue: .binance, requestID: 8, method: "order.place", request: "{}", response: "not json",
                                  latencyMicros: 90, ok: false, error: .venueRejected(code: "-2010", message: "Account has insufficient balance"))
        let line = EventLines.response(refused).rendered
        #expect(line.contains(#""error":"-2010: Account has insufficient balance""#))
        #expect(line.contains(#""response":"not json""#))
    }
}
