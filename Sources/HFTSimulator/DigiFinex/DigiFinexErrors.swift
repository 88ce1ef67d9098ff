/// A WebSocket error reply: `{"error":{"code":C,"message":M},"result":null,"id":N}` (§2, §7).
///
/// DigiFinex publishes no WebSocket code table. The codes follow the ViaBTC `accessws` server
/// the protocol derives from (§7; UNCERTAIN for DigiFinex), the texts are ViaBTC's.
struct DigiFinexWSError: Error, Sendable, Equatable {
    let code: Int
    let message: String

    static let invalidArgument = DigiFinexWSError(code: 1, message: "invalid argument")
    static let internalError = DigiFinexWSError(code: 2, message: "internal error")
    static let serviceUnavailable = DigiFinexWSError(code: 3, message: "service unavailable")
    static let methodNotFound = DigiFinexWSError(code: 4, message: "method not found")
    static let serviceTimeout = DigiFinexWSError(code: 5, message: "service timeout")
    static let requireAuth = DigiFinexWSError(code: 6, message: "require auth")
    static let tooQuick = DigiFinexWSError(code: 7, message: "too quick")
    /// A refused `server.auth` (unknown key, bad signature, timestamp out of the window).
    /// Guess: ViaBTC answers a failed auth with code 6 as well; the text is ours.
    static let authFailed = DigiFinexWSError(code: 6, message: "auth fail")
}

/// A REST v3 error: HTTP 200 with `{"code":C,"msg":M}` (§7, §8). Codes marked "notes" are in
/// protocols/digifinex.md; the others are guesses in DigiFinex's numbering (see the README).
struct DigiFinexRESTError: Error, Sendable, Equatable {
    let code: Int
    let message: String

    // notes
    static let invalidAPIKey = DigiFinexRESTError(code: 10002, message: "Invalid ApiKey")
    static let signMismatch = DigiFinexRESTError(code: 10003, message: "Sign doesn't match")
    static let rateLimited = DigiFinexRESTError(code: 10005, message: "Too many requests")
    static let badTimestamp = DigiFinexRESTError(code: 10008, message: "Invalid timestamp")
    static let insufficientBalance = DigiFinexRESTError(code: 20011, message: "Insufficient balance")
    static let orderNotFound = DigiFinexRESTError(code: 20013, message: "No order info found")
    static let wrongSymbol = DigiFinexRESTError(code: 20019, message: "Wrong trading pair symbol")
    static let exception = DigiFinexRESTError(code: 50000, message: "Exception error")
    // guesses
    static let wrongMethod = DigiFinexRESTError(code: 10001, message: "Wrong request method")
    static let invalidPriceOrAmount = DigiFinexRESTError(code: 20003, message: "Invalid price or amount")
    static let pricePrecision = DigiFinexRESTError(code: 20007, message: "Price precision error")
    static let amountPrecision = DigiFinexRESTError(code: 20008, message: "Amount precision error")
    static let amountBelowMinimum = DigiFinexRESTError(code: 20009, message: "Amount is less than the minimum requirement")
    static let cashBelowMinimum = DigiFinexRESTError(code: 20010, message: "Cash Amount is less than the minimum requirement")
    static let invalidTradeType = DigiFinexRESTError(code: 20012, message: "Invalid trade type (valid value: buy/sell)")

    static func reject(_ r: RejectReason) -> DigiFinexRESTError {
        switch r {
        case .unknownSymbol: wrongSymbol
        case .unknownOrder: orderNotFound
        case .insufficientBalance: insufficientBalance
        case .priceNotOnTick: pricePrecision
        case .quantityNotOnLot: amountPrecision
        case .quantityBelowMinimum: amountBelowMinimum
        case .notionalBelowMinimum: cashBelowMinimum
        case .invalidPrice, .invalidQuantity, .invalidOrderCombination, .noLiquidity:
            invalidPriceOrAmount
        case .postOnlyWouldTake:
            DigiFinexRESTError(code: 20003, message: "Post only order would take liquidity")
        case .unknownAccount: invalidAPIKey
        case .duplicateClientOrderID, .tooManyOpenOrders, .amendNoChange, .amendPriceChangeNotAllowed,
             .amendQuantityIncreaseNotAllowed, .invalidLeverage, .leverageLocked:
            exception
        }
    }
}
