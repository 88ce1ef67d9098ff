import HFTCore
@testable import HFTSimulator
import Testing

// Helpers for the LBank simulator's wire contract, on the raw loopback client of
// KrakenTestSupport.swift.

/// An LBank simulator on an ephemeral port over the venue preset (BTC/USDT, ETH/USDT,
/// sim-key-1/2); the synthetic flow is stepped only by the tests.
struct LBankHarness: Sendable {
    let exchange: SimulatedExchange
    let simulator: LBankSimulator
    let endpoints: [String: String]

    static func start(options: LBankOptions = .init()) async throws -> LBankHarness {
        let exchange = try SimulatedExchange(config: .preset(for: .lbank))
        let simulator = LBankSimulator(exchange: exchange, options: options)
        let endpoints = try await simulator.start(host: "127.0.0.1", port: 0)
        return LBankHarness(exchange: exchange, simulator: simulator, endpoints: endpoints)
    }

    func connect() async throws -> RawWebSocket { try await RawWebSocket.connect(endpoints["ws"]!) }

    /// A signed POST (§6) for `sim-key-N`: the three signing values in headers, the endpoint
    /// params + `api_key` + `sign` in the form body.
    func rest(_ path: String, _ params: [(String, String)] = [], account n: Int = 1, secret: String? = nil,
              echostr: String = "P3LHfw6tUIYWc8R2VQNy0ilKmdg5pjhbxC7", timestamp: Int64 = WallClock.milliseconds(),
              method: String = "HmacSHA256") async throws -> TJ {
        let creds = SimCredentials.simDefault(n)
        let signed = params + [("api_key", creds.apiKey), ("echostr", echostr), ("signature_method", method),
                               ("timestamp", "\(timestamp)")]
        let sign = LBankSigner.sign(secret: secret ?? creds.apiSecret, params: signed)
        let body = (params + [("api_key", creds.apiKey), ("sign", sign)]).map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let headers = [("Content-Type", "application/x-www-form-urlencoded"), ("timestamp", "\(timestamp)"),
                       ("signature_method", method), ("echostr", echostr)]
        let r = try await rawHTTP("POST", endpoints["rest"]! + path, headers: headers, body: body)
        #expect(r.status == 200)
        return TJ.parse(r.body)
    }

    /// A fresh `subscribeKey` for `sim-key-N`.
    func subscribeKey(_ n: Int = 1) async throws -> String {
        let r = try await rest("/v2/subscribe/get_key.do", account: n)
        return try #require(r["data"].string)
    }

    func stop() async { await simulator.shutdown() }
}

func withLBank(options: LBankOptions = .init(), _ body: (LBankHarness) async throws -> Void) async throws {
    let h = try await LBankHarness.start(options: options)
    do { try await body(h) } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}

extension RawWebSocket {
    /// The next server message of `type` (optionally for `pair`).
    func lbank(_ type: String, pair: String? = nil, timeout: Duration = .seconds(20)) async throws -> TJ {
        try await next(timeout: timeout) { m in m["type"].string == type && (pair == nil || m["pair"].string == pair) }
    }

    /// The next `status:"error"` reply.
    func lbankError(timeout: Duration = .seconds(20)) async throws -> TJ {
        try await next(timeout: timeout) { $0["status"].string == "error" }
    }
}

/// `[[p,q]…]` as raw number tokens.
func lbankLevels(_ side: TJ) -> [(String, String)] { side.array.map { ($0[0].raw ?? "?", $0[1].raw ?? "?") } }
