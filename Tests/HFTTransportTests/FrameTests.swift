import HFTCore
import HFTSimulator
@testable import HFTTransport
import Testing

@Suite("Frames: fragments, limits, UTF-8, garbage, close")
struct FrameTests {
    @Test func fragmentedMessagesAreReassembled() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        let session = try await server.session(1)
        let big = "{\"levels\":[" + (0..<200).map { "[\"\($0).5\",\"1.0\"]" }.joined(separator: ",") + "]}"
        session.sendFragmented(text: big, fragmentSize: 97)
        session.sendFragmented(text: "{\"small\":true}", fragmentSize: 1)
        #expect(try await client.messages.wait(count: 2) == [big, "{\"small\":true}"])
        await client.stop()
        await server.shutdown()
    }

    @Test func oversizedFrameIsATypedErrorAndClosesWith1009() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()) { $0.maxMessageSize = 1024 })
        client.start()
        try await client.ready()
        try await server.session(1).send(text: "{\"x\":\"" + String(repeating: "a", count: 2000) + "\"}")
        let e = try await client.event("oversize") { if case .error(.oversizedMessage) = $0 { return true }; return false }
        guard case .error(.oversizedMessage(let size, let limit)) = e else { return }
        #expect(limit == 1024 && size > 1024)
        let seen = try await server.inbound.wait("close 1009") { $0.contains { $0.message == .close(code: 1009, reason: "") } }
        #expect(seen.first?.session == 1)
        try await client.ready(2)     // and the connection is replaced
        await client.stop()
        await server.shutdown()
    }

    @Test func oversizedFragmentedMessageReportsItsSize() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()) { $0.maxMessageSize = 1000 })
        client.start()
        try await client.ready()
        try await server.session(1).sendFragmented(text: String(repeating: "b", count: 1500), fragmentSize: 600)
        let e = try await client.event("oversize") { if case .error(.oversizedMessage) = $0 { return true }; return false }
        #expect(e == .error(.oversizedMessage(size: 1200, limit: 1000)))
        await client.stop()
        await server.shutdown()
    }

    @Test func invalidUTF8IsReportedAndTheConnectionStays() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        let session = try await server.session(1)
        session.sendInvalidUTF8()
        session.send(text: "{\"after\":1}")
        try await client.event("invalid UTF-8") { $0 == .error(.invalidUTF8) }
        #expect(try await client.messages.wait(count: 1) == ["{\"after\":1}"])
        #expect(!client.events.items.contains { $0.isDisconnect })
        await client.stop()
        await server.shutdown()
    }

    @Test func utf8ValidationCanBeSwitchedOff() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()) { $0.validateUTF8 = false })
        client.start()
        try await client.ready()
        try await server.session(1).sendInvalidUTF8()
        #expect(try await client.messages.wait(count: 1).count == 1)
        #expect(!client.events.items.contains { $0 == .error(.invalidUTF8) })
        await client.stop()
        await server.shutdown()
    }

    @Test(arguments: [ServerFrame.Malformed.reservedOpcode, .reservedBits, .fragmentedControl, .oversizedControl,
                      .orphanContinuation, .masked, .bytes([0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])])
    func garbageIsATypedErrorNeverACrash(_ kind: ServerFrame.Malformed) async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        try await server.session(1).sendMalformed(kind)
        let e = try await client.event("malformed frame") {
            if case .error(.malformedFrame) = $0 { return true }
            if case .error(.oversizedMessage) = $0 { return true }   // the absurd 64-bit length
            return false
        }
        #expect(e.error != nil)
        try await client.event("disconnect") { $0.isDisconnect }
        try await client.ready(2)
        await client.stop()
        await server.shutdown()
    }

    @Test func serverCloseCodeAndReasonAreReported() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        try await server.session(1).close(code: 4001, reason: "maintenance")
        try await client.event("peer close") { $0 == .disconnected(.closedByPeer(code: 4001, reason: "maintenance")) }
        let seen = try await server.inbound.wait("close echo") { $0.contains { if case .close = $0.message { return true }; return false } }
        #expect(seen.contains { $0.message == .close(code: 4001, reason: "") })
        await client.stop()
        await server.shutdown()
    }

    @Test func serverProtocolPingsAreAnswered() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        try await server.session(1).ping([1, 2, 3])
        let seen = try await server.inbound.wait("pong") { $0.contains { if case .pong = $0.message { return true }; return false } }
        #expect(seen.contains { $0.message == .pong([1, 2, 3]) })
        await client.stop()
        await server.shutdown()
    }

    @Test func binaryAndTextSendsArriveInOrder() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        for i in 0..<20 { client.connection.write(.text("m\(i)")) }
        try await client.connection.send(bytes: [0, 1, 2])
        let seen = try await server.inbound.wait(count: 21, "messages")
        #expect(seen.prefix(20).compactMap(\.text) == (0..<20).map { "m\($0)" })
        #expect(seen[20].message == .binary([0, 1, 2]))
        await client.stop()
        await server.shutdown()
    }

    @Test func messagesStreamWithoutCallback() async throws {
        let server = try await TestServer.start()
        let conn = try WebSocketConnection(configuration: try testConfig(server.url()) {
            $0.messageDelivery = .dropOldest(capacity: 1000)
        })
        conn.start()
        try await conn.waitUntilReady(timeout: .seconds(10))
        let session = try await server.session(1)
        for i in 0..<5 { session.send(text: "{\"i\":\(i)}") }
        var got: [Int64] = []
        for await m in conn.messages {
            got.append(try m.withJSON { try $0.member("i")!.int64! })
            if got.count == 5 { break }
        }
        #expect(got == [0, 1, 2, 3, 4])
        #expect(conn.messages.droppedCount == 0)
        await conn.stop()
        await server.shutdown()
    }

    @Test func headersQueryAndCloseReasonReachTheServer() async throws {
        let server = try await TestServer.start()
        let config = try testConfig(server.url("/stream?a=1")) {
            $0.headers = [("X-MBX-APIKEY", "key-1")]
            $0.url = $0.url.appendingQuery([("timeUnit", "MICROSECOND")])
        }
        let client = try TestClient(config)
        client.start()
        try await client.ready()
        let session = try await server.session(1)
        #expect(session.request.path == "/stream")
        #expect(session.request.queryItems.map { "\($0.0)=\($0.1)" } == ["a=1", "timeUnit=MICROSECOND"])
        #expect(session.request.header("x-mbx-apikey") == "key-1")
        await client.connection.stop(code: 4000, reason: "rotating")
        try await server.inbound.wait("close") { $0.contains { $0.message == .close(code: 4000, reason: "rotating") } }
        await server.shutdown()
    }
}
