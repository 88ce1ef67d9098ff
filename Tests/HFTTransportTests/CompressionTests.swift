import HFTCore
import HFTSimulator
@testable import HFTTransport
import NIOCore
import Testing

@Suite("Payload inflate")
struct CompressionTests {
    static let json = "{\"e\":\"depthUpdate\",\"s\":\"BTCUSDT\",\"b\":[[\"66790.10\",\"0.0100\"]],\"a\":[[\"66790.20\",\"1.5000\"]]}"

    @Test(arguments: [(PayloadCompression.zlib, ServerCompression.zlib),
                      (.deflate, .deflate), (.gzip, .gzip)])
    func decodesEachFormatOverTheWire(client: PayloadCompression, server: ServerCompression) async throws {
        let srv = try await TestServer.start()
        let c = try TestClient(try testConfig(srv.url()) { $0.compression = client })
        c.start()
        try await c.ready()
        let session = try await srv.session(1)
        session.send(text: Self.json, compression: server)
        session.send(text: "{\"plain\":\"text frames pass through\"}")
        let got = try await c.messages.wait(count: 2)
        #expect(got == [Self.json, "{\"plain\":\"text frames pass through\"}"])
        await c.stop()
        await srv.shutdown()
    }

    @Test func autoDetectsEveryFormatAndPlainJSON() async throws {
        let srv = try await TestServer.start()
        let c = try TestClient(try testConfig(srv.url()) { $0.compression = .auto })
        c.start()
        try await c.ready()
        let session = try await srv.session(1)
        for (i, format) in [ServerCompression.zlib, .gzip, .deflate, .none].enumerated() {
            session.send(binary: format.compress("{\"n\":\(i)}"))
        }
        let got = try await c.messages.wait(count: 4)
        #expect(got == ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}"])
        await c.stop()
        await srv.shutdown()
    }

    @Test func corruptPayloadIsATypedErrorAndTheConnectionStays() async throws {
        let srv = try await TestServer.start()
        let c = try TestClient(try testConfig(srv.url()) { $0.compression = .zlib })
        c.start()
        try await c.ready()
        let session = try await srv.session(1)
        var bad = Array(buffer: ServerCompression.zlib.compress(Self.json))
        bad[4] ^= 0xFF
        bad[5] ^= 0xFF
        session.send(binary: bad)
        session.send(text: Self.json, compression: .zlib)
        let e = try await c.event("decompression error") { if case .error(.decompressionFailed) = $0 { return true }; return false }
        #expect(e.error != nil)
        #expect(try await c.messages.wait(count: 1) == [Self.json])
        #expect(!c.events.items.contains { $0.isDisconnect })
        await c.stop()
        await srv.shutdown()
    }

    @Test func inflaterUnit() throws {
        let text = String(repeating: Self.json, count: 50)   // compresses well: forces buffer growth
        for (mode, server) in [(PayloadCompression.zlib, ServerCompression.zlib), (.deflate, .deflate), (.gzip, .gzip)] {
            let inflater = PayloadInflater(mode: mode, limit: 1 << 20)
            for _ in 0..<3 {   // the stream is reused
                let out = try inflater.inflate(server.compress(text))
                #expect(String(buffer: out) == text)
            }
            // Truncated stream.
            let whole = server.compress(text)
            let cut = whole.getSlice(at: whole.readerIndex, length: whole.readableBytes / 2)!
            #expect(throws: HFTError.self) { try inflater.inflate(cut) }
            // Limit.
            let small = PayloadInflater(mode: mode, limit: 100)
            do {
                _ = try small.inflate(server.compress(text))
                Issue.record("expected oversizedMessage")
            } catch {
                guard case .oversizedMessage(let size, 100) = error, size > 100 else { Issue.record("got \(error)"); continue }
            }
        }
        let auto = PayloadInflater(mode: .auto, limit: 1 << 20)
        #expect(String(buffer: try auto.inflate(ByteBuffer(string: "[1,2]"))) == "[1,2]")
        #expect(throws: HFTError.self) { try auto.inflate(ByteBuffer(bytes: [0x01, 0x02, 0x03])) }
    }
}
