/// Control messages on a market-stream connection (binance.md §9):
/// `{"method":"SUBSCRIBE","params":[…],"id":1}`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`,
/// `SET_PROPERTY`. Each counts against the 5 messages/s per connection.
import HFTCore

public struct BinanceStreamControl: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        case subscribe = "SUBSCRIBE", unsubscribe = "UNSUBSCRIBE"
        case listSubscriptions = "LIST_SUBSCRIPTIONS", setProperty = "SET_PROPERTY"
    }

    public let method: Method
    public let id: RequestID
    public let text: String

    init(method: Method, params: [JSONText]?, id: RequestID) {
        self.method = method
        self.id = id
        var members: [(String, JSONText)] = [("method", .string(method.rawValue))]
        if let params { members.append(("params", .array(params))) }
        members.append(("id", .int(id)))
        text = JSONText.object(members).rendered
    }

    public var bytes: [UInt8] { Array(text.utf8) }

    public static func subscribe(_ streams: [String], id: RequestID) throws(HFTError) -> BinanceStreamControl {
        try check(streams)
        return BinanceStreamControl(method: .subscribe, params: streams.map { .string($0) }, id: id)
    }

    public static func subscribe(_ streams: [BinanceStream], id: RequestID) throws(HFTError) -> BinanceStreamControl {
        for s in streams { try s.validate() }
        return try subscribe(streams.map(\.name), id: id)
    }

    public static func unsubscribe(_ streams: [String], id: RequestID) throws(HFTError) -> BinanceStreamControl {
        try check(streams)
        return BinanceStreamControl(method: .unsubscribe, params: streams.map { .string($0) }, id: id)
    }

    public static func unsubscribe(_ streams: [BinanceStream], id: RequestID) throws(HFTError) -> BinanceStreamControl {
        try unsubscribe(streams.map(\.name), id: id)
    }

    public static func listSubscriptions(id: RequestID) -> BinanceStreamControl {
        BinanceStreamControl(method: .listSubscriptions, params: nil, id: id)
    }

    /// `SET_PROPERTY ["combined", true]`: wrap events as `{"stream","data"}` from now on.
    public static func setCombined(_ on: Bool, id: RequestID) -> BinanceStreamControl {
        BinanceStreamControl(method: .setProperty, params: [.string("combined"), .bool(on)], id: id)
    }

    static func check(_ streams: [String]) throws(HFTError) {
        guard !streams.isEmpty else { throw .invalidArgument("Binance: name at least one stream") }
        guard streams.count <= BinanceStream.maxPerConnection else {
            throw .invalidArgument("Binance: at most \(BinanceStream.maxPerConnection) streams per connection")
        }
        for s in streams where s.isEmpty || s.contains(where: { $0 == "\"" || $0 == "/" || $0.isWhitespace }) {
            throw .invalidArgument("Binance stream name '\(s)'")
        }
    }
}
