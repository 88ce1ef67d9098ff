import HFTCore
import HFTSimulator
@testable import HFTTransport
import Synchronization
import Testing

@Suite("Keep-alive and stall detection")
struct KeepAliveTests {
    @Test func stalledServerIsReplaced() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()) {
            $0.keepAlive.stall = StallDetection(silence: .milliseconds(150), probeTimeout: .milliseconds(300))
        })
        client.start()
        try await client.ready()
        try await server.session(1).stall()
        try await client.event("stalled error") { if case .error(.stalled) = $0 { return true }; return false }
        try await client.event("disconnect") { if case .disconnected(.failed(.stalled)) = $0 { return true }; return false }
        try await client.ready(2)
        _ = try await server.session(2)
        await client.stop()
        await server.shutdown()
    }

    @Test func quietButHealthyServerIsKept() async throws {
        let server = try await TestServer.start()   // sends nothing, answers pings
        let client = try TestClient(try testConfig(server.url()) {
            $0.keepAlive.stall = StallDetection(silence: .milliseconds(100), probeTimeout: .seconds(2))
        })
        client.start()
        try await client.ready()
        // Several silent periods, each probed and answered.
        try await server.inbound.wait("4 probe pings") { $0.filter { if case .ping = $0.message { return true }; return false }.count >= 4 }
        #expect(!client.events.items.contains { $0.isDisconnect })
        #expect(server.sessions.count == 1)
        #expect(client.connection.isReady)
        await client.stop()
        await server.shutdown()
    }

    @Test func unansweredProtocolPingReplacesTheConnection() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()) {
            $0.keepAlive.protocolPingInterval = .milliseconds(50)
            $0.keepAlive.protocolPongTimeout = .milliseconds(300)
        })
        client.start()
        try await client.ready()
        try await server.inbound.wait("a ping") { $0.contains { if case .ping = $0.message { return true }; return false } }
        #expect(!client.events.items.contains { $0.isDisconnect })
        try await server.session(1).setAnswersPings(false)
        try await client.event("disconnect") { if case .disconnected(.failed(.stalled)) = $0 { return true }; return false }
        try await client.ready(2)
        await client.stop()
        await server.shutdown()
    }

    @Test(arguments: [
        ("{\"ping\":1635065532000}", "{\"pong\":1635065532000}", ServerPingReply.echo()),
        ("{\"action\":\"ping\",\"ping\":\"x1\"}", "{\"action\":\"pong\",\"pong\":\"x1\"}", ServerPingReply.action()),
    ])
    func serverApplicationPingIsAnsweredOnTheLoop(ping: String, pong: String, reply: ServerPingReply) async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()) { $0.keepAlive.serverPing = reply })
        client.start()
        try await client.ready()
        let session = try await server.session(1)
        session.send(text: ping)
        session.send(text: "{\"data\":1}")
        #expect(try await server.waitTexts(session: 1, count: 1) == [pong])
        #expect(try await client.messages.wait(count: 1) == ["{\"data\":1}"])   // the ping never reached the user
        await client.stop()
        await server.shutdown()
    }

    @Test func clientApplicationPingPongIsSwallowedAndMissingPongReconnects() async throws {
        let answer = Atomic<Bool>(true)
        let server = try await TestServer.start { session, m in
            guard let t = m.text, t.hasPrefix("{\"method\":\"ping\""), answer.load(ordering: .relaxed) else { return }
            let id = t.filter(\.isNumber)
            session.send(text: "{\"method\":\"pong\",\"req_id\":\(id)}")
        }
        let app = AppPing(interval: .milliseconds(50), timeout: .milliseconds(300),
                          makePing: { "{\"method\":\"ping\",\"req_id\":\($0)}" },
                          isPong: { String(decoding: $0, as: UTF8.self).hasPrefix("{\"method\":\"pong\"") })
        let client = try TestClient(try testConfig(server.url()) { $0.keepAlive.appPing = app })
        client.start()
        try await client.ready()
        try await server.waitTexts(session: 1, count: 3)
        #expect(client.messages.count == 0)   // pongs are consumed by the keep-alive
        #expect(!client.events.items.contains { $0.isDisconnect })
        answer.store(false, ordering: .relaxed)
        try await client.event("disconnect") { if case .disconnected(.failed(.stalled)) = $0 { return true }; return false }
        await client.stop()
        await server.shutdown()
    }

    @Test func pingReplyHelpers() {
        func run(_ r: ServerPingReply, _ s: String) -> String? {
            var s = s
            return s.withUTF8 { r.reply(UnsafeRawBufferPointer($0)) }
        }
        #expect(run(.echo(), "{\"ping\":42}") == "{\"pong\":42}")
        #expect(run(.echo(), "{\"ping\":\"a\\\"b\"}") == "{\"pong\":\"a\\\"b\"}")
        #expect(run(.echo(), "{\"e\":\"trade\",\"p\":\"1\"}") == nil)
        #expect(run(.echo(), "{\"ping\":") == nil)
        #expect(run(.action(), "{\"action\":\"ping\",\"ping\":7}") == "{\"action\":\"pong\",\"pong\":7}")
        #expect(run(.action(), "{\"action\":\"push\",\"ping\":7}") == nil)
        #expect(run(.echo(), "not json ping") == nil)
    }
}
