import Foundation
import HFTKit
import Synchronization
import Testing

/// The `hft` binary as users run it: real processes, the embedded simulators on loopback, the
/// contract's lines and exit codes. Every run has a deadline and is killed past it.
@Suite("hft processes", .serialized, .enabled(if: HFTBinary.url != nil))
struct CLIProcessTests {
    @Test("hft sim prints its endpoints and credentials, serves, and exits 0 on SIGTERM")
    func simServesUntilSignal() throws {
        let run = try HFTBinary.start(["sim", "--venue", "kraken", "--rate", "0"])
        let first = try run.waitForLine(timeout: 30)
        let json = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        #expect(json?["venue"] as? String == "kraken")
        let endpoints = json?["endpoints"] as? [String: String] ?? [:]
        #expect(Set(endpoints.keys).isSuperset(of: ["ws", "ws-auth", "rest"]))
        #expect(endpoints.values.allSatisfy { $0.contains("127.0.0.1") })
        #expect((json?["credentials"] as? [String: String])?["api_key"] == "sim-key-1")
        run.process.terminate()
        #expect(try run.waitForExit(timeout: 15) == 0)
    }

    @Test("hft stream book: the asked number of book lines at the asked depth, exit 0")
    func streamBook() throws {
        let out = try HFTBinary.run(["stream", "kraken", "book", "BTC/USD", "--sim", "--count", "3", "--depth", "5"], timeout: 60)
        #expect(out.status == 0)
        let lines = out.lines
        let books = lines.filter { $0["type"] as? String == "book" }
        #expect(books.count == 3)
        #expect(books.first?["snapshot"] as? Bool == true)
        for b in books {
            #expect(b["symbol"] as? String == "BTC/USD")
            let bids = b["bids"] as? [[String]] ?? [], asks = b["asks"] as? [[String]] ?? []
            #expect(bids.count == 5 && asks.count == 5)
            #expect(bids.allSatisfy { $0.count == 2 && $0[0].contains(".") })
        }
        #expect(lines.contains { $0["type"] as? String == "status" && $0["event"] as? String == "subscribed" })
    }

    @Test("hft stream candles: candle lines with the unified interval and exact decimals, on every venue that has them",
          arguments: [("lbank", "BTC/USDT"), ("bge", "BTC/USDT"), ("fmex", "BTC/USD:BTC")])
    func streamCandles(venue: String, symbol: String) throws {
        let out = try HFTBinary.run(["stream", venue, "candles", symbol, "--sim", "--interval", "1m", "--count", "1", "--seconds", "45"], timeout: 90)
        #expect(out.status == 0)
        let candles = out.lines.filter { $0["type"] as? String == "candle" }
        let c = try #require(candles.first, "no candle line from \(venue) in 45 s")
        #expect(c["venue"] as? String == venue && c["symbol"] as? String == symbol && c["interval"] as? String == "1m")
        let open = (c["open_time"] as? Int) ?? 0
        #expect(open > 0 && open % 60_000_000 == 0)
        for field in ["open", "high", "low", "close", "volume"] { #expect((c[field] as? String).map { !$0.isEmpty } == true) }
    }

    @Test("hft order place: one response line with the venue's method, ids and latency")
    func orderPlace() throws {
        let ok = try HFTBinary.run(["order", "kraken", "place", "--sim", "--symbol", "BTC/USD", "--side", "buy",
                                    "--qty", "0.0100", "--price", "70000.0", "--client-id", "cli-1"], timeout: 60)
        #expect(ok.status == 0)
        let line = try #require(ok.lines.first)
        #expect(ok.lines.count == 1)
        #expect(line["type"] as? String == "response" && line["method"] as? String == "add_order" && line["ok"] as? Bool == true)
        #expect((line["latency_us"] as? Int ?? 0) > 0)
        #expect(line["order_id"] as? String != nil && line["client_order_id"] as? String == "cli-1")
        #expect(!ok.stdout.contains("sim-secret") && !ok.stderr.contains("c2ltLXNlY3JldC0x"))

        let refused = try HFTBinary.run(["order", "kraken", "place", "--sim", "--symbol", "BTC/USD", "--side", "buy",
                                         "--qty", "0.0001", "--price", "1.0"], timeout: 60)
        #expect(refused.status == 1)
        #expect(refused.lines.first?["ok"] as? Bool == false)
        #expect((refused.lines.first?["error"] as? String)?.contains("EOrder") == true)
    }

    @Test("usage errors exit 2 before connecting")
    func usageErrors() throws {
        #expect(try HFTBinary.run(["stream", "kraken", "candles", "BTC/USD"], timeout: 20).status == 2)
        #expect(try HFTBinary.run(["stream", "bge", "candles", "BTC/USDT", "--interval", "2m"], timeout: 20).status == 2)
        #expect(try HFTBinary.run(["order", "kraken", "place", "--symbol", "BTC/USD"], timeout: 20).status == 2)
        #expect(try HFTBinary.run(["sim", "--venue", "nowhere"], timeout: 20).status == 2)
        #expect(try HFTBinary.run(["stream", "kraken", "book", "BTC/USD", "--endpoint", "nope=ws://127.0.0.1:9/x", "--sim"], timeout: 30).status == 2)
    }
}

/// Finds and runs the built `hft` next to the test bundle.
enum HFTBinary {
    static let url: URL? = {
        var candidates: [URL] = []
        if let arg0 = CommandLine.arguments.first {
            var dir = URL(fileURLWithPath: arg0).deletingLastPathComponent()
            if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
            candidates.append(dir.appendingPathComponent("hft"))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/hft"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
        var lines: [[String: Any]] {
            stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    final class Running: Sendable {
        let process: Process
        let out = Mutex(Data())
        let err = Mutex(Data())
        init(process: Process) { self.process = process }

        func waitForLine(timeout: Double) throws -> String {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let line = out.withLock({ d -> String? in
                    guard let nl = d.firstIndex(of: 0x0A) else { return nil }
                    return String(decoding: d[d.startIndex..<nl], as: UTF8.self)
                }) { return line }
                Thread.sleep(forTimeInterval: 0.02)
            }
            process.terminate()
            throw ProcessTimeout(arguments: process.arguments ?? [])
        }

        func waitForExit(timeout: Double) throws -> Int32 {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning {
                guard Date() < deadline else {
                    kill(process.processIdentifier, SIGKILL)
                    throw ProcessTimeout(arguments: process.arguments ?? [])
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
            Thread.sleep(forTimeInterval: 0.05)  // let the pipes drain
            return process.terminationStatus
        }
    }

    struct ProcessTimeout: Error { let arguments: [String] }

    static func start(_ arguments: [String]) throws -> Running {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("HFT_") { env[key] = nil }
        p.environment = env
        let outPipe = Pipe(), errPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        let running = Running(process: p)
        outPipe.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            running.out.withLock { $0.append(d) }
        }
        errPipe.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            running.err.withLock { $0.append(d) }
        }
        try p.run()
        return running
    }

    static func run(_ arguments: [String], timeout: Double) throws -> Output {
        let r = try start(arguments)
        let status = try r.waitForExit(timeout: timeout)
        return Output(status: status, stdout: String(decoding: r.out.withLock { $0 }, as: UTF8.self),
                      stderr: String(decoding: r.err.withLock { $0 }, as: UTF8.self))
    }
}
