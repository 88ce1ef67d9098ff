import HFTCore
import HFTSimulator
@testable import HFTTransport
import Testing

@Suite("REST client")
struct RESTClientTests {
    static func server(tls: ServerTLS? = nil) async throws -> LoopbackServer {
        let server = LoopbackServer(configuration: .init(tls: tls))
        server.route(HTTPRoute("POST", "/0/private/GetWebSocketsToken") { req in
            guard req.head.header("API-Key") == "key-1" else { return .json("{\"error\":[\"EAPI:Invalid key\"]}", status: 403) }
            return .json("{\"error\":[],\"result\":{\"token\":\"tok-\(req.bodyText)\",\"expires\":900}}")
        })
        server.route(HTTPRoute("GET", "/slow") { _ in
            try? await Task.sleep(for: .seconds(2))
            return .text("late")
        })
        server.route(HTTPRoute("GET", "/api/", prefix: true) { req in .text("path=\(req.head.path) q=\(req.head.query ?? "")") })
        try await server.start()
        return server
    }

    @Test func signedPostReturnsStatusHeadersBodyAndLatency() async throws {
        let server = try await Self.server()
        let client = try RESTClient()
        let r = try await client.post(server.httpURL("/0/private/GetWebSocketsToken"),
                                      headers: [("API-Key", "key-1"), ("API-Sign", "c2lnbmF0dXJl")], body: "nonce=1")
        #expect(r.status == 200)
        #expect(r.bodyText == "{\"error\":[],\"result\":{\"token\":\"tok-nonce=1\",\"expires\":900}}")
        #expect(r.header("content-type") == "application/json")
        #expect(r.latencyMicros > 0)
        let refused = try await client.post(server.httpURL("/0/private/GetWebSocketsToken"), headers: [("API-Key", "bad")], body: "")
        #expect(refused.status == 403 && !refused.isSuccess)
        let missing = try await client.get(server.httpURL("/nope"))
        #expect(missing.status == 404)
        let prefixed = try await client.get(server.httpURL("/api/v3/time?x=1"))
        #expect(prefixed.bodyText == "path=/api/v3/time q=x=1")
        await client.shutdown()
        await server.shutdown()
    }

    @Test func timeoutIsNoAnswer() async throws {
        let server = try await Self.server()
        let client = try RESTClient()
        do {
            _ = try await client.execute(.init(url: server.httpURL("/slow"), timeout: .milliseconds(100)))
            Issue.record("expected a timeout")
        } catch {
            guard case .noAnswer(_, 100_000) = error else { Issue.record("got \(error)"); return }
        }
        await #expect(throws: HFTError.self) { _ = try await client.get("notaurl") }
        await client.shutdown()
        await server.shutdown()
    }

    @Test func tlsWithTestCA() async throws {
        let server = try await Self.server(tls: try Fixtures.serverTLS())
        let untrusting = try RESTClient()
        do {
            _ = try await untrusting.execute(.init(url: server.httpURL("/api/x"), timeout: .seconds(1)))
            Issue.record("expected a TLS failure")
        } catch {
            guard case .tls = error else { Issue.record("got \(error)"); return }
        }
        let trusting = try RESTClient(tls: TLSOptions(extraTrustRootsPEM: [try Fixtures.caPEM()]))
        let r = try await trusting.get(server.httpURL("/api/x"))
        #expect(r.status == 200)
        await untrusting.shutdown()
        await trusting.shutdown()
        await server.shutdown()
    }
}
