/// Public channel entries: book levels, trades, tickers, status and instrument reference data.
import HFTCore

extension KrakenDecoder {
    static func bookData(_ v: JSONValue) throws(KrakenDecodeError) -> KrakenBookData {
        var symbol, bids, asks, checksum, timestamp: JSONValue?
        try KrakenFields.members(v, "data") { n, v in
            if n.krakenIs("asks") { asks = v }
            else if n.krakenIs("bids") { bids = v }
            else if n.krakenIs("checksum") { checksum = v }
            else if n.krakenIs("symbol") { symbol = v }
            else if n.krakenIs("timestamp") { timestamp = v }
        }
        var crc: UInt32?
        if let checksum, !checksum.isNull {
            guard let c = checksum.int64, let u = UInt32(exactly: c) else { throw .invalidField("checksum") }
            crc = u
        }
        return KrakenBookData(symbol: try KrakenFields.string(symbol, "symbol"),
                              bids: try levels(bids, "bids"), asks: try levels(asks, "asks"),
                              checksum: crc, timestamp: try KrakenFields.optionalTimestamp(timestamp, "timestamp"))
    }

    /// `[{"price":D,"qty":D},…]`, token scale kept; an absent side is empty.
    static func levels(_ v: JSONValue?, _ field: String) throws(KrakenDecodeError) -> [BookLevel] {
        guard let v, !v.isNull else { return [] }
        var out: [BookLevel] = []
        try KrakenFields.elements(v, field) { (level) throws(KrakenDecodeError) in
            var price, qty: JSONValue?
            try KrakenFields.members(level, field) { n, v in
                if n.krakenIs("price") { price = v } else if n.krakenIs("qty") { qty = v }
            }
            out.append(BookLevel(price: try KrakenFields.decimal(price, "price"), quantity: try KrakenFields.decimal(qty, "qty")))
        }
        return out
    }

    static func tradeData(_ v: JSONValue) throws(KrakenDecodeError) -> KrakenTradeData {
        var symbol, side, price, qty, ordType, tradeID, timestamp: JSONValue?
        try KrakenFields.members(v, "data") { n, v in
            if n.krakenIs("symbol") { symbol = v }
            else if n.krakenIs("side") { side = v }
            else if n.krakenIs("price") { price = v }
            else if n.krakenIs("qty") { qty = v }
            else if n.krakenIs("ord_type") { ordType = v }
            else if n.krakenIs("trade_id") { tradeID = v }
            else if n.krakenIs("timestamp") { timestamp = v }
        }
        return KrakenTradeData(symbol: try KrakenFields.string(symbol, "symbol"),
                               side: try KrakenFields.side(side, "side"),
                               price: try KrakenFields.decimal(price, "price"),
                               qty: try KrakenFields.decimal(qty, "qty"),
                               orderType: try KrakenFields.optionalString(ordType, "ord_type"),
                               tradeID: try KrakenFields.int64(tradeID, "trade_id"),
                               timestamp: try KrakenFields.timestamp(timestamp, "timestamp"))
    }

    static func tickerData(_ v: JSONValue) throws(KrakenDecodeError) -> KrakenTickerData {
        var symbol, bid, bidQty, ask, askQty, last, volume, vwap, low, high, change, changePct, timestamp: JSONValue?
        try KrakenFields.members(v, "data") { n, v in
            if n.krakenIs("symbol") { symbol = v }
            else if n.krakenIs("bid") { bid = v }
            else if n.krakenIs("bid_qty") { bidQty = v }
            else if n.krakenIs("ask") { ask = v }
            else if n.krakenIs("ask_qty") { askQty = v }
            else if n.krakenIs("last") { last = v }
            else if n.krakenIs("volume") { volume = v }
            else if n.krakenIs("vwap") { vwap = v }
            else if n.krakenIs("low") { low = v }
            else if n.krakenIs("high") { high = v }
            else if n.krakenIs("change") { change = v }
            else if n.krakenIs("change_pct") { changePct = v }
            else if n.krakenIs("timestamp") { timestamp = v }
        }
        return KrakenTickerData(symbol: try KrakenFields.string(symbol, "symbol"),
                                bid: try KrakenFields.optionalDecimal(bid, "bid"),
                                bidQty: try KrakenFields.optionalDecimal(bidQty, "bid_qty"),
                                ask: try KrakenFields.optionalDecimal(ask, "ask"),
                                askQty: try KrakenFields.optionalDecimal(askQty, "ask_qty"),
                                last: try KrakenFields.optionalDecimal(last, "last"),
                                volume: try KrakenFields.optionalDecimal(volume, "volume"),
                                vwap: try KrakenFields.optionalDecimal(vwap, "vwap"),
                                low: try KrakenFields.optionalDecimal(low, "low"),
                                high: try KrakenFields.optionalDecimal(high, "high"),
                                change: try KrakenFields.optionalDecimal(change, "change"),
                                changePct: try KrakenFields.optionalDecimal(changePct, "change_pct"),
                                timestamp: try KrakenFields.optionalTimestamp(timestamp, "timestamp"))
    }

    static func status(_ v: JSONValue) throws(KrakenDecodeError) -> KrakenStatus {
        var apiVersion, connectionID, system, version: JSONValue?
        try KrakenFields.members(v, "data") { n, v in
            if n.krakenIs("api_version") { apiVersion = v }
            else if n.krakenIs("connection_id") { connectionID = v }
            else if n.krakenIs("system") { system = v }
            else if n.krakenIs("version") { version = v }
        }
        return KrakenStatus(system: KrakenSystemState(wireName: try KrakenFields.string(system, "system")),
                            apiVersion: try KrakenFields.optionalString(apiVersion, "api_version"),
                            connectionID: try KrakenFields.optionalUInt64(connectionID, "connection_id"),
                            version: try KrakenFields.optionalString(version, "version"))
    }

    /// `data` is one object `{"assets":[…],"pairs":[…]}`; an array of such objects is accepted too.
    static func instrument(_ type: KrakenPushType, _ data: JSONValue?) throws(KrakenDecodeError) -> KrakenInstrumentMessage {
        guard let data else { throw .missingField("data") }
        var message = KrakenInstrumentMessage(type: type, pairs: [], assets: [])
        func one(_ v: JSONValue) throws(KrakenDecodeError) {
            var assets, pairs: JSONValue?
            try KrakenFields.members(v, "data") { n, v in
                if n.krakenIs("assets") { assets = v } else if n.krakenIs("pairs") { pairs = v }
            }
            if let pairs { message.pairs += try entries(pairs, pair) }
            if let assets { message.assets += try entries(assets, asset) }
        }
        if data.kind == .array {
            try KrakenFields.elements(data, "data") { (v) throws(KrakenDecodeError) in try one(v) }
        } else {
            try one(data)
        }
        return message
    }

    static func pair(_ v: JSONValue) throws(KrakenDecodeError) -> KrakenInstrument {
        var symbol, base, quote, status, pricePrecision, qtyPrecision, priceIncrement, qtyIncrement: JSONValue?
        var qtyMin, costMin, costPrecision, marginable, tickSize: JSONValue?
        try KrakenFields.members(v, "pairs") { n, v in
            if n.krakenIs("symbol") { symbol = v }
            else if n.krakenIs("base") { base = v }
            else if n.krakenIs("quote") { quote = v }
            else if n.krakenIs("status") { status = v }
            else if n.krakenIs("price_precision") { pricePrecision = v }
            else if n.krakenIs("qty_precision") { qtyPrecision = v }
            else if n.krakenIs("price_increment") { priceIncrement = v }
            else if n.krakenIs("qty_increment") { qtyIncrement = v }
            else if n.krakenIs("qty_min") { qtyMin = v }
            else if n.krakenIs("cost_min") { costMin = v }
            else if n.krakenIs("cost_precision") { costPrecision = v }
            else if n.krakenIs("marginable") { marginable = v }
            else if n.krakenIs("tick_size") { tickSize = v }
        }
        let s = try KrakenFields.string(symbol, "symbol")
        let tick = try KrakenFields.optionalDecimal(tickSize, "tick_size")
        let split = s.split(separator: "/", omittingEmptySubsequences: false)
        return KrakenInstrument(
            symbol: s,
            base: try KrakenFields.optionalString(base, "base") ?? (split.count == 2 ? String(split[0]) : s),
            quote: try KrakenFields.optionalString(quote, "quote") ?? (split.count == 2 ? String(split[1]) : ""),
            status: try KrakenFields.optionalString(status, "status") ?? "online",
            precision: KrakenPrecision(price: try KrakenFields.precision(pricePrecision, "price_precision"),
                                       qty: try KrakenFields.precision(qtyPrecision, "qty_precision")),
            priceIncrement: try KrakenFields.optionalDecimal(priceIncrement, "price_increment") ?? tick,
            qtyIncrement: try KrakenFields.optionalDecimal(qtyIncrement, "qty_increment"),
            qtyMin: try KrakenFields.optionalDecimal(qtyMin, "qty_min"),
            costMin: try KrakenFields.optionalDecimal(costMin, "cost_min"),
            costPrecision: try KrakenFields.optionalPrecision(costPrecision, "cost_precision"),
            marginable: try KrakenFields.optionalBool(marginable, "marginable"))
    }

    static func asset(_ v: JSONValue) throws(KrakenDecodeError) -> KrakenAsset {
        var id, status, precision, display: JSONValue?
        try KrakenFields.members(v, "assets") { n, v in
            if n.krakenIs("id") { id = v }
            else if n.krakenIs("status") { status = v }
            else if n.krakenIs("precision") { precision = v }
            else if n.krakenIs("precision_display") { display = v }
        }
        return KrakenAsset(id: try KrakenFields.string(id, "id"),
                           status: try KrakenFields.optionalString(status, "status") ?? "enabled",
                           precision: try KrakenFields.precision(precision, "precision"),
                           displayPrecision: try KrakenFields.optionalPrecision(display, "precision_display"))
    }
}
