import HFTCore
@testable import HFTTransport
import Testing

@Suite("WebSocket URLs")
struct URLTests {
    @Test func parses() throws {
        let u = try WebSocketURL("wss://ws.kraken.com/v2")
        #expect(u.isSecure && u.host == "ws.kraken.com" && u.port == 443 && u.target == "/v2")
        #expect(u.hostHeader == "ws.kraken.com")
        let l = try WebSocketURL("ws://127.0.0.1:8080?x=1")
        #expect(!l.isSecure && l.port == 8080 && l.target == "/?x=1" && l.hostIsIPAddress)
        #expect(l.hostHeader == "127.0.0.1:8080")
        let v6 = try WebSocketURL("ws://[::1]:9000/a")
        #expect(v6.host == "::1" && v6.port == 9000 && v6.hostIsIPAddress && v6.hostHeader == "[::1]:9000")
        #expect(try WebSocketURL("wss://stream.binance.com:9443/ws").appendingQuery([("timeUnit", "MICROSECOND")]).target
                == "/ws?timeUnit=MICROSECOND")
        #expect(try WebSocketURL("ws://h/p?a=1").appendingQuery([("b", "x y&z")]).target == "/p?a=1&b=x%20y%26z")
        #expect(throws: HFTError.self) { try WebSocketURL("http://x") }
        #expect(throws: HFTError.self) { try WebSocketURL("ws://:80/") }
        #expect(throws: HFTError.self) { try WebSocketURL("ws://h:99999/") }
    }

    @Test func jsonMemberIDs() {
        func id(_ s: String) -> RequestID? {
            var s = s
            return s.withUTF8 { ClosureHooks.jsonMember("req_id")(UnsafeRawBufferPointer($0)) }
        }
        #expect(id("{\"method\":\"add_order\",\"req_id\":42,\"success\":true}") == 42)
        #expect(id("{\"req_id\":\"43\"}") == 43)
        #expect(id("{\"channel\":\"book\"}") == nil)
        #expect(id("[1,2]") == nil)
        #expect(id("{\"req_id\":") == nil)
    }
}
