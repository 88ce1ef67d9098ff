import HFTCore
import HFTSimulator
@testable import HFTTransport
import Testing

@Suite("Reconnect, hooks and subscriptions")
struct ReconnectTests {
    /// Answers `{"op":"auth","id":N}` with `{"id":N,"result":"ok"}`.
    static func authServer() async throws -> TestServer {
        try await TestServer.start { session, m in
            guard let t = m.text, t.contains("\"op\":\"auth\"") else { return }
            let id = t.split(separator: ":").last!.dropLast()
            session.send(text: "{\"id\":\(id),\"result\":\"ok\"}")
        }
    }

    static let hooks = ClosureHooks(authenticate: { conn in
        let r = try await conn.sendRequest(method: "auth") { "{\"op\":\"auth\",\"id\":\($0)}" }
        guard r.responseText.contains("\"ok\"") else { throw HFTError.authenticationFailed(r.responseText) }
    }, responseID: ClosureHooks.jsonMember("id"))

    @Test func reconnectReplaysAuthThenSubscriptions() async throws {
        let server = try await Self.authServer()
        let client = try TestClient(try testConfig(server.url()), hooks: Self.hooks)
        try await client.connection.subscribe(Subscription(key: "a", text: "{\"op\":\"sub\",\"ch\":\"a\"}"))
        try await client.connection.subscribe(Subscription(key: "b", text: "{\"op\":\"sub\",\"ch\":\"b\"}"))
        client.start()

        let first = try await server.waitTexts(session: 1, count: 3)
        #expect(first[0].contains("\"op\":\"auth\""))
        #expect(first[1] == "{\"op\":\"sub\",\"ch\":\"a\"}")
        #expect(first[2] == "{\"op\":\"sub\",\"ch\":\"b\"}")
        try await client.ready()

        try await server.session(1).drop()
        let second = try await server.waitTexts(session: 2, count: 3)
        #expect(second[0].contains("\"op\":\"auth\""))
        #expect(second[0] != first[0])  // a fresh request id
        #expect(Array(second[1...]) == Array(first[1...]))
        try await client.ready(2)

        let events = client.events.items
        #expect(events.contains(.disconnected(.connectionLost)))
        #expect(events.contains { if case .reconnecting(attempt: 1, _) = $0 { return true }; return false })
        #expect(events.filter { $0 == .authenticated }.count == 2)
        // Order on the second connection: connected → authenticated → ready.
        let tail = Array(events.drop { !$0.isDisconnect })
        let c = tail.firstIndex(of: .connected)!, a = tail.firstIndex(of: .authenticated)!, r = tail.firstIndex(of: .ready)!
        #expect(c < a && a < r)

        await client.stop()
        try await client.event("closed") { $0 == .closed }
        await server.shutdown()
    }

    @Test func subscribeWhileReadySendsAtOnceAndUnsubscribeForgets() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        try await client.connection.subscribe(Subscription(key: "x", text: "sub-x"))
        try await client.connection.subscribe(Subscription(key: "y", text: "sub-y"))
        try await server.waitTexts(session: 1, count: 2)
        try await client.connection.unsubscribe(key: "x", message: .text("unsub-x"))
        try await server.waitTexts(session: 1, count: 3)
        #expect(server.texts(1) == ["sub-x", "sub-y", "unsub-x"])
        #expect(await client.connection.subscriptionKeys == ["y"])

        client.connection.forceReconnect(reason: "token expired")
        try await server.waitTexts(session: 2, count: 1)
        #expect(server.texts(2) == ["sub-y"])
        try await client.ready(2)
        let events = client.events.items
        #expect(events.contains(.disconnected(.requested("token expired"))))
        #expect(events.contains(.reconnecting(attempt: 1, delay: .zero)))
        await client.stop()
        await server.shutdown()
    }

    @Test func authenticationFailureBacksOffAndRetries() async throws {
        let server = try await TestServer.start { session, m in
            // Refuses the first login, accepts the second.
            guard let t = m.text, t.contains("login") else { return }
            session.send(text: session.id == 1 ? "{\"id\":\(t.filter(\.isNumber)),\"result\":\"denied\"}"
                                                : "{\"id\":\(t.filter(\.isNumber)),\"result\":\"ok\"}")
        }
        let hooks = ClosureHooks(authenticate: { conn in
            let r = try await conn.sendRequest(method: "login") { "login \($0)" }
            guard r.responseText.contains("\"ok\"") else { throw HFTError.authenticationFailed("denied") }
        }, responseID: ClosureHooks.jsonMember("id"))
        let client = try TestClient(try testConfig(server.url()), hooks: hooks)
        try await client.connection.subscribe(Subscription(key: "s", text: "sub"))
        client.start()
        try await client.ready()
        let events = client.events.items
        #expect(events.contains(.error(.authenticationFailed("denied"))))
        #expect(events.contains { if case .reconnecting = $0 { return true }; return false })
        let second = try await server.waitTexts(session: 2, count: 2)
        #expect(server.texts(1).count == 1)        // login only; no subscription after a failed login
        #expect(second.last == "sub")
        await client.stop()
        await server.shutdown()
    }

    @Test func connectFailureReportsAndGivesUpAfterMaxAttempts() async throws {
        // A port nobody listens on: bind a server, note its port, shut it down.
        let probe = LoopbackServer()
        let port = try await probe.start()
        await probe.shutdown()
        let client = try TestClient(try testConfig("ws://127.0.0.1:\(port)/") {
            $0.reconnect = ReconnectPolicy(base: .milliseconds(1), cap: .milliseconds(5), jitter: 0, maxAttempts: 2)
        })
        client.start()
        try await client.event("closed") { $0 == .closed }
        let events = client.events.items
        #expect(events.filter { if case .connecting = $0 { return true }; return false }.count == 3)
        #expect(events.contains { if case .error(.connectFailed) = $0 { return true }; return false })
        await client.stop()
    }

    @Test func stopClosesWithNormalClosure() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        await client.stop()
        let seen = try await server.inbound.wait("close frame") { $0.contains { if case .close = $0.message { return true }; return false } }
        #expect(seen.contains { $0.message == .close(code: 1000, reason: "") })
        try await client.event("closed") { $0 == .closed }
        #expect(client.events.items.last == .closed)
        #expect(client.events.items.contains(.disconnected(.requested("stop"))))
        await server.shutdown()
    }

    @Test func replacementCarriesSubscriptions() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        try await client.connection.subscribe(Subscription(key: "k", text: "sub-k"))
        client.start()
        try await client.ready()
        let next = try await client.connection.makeReplacement()
        #expect(await next.subscriptionKeys == ["k"])
        next.start()
        try await next.waitUntilReady(timeout: .seconds(10))
        try await server.waitTexts(session: 2, count: 1)
        #expect(server.texts(2) == ["sub-k"])
        await client.stop()
        await next.stop()
        await server.shutdown()
    }

    @Test func resetConnectionIsALostConnectionAndReconnects() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()))
        client.start()
        try await client.ready()
        try await server.session(1).drop(reset: true)
        try await client.event("disconnect") { $0 == .disconnected(.connectionLost) }
        try await client.ready(2)
        #expect(!client.events.items.contains { $0.error != nil })
        await client.stop()
        await server.shutdown()
    }

    @Test func backoffIsCappedExponentialWithJitter() {
        let p = ReconnectPolicy(base: .milliseconds(100), cap: .seconds(1), jitter: 0.2, random: { 0.5 })
        #expect(p.delay(attempt: 1) == .milliseconds(90))
        #expect(p.delay(attempt: 2) == .milliseconds(180))
        #expect(p.delay(attempt: 4) == .milliseconds(720))
        #expect(p.delay(attempt: 5) == .milliseconds(900))   // capped at 1 s, minus 10 %
        #expect(p.delay(attempt: 500) == .milliseconds(900))
        let none = ReconnectPolicy(base: .milliseconds(100), cap: .seconds(1), jitter: 0.2, random: { 0 })
        #expect(none.delay(attempt: 3) == .milliseconds(400))
        let full = ReconnectPolicy(base: .milliseconds(100), cap: .seconds(1), jitter: 1, random: { 0.999 })
        #expect(full.delay(attempt: 1) < .milliseconds(1))
    }
}
