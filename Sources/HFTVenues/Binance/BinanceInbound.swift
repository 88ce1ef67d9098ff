/// Everything a Binance socket (WS API or market streams) can send, as one typed value
/// (produced by `BinanceDecoder`).
import HFTCore

public enum BinanceInbound: Sendable, Hashable {
    /// A WS API reply; route it by `id`.
    case response(BinanceResponse)
    /// A market-stream control reply (`{"result":…,"id":N}` or `{"error":{…},"id":N}`).
    case streamReply(BinanceStreamReply)
    /// A market-stream event; `stream` is set on combined streams.
    case market(BinanceMarketEvent, stream: String?)
    /// A user-data event; `subscriptionID` is nil only if the server left it out.
    case userData(BinanceUserEvent, subscriptionID: Int64?)
    /// Planned shutdown: open a new connection now.
    case serverShutdown(eventTime: Timestamp)
}

/// Reply to SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY (binance.md §9).
/// Error codes here are 0 unknown property, 1 bad value type, 2 invalid request, 3 invalid JSON.
public struct BinanceStreamReply: Sendable, Hashable {
    public var id: BinanceMessageID
    /// `LIST_SUBSCRIPTIONS`: the streams; nil for `"result":null`.
    public var streams: [String]?
    /// `GET_PROPERTY`-style scalar results, as text.
    public var value: String?
    public var error: BinanceAPIError?

    public init(id: BinanceMessageID, streams: [String]? = nil, value: String? = nil, error: BinanceAPIError? = nil) {
        self.id = id
        self.streams = streams
        self.value = value
        self.error = error
    }

    public var isSuccess: Bool { error == nil }
}
