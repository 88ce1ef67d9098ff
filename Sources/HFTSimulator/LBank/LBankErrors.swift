/// A REST failure: `{"result":"false","error_code":C,"msg":M,"ts":ms}` (§6). Codes marked
/// "notes" are in protocols/lbank.md; the others are guesses in LBank's numbering (README).
struct LBankRESTError: Error, Sendable, Equatable {
    let code: Int
    let message: String

    // notes
    static let badSign = LBankRESTError(code: 10007, message: "Invalid signature")
    static let badEchostr = LBankRESTError(code: 10031, message: "Invalid echostr length")
    static let badTimestamp = LBankRESTError(code: 10600, message: "Timestamp outside the window or replayed")
    // guesses
    static let internalError = LBankRESTError(code: 10000, message: "Internal error")
    static let missingParameter = LBankRESTError(code: 10001, message: "The required parameters can not be empty")
    static let invalidParameter = LBankRESTError(code: 10003, message: "Invalid parameter")
    static let rateLimited = LBankRESTError(code: 10004, message: "Request too frequent")
    static let unknownKey = LBankRESTError(code: 10005, message: "Secret key does not exist")
    static let badPair = LBankRESTError(code: 10008, message: "Invalid trading pair")
    static let belowMinimum = LBankRESTError(code: 10009, message: "Price and/or amount below the minimum")
    static let badOrderType = LBankRESTError(code: 10015, message: "Invalid order type")
    static let insufficientBalance = LBankRESTError(code: 10016, message: "Insufficient account balance")
    static let badPrecision = LBankRESTError(code: 10020, message: "Invalid price or amount precision")
    static let orderNotFound = LBankRESTError(code: 10024, message: "Order does not exist")
    static let badSubscribeKey = LBankRESTError(code: 10003, message: "Invalid subscribeKey")

    static func reject(_ r: RejectReason) -> LBankRESTError {
        switch r {
        case .unknownSymbol: badPair
        case .unknownOrder: orderNotFound
        case .insufficientBalance: insufficientBalance
        case .priceNotOnTick, .quantityNotOnLot: badPrecision
        case .quantityBelowMinimum, .notionalBelowMinimum: belowMinimum
        case .invalidPrice, .invalidQuantity, .invalidOrderCombination, .noLiquidity, .postOnlyWouldTake:
            invalidParameter
        case .unknownAccount: unknownKey
        case .duplicateClientOrderID, .tooManyOpenOrders, .amendNoChange, .amendPriceChangeNotAllowed,
             .amendQuantityIncreaseNotAllowed, .invalidLeverage, .leverageLocked:
            internalError
        }
    }
}
