import HFTCore
import HFTSimulator
@testable import HFTTransport
import NIOCore
import Testing

/// The engine reads frames in place from the socket's bytes: frames cut anywhere by TCP reads
/// arrive whole, and random bytes end in messages or a typed error, never a crash or a hang.
@Suite("Frame reader: split reads, random bytes", .serialized)
struct FrameReaderTests {
    static let texts = [
        "{\"a\":1}",                                                    // 7-bit length
        "{\"b\":\"" + String(repeating: "x", count: 300) + "\"}",       // 16-bit length
        "{\"c\":\"" + String(repeating: "y", count: 70_000) + "\"}",    // 64-bit length
        "{\"d\":4}",
    ]

    @Test func framesCutAnywhereByReadsArriveWhole() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        let session = try await server.session(1)
        var all = ByteBuffer()
        var starts: [Int] = []
        for t in Self.texts {
            starts.append(all.writerIndex)
            ServerFrame.write(text: t, into: &all)
        }
        // One byte per write across every frame header, a ping between the first two frames,
        // larger pieces inside the long payload.
        var offset = 0
        while all.readableBytes > 0 {
            let nearHeader = starts.contains { offset >= $0 && offset < $0 + 12 }
            let nextStart = starts.first { $0 > offset } ?? Int.max
            let n = min(all.readableBytes, nearHeader ? 1 : min(4_093, nextStart - offset))
            session.sendEncoded(all.readSlice(length: n)!)
            offset += n
            if offset == starts[1] { session.ping([7]) }
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(try await client.messages.wait(count: 4) == Self.texts)
        let seen = try await server.inbound.wait("pong") { $0.contains { $0.message == .pong([7]) } }
        #expect(seen.contains { $0.message == .pong([7]) })
        #expect(!client.events.items.contains { $0.isDisconnect || $0.error != nil })
        await client.stop()
        await server.shutdown()
    }

    @Test func randomBytesEndInMessagesOrATypedErrorNeverACrash() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()) { $0.maxMessageSize = 4_096 })
        client.start()
        try await client.ready()
        var rng = SeededRandom(seed: 0x5EED)
        var sessions = 1
        var probes = 0
        for round in 0..<60 {
            let session = try await server.session(sessions)
            var bytes = ServerFrame.batch(["{\"r\":\(round)}", "{\"pad\":\"" + String(repeating: "z", count: Int(rng.next() % 300)) + "\"}"])
            for _ in 0..<(1 + rng.next() % 4) {
                let at = bytes.readerIndex + Int(rng.next() % UInt64(bytes.readableBytes))
                bytes.setInteger(UInt8(truncatingIfNeeded: rng.next()), at: at)
            }
            session.sendEncoded(bytes)
            // Then a valid probe: it arrives unless the garbage failed the connection, or left a
            // frame waiting for more bytes (the probe's bytes then become its payload).
            let probe = "{\"probe\":\(round)}"
            session.send(text: probe)
            let deadline = ContinuousClock.now + .milliseconds(300)
            while ContinuousClock.now < deadline, !client.messages.items.contains(probe),
                  !client.events.items.contains(where: { $0.isDisconnect }) {
                try await Task.sleep(for: .milliseconds(2))
            }
            if client.messages.items.contains(probe) { probes += 1 }
            session.drop()
            sessions += 1
            try await client.ready(sessions)   // the engine never hangs: every round ends in a fresh socket
        }
        #expect(probes > 0 && probes < 60)
        let errors = client.events.items.compactMap(\.error)
        #expect(errors.allSatisfy { e in
            switch e {
            case .malformedFrame, .oversizedMessage, .invalidUTF8: true
            default: false
            }
        })
        await client.stop()
        await server.shutdown()
    }
}
