#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HFTCore

/// Recognises a server application ping and builds the reply. Runs on every inbound data
/// message before it reaches the user, so it must be cheap when the message is not a ping.
public struct ServerPingReply: Sendable {
    public let reply: @Sendable (UnsafeRawBufferPointer) -> String?

    public init(_ reply: @escaping @Sendable (UnsafeRawBufferPointer) -> String?) { self.reply = reply }

    /// Parses JSON only when the raw bytes contain `prefilter`; `body` gets the root value.
    public static func json(prefilter: String = "ping",
                            _ body: @escaping @Sendable (JSONValue) -> String?) -> ServerPingReply {
        let needle = Array(prefilter.utf8)
        return ServerPingReply { bytes in
            guard Self.contains(bytes, needle), let root = try? JSONValue.root(bytes), root.kind == .object else { return nil }
            return body(root)
        }
    }

    /// `{"ping":123}` → `{"pong":123}` (the value echoed byte for byte).
    public static func echo(ping: String = "ping", pong: String = "pong") -> ServerPingReply {
        json(prefilter: "\"\(ping)\"") { root in
            guard let v = try? root.member(ping) else { return nil }
            return "{\(quoted(pong)):\(String(decoding: raw(v), as: UTF8.self))}"
        }
    }

    /// `{"action":"ping","ping":"x"}` → `{"action":"pong","pong":"x"}`.
    public static func action(key: String = "action", ping: String = "ping", pong: String = "pong") -> ServerPingReply {
        json(prefilter: "\"\(ping)\"") { root in
            guard let a = try? root.member(key), a.string == ping else { return nil }
            let value = (try? root.member(ping)).map { String(decoding: raw($0), as: UTF8.self) } ?? "null"
            return "{\(quoted(key)):\(quoted(pong)),\(quoted(pong)):\(value)}"
        }
    }

    /// The value's full JSON text (strings keep their quotes and escapes).
    static func raw(_ v: JSONValue) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: v.buffer[v.start..<v.end])
    }

    static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        JSONText.writeString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func contains(_ hay: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, let base = hay.baseAddress, hay.count >= needle.count else { return needle.isEmpty }
        var i = 0
        let last = hay.count - needle.count
        while i <= last {
            guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return false }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if needle.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, needle.count) }) == 0 { return true }
            i = at + 1
        }
        return false
    }
}
