import CompressNIO
import HFTCore
@testable import HFTSimulator
import NIOCore
import Testing

// Helpers for the DigiFinex simulator's wire contract, on the raw loopback client of
// KrakenTestSupport.swift (which hands binary frames to `zlibFrameText`).

/// The text of one binary frame that must be a complete zlib stream (RFC 1950): the header is
/// checked by hand (CM 8, FCHECK, no preset dictionary), the body inflated, and the Adler-32
/// trailer recomputed here. Anything else yields `<bad zlib: …>`, which no test accepts.
func zlibFrameText(_ payload: [UInt8]) -> String {
    guard payload.count >= 6 else { return "<bad zlib: \(payload.count) bytes>" }
    let cmf = payload[0], flg = payload[1]
    guard cmf & 0x0F == 8, cmf >> 4 <= 7, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0, flg & 0x20 == 0 else {
        return "<bad zlib: header \(cmf) \(flg)>"
    }
    var input = ByteBuffer(bytes: payload)
    guard let out = try? input.decompress(with: .zlib()) else { return "<bad zlib: inflate failed>" }
    let text = Array(out.readableBytesView)
    let trailer = payload.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    guard adler32(text) == trailer else { return "<bad zlib: adler-32>" }
    return String(decoding: text, as: UTF8.self)
}

func adler32(_ bytes: [UInt8]) -> UInt32 {
    var a: UInt32 = 1, b: UInt32 = 0
    for x in bytes {
        a = (a + UInt32(x)) % 65_521
        b = (b + a) % 65_521
    }
    return b << 16 | a
}

func hexBytes(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.makeIterator()
    while let h = it.next(), let l = it.next() { out.append(UInt8(String([h, l]), radix: 16)!) }
    return out
}

/// A DigiFinex simulator on an ephemeral port over the venue preset (BTC_USDT, ETH_USDT,
/// sim-key-1/2); the synthetic flow is stepped only by the tests.
struct DigiFinexHarness: Sendable {
    let exchange: SimulatedExchange
    let simulator: DigiFinexSimulator
    let endpoints: [String: String]

    static func start(options: DigiFinexOptions = .init(), flows: Bool = true) async throws -> DigiFinexHarness {
        var config = ExchangeConfig.preset(for: .digifinex)
        if !flows { config.flows = [] }
        let exchange = try SimulatedExchange(config: config)
        let simulator = DigiFinexSimulator(exchange: exchange, options: options)
        let endpoints = try await simulator.start(host: "127.0.0.1", port: 0)
        return DigiFinexHarness(exchange: exchange, simulator: simulator, endpoints: endpoints)
    }

    func connect() async throws -> RawWebSocket { try await RawWebSocket.connect(endpoints["ws"]!) }

    /// `server.auth` for `sim-key-N`; returns the reply.
    func auth(_ ws: RawWebSocket, _ n: Int = 1, id: Int = 1, timestamp: Int64 = WallClock.milliseconds(),
              secret: String? = nil) async throws -> TJ {
        let creds = SimCredentials.simDefault(n)
        let sign = DigiFinexSigner.webSocketSign(secret: secret ?? creds.apiSecret, timestamp: "\(timestamp)")
        ws.send(#"{"id":\#(id),"method":"server.auth","params":["\#(creds.apiKey)","\#(timestamp)","\#(sign)"]}"#)
        return try await ws.reply(id)
    }

    /// A signed REST call for `sim-key-N`: GET signs the query, POST the form body.
    func rest(_ method: String, _ path: String, _ params: String = "", account n: Int = 1, key: String? = nil,
              secret: String? = nil, timestamp: Int64 = WallClock.milliseconds() / 1_000) async throws -> TJ {
        let creds = SimCredentials.simDefault(n)
        let sign = DigiFinexSigner.restSign(secret: secret ?? creds.apiSecret, payload: params)
        let headers = [("ACCESS-KEY", key ?? creds.apiKey), ("ACCESS-TIMESTAMP", "\(timestamp)"), ("ACCESS-SIGN", sign),
                       ("Content-Type", "application/x-www-form-urlencoded")]
        let base = endpoints["rest"]!
        let r: (status: Int, body: String)
        if method == "GET" {
            r = try await rawHTTP("GET", base + path + (params.isEmpty ? "" : "?" + params), headers: headers)
        } else {
            r = try await rawHTTP(method, base + path, headers: headers, body: params)
        }
        #expect(r.status == 200)
        return TJ.parse(r.body)
    }

    func stop() async { await simulator.shutdown() }
}

func withDigiFinex(options: DigiFinexOptions = .init(), flows: Bool = true,
                   _ body: (DigiFinexHarness) async throws -> Void) async throws {
    let h = try await DigiFinexHarness.start(options: options, flows: flows)
    do { try await body(h) } catch {
        await h.stop()
        throw error
    }
    await h.stop()
}

extension RawWebSocket {
    /// The next message replying to request `id`.
    func reply(_ id: Int, timeout: Duration = .seconds(20)) async throws -> TJ {
        try await next(timeout: timeout) { $0["id"].int == Int64(id) }
    }

    /// The next push of `method` (optionally for `symbol`, the last param of market pushes).
    func push(_ method: String, symbol: String? = nil, timeout: Duration = .seconds(20)) async throws -> TJ {
        try await next(timeout: timeout) { m in
            m.method == method && (symbol == nil || m["params"].array.last?.string == symbol)
        }
    }
}

/// A client book built as the notes tell a client to (§5, vectors D5): `clean=true` replaces,
/// deltas set absolute amounts, `"0"` removes; both sides sorted whatever the wire order.
struct DigiFinexTestBook {
    var bids: [FixedDecimal: (String, String)] = [:]
    var asks: [FixedDecimal: (String, String)] = [:]
    var snapshots = 0
    var deltas = 0

    mutating func apply(_ push: TJ) {
        let clean = push["params"][0].bool ?? false
        if clean { bids = [:]; asks = [:]; snapshots += 1 } else { deltas += 1 }
        func set(_ side: inout [FixedDecimal: (String, String)], _ level: TJ) {
            let p = level[0].string!, q = level[1].string!
            let key = FixedDecimal(p)!
            side[key] = FixedDecimal(q)!.isZero ? nil : (p, q)
        }
        for l in push["params"][1]["bids"].array { set(&bids, l) }
        for l in push["params"][1]["asks"].array { set(&asks, l) }
    }

    var sortedBids: [(String, String)] { bids.sorted { $0.key > $1.key }.map(\.value) }
    var sortedAsks: [(String, String)] { asks.sorted { $0.key < $1.key }.map(\.value) }
}

let btcUSDT: Symbol = "BTC/USDT"
let ethUSDT: Symbol = "ETH/USDT"
