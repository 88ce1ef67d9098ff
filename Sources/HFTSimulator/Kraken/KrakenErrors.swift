/// Kraken's error texts, in one place. Sources: protocols/kraken.md (quoted strings), Kraken's
/// REST error table, and live probes quoted in public issues; guesses are marked.
enum KrakenError {
    // REST and tokens (§3)
    static let invalidKey = "EAPI:Invalid key"
    static let invalidSignature = "EAPI:Invalid signature"
    static let invalidNonce = "EAPI:Invalid nonce"
    static let apiRateLimit = "EAPI:Rate limit exceeded"
    static let invalidToken = "EAPI:Invalid token"
    static let permissionDenied = "EGeneral:Permission denied"
    static let unknownAssetPair = "EQuery:Unknown asset pair"

    // Requests (§4, §5)
    static let invalidArguments = "EGeneral:Invalid arguments"
    static func invalidArgument(_ field: String) -> String { "EGeneral:Invalid arguments:\(field)" }
    /// The official SDK's text for `leverage` and the REST-only spellings.
    static func unsupportedField(_ field: String) -> String { "Unsupported field: '\(field)'" }
    /// Guess: Kraken's text for an unknown `method` is not in the notes.
    static let unknownMethod = "EGeneral:Invalid arguments:method"
    static let subscriptionNameInvalid = "Subscription name invalid"
    static let alreadySubscribed = "Already subscribed"
    static let subscriptionNotFound = "Subscription Not Found"
    /// Probed on the live API (ArthurBernard/Download_Crypto_Currencies_Data #122).
    static let depthNotSupported = "Subscription depth not supported"
    static func pairNotSupported(_ symbol: String) -> String { "Currency pair not supported \(symbol)" }
    static let messageRate = "Exceeded msg rate"

    // Orders (§7, §9)
    static let invalidOrder = "EOrder:Invalid order"
    static let unknownOrder = "EOrder:Unknown order"
    static let postOnly = "EOrder:Post only order"
    static let insufficientFunds = "EOrder:Insufficient funds"
    static let volumeMinimum = "EGeneral:Invalid arguments:volume minimum not met"
    static let costMinimum = "EOrder:Cost minimum not met"
    static let tickSize = "EOrder:Tick size check failed"
    static let ordersLimit = "EOrder:Orders limit exceeded"
    static let rateLimit = "EOrder:Rate limit exceeded"
    static let noAmendableParameters = "EGeneral:Invalid arguments:no amendable parameters"
    /// Guesses: texts not in the notes.
    static let duplicateClientID = "EGeneral:Invalid arguments:cl_ord_id already in use"
    static let insufficientLiquidity = "EOrder:Insufficient liquidity"

    /// The text for an engine reject. `amend` selects `Unknown order` over `Invalid order`.
    static func reject(_ r: RejectReason, pair: KrakenPair?, amend: Bool = false) -> String {
        switch r {
        case .unknownAccount: permissionDenied
        case .unknownSymbol: unknownAssetPair
        case .unknownOrder: amend ? unknownOrder : invalidOrder
        case .invalidPrice: "EOrder:Invalid price"
        case .invalidQuantity: invalidArgument("volume")
        case .invalidOrderCombination: invalidArguments
        case .priceNotOnTick(let tick):
            // A tick of one unit at the price scale means "too many decimals" (Kraken's REST text).
            if tick.mantissa == 1, let pair {
                "EOrder:Invalid price:\(pair.name) price can only be specified up to \(pair.priceScale) decimals."
            } else {
                tickSize
            }
        case .quantityNotOnLot: invalidArgument("volume")
        case .quantityBelowMinimum: volumeMinimum
        case .notionalBelowMinimum: costMinimum
        case .insufficientBalance: insufficientFunds
        case .postOnlyWouldTake: postOnly
        case .duplicateClientOrderID: duplicateClientID
        case .tooManyOpenOrders: ordersLimit
        case .noLiquidity: insufficientLiquidity
        case .amendNoChange: noAmendableParameters
        case .amendPriceChangeNotAllowed, .amendQuantityIncreaseNotAllowed, .invalidLeverage, .leverageLocked:
            invalidArguments
        }
    }
}
