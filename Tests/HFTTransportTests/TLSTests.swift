import HFTCore
import HFTSimulator
@testable import HFTTransport
import Testing

@Suite("TLS against the loopback server")
struct TLSTests {
    @Test func untrustedCertificateIsRejectedWithATypedTLSError() async throws {
        let server = try await TestServer.start(tls: try Fixtures.serverTLS())
        let client = try TestClient(try testConfig(server.url()) {
            $0.reconnect = ReconnectPolicy(base: .milliseconds(1), cap: .milliseconds(1), jitter: 0, maxAttempts: 0)
        })
        client.start()
        let e = try await client.event("TLS error") { if case .error(.tls) = $0 { return true }; return false }
        #expect(e.error != nil)
        try await client.event("closed") { $0 == .closed }
        #expect(!client.events.items.contains(.connected))
        await client.stop()
        await server.shutdown()
    }

    @Test func trustedTestCAIsAccepted() async throws {
        let server = try await TestServer.start(tls: try Fixtures.serverTLS()) { s, m in
            if let t = m.text { s.send(text: "echo:" + t) }
        }
        #expect(server.url().hasPrefix("wss://localhost:"))
        let client = try TestClient(try testConfig(server.url()) {
            $0.tls = TLSOptions(extraTrustRootsPEM: [try Fixtures.caPEM()])
        })
        client.start()
        try await client.ready()
        try await client.connection.send(text: "hello")
        #expect(try await client.messages.wait(count: 1) == ["echo:hello"])
        await client.stop()
        await server.shutdown()
    }

    @Test func ipAddressWithTrustedCAVerifiesTheIPSAN() async throws {
        let server = try await TestServer.start(tls: try Fixtures.serverTLS())
        let client = try TestClient(try testConfig("wss://127.0.0.1:\(server.server.port)/ws") {
            $0.tls = TLSOptions(extraTrustRootsPEM: [try Fixtures.caPEM()], trustOnlyExtraRoots: true)
        })
        client.start()
        try await client.ready()
        await client.stop()
        await server.shutdown()
    }
}
