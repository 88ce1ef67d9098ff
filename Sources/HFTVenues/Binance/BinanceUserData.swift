/// User-data events (binance.md §8), pushed on the WS API connection as
/// `{"subscriptionId":N,"event":{…}}`. Times are HFTCore microseconds.
import HFTCore

/// `executionReport`: every field of the notes' list; conditional ones are nil when absent.
public struct BinanceExecutionReport: Sendable, Hashable {
    public var eventTime: Timestamp               // E
    public var symbol: String                     // s
    /// `c`; on cancels the cancel request's id (the original is `originalClientOrderID`).
    public var clientOrderID: String
    public var side: Side                         // S
    public var orderType: String                  // o
    public var timeInForce: String?               // f
    public var quantity: FixedDecimal             // q
    public var price: FixedDecimal                // p
    public var stopPrice: FixedDecimal?           // P
    public var icebergQty: FixedDecimal?          // F
    public var orderListID: Int64?                // g (-1 when none)
    /// `C`; nil when empty.
    public var originalClientOrderID: String?
    public var executionType: BinanceExecutionType  // x
    public var orderStatus: BinanceOrderStatus    // X
    public var rejectReason: String?              // r
    public var orderID: Int64                     // i
    public var lastQty: FixedDecimal              // l
    public var cumulativeQty: FixedDecimal        // z
    public var lastPrice: FixedDecimal            // L
    public var commission: FixedDecimal           // n
    /// `N`; nil until a fill.
    public var commissionAsset: String?
    public var transactionTime: Timestamp         // T
    /// `t`; nil when -1.
    public var tradeID: Int64?
    public var executionID: Int64?                // I
    public var isOnBook: Bool?                    // w
    public var isMaker: Bool                      // m
    public var creationTime: Timestamp?           // O
    public var cumulativeQuoteQty: FixedDecimal?  // Z
    public var lastQuoteQty: FixedDecimal?        // Y
    public var quoteOrderQty: FixedDecimal?       // Q
    public var workingTime: Timestamp?            // W
    public var selfTradePreventionMode: String?   // V
    // Conditional fields.
    public var trailingDelta: Int64?              // d
    public var trailingTime: Timestamp?           // D
    public var strategyID: Int64?                 // j
    public var strategyType: Int64?               // J
    public var preventedMatchID: Int64?           // v
    public var preventedQty: FixedDecimal?        // A
    public var lastPreventedQty: FixedDecimal?    // B
    public var tradeGroupID: Int64?               // u
    public var counterOrderID: Int64?             // U
    public var counterSymbol: String?             // Cs
    public var preventedExecutionQty: FixedDecimal?       // pl
    public var preventedExecutionPrice: FixedDecimal?     // pL
    public var preventedExecutionQuoteQty: FixedDecimal?  // pY
    public var matchType: String?                 // b
    public var allocationID: Int64?               // a
    public var workingFloor: String?              // k
    public var usedSOR: Bool?                     // uS
    public var pegPriceType: String?              // gP
    public var pegOffsetType: String?             // gOT
    public var pegOffsetValue: Int64?             // gOV
    public var peggedPrice: FixedDecimal?         // gp
    public var expiryReason: String?              // eR

    public init(eventTime: Timestamp, symbol: String, clientOrderID: String, side: Side, orderType: String,
                quantity: FixedDecimal, price: FixedDecimal, executionType: BinanceExecutionType,
                orderStatus: BinanceOrderStatus, orderID: Int64, lastQty: FixedDecimal, cumulativeQty: FixedDecimal,
                lastPrice: FixedDecimal, commission: FixedDecimal, transactionTime: Timestamp, isMaker: Bool) {
        self.eventTime = eventTime
        self.symbol = symbol
        self.clientOrderID = clientOrderID
        self.side = side
        self.orderType = orderType
        self.quantity = quantity
        self.price = price
        self.executionType = executionType
        self.orderStatus = orderStatus
        self.orderID = orderID
        self.lastQty = lastQty
        self.cumulativeQty = cumulativeQty
        self.lastPrice = lastPrice
        self.commission = commission
        self.transactionTime = transactionTime
        self.isMaker = isMaker
    }
}

/// `outboundAccountPosition`: the assets whose balance changed, absolute free/locked.
public struct BinanceAccountPosition: Sendable, Hashable {
    public struct Asset: Sendable, Hashable {
        public var asset: String
        public var free: FixedDecimal
        public var locked: FixedDecimal
        public init(asset: String, free: FixedDecimal, locked: FixedDecimal) {
            self.asset = asset
            self.free = free
            self.locked = locked
        }
    }

    public var eventTime: Timestamp
    /// `u`: time of the last account update.
    public var lastUpdateTime: Timestamp
    public var balances: [Asset]

    public init(eventTime: Timestamp, lastUpdateTime: Timestamp, balances: [Asset]) {
        self.eventTime = eventTime
        self.lastUpdateTime = lastUpdateTime
        self.balances = balances
    }
}

/// `balanceUpdate` (deposit, withdrawal, transfer) and `externalLockUpdate`: a signed delta.
public struct BinanceBalanceDelta: Sendable, Hashable {
    public var eventTime: Timestamp
    public var asset: String
    public var delta: FixedDecimal
    /// `T`: clear time.
    public var time: Timestamp

    public init(eventTime: Timestamp, asset: String, delta: FixedDecimal, time: Timestamp) {
        self.eventTime = eventTime
        self.asset = asset
        self.delta = delta
        self.time = time
    }
}

/// `listStatus`: an order list's state.
public struct BinanceListStatus: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var symbol: String
        public var orderID: Int64
        public var clientOrderID: String
        public init(symbol: String, orderID: Int64, clientOrderID: String) {
            self.symbol = symbol
            self.orderID = orderID
            self.clientOrderID = clientOrderID
        }
    }

    public var eventTime: Timestamp
    public var symbol: String
    public var orderListID: Int64                 // g
    public var contingencyType: String            // c
    public var listStatusType: String             // l
    public var listOrderStatus: String            // L
    public var listRejectReason: String?          // r
    public var listClientOrderID: String          // C
    public var transactionTime: Timestamp         // T
    public var orders: [Member]                   // O

    public init(eventTime: Timestamp, symbol: String, orderListID: Int64, contingencyType: String, listStatusType: String,
                listOrderStatus: String, listRejectReason: String?, listClientOrderID: String, transactionTime: Timestamp,
                orders: [Member]) {
        self.eventTime = eventTime
        self.symbol = symbol
        self.orderListID = orderListID
        self.contingencyType = contingencyType
        self.listStatusType = listStatusType
        self.listOrderStatus = listOrderStatus
        self.listRejectReason = listRejectReason
        self.listClientOrderID = listClientOrderID
        self.transactionTime = transactionTime
        self.orders = orders
    }
}

/// A user-data event.
public enum BinanceUserEvent: Sendable, Hashable {
    case executionReport(BinanceExecutionReport)
    case accountPosition(BinanceAccountPosition)
    case balanceUpdate(BinanceBalanceDelta)
    case externalLockUpdate(BinanceBalanceDelta)
    case listStatus(BinanceListStatus)
    /// After unsubscribe or logout: this subscription delivers nothing more.
    case eventStreamTerminated(eventTime: Timestamp)
}
