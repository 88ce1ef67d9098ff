/// Outbound WebSocket V2 frames (bge.md §3, §4): flat `{"event","biz","type","product",…}`
/// objects, text frames.
import HFTCore

/// Public (`market`) and private (`exchange`) channel types.
public enum BGEChannel: String, Sendable, Hashable, CaseIterable {
    case orderbook, percent10, fills, ticker, candles
    case assets, orders

    public var biz: String { isPrivate ? "exchange" : "market" }
    public var isPrivate: Bool { self == .assets || self == .orders }
}

/// One channel of one product (`BTC_USDT`, or `all` for private `orders`).
public struct BGETopic: Sendable, Hashable, CustomStringConvertible {
    public var channel: BGEChannel
    public var product: String
    public var interval: String?

    public init(_ channel: BGEChannel, _ product: String, interval: String? = nil) {
        self.channel = channel
        self.product = product
        self.interval = interval
    }

    /// The transport's subscription key.
    public var key: String { channel.rawValue + ":" + product + (interval.map { ":" + $0 } ?? "") }
    public var description: String { key }
}

public enum BGERequest {
    /// `sub`, `unsub` or `req` for `topic`; `zip` as configured (the client sends false by default).
    public static func text(_ event: String, _ topic: BGETopic, zip: Bool = false) -> String {
        var f: [(String, JSONText)] = [("event", .string(event)), ("biz", .string(topic.channel.biz)),
                                       ("type", .string(topic.channel.rawValue)), ("product", .string(topic.product))]
        if let i = topic.interval { f.append(("interval", .string(i))) }
        f.append(("zip", .bool(zip)))
        return JSONText.object(f).rendered
    }

    public static func subscribe(_ t: BGETopic, zip: Bool = false) -> String { text("sub", t, zip: zip) }
    public static func unsubscribe(_ t: BGETopic, zip: Bool = false) -> String { text("unsub", t, zip: zip) }
    public static func request(_ t: BGETopic, zip: Bool = false) -> String { text("req", t, zip: zip) }

    /// `{"event":"login","params":{"type":"api","access_key","access_sign","access_timestamp"}}`.
    public static func login(_ c: BGECredentials, milliseconds: Int64) -> String {
        JSONText.object([("event", .string("login")),
                         ("params", .object([("type", .string("api")), ("access_key", .string(c.apiKey)),
                                             ("access_sign", .string(c.signer.loginSign(milliseconds: milliseconds))),
                                             ("access_timestamp", .int(milliseconds))]))]).rendered
    }

    /// `{"pong":ts}` for a server `{"ping":ts}`.
    public static func pong(_ ts: Int64) -> String { JSONText.object([("pong", .int(ts))]).rendered }

    /// The login frame with key and signature replaced, for logs.
    public static var redactedLogin: String {
        #"{"event":"login","params":{"type":"api","access_key":"<key>","access_sign":"<sign>","access_timestamp":"<ts>"}}"#
    }
}
