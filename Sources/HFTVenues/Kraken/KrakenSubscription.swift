/// What can be subscribed on Kraken v2 (kraken.md §5, §8), with the parameters each channel
/// takes. `nil` options are left out so Kraken's defaults apply. `status` and `heartbeat` need
/// no subscription.
import HFTCore

public enum KrakenTickerTrigger: String, Sendable, Hashable {
    /// Push on trades (Kraken's default).
    case trades
    /// Push on every best-bid/offer change.
    case bbo
}

public enum KrakenSubscription: Sendable, Hashable {
    case book(symbols: [String], depth: KrakenBookDepth = .d10, snapshot: Bool? = nil)
    case trade(symbols: [String], snapshot: Bool? = nil)
    case ticker(symbols: [String], eventTrigger: KrakenTickerTrigger? = nil, snapshot: Bool? = nil)
    case instrument(snapshot: Bool? = nil)
    case executions(token: String, snapOrders: Bool? = nil, snapTrades: Bool? = nil, orderStatus: Bool? = nil, rateCounter: Bool? = nil)
    case balances(token: String, snapshot: Bool? = nil)

    public var channel: String {
        switch self {
        case .book: "book"
        case .trade: "trade"
        case .ticker: "ticker"
        case .instrument: "instrument"
        case .executions: "executions"
        case .balances: "balances"
        }
    }

    /// True for channels on the auth endpoint that need a token.
    public var isPrivate: Bool {
        switch self {
        case .executions, .balances: true
        default: false
        }
    }
}

extension KrakenRequest {
    /// `{"method":"subscribe","params":{"channel":…,…},"req_id":N}`; one ack per symbol.
    public static func subscribe(_ s: KrakenSubscription, reqID: RequestID?) throws(HFTError) -> KrakenRequest {
        try channelRequest(.subscribe, s, reqID: reqID)
    }

    /// The matching unsubscribe: the channel key only (book repeats its `depth`; private
    /// channels repeat the token); snapshot options are dropped.
    public static func unsubscribe(_ s: KrakenSubscription, reqID: RequestID?) throws(HFTError) -> KrakenRequest {
        try channelRequest(.unsubscribe, s, reqID: reqID)
    }

    static func channelRequest(_ method: KrakenMethod, _ s: KrakenSubscription, reqID: RequestID?) throws(HFTError) -> KrakenRequest {
        let sub = method == .subscribe
        var p: [(String, JSONText)] = [("channel", .string(s.channel))]
        var acks = 1
        var token: String?
        func symbols(_ list: [String]) throws(HFTError) {
            guard !list.isEmpty, !list.contains(where: \.isEmpty) else {
                throw .invalidArgument("Kraken \(s.channel): symbol list is empty")
            }
            p.append(("symbol", .array(list.map { .string($0) })))
            acks = list.count
        }
        func flag(_ key: String, _ value: Bool?) { if sub, let value { p.append((key, .bool(value))) } }
        switch s {
        case .book(let list, let depth, let snapshot):
            try symbols(list)
            p.append(("depth", .int(Int64(depth.rawValue))))
            flag("snapshot", snapshot)
        case .trade(let list, let snapshot):
            try symbols(list)
            flag("snapshot", snapshot)
        case .ticker(let list, let trigger, let snapshot):
            try symbols(list)
            if let trigger { p.append(("event_trigger", .string(trigger.rawValue))) }
            flag("snapshot", snapshot)
        case .instrument(let snapshot):
            flag("snapshot", snapshot)
        case .executions(let t, let snapOrders, let snapTrades, let orderStatus, let rateCounter):
            try requireToken(t)
            token = t
            p.append(("token", .string(t)))
            flag("snap_orders", snapOrders)
            flag("snap_trades", snapTrades)
            flag("order_status", orderStatus)
            flag("ratecounter", rateCounter)
        case .balances(let t, let snapshot):
            try requireToken(t)
            token = t
            p.append(("token", .string(t)))
            flag("snapshot", snapshot)
        }
        return try KrakenRequest(method: method, reqID: reqID, params: p, layout: .reqIDLast, expectedResponses: acks, token: token)
    }
}
