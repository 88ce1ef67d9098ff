/// An order as a WS API result describes it (binance.md §7): the `order.place` ACK / RESULT /
/// FULL shapes, the `order.cancel` report, `order.status` / `openOrders.status` rows and the
/// `amendedOrder` of `order.amend.keepPriority` (whose `qty`/`cumulativeQuoteQty` spellings are
/// read into the same fields). Fields a shape lacks are nil.
import HFTCore

public struct BinanceOrderReport: Sendable, Hashable {
    public var symbol: String
    public var orderID: Int64
    public var orderListID: Int64?
    public var clientOrderID: String
    /// On cancels: the id the order had before the cancel renamed it.
    public var origClientOrderID: String?
    public var transactTime: Timestamp?
    public var price: FixedDecimal?
    public var origQty: FixedDecimal?
    public var executedQty: FixedDecimal?
    public var origQuoteOrderQty: FixedDecimal?
    /// `cummulativeQuoteQty` (sic), or `cumulativeQuoteQty` in amend results.
    public var cumulativeQuoteQty: FixedDecimal?
    public var status: BinanceOrderStatus?
    public var timeInForce: String?
    public var type: String?
    public var side: Side?
    public var workingTime: Timestamp?
    public var time: Timestamp?
    public var updateTime: Timestamp?
    public var isWorking: Bool?
    public var stopPrice: FixedDecimal?
    public var icebergQty: FixedDecimal?
    public var selfTradePreventionMode: String?
    public var expiryReason: String?
    /// FULL responses only.
    public var fills: [BinanceOrderFill]

    public init(symbol: String, orderID: Int64, orderListID: Int64? = nil, clientOrderID: String, origClientOrderID: String? = nil,
                transactTime: Timestamp? = nil, price: FixedDecimal? = nil, origQty: FixedDecimal? = nil,
                executedQty: FixedDecimal? = nil, origQuoteOrderQty: FixedDecimal? = nil, cumulativeQuoteQty: FixedDecimal? = nil,
                status: BinanceOrderStatus? = nil, timeInForce: String? = nil, type: String? = nil, side: Side? = nil,
                workingTime: Timestamp? = nil, time: Timestamp? = nil, updateTime: Timestamp? = nil, isWorking: Bool? = nil,
                stopPrice: FixedDecimal? = nil, icebergQty: FixedDecimal? = nil, selfTradePreventionMode: String? = nil,
                expiryReason: String? = nil, fills: [BinanceOrderFill] = []) {
        self.symbol = symbol
        self.orderID = orderID
        self.orderListID = orderListID
        self.clientOrderID = clientOrderID
        self.origClientOrderID = origClientOrderID
        self.transactTime = transactTime
        self.price = price
        self.origQty = origQty
        self.executedQty = executedQty
        self.origQuoteOrderQty = origQuoteOrderQty
        self.cumulativeQuoteQty = cumulativeQuoteQty
        self.status = status
        self.timeInForce = timeInForce
        self.type = type
        self.side = side
        self.workingTime = workingTime
        self.time = time
        self.updateTime = updateTime
        self.isWorking = isWorking
        self.stopPrice = stopPrice
        self.icebergQty = icebergQty
        self.selfTradePreventionMode = selfTradePreventionMode
        self.expiryReason = expiryReason
        self.fills = fills
    }
}

/// One `fills[]` entry of a FULL `order.place` result.
public struct BinanceOrderFill: Sendable, Hashable {
    public var price: FixedDecimal
    public var qty: FixedDecimal
    public var commission: FixedDecimal
    public var commissionAsset: String
    public var tradeID: Int64

    public init(price: FixedDecimal, qty: FixedDecimal, commission: FixedDecimal, commissionAsset: String, tradeID: Int64) {
        self.price = price
        self.qty = qty
        self.commission = commission
        self.commissionAsset = commissionAsset
        self.tradeID = tradeID
    }
}

/// An order list (OCO, OTO…) as cancel results report it: the list and its orders' reports.
public struct BinanceOrderListReport: Sendable, Hashable {
    public var orderListID: Int64
    public var contingencyType: String?
    public var listStatusType: String?
    public var listOrderStatus: String?
    public var listClientOrderID: String?
    public var transactionTime: Timestamp?
    public var symbol: String?
    public var orderReports: [BinanceOrderReport]

    public init(orderListID: Int64, contingencyType: String? = nil, listStatusType: String? = nil, listOrderStatus: String? = nil,
                listClientOrderID: String? = nil, transactionTime: Timestamp? = nil, symbol: String? = nil,
                orderReports: [BinanceOrderReport] = []) {
        self.orderListID = orderListID
        self.contingencyType = contingencyType
        self.listStatusType = listStatusType
        self.listOrderStatus = listOrderStatus
        self.listClientOrderID = listClientOrderID
        self.transactionTime = transactionTime
        self.symbol = symbol
        self.orderReports = orderReports
    }
}

/// `order.amend.keepPriority` result.
public struct BinanceAmendResult: Sendable, Hashable {
    public var transactTime: Timestamp
    public var executionID: Int64?
    public var amendedOrder: BinanceOrderReport
    /// Present when the order belongs to a list.
    public var listStatus: BinanceOrderListReport?

    public init(transactTime: Timestamp, executionID: Int64?, amendedOrder: BinanceOrderReport, listStatus: BinanceOrderListReport? = nil) {
        self.transactTime = transactTime
        self.executionID = executionID
        self.amendedOrder = amendedOrder
        self.listStatus = listStatus
    }
}

/// `order.cancelReplace` outcome (binance.md §7.3): in `result` on 200, in `error.data` on 400/409.
public struct BinanceCancelReplaceResult: Sendable, Hashable {
    /// One leg: the order report, or the error that leg got.
    public indirect enum Leg: Sendable, Hashable {
        case order(BinanceOrderReport)
        case error(BinanceAPIError)
    }

    /// `SUCCESS` | `FAILURE`.
    public var cancelResult: String
    /// `SUCCESS` | `FAILURE` | `NOT_ATTEMPTED`.
    public var newOrderResult: String
    public var cancelResponse: Leg?
    public var newOrderResponse: Leg?

    public init(cancelResult: String, newOrderResult: String, cancelResponse: Leg?, newOrderResponse: Leg?) {
        self.cancelResult = cancelResult
        self.newOrderResult = newOrderResult
        self.cancelResponse = cancelResponse
        self.newOrderResponse = newOrderResponse
    }

    public var cancelSucceeded: Bool { cancelResult == "SUCCESS" }
    public var newOrderSucceeded: Bool { newOrderResult == "SUCCESS" }
}
