/// A WebSocket or REST failure with BGE's code (§3, §8). Codes marked "notes" are in
/// protocols/bge.md; the others are guesses in BGE's numbering (README).
struct BGEError: Error, Sendable, Equatable {
    let code: Int
    let message: String
    /// HTTP status of the REST reply.
    var http: Int = 400

    // WebSocket status codes (notes)
    static let invalidRequest = BGEError(code: 400, message: "Invalid request")
    static let notLoggedIn = BGEError(code: 401, message: "Not logged in", http: 401)
    static let system = BGEError(code: 500, message: "System error", http: 500)
    // Auth (notes)
    static let keyEmpty = BGEError(code: 40001, message: "ACCESS_KEY cannot be empty", http: 401)
    static let signEmpty = BGEError(code: 40002, message: "ACCESS_SIGN cannot be empty", http: 401)
    static let timestampEmpty = BGEError(code: 40003, message: "ACCESS_TIMESTAMP cannot be empty", http: 401)
    static let badTimestamp = BGEError(code: 40005, message: "Invalid ACCESS_TIMESTAMP", http: 401)
    static let badKey = BGEError(code: 40006, message: "Invalid ACCESS_KEY", http: 401)
    static let expiredTimestamp = BGEError(code: 40008, message: "Request timestamp expired", http: 401)
    static let badSign = BGEError(code: 40010, message: "API verification failed", http: 401)
    static let keyExpired = BGEError(code: 40016, message: "API_KEY expired", http: 401)
    // REST business codes (notes: 1087, 1090, 1100; others guessed)
    static let noData = BGEError(code: 1087, message: "No data found")
    static let clientOIDExists = BGEError(code: 1090, message: "client_oid already exists")
    static let insufficientBalance = BGEError(code: 1100, message: "Insufficient balance")
    static let badParameter = BGEError(code: 1001, message: "Invalid parameter")
    static let badProduct = BGEError(code: 1002, message: "Invalid product")
    static let rejected = BGEError(code: 1010, message: "Order rejected")
    static let rateLimited = BGEError(code: 1008, message: "Too many requests", http: 429)

    static func reject(_ r: RejectReason) -> BGEError {
        switch r {
        case .unknownOrder: noData
        case .unknownSymbol: badProduct
        case .insufficientBalance: insufficientBalance
        case .duplicateClientOrderID: clientOIDExists
        case .unknownAccount: badKey
        case .priceNotOnTick, .quantityNotOnLot, .quantityBelowMinimum, .notionalBelowMinimum, .invalidPrice,
             .invalidQuantity, .invalidOrderCombination:
            BGEError(code: badParameter.code, message: "Invalid parameter: \(r)")
        case .noLiquidity, .postOnlyWouldTake, .tooManyOpenOrders, .amendNoChange, .amendPriceChangeNotAllowed,
             .amendQuantityIncreaseNotAllowed, .invalidLeverage, .leverageLocked:
            BGEError(code: rejected.code, message: "Order rejected: \(r)")
        }
    }
}
