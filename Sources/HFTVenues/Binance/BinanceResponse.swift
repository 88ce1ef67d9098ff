/// A WS API reply (binance.md §4): `id`, `status` (HTTP-like), `result` or `error`, and the
/// `rateLimits` counters. The result is typed by its shape (Binance does not echo the method).
import HFTCore

public struct BinanceResponse: Sendable, Hashable {
    public var id: BinanceMessageID
    public var status: Int
    public var result: BinanceResult
    public var error: BinanceAPIError?
    public var rateLimits: [BinanceRateLimit]

    public init(id: BinanceMessageID, status: Int, result: BinanceResult = .none, error: BinanceAPIError? = nil,
                rateLimits: [BinanceRateLimit] = []) {
        self.id = id
        self.status = status
        self.result = result
        self.error = error
        self.rateLimits = rateLimits
    }

    /// 200 with no error. (409 is a partial success of `order.cancelReplace`: see `error.cancelReplace`.)
    public var isSuccess: Bool { status == 200 && error == nil }

    /// The typed failure, nil on success. A non-200 status without an `error` object still fails.
    public func hftError(timeUnit: BinanceTimeUnit = .milliseconds, nowMicros: Timestamp = WallClock.microseconds()) -> HFTError? {
        if let error {
            return error.hftError(status: status, requestID: id.requestID, timeUnit: timeUnit, nowMicros: nowMicros)
        }
        guard status != 200 else { return nil }
        return BinanceAPIError(code: 0, message: "status \(status)")
            .hftError(status: status, requestID: id.requestID, timeUnit: timeUnit, nowMicros: nowMicros)
    }
}

/// The `result` of a reply, read by its shape.
public enum BinanceResult: Sendable, Hashable {
    /// Absent or `null` (errors; `SUBSCRIBE` acks on streams).
    case none
    /// `{}` (`ping`, `order.test`, `session.logout` in some versions).
    case empty
    /// `time`: `{"serverTime":…}` (µs).
    case serverTime(Timestamp)
    /// `session.logon` / `session.status` / `session.logout`.
    case session(BinanceSessionStatus)
    /// `order.place` / `order.cancel` / `order.status`.
    case order(BinanceOrderReport)
    /// Cancelling an order list.
    case orderList(BinanceOrderListReport)
    /// `openOrders.status`, `openOrders.cancelAll`: orders and order lists in reply order.
    case orders([BinanceOrderEntry])
    case cancelReplace(BinanceCancelReplaceResult)
    case amend(BinanceAmendResult)
    /// `userDataStream.subscribe(.signature)`: `{"subscriptionId":N}`.
    case subscription(Int64)
    /// `session.subscriptions`: the active subscription ids.
    case subscriptions([Int64])
    /// `depth`: `{lastUpdateId,bids,asks}`.
    case depth(BinanceDepthSnapshot)
    /// A shape this client does not type (e.g. `account.status`): the JSON text.
    case unrecognized(String)
}

/// One element of an order array result.
public enum BinanceOrderEntry: Sendable, Hashable {
    case order(BinanceOrderReport)
    case orderList(BinanceOrderListReport)
}

/// `session.logon` / `session.status` result (binance.md §6). The API key is kept redacted.
public struct BinanceSessionStatus: Sendable, Hashable {
    /// nil when not logged on.
    public var apiKey: Secret?
    public var authorizedSince: Timestamp?
    public var connectedSince: Timestamp?
    public var returnRateLimits: Bool?
    public var serverTime: Timestamp?
    /// True when at least one user-data subscription is active.
    public var userDataStream: Bool?

    public init(apiKey: Secret? = nil, authorizedSince: Timestamp? = nil, connectedSince: Timestamp? = nil,
                returnRateLimits: Bool? = nil, serverTime: Timestamp? = nil, userDataStream: Bool? = nil) {
        self.apiKey = apiKey
        self.authorizedSince = authorizedSince
        self.connectedSince = connectedSince
        self.returnRateLimits = returnRateLimits
        self.serverTime = serverTime
        self.userDataStream = userDataStream
    }

    public var isLoggedOn: Bool { apiKey != nil }
}

/// An order-book snapshot: REST `/api/v3/depth`, WS API `depth`, and partial-depth streams.
public struct BinanceDepthSnapshot: Sendable, Hashable {
    public var lastUpdateID: Int64
    /// Best first, as sent.
    public var bids: [BookLevel]
    public var asks: [BookLevel]

    public init(lastUpdateID: Int64, bids: [BookLevel], asks: [BookLevel]) {
        self.lastUpdateID = lastUpdateID
        self.bids = bids
        self.asks = asks
    }
}
