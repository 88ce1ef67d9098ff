import Crypto
import Foundation
import HFTCore
@testable import HFTSimulator
import Testing

// Binance simulator tests speak the wire format through the raw loopback client of
// KrakenTestSupport (`RawWebSocket`, `rawHTTP`, `TJ`); signatures are computed here with
// swift-crypto, independently of the simulator's verifier.

/// A Binance simulator on an ephemeral port over the Binance preset without synthetic flow.
struct BinanceHarness: Sendable {
    let exchange: SimulatedExchange
    let simulator: BinanceSimulator
    let endpoints: [String: String]

    static func start(options: BinanceSimulator.Options = .init(), clock: (any SimClock)? = nil) async throws -> BinanceHarness {
        var config = ExchangeConfig.preset(for: .binance)
        config.flows = []
        let exchange = try SimulatedExchange(config: config, clock: clock ?? SystemSimClock())
        let simulator = BinanceSimulator(exchange: exchange, options: options)
        let endpoints = try await simulator.start(host: "127.0.0.1", port: 0)
        return BinanceHarness(exchange: exchange, simulator: simulator, endpoints: endpoints)
    }

    func api(_ query: String = "") async throws -> RawWebSocket {
        try await RawWebSocket.connect(endpoints["ws-api"]! + query)
    }

    /// `/ws/<path>` or `/stream?…` on the streams endpoint. Binance sends nothing on connect, so
    /// with `sync` a `LIST_SUBSCRIPTIONS` round trip (taken off the cursor) makes sure the server
    /// has set up the URL's streams before the test moves the market.
    func stream(_ path: String, sync: Bool = true) async throws -> RawWebSocket {
        let ws = try await RawWebSocket.connect(endpoints["streams"]! + path)
        if sync {
            ws.send(#"{"method":"LIST_SUBSCRIPTIONS","id":"sync"}"#)
            _ = try await ws.next(where: { $0["id"].string == "sync" })
        }
        return ws
    }

    func rest(_ pathAndQuery: String) async throws -> (status: Int, body: String) {
        try await rawHTTP("GET", endpoints["rest"]! + pathAndQuery)
    }

    func stop() async { await simulator.shutdown() }
}

/// Runs `body` against a fresh simulator and always shuts it down.
func withBinance(options: BinanceSimulator.Options = .init(), clock: (any SimClock)? = nil,
                 _ body: (BinanceHarness) async throws -> Void) async throws {
    let h = try await BinanceHarness.start(options: options, clock: clock)
    do { try await body(h) } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}

let binanceBTC: Symbol = "BTC/USDT"

/// Params rendered as a JSON object; values listed in `numbers` are sent as JSON numbers.
func binanceParams(_ params: [(String, String)], numbers: Set<String> = ["timestamp", "orderId", "recvWindow", "subscriptionId",
                                                                          "cancelOrderId"]) -> String {
    "{" + params.map { k, v in numbers.contains(k) ? "\"\(k)\":\(v)" : "\"\(k)\":\"\(v)\"" }.joined(separator: ",") + "}"
}

/// Hex HMAC-SHA256 of the sorted `k=v&…` payload (vectors.md, Binance WS API HMAC).
func binanceHMAC(_ params: [(String, String)], secret: String) -> String {
    let payload = params.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: SymmetricKey(data: Data(secret.utf8)))
    return mac.map { String(format: "%02x", $0) }.joined()
}

/// Ed25519 (Base64) over the sorted payload with the documented sim key N (seed = SHA-256 of `sim-ed25519-N`).
func binanceEd25519(_ params: [(String, String)], key n: Int = 1) throws -> String {
    let seed = Data(SHA256.hash(data: Data("sim-ed25519-\(n)".utf8)))
    let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    let payload = params.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    return try key.signature(for: Data(payload.utf8)).base64EncodedString()
}

func nowMillis() -> Int64 { WallClock.milliseconds() }

extension RawWebSocket {
    /// Sends `{"id":id,"method":…,"params":…}` and returns the response with that id.
    func call(_ id: Int, _ method: String, _ params: String? = nil, timeout: Duration = .seconds(20)) async throws -> TJ {
        send("{\"id\":\(id),\"method\":\"\(method)\"" + (params.map { ",\"params\":\($0)" } ?? "") + "}")
        return try await response(id, timeout: timeout)
    }

    func response(_ id: Int, timeout: Duration = .seconds(20)) async throws -> TJ {
        let all = try await texts.wait("response \(id)", timeout: timeout) { items in
            items.contains { TJ.parse($0)["id"].int == Int64(id) }
        }
        return TJ.parse(all.first { TJ.parse($0)["id"].int == Int64(id) }!)
    }

    /// A signed request for `sim-key-N` (HMAC with its secret).
    func signed(_ id: Int, _ method: String, _ params: [(String, String)], key n: Int = 1, timestamp: Int64 = nowMillis()) async throws -> TJ {
        let creds = SimCredentials.simDefault(n)
        var p = params + [("apiKey", creds.apiKey), ("timestamp", String(timestamp))]
        p.append(("signature", binanceHMAC(p, secret: creds.apiSecret)))
        return try await call(id, method, binanceParams(p))
    }

    /// `session.logon` with the sim Ed25519 key N.
    func logon(_ id: Int, key n: Int = 1) async throws -> TJ {
        var p = [("apiKey", "sim-key-\(n)"), ("timestamp", String(nowMillis()))]
        p.append(("signature", try binanceEd25519(p, key: n)))
        return try await call(id, "session.logon", binanceParams(p))
    }

    /// User-data events received so far (`{"subscriptionId":…,"event":…}`), the event objects.
    func userEvents(_ type: String? = nil) -> [TJ] {
        received { !$0["subscriptionId"].isNull && !$0["event"].isNull }.map { $0["event"] }
            .filter { type == nil || $0["e"].string == type }
    }

    func waitUserEvent(_ what: String, timeout: Duration = .seconds(20), _ predicate: @escaping @Sendable (TJ) -> Bool) async throws -> TJ {
        let all = try await texts.wait(what, timeout: timeout) { items in
            items.contains { let m = TJ.parse($0); return !m["event"].isNull && predicate(m["event"]) }
        }
        return all.map(TJ.parse).first { !$0["event"].isNull && predicate($0["event"]) }!["event"]
    }
}

extension BinanceHarness {
    /// Rests a limit order of account `n` directly on the engine.
    @discardableResult
    func rest(_ n: Int, _ side: Side, _ qty: FixedDecimal, at price: FixedDecimal) throws -> SimOrder {
        try exchange.placeOrder(AccountID(n), .limit(binanceBTC, side, quantity: qty, price: price)).order
    }
}
