/// Private channel entries: `executions` (sparse order events and fills) and `balances`.
import HFTCore

extension KrakenDecoder {
    static func execution(_ v: JSONValue) throws(KrakenDecodeError) -> KrakenExecution {
        var execType, orderID, clOrdID, userref, symbol, side, orderType, orderQty, limitPrice, displayQty: JSONValue?
        var cashQty, orderStatus, tif, postOnly, reduceOnly, margin, execID, tradeID, lastQty, lastPrice: JSONValue?
        var cost, liquidity, fees, feeUSD, cumQty, cumCost, avgPrice, reason, timestamp: JSONValue?
        try KrakenFields.members(v, "data") { n, v in
            if n.krakenIs("exec_type") { execType = v }
            else if n.krakenIs("order_id") { orderID = v }
            else if n.krakenIs("cl_ord_id") { clOrdID = v }
            else if n.krakenIs("order_userref") { userref = v }
            else if n.krakenIs("symbol") { symbol = v }
            else if n.krakenIs("side") { side = v }
            else if n.krakenIs("order_type") { orderType = v }
            else if n.krakenIs("order_qty") { orderQty = v }
            else if n.krakenIs("limit_price") { limitPrice = v }
            else if n.krakenIs("display_qty") { displayQty = v }
            else if n.krakenIs("cash_order_qty") { cashQty = v }
            else if n.krakenIs("order_status") { orderStatus = v }
            else if n.krakenIs("time_in_force") { tif = v }
            else if n.krakenIs("post_only") { postOnly = v }
            else if n.krakenIs("reduce_only") { reduceOnly = v }
            else if n.krakenIs("margin") { margin = v }
            else if n.krakenIs("exec_id") { execID = v }
            else if n.krakenIs("trade_id") { tradeID = v }
            else if n.krakenIs("last_qty") { lastQty = v }
            else if n.krakenIs("last_price") { lastPrice = v }
            else if n.krakenIs("cost") { cost = v }
            else if n.krakenIs("liquidity_ind") { liquidity = v }
            else if n.krakenIs("fees") { fees = v }
            else if n.krakenIs("fee_usd_equiv") { feeUSD = v }
            else if n.krakenIs("cum_qty") { cumQty = v }
            else if n.krakenIs("cum_cost") { cumCost = v }
            else if n.krakenIs("avg_price") { avgPrice = v }
            else if n.krakenIs("reason") { reason = v }
            else if n.krakenIs("timestamp") { timestamp = v }
        }
        var x = KrakenExecution(execType: KrakenExecType(wireName: try KrakenFields.string(execType, "exec_type")),
                                orderID: try KrakenFields.string(orderID, "order_id"))
        x.clOrdID = try KrakenFields.optionalString(clOrdID, "cl_ord_id")
        x.orderUserref = try KrakenFields.optionalInt64(userref, "order_userref")
        x.symbol = try KrakenFields.optionalString(symbol, "symbol")
        if let side, !side.isNull { x.side = try KrakenFields.side(side, "side") }
        x.orderType = try KrakenFields.optionalString(orderType, "order_type")
        x.orderQty = try KrakenFields.optionalDecimal(orderQty, "order_qty")
        x.limitPrice = try KrakenFields.optionalDecimal(limitPrice, "limit_price")
        x.displayQty = try KrakenFields.optionalDecimal(displayQty, "display_qty")
        x.cashOrderQty = try KrakenFields.optionalDecimal(cashQty, "cash_order_qty")
        x.orderStatus = try KrakenFields.optionalString(orderStatus, "order_status").map(KrakenOrderStatus.init(wireName:))
        x.timeInForce = try KrakenFields.optionalString(tif, "time_in_force")
        x.postOnly = try KrakenFields.optionalBool(postOnly, "post_only")
        x.reduceOnly = try KrakenFields.optionalBool(reduceOnly, "reduce_only")
        x.margin = try KrakenFields.optionalBool(margin, "margin")
        x.execID = try KrakenFields.optionalID(execID, "exec_id")
        x.tradeID = try KrakenFields.optionalInt64(tradeID, "trade_id")
        x.lastQty = try KrakenFields.optionalDecimal(lastQty, "last_qty")
        x.lastPrice = try KrakenFields.optionalDecimal(lastPrice, "last_price")
        x.cost = try KrakenFields.optionalDecimal(cost, "cost")
        switch try KrakenFields.optionalString(liquidity, "liquidity_ind") {
        case nil: break
        case "m": x.liquidity = .maker
        case "t": x.liquidity = .taker
        default: throw .invalidField("liquidity_ind")
        }
        if let fees, !fees.isNull {
            try KrakenFields.elements(fees, "fees") { (f) throws(KrakenDecodeError) in
                var asset, qty: JSONValue?
                try KrakenFields.members(f, "fees") { n, v in
                    if n.krakenIs("asset") { asset = v } else if n.krakenIs("qty") { qty = v }
                }
                x.fees.append(KrakenFee(asset: try KrakenFields.string(asset, "fees.asset"),
                                        qty: try KrakenFields.decimal(qty, "fees.qty")))
            }
        }
        x.feeUSDEquivalent = try KrakenFields.optionalDecimal(feeUSD, "fee_usd_equiv")
        x.cumQty = try KrakenFields.optionalDecimal(cumQty, "cum_qty")
        x.cumCost = try KrakenFields.optionalDecimal(cumCost, "cum_cost")
        x.avgPrice = try KrakenFields.optionalDecimal(avgPrice, "avg_price")
        x.reason = try KrakenFields.optionalString(reason, "reason")
        x.timestamp = try KrakenFields.optionalTimestamp(timestamp, "timestamp")
        return x
    }

    static func assetBalance(_ v: JSONValue) throws(KrakenDecodeError) -> KrakenAssetBalance {
        var asset, assetClass, balance, wallets: JSONValue?
        try KrakenFields.members(v, "data") { n, v in
            if n.krakenIs("asset") { asset = v }
            else if n.krakenIs("asset_class") { assetClass = v }
            else if n.krakenIs("balance") { balance = v }
            else if n.krakenIs("wallets") { wallets = v }
        }
        var list: [KrakenWallet] = []
        if let wallets, !wallets.isNull {
            try KrakenFields.elements(wallets, "wallets") { (w) throws(KrakenDecodeError) in
                var type, id, bal: JSONValue?
                try KrakenFields.members(w, "wallets") { n, v in
                    if n.krakenIs("type") { type = v } else if n.krakenIs("id") { id = v } else if n.krakenIs("balance") { bal = v }
                }
                list.append(KrakenWallet(type: try KrakenFields.string(type, "wallets.type"),
                                         id: try KrakenFields.string(id, "wallets.id"),
                                         balance: try KrakenFields.decimal(bal, "wallets.balance")))
            }
        }
        return KrakenAssetBalance(asset: try KrakenFields.string(asset, "asset"),
                                  assetClass: try KrakenFields.optionalString(assetClass, "asset_class"),
                                  balance: try KrakenFields.decimal(balance, "balance"),
                                  wallets: list)
    }

    static func ledgerEntry(_ v: JSONValue) throws(KrakenDecodeError) -> KrakenLedgerEntry {
        var ledgerID, refID, timestamp, type, subtype, category, asset, assetClass: JSONValue?
        var amount, fee, balance, walletType, walletID: JSONValue?
        try KrakenFields.members(v, "data") { n, v in
            if n.krakenIs("ledger_id") { ledgerID = v }
            else if n.krakenIs("ref_id") { refID = v }
            else if n.krakenIs("timestamp") { timestamp = v }
            else if n.krakenIs("type") { type = v }
            else if n.krakenIs("subtype") { subtype = v }
            else if n.krakenIs("category") { category = v }
            else if n.krakenIs("asset") { asset = v }
            else if n.krakenIs("asset_class") { assetClass = v }
            else if n.krakenIs("amount") { amount = v }
            else if n.krakenIs("fee") { fee = v }
            else if n.krakenIs("balance") { balance = v }
            else if n.krakenIs("wallet_type") { walletType = v }
            else if n.krakenIs("wallet_id") { walletID = v }
        }
        return KrakenLedgerEntry(ledgerID: try KrakenFields.optionalString(ledgerID, "ledger_id"),
                                 refID: try KrakenFields.optionalString(refID, "ref_id"),
                                 timestamp: try KrakenFields.optionalTimestamp(timestamp, "timestamp"),
                                 type: try KrakenFields.optionalString(type, "type"),
                                 subtype: try KrakenFields.optionalString(subtype, "subtype"),
                                 category: try KrakenFields.optionalString(category, "category"),
                                 asset: try KrakenFields.string(asset, "asset"),
                                 assetClass: try KrakenFields.optionalString(assetClass, "asset_class"),
                                 amount: try KrakenFields.optionalDecimal(amount, "amount"),
                                 fee: try KrakenFields.optionalDecimal(fee, "fee"),
                                 balance: try KrakenFields.decimal(balance, "balance"),
                                 walletType: try KrakenFields.optionalString(walletType, "wallet_type"),
                                 walletID: try KrakenFields.optionalString(walletID, "wallet_id"))
    }
}
