/// Inbound WebSocket messages (digifinex.md §2, §5) as typed values. Decimals keep the exact
/// text the venue sent; times are microseconds since the epoch.
import HFTCore

public enum DigiFinexInbound: Sendable {
    /// A reply to one of our requests (non-null `id`).
    case response(DigiFinexResponse)
    case depth(DigiFinexDepthUpdate)
    case trades(DigiFinexTradesUpdate)
    /// `ticker.update` (`all` false) or `all_ticker.update` (`all` true).
    case ticker([DigiFinexTicker], all: Bool)
    case orders([DigiFinexOrderUpdate])
    case balances([DigiFinexBalanceUpdate])
    case algoOrders([DigiFinexAlgoOrderUpdate])
}

public struct DigiFinexResponse: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        /// `{"status":"success"}` (subscribe, unsubscribe, auth).
        case status(String)
        case pong
        /// `server.time`, seconds.
        case time(Int64)
        case null
        case other
    }

    public var id: RequestID
    public var error: DigiFinexError?
    public var result: Result

    public init(id: RequestID, error: DigiFinexError?, result: Result) {
        self.id = id
        self.error = error
        self.result = result
    }

    public var ok: Bool { error == nil }
}

/// `depth.update`: `clean` true is a complete book, false a delta of absolute sizes (`0` removes).
public struct DigiFinexDepthUpdate: Sendable, Equatable {
    public var clean: Bool
    public var asks: [BookLevel]
    public var bids: [BookLevel]
    public var symbol: String
}

public struct DigiFinexTrade: Sendable, Equatable {
    public var id: Int64
    /// Microseconds (the venue sends fractional seconds).
    public var time: Timestamp
    public var price: FixedDecimal
    public var amount: FixedDecimal
    /// Taker side.
    public var side: Side
}

/// `trades.update`: `clean` true is the initial batch (overlaps trades seen before), newest first.
public struct DigiFinexTradesUpdate: Sendable, Equatable {
    public var clean: Bool
    public var trades: [DigiFinexTrade]
    public var symbol: String
}

public struct DigiFinexTicker: Sendable, Equatable {
    public var symbol: String
    public var last: FixedDecimal?
    public var lastQty: FixedDecimal?
    public var bestBid: FixedDecimal?
    public var bestBidSize: FixedDecimal?
    public var bestAsk: FixedDecimal?
    public var bestAskSize: FixedDecimal?
    public var open24h: FixedDecimal?
    public var high24h: FixedDecimal?
    public var low24h: FixedDecimal?
    public var baseVolume24h: FixedDecimal?
    public var quoteVolume24h: FixedDecimal?
    /// Microseconds (the venue sends milliseconds); 0 when absent.
    public var timestamp: Timestamp
}

/// `order.update` (private): the order's whole state.
public struct DigiFinexOrderUpdate: Sendable, Equatable {
    public var id: String
    public var symbol: String
    public var side: Side
    /// `limit` or `market`.
    public var type: OrderType
    /// 1 spot, 2 margin.
    public var mode: Int
    /// 0 unfilled, 1 partially filled, 2 filled, 3 canceled, 4 canceled after a partial fill.
    public var status: Int
    public var amount: FixedDecimal
    public var filled: FixedDecimal
    public var notional: FixedDecimal
    public var price: FixedDecimal
    public var priceAvg: FixedDecimal
    /// Microseconds.
    public var timestamp: Timestamp
}

/// `balance.update` (private): absolute values.
public struct DigiFinexBalanceUpdate: Sendable, Equatable {
    public var currency: String
    public var free: FixedDecimal
    public var used: FixedDecimal
    public var total: FixedDecimal
}

/// `order_algo.update` (private); decoded for completeness, not mapped to unified types.
public struct DigiFinexAlgoOrderUpdate: Sendable, Equatable {
    public var id: String
    public var symbol: String
    /// -2 fail, -1 canceled, 0 ready, 1 effecting, 2 success.
    public var status: Int
}
