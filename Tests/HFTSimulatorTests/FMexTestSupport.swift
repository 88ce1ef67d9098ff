import HFTCore
@testable import HFTSimulator
import Testing

// Helpers for the FMex simulator's wire contract, on the raw loopback client of
// KrakenTestSupport.swift.

let fmexPerp: Symbol = "BTC/USD:BTC"

/// Percent-encodes a Base64 signature for a query (`+` `/` `=`, §2's recommendation).
func fmexQueryEscape(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "+": out += "%2B"
        case "/": out += "%2F"
        case "=": out += "%3D"
        default: out.append(c)
        }
    }
    return out
}

/// An FMex simulator on an ephemeral port over the venue preset (BTCUSD_P, sim-key-1/2 with
/// 10 BTC); the synthetic flow is stepped only by the tests (or removed with `flow: false`).
struct FMexHarness: Sendable {
    let exchange: SimulatedExchange
    let simulator: FMexSimulator
    let endpoints: [String: String]

    static func start(flow: Bool = true, options: FMexOptions = .init()) async throws -> FMexHarness {
        var config = ExchangeConfig.preset(for: .fmex)
        if !flow { config.flows = [] }
        let exchange = try SimulatedExchange(config: config)
        let simulator = FMexSimulator(exchange: exchange, options: options)
        let endpoints = try await simulator.start(host: "127.0.0.1", port: 0)
        return FMexHarness(exchange: exchange, simulator: simulator, endpoints: endpoints)
    }

    var restBase: String { endpoints["rest"]! }
    /// `127.0.0.1:port`, the `Host` the raw clients send.
    var hostPort: String { String(restBase.dropFirst("http://".count)) }

    func connect() async throws -> RawWebSocket { try await RawWebSocket.connect(endpoints["ws"]!) }

    /// §2: the private URL with key, timestamp and signature of `GET<base>/v2/user/ws<ts>`.
    func userURL(_ n: Int = 1, timestamp: Int64 = WallClock.milliseconds(), secret: String? = nil,
                 signedBase: String = "https://api.fmex.com", escape: Bool = true) -> String {
        let creds = SimCredentials.simDefault(n)
        let sig = FMexSigner.sign(secret: secret ?? creds.apiSecret,
                                  prehash: "GET" + signedBase + "/v2/user/ws" + String(timestamp))
        return endpoints["ws-user"]! + "?FC-ACCESS-KEY=\(creds.apiKey)&FC-ACCESS-TIMESTAMP=\(timestamp)&FC-ACCESS-SIGNATURE="
            + (escape ? fmexQueryEscape(sig) : sig)
    }

    /// A private connection for `sim-key-N`, past its hello.
    func user(_ n: Int = 1) async throws -> RawWebSocket {
        let ws = try await RawWebSocket.connect(userURL(n))
        let hello = try await ws.next { $0["type"].string == "hello" }
        #expect(hello["ts"].int != nil)
        return ws
    }

    /// A signed REST call (§2, §7) for `sim-key-N`; the URL signed is `http://<host:port><path>`.
    func rest(_ method: String, _ path: String, query: String = "", body: String = "", account n: Int = 1,
              secret: String? = nil, timestamp: String = String(WallClock.milliseconds()),
              signedBase: String? = nil) async throws -> (status: Int, json: TJ) {
        let creds = SimCredentials.simDefault(n)
        let form = method == "POST" ? (FMexSigner.bodyForm(Array(body.utf8)) ?? "") : ""
        let pre = FMexSigner.prehash(method: method, url: (signedBase ?? "http://" + hostPort) + path, query: query,
                                     timestamp: timestamp, body: form)
        let sig = FMexSigner.sign(secret: secret ?? creds.apiSecret, prehash: pre)
        let headers = [("Content-Type", "application/json"), ("FC-ACCESS-KEY", creds.apiKey), ("FC-ACCESS-SIGNATURE", sig),
                       ("FC-ACCESS-TIMESTAMP", timestamp)]
        let r = try await rawHTTP(method, restBase + path + (query.isEmpty ? "" : "?" + query), headers: headers, body: body)
        return (r.status, TJ.parse(r.body))
    }

    func stop() async { await simulator.shutdown() }
}

func withFMex(flow: Bool = true, options: FMexOptions = .init(), _ body: (FMexHarness) async throws -> Void) async throws {
    let h = try await FMexHarness.start(flow: flow, options: options)
    do { try await body(h) } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}

/// `[p, q, p, q, …]` as (price, qty) text pairs.
func fmexLevels(_ flat: TJ) -> [(String, String)] {
    let a = flat.array
    return stride(from: 0, to: a.count - 1, by: 2).map { (a[$0].raw ?? "?", a[$0 + 1].raw ?? "?") }
}

/// A client's depth-delta book (§5 apply rules), keyed by exact decimal price.
struct FMexDeltaBook {
    var bids: [FixedDecimal: String] = [:]
    var asks: [FixedDecimal: String] = [:]
    var seq: Int64 = 0
    var broken = false

    mutating func apply(_ m: TJ, snapshot: Bool, depth: Int) {
        if snapshot {
            bids = [:]
            asks = [:]
        } else if m["pre_seq"].int != seq {
            broken = true
        }
        for (p, q) in fmexLevels(m["bids"]) { set(&bids, p, q) }
        for (p, q) in fmexLevels(m["asks"]) { set(&asks, p, q) }
        seq = m["seq"].int ?? -1
        // Trim to the window.
        let b = top(.buy), a = top(.sell)
        if b.count > depth { for (p, _) in b.dropFirst(depth) { bids[FixedDecimal(p)!] = nil } }
        if a.count > depth { for (p, _) in a.dropFirst(depth) { asks[FixedDecimal(p)!] = nil } }
    }

    private func set(_ side: inout [FixedDecimal: String], _ p: String, _ q: String) {
        guard let price = FixedDecimal(p) else { return }
        if q == "0" { side[price] = nil } else { side[price] = q }
    }

    /// Best first, prices printed at the exchange's scale (1 decimal).
    func top(_ side: Side) -> [(String, String)] {
        let d = side == .buy ? bids : asks
        let keys = side == .buy ? d.keys.sorted(by: >) : d.keys.sorted(by: <)
        return keys.map { ($0.rescaled(to: 1).description, d[$0]!) }
    }
}
