/// Outbound WebSocket messages (digifinex.md §2, §5): `{"id":N,"method":"…","params":[…]}`,
/// sent as uncompressed text frames.
import HFTCore

/// The subscribable channels; `X.subscribe` / `X.unsubscribe` / `X.update`.
public enum DigiFinexChannel: String, Sendable, Hashable, CaseIterable {
    case trades, depth, ticker
    case allTicker = "all_ticker"
    case order
    case orderAlgo = "order_algo"
    case balance

    public var subscribeMethod: String { rawValue + ".subscribe" }
    public var unsubscribeMethod: String { rawValue + ".unsubscribe" }
    public var updateMethod: String { rawValue + ".update" }

    /// Needs `server.auth` first.
    public var isPrivate: Bool { self == .order || self == .orderAlgo || self == .balance }
}

public enum DigiFinexRequest {
    public static let ping = "server.ping"
    public static let time = "server.time"
    public static let auth = "server.auth"

    /// One request frame's text.
    public static func text(id: RequestID, method: String, params: [String] = []) -> String {
        JSONText.object([("id", .int(id)), ("method", .string(method)), ("params", .array(params.map { .string($0) }))]).rendered
    }

    public static func ping(id: RequestID) -> String { text(id: id, method: ping) }
    public static func serverTime(id: RequestID) -> String { text(id: id, method: time) }

    /// `server.auth` with `[api_key, ts, sign]`.
    public static func auth(id: RequestID, credentials: DigiFinexCredentials, milliseconds: Int64) -> String {
        text(id: id, method: auth, params: credentials.authParams(milliseconds: milliseconds))
    }

    /// Subscribes `channel` to the complete `symbols` list (currencies for `balance`). A second
    /// subscribe on the same socket may replace the first, so always send every symbol.
    public static func subscribe(id: RequestID, _ channel: DigiFinexChannel, _ symbols: [String]) -> String {
        text(id: id, method: channel.subscribeMethod, params: channel == .allTicker ? [] : symbols)
    }

    /// Unsubscribes every symbol of `channel` (`params: []`).
    public static func unsubscribe(id: RequestID, _ channel: DigiFinexChannel) -> String {
        text(id: id, method: channel.unsubscribeMethod)
    }

    /// The request text with the auth signature and key replaced, for logs and `OrderResult`.
    public static func redacted(_ text: String) -> String {
        guard text.contains("\"server.auth\"") else { return text }
        return #"{"method":"server.auth","params":["<key>","<ts>","<sign>"]}"#
    }
}
