import HFTCore
import HFTSimulator
@testable import HFTTransport
import Synchronization
import Testing

@Suite("Request/response correlation")
struct RequestTests {
    static let hooks = ClosureHooks(responseID: ClosureHooks.jsonMember("id"))

    static func id(_ text: String) -> Int64? {
        text.utf8.withContiguousStorageIfAvailable { ClosureHooks.jsonMember("id")(UnsafeRawBufferPointer($0)) } ?? nil
    }

    @Test func disconnectFailsPendingRequestsAsOutcomeUnknown() async throws {
        let server = try await TestServer.start()   // never answers
        let client = try TestClient(try testConfig(server.url()), hooks: Self.hooks)
        client.start()
        try await client.ready()
        let conn = client.connection
        let pending = Task { () -> Result<RequestResult, HFTError> in
            do throws(HFTError) { return .success(try await conn.sendRequest(method: "order.place") { "{\"id\":\($0),\"m\":\"place\"}" }) }
            catch { return .failure(error) }
        }
        let written = try await server.waitTexts(session: 1, count: 1)
        let id = try #require(Self.id(written[0]))
        #expect(await conn.pendingRequestCount == 1)
        try await server.session(1).drop()
        let result = await pending.value
        guard case .failure(.outcomeUnknown(let failedID, _)) = result else {
            Issue.record("expected outcomeUnknown, got \(result)")
            return
        }
        #expect(failedID == id)
        #expect(await conn.pendingRequestCount == 0)
        await client.stop()
        await server.shutdown()
    }

    @Test func timeoutIsNoAnswer() async throws {
        let server = try await TestServer.start()
        let client = try TestClient(try testConfig(server.url()), hooks: Self.hooks)
        client.start()
        try await client.ready()
        let id = RequestIDGenerator.next()
        await #expect(throws: HFTError.noAnswer(requestID: id, timeoutMicros: 50_000)) {
            _ = try await client.connection.sendRequest(method: "slow", id: id, timeout: .milliseconds(50)) { "{\"id\":\($0)}" }
        }
        #expect(await client.connection.pendingRequestCount == 0)
        await client.stop()
        await server.shutdown()
    }

    @Test func notConnectedWhenThereIsNoSocket() async throws {
        let client = try TestClient(try testConfig("ws://127.0.0.1:9/"), hooks: Self.hooks)
        await #expect(throws: HFTError.notConnected) {
            _ = try await client.connection.sendRequest(method: "x") { "{\"id\":\($0)}" }
        }
        await #expect(throws: HFTError.notConnected) { try await client.connection.send(text: "hi") }
    }

    @Test func concurrentRequestsGetTheirOwnResponses() async throws {
        let n = 24
        // Collects all n requests, then answers them in reverse order.
        let held = Mutex<[(ServerSession, String)]>([])
        let server = try await TestServer.start { session, m in
            guard let t = m.text else { return }
            let batch: [(ServerSession, String)]? = held.withLock { h in
                h.append((session, t))
                guard h.count == n else { return nil }
                defer { h.removeAll() }
                return h
            }
            for (s, t) in (batch ?? []).reversed() {
                let id = RequestTests.id(t)!
                let tag = t.split(separator: "\"tag\":").last!.dropLast()
                s.send(text: "{\"id\":\(id),\"echo\":\(tag)}")
            }
        }
        let client = try TestClient(try testConfig(server.url()), hooks: Self.hooks)
        client.start()
        try await client.ready()
        let conn = client.connection
        let results = try await withThrowingTaskGroup(of: (Int, RequestResult).self) { group in
            for i in 0..<n {
                group.addTask {
                    let r = try await conn.sendRequest(method: "echo.\(i)") { "{\"id\":\($0),\"tag\":\"t\(i)\"}" }
                    return (i, r)
                }
            }
            var out: [(Int, RequestResult)] = []
            for try await r in group { out.append(r) }
            return out
        }
        #expect(results.count == n)
        for (i, r) in results {
            #expect(r.method == "echo.\(i)")
            #expect(r.request == "{\"id\":\(r.requestID),\"tag\":\"t\(i)\"}")
            #expect(r.responseText == "{\"id\":\(r.requestID),\"echo\":\"t\(i)\"}")
            #expect(r.latencyMicros > 0)
            #expect(r.responses.count == 1)
        }
        #expect(Set(results.map(\.1.requestID)).count == n)
        await client.stop()
        await server.shutdown()
    }

    @Test func severalResponsesPerRequest() async throws {
        let server = try await TestServer.start { session, m in
            guard let t = m.text, let id = RequestTests.id(t) else { return }
            if t.contains("count") {
                for sym in ["A", "B", "C"] { session.send(text: "{\"id\":\(id),\"ack\":\"\(sym)\"}") }
            } else {
                session.send(text: "{\"id\":\(id),\"part\":1}")
                session.send(text: "{\"id\":\(id),\"part\":2}")
                session.send(text: "{\"id\":\(id),\"last\":true}")
                session.send(text: "{\"unrelated\":true}")
            }
        }
        let client = try TestClient(try testConfig(server.url()), hooks: Self.hooks)
        client.start()
        try await client.ready()
        let three = try await client.connection.sendRequest(method: "sub", expect: .count(3)) { "{\"id\":\($0),\"op\":\"count\"}" }
        #expect(three.responses.map { String(buffer: $0) }.map { $0.contains("ack") } == [true, true, true])
        #expect(three.firstResponseLatencyMicros <= three.latencyMicros)
        let until = try await client.connection.sendRequest(method: "snap", expect: .until { bytes in
            String(decoding: bytes, as: UTF8.self).contains("\"last\":true")
        }) { "{\"id\":\($0),\"op\":\"until\"}" }
        #expect(until.responses.count == 3)
        #expect(until.responseText.contains("last"))
        // Unmatched messages still reach the user.
        #expect(try await client.messages.wait(count: 1) == ["{\"unrelated\":true}"])
        await client.stop()
        await server.shutdown()
    }

    @Test func callbackForm() async throws {
        let server = try await TestServer.start { session, m in
            if let t = m.text, let id = RequestTests.id(t) { session.send(text: "{\"id\":\(id),\"ok\":true}") }
        }
        let client = try TestClient(try testConfig(server.url()), hooks: Self.hooks)
        client.start()
        try await client.ready()
        let done = Recorder<Result<RequestResult, HFTError>>()
        client.connection.sendRequest(method: "cancel", { "{\"id\":\($0)}" }) { done.append($0) }
        let r = try await done.wait(count: 1)[0].get()
        #expect(r.method == "cancel")
        #expect(r.responseText.contains("\"ok\":true"))
        await client.stop()
        await server.shutdown()
    }

    @Test func requestIDsIncrease() {
        let a = RequestIDGenerator.next(), b = RequestIDGenerator.next()
        #expect(b > a)
    }
}
