import HFTCore

/// A parsed `ws://` or `wss://` address.
public struct WebSocketURL: Sendable, Hashable, CustomStringConvertible {
    public var isSecure: Bool
    public var host: String
    public var port: Int
    /// Path and query as sent in the request line (always starts with `/`).
    public var target: String

    public init(_ string: String) throws(HFTError) {
        let secure: Bool
        let rest: Substring
        if string.hasPrefix("wss://") { secure = true; rest = string.dropFirst(6) }
        else if string.hasPrefix("ws://") { secure = false; rest = string.dropFirst(5) }
        else { throw .configuration("WebSocket URL must start with ws:// or wss://: \(string)") }
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<slash]
        var target = String(rest[slash...])
        if target.isEmpty { target = "/" } else if target.first == "?" { target = "/" + target }
        var host = Substring(authority)
        var port = secure ? 443 : 80
        if authority.hasPrefix("[") {
            // IPv6 literal: [::1]:8080
            guard let close = authority.firstIndex(of: "]") else { throw .configuration("bad IPv6 host in \(string)") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw .configuration("bad port in \(string)") }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw .configuration("bad port in \(string)")
            }
            host = authority[..<colon]
            port = p
        }
        guard !host.isEmpty else { throw .configuration("no host in \(string)") }
        self.isSecure = secure
        self.host = String(host)
        self.port = port
        self.target = target
    }

    /// The same URL with query items appended (values percent-encoded).
    public func appendingQuery(_ items: [(String, String)]) -> WebSocketURL {
        guard !items.isEmpty else { return self }
        var copy = self
        var t = target
        t.append(t.contains("?") ? "&" : "?")
        t.append(items.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&"))
        copy.target = t
        return copy
    }

    /// True when `host` is an IPv4 or IPv6 literal (those cannot be sent as SNI).
    public var hostIsIPAddress: Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The `Host` header value.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return (isSecure && port == 443) || (!isSecure && port == 80) ? h : "\(h):\(port)"
    }

    public var description: String {
        "\(isSecure ? "wss" : "ws")://\(hostHeader)\(target)"
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.append("%")
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 0xF)])
            }
        }
        return out
    }
}
