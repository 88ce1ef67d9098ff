import NIOCore
import NIOHTTP1

/// The request line and headers of an HTTP request or WebSocket upgrade.
public struct ServerRequestHead: Sendable {
    public let method: String
    /// Path and query as received.
    public let uri: String
    public let headers: [(String, String)]

    public init(method: String, uri: String, headers: [(String, String)]) {
        self.method = method
        self.uri = uri
        self.headers = headers
    }

    init(_ head: HTTPRequestHead) {
        self.init(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) })
    }

    public var path: String { uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri }

    public var query: String? {
        guard let q = uri.firstIndex(of: "?") else { return nil }
        return String(uri[uri.index(after: q)...])
    }

    /// Query items, percent-decoded.
    public var queryItems: [(String, String)] {
        guard let query else { return [] }
        return query.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.percentDecode(kv[0]), kv.count > 1 ? Self.percentDecode(kv[1]) : "")
        }
    }

    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.0.lowercased() == n }?.1
    }

    static func percentDecode(_ s: Substring) -> String {
        var out: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                it = it.dropFirst(2)
            } else if c == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A plain HTTP request with its whole body.
public struct ServerHTTPRequest: Sendable {
    public let head: ServerRequestHead
    public let body: [UInt8]
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

public struct ServerHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> ServerHTTPResponse {
        ServerHTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    public static func text(_ text: String, status: Int = 200) -> ServerHTTPResponse {
        ServerHTTPResponse(status: status, headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
    }

    public static let notFound = ServerHTTPResponse.text("not found", status: 404)
}

/// Handles plain HTTP requests for `method` and `path` (or every path under it, with `prefix`).
public struct HTTPRoute: Sendable {
    public var method: String
    public var path: String
    public var prefix: Bool
    public var handler: @Sendable (ServerHTTPRequest) async -> ServerHTTPResponse

    public init(_ method: String, _ path: String, prefix: Bool = false,
                handler: @escaping @Sendable (ServerHTTPRequest) async -> ServerHTTPResponse) {
        self.method = method.uppercased()
        self.path = path
        self.prefix = prefix
        self.handler = handler
    }

    func matches(method m: String, path p: String) -> Bool {
        m.uppercased() == method && (prefix ? p.hasPrefix(path) : p == path)
    }
}

/// Accepts WebSocket upgrades on `path` (or under it, with `prefix`). Callbacks run on the
/// session's event loop. When `accept` says no, the request falls through to the HTTP routes
/// (register one on the same path to answer, e.g., 429).
public struct WebSocketRoute: Sendable {
    public var path: String
    public var prefix: Bool
    public var accept: @Sendable (ServerRequestHead) -> Bool
    public var onOpen: @Sendable (ServerSession) -> Void
    public var onMessage: @Sendable (ServerSession, ServerInbound) -> Void
    public var onClose: @Sendable (ServerSession) -> Void

    public init(_ path: String, prefix: Bool = false,
                accept: @escaping @Sendable (ServerRequestHead) -> Bool = { _ in true },
                onOpen: @escaping @Sendable (ServerSession) -> Void = { _ in },
                onMessage: @escaping @Sendable (ServerSession, ServerInbound) -> Void = { _, _ in },
                onClose: @escaping @Sendable (ServerSession) -> Void = { _ in }) {
        self.path = path
        self.prefix = prefix
        self.accept = accept
        self.onOpen = onOpen
        self.onMessage = onMessage
        self.onClose = onClose
    }

    func matches(_ p: String) -> Bool { prefix ? p.hasPrefix(path) : p == path }
}
