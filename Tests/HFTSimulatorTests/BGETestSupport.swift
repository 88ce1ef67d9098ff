import CompressNIO
import HFTCore
@testable import HFTSimulator
import NIOCore
import Testing

// Helpers for the BGE simulator's wire contract, on the raw loopback client of
// KrakenTestSupport.swift.

/// A gzip (RFC 1952) frame's text; `<bad gzip…>` when the header or the inflate fails.
func gzipFrameText(_ payload: [UInt8]) -> String {
    guard payload.count >= 18, payload[0] == 0x1F, payload[1] == 0x8B, payload[2] == 8 else { return "<bad gzip: header>" }
    var input = ByteBuffer(bytes: payload)
    guard let out = try? input.decompress(with: .gzip()) else { return "<bad gzip: inflate failed>" }
    return String(decoding: out.readableBytesView, as: UTF8.self)
}

/// A BGE simulator on an ephemeral port over the venue preset (BTC/USDT, ETH/USDT,
/// sim-key-1/2); the synthetic flow is stepped only by the tests.
struct BGEHarness: Sendable {
    let exchange: SimulatedExchange
    let simulator: BGESimulator
    let endpoints: [String: String]

    static func start(options: BGEOptions = .init()) async throws -> BGEHarness {
        let exchange = try SimulatedExchange(config: .preset(for: .bge))
        let simulator = BGESimulator(exchange: exchange, options: options)
        let endpoints = try await simulator.start(host: "127.0.0.1", port: 0)
        return BGEHarness(exchange: exchange, simulator: simulator, endpoints: endpoints)
    }

    func connect() async throws -> RawWebSocket { try await RawWebSocket.connect(endpoints["ws"]!) }

    /// The §4 login frame for `sim-key-N`.
    static func loginFrame(_ n: Int = 1, timestamp: Int64 = WallClock.milliseconds(), secret: String? = nil) -> String {
        let creds = SimCredentials.simDefault(n)
        let sign = BGESigner.sign(secret: secret ?? creds.apiSecret, prehash: String(timestamp))
        return #"{"event":"login","params":{"type":"api","access_key":"\#(creds.apiKey)","access_sign":"\#(sign)","access_timestamp":\#(timestamp)}}"#
    }

    /// A connection logged in as `sim-key-N`.
    func loggedIn(_ n: Int = 1) async throws -> RawWebSocket {
        let ws = try await connect()
        ws.send(Self.loginFrame(n))
        let r = try await ws.next { $0["event"].string == "login" }
        #expect(r["code"].int == 200 && r["status"].string == "OK")
        return ws
    }

    /// A signed REST call (§8) for `sim-key-N`; `path` below the `rest` endpoint (`/v1/…`).
    func rest(_ method: String, _ path: String, query: String = "", body: String = "", account n: Int = 1,
              secret: String? = nil, timestamp: String = String(WallClock.milliseconds()),
              signedPath: String? = nil) async throws -> (status: Int, json: TJ) {
        let creds = SimCredentials.simDefault(n)
        let fullPath = BGEREST.basePath + path
        let prehash = BGESigner.prehash(timestamp: timestamp, method: method, path: signedPath ?? fullPath, query: query,
                                        body: method == "POST" ? body : "")
        let sign = BGESigner.sign(secret: secret ?? creds.apiSecret, prehash: prehash)
        let headers = [("Content-Type", "application/json"), ("ACCESS-KEY", creds.apiKey), ("ACCESS-SIGN", sign),
                       ("ACCESS-TIMESTAMP", timestamp)]
        let url = endpoints["rest"]! + path + (query.isEmpty ? "" : "?" + query)
        let r = try await rawHTTP(method, url, headers: headers, body: body)
        return (r.status, TJ.parse(r.body))
    }

    func stop() async { await simulator.shutdown() }
}

func withBGE(options: BGEOptions = .init(), _ body: (BGEHarness) async throws -> Void) async throws {
    let h = try await BGEHarness.start(options: options)
    do { try await body(h) } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}

extension RawWebSocket {
    /// The first message so far (or to come) matching `predicate`, whatever `next` consumed.
    func seen(_ what: String, timeout: Duration = .seconds(20), where predicate: @escaping @Sendable (TJ) -> Bool) async throws -> TJ {
        let all = try await texts.wait(what, timeout: timeout) { $0.contains { predicate(TJ.parse($0)) } }
        return TJ.parse(all.first { predicate(TJ.parse($0)) }!)
    }

    /// The next push or ack of `type` (optionally of `event`, e.g. `sub`).
    func bge(_ type: String, event: String? = nil, timeout: Duration = .seconds(20)) async throws -> TJ {
        try await next(timeout: timeout) { m in m["type"].string == type && m["event"].string == event }
    }
}
