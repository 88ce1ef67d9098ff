import HFTCore
@testable import HFTSimulator
import Testing

@Suite("Kraken under synthetic flow")
struct KrakenFlowTests {
    /// Thousands of flow operations pushed through one connection: the client's depth-10 and
    /// depth-100 books end equal to the exchange's, and every checksum on the way matched.
    @Test func booksStayExactUnderFlow() async throws {
        let config = ExchangeConfig.preset(for: .kraken, flowSeed: 7)
        let exchange = try SimulatedExchange(config: config)
        let simulator = KrakenSimulator(exchange: exchange)
        let endpoints = try await simulator.start(host: "127.0.0.1", port: 0)
        do {
            exchange.stepFlow(actions: 500)
            let ws = try await RawWebSocket.connect(endpoints["ws"]!)
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},"req_id":1}"#)
            ws.send(#"{"method":"subscribe","params":{"channel":"book","symbol":["ETH/USD"],"depth":100},"req_id":2}"#)
            ws.send(#"{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD","ETH/USD"]},"req_id":3}"#)
            ws.send(#"{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"],"event_trigger":"bbo"},"req_id":4}"#)
            var follower = BookFollower(["BTC/USD": 10, "ETH/USD": 100])
            // The flow starts once both books are subscribed, so most of it arrives as updates.
            let subscribed = ContinuousClock.now + .seconds(20)
            while ws.texts.items.filter({ $0.hasPrefix(#"{"channel":"book","type":"snapshot""#) }).count < 2 {
                guard ContinuousClock.now < subscribed else { Issue.record("no book snapshots"); break }
                try await Task.sleep(for: .milliseconds(5))
            }
            let clock = ContinuousClock()
            let start = clock.now
            let changes = exchange.stepFlow(actions: 4_000)
            let expected = ["BTC/USD": try exchangeTop(exchange, "BTC/USD", depth: 10),
                            "ETH/USD": try exchangeTop(exchange, "ETH/USD", depth: 100)]
            try await follower.follow(ws, expected: expected, timeout: .seconds(60))
            let elapsed = clock.now - start
            #expect(follower.checksumsOK)
            #expect(follower.messages > 200)
            let texts = ws.texts.items
            #expect(texts.contains { $0.hasPrefix(#"{"channel":"trade""#) })
            #expect(texts.contains { $0.hasPrefix(#"{"channel":"ticker""#) })
            print("kraken flow: \(changes) book changes, \(texts.count) frames in \(elapsed)")
            await ws.disconnect()
        } catch {
            await simulator.shutdown()
            throw error
        }
        await simulator.shutdown()
    }
}
