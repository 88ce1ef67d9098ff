import HFTCore

/// A Binance error reply: HTTP-like status, Binance code and text (errors.md, §4), with the
/// rate-limit `data` (`serverTime`, `retryAfter`) when it has one.
struct BinanceFailure: Error, Sendable, Equatable {
    var status: Int
    var code: Int
    var msg: String
    /// Epoch ms (in the connection's time unit) of `data.retryAfter`.
    var retryAfter: Int64?

    init(_ code: Int, _ msg: String, status: Int = 400, retryAfter: Int64? = nil) {
        self.status = status
        self.code = code
        self.msg = msg
        self.retryAfter = retryAfter
    }

    static let badAPIKeyFormat = BinanceFailure(-2014, "API-key format invalid.")
    static let rejectedKey = BinanceFailure(-2015, "Invalid API-key, IP, or permissions for action.")
    static let invalidSignature = BinanceFailure(-1022, "Signature for this request is not valid.")
    static let timestampOutside = BinanceFailure(-1021, "Timestamp for this request is outside of the recvWindow.")
    static let timestampAhead = BinanceFailure(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    static let recvWindowTooLarge = BinanceFailure(-1131, "recvWindow must be less than 60000")
    static let invalidJSON = BinanceFailure(-1135, "Invalid JSON Request")
    static let invalidSymbol = BinanceFailure(-1121, "Invalid symbol.")
    static let unknownOrder = BinanceFailure(-2011, "Unknown order sent.")
    static let noSuchOrder = BinanceFailure(-2013, "Order does not exist.")
    static let notLoggedIn = BinanceFailure(-1002, "You are not authorized to execute this request.")
    static let hmacLogon = BinanceFailure(-4056, "HMAC_SHA256 API key is not supported.")
    static let unknownMethod = BinanceFailure(-1100, "Illegal characters found in parameter 'method'.")
    static let unsupportedOrder = BinanceFailure(-2010, "Unsupported order combination")
    static let cancelReplaceFailed = BinanceFailure(-2022, "Order cancel-replace failed.")
    static let cancelReplacePartial = BinanceFailure(-2021, "Order cancel-replace partially failed.", status: 409)
    static let amendIncrease = BinanceFailure(-2038, "Order amend (quantity increase) is not supported.")
    static let amendNoChange = BinanceFailure(-2039, "The requested action would change no state; rejecting")
    static let subscriptionActive = BinanceFailure(-2035, "User Data Stream subscription already active.")
    static let subscriptionNotActive = BinanceFailure(-2036, "User Data Stream subscription not active.")
    static let tooManySubscriptions = BinanceFailure(-2042, "Maximum subscription ID reached for this connection.")

    static func mandatory(_ name: String) -> BinanceFailure {
        BinanceFailure(-1102, "Mandatory parameter '\(name)' was not sent, was empty/null, or malformed.")
    }

    static func notRequired(_ name: String) -> BinanceFailure {
        BinanceFailure(-1106, "Parameter '\(name)' sent when not required.")
    }

    static func illegalChars(_ name: String) -> BinanceFailure {
        BinanceFailure(-1100, "Illegal characters found in parameter '\(name)'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.")
    }

    static func invalidEnum(_ code: Int, _ what: String) -> BinanceFailure { BinanceFailure(code, "Invalid \(what).") }

    static func filter(_ name: String) -> BinanceFailure { BinanceFailure(-1013, "Filter failure: \(name)") }

    /// The engine's refusal in Binance's words (§7.1).
    static func from(_ r: RejectReason, cancel: Bool = false) -> BinanceFailure {
        switch r {
        case .unknownAccount: .rejectedKey
        case .unknownSymbol: .invalidSymbol
        case .unknownOrder: cancel ? .unknownOrder : .noSuchOrder
        case .invalidPrice, .priceNotOnTick: filter("PRICE_FILTER")
        case .invalidQuantity, .quantityNotOnLot, .quantityBelowMinimum: filter("LOT_SIZE")
        case .notionalBelowMinimum: filter("NOTIONAL")
        case .tooManyOpenOrders: filter("MAX_NUM_ORDERS")
        case .insufficientBalance: BinanceFailure(-2010, "Account has insufficient balance for requested action.")
        case .postOnlyWouldTake: BinanceFailure(-2010, "Order would immediately match and take.")
        case .duplicateClientOrderID: BinanceFailure(-2010, "Duplicate order sent.")
        case .noLiquidity: BinanceFailure(-2010, "Order book liquidity is less than LOT_SIZE filter minimum quantity.")
        case .amendQuantityIncreaseNotAllowed, .amendPriceChangeNotAllowed: .amendIncrease
        case .amendNoChange: .amendNoChange
        case .invalidOrderCombination, .invalidLeverage, .leverageLocked:
            BinanceFailure(-1128, "Combination of optional parameters invalid.")
        }
    }
}
