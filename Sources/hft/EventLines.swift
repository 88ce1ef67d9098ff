import HFTKit

/// The JSON lines `hft stream` and `hft order` print (schemas in ../shared/CLI.md and the README).
enum EventLines {
    static func book(_ update: BookUpdate, depth: Int) -> JSONText {
        let (bids, asks) = update.book.top(depth)
        return .object([
            ("type", "book"), ("venue", .string(update.book.venue.rawValue)), ("symbol", .string(update.book.symbol.description)),
            ("bids", levels(bids)), ("asks", levels(asks)),
            ("snapshot", .bool(update.isSnapshot)), ("ts", .int(update.book.timestamp)),
        ])
    }

    static func levels(_ side: ArraySlice<BookLevel>) -> JSONText {
        .array(side.map { .array([.decimal($0.price), .decimal($0.quantity)]) })
    }

    static func trade(_ t: Trade) -> JSONText {
        .object([
            ("type", "trade"), ("venue", .string(t.venue.rawValue)), ("symbol", .string(t.symbol.description)), ("id", .string(t.id)),
            ("price", .decimal(t.price)), ("qty", .decimal(t.quantity)), ("side", .string(t.side.rawValue)), ("ts", .int(t.timestamp)),
        ])
    }

    static func candle(_ c: Candle) -> JSONText {
        .object([
            ("type", "candle"), ("venue", .string(c.venue.rawValue)), ("symbol", .string(c.symbol.description)),
            ("interval", .string(c.interval.rawValue)), ("open_time", .int(c.openTime)),
            ("open", .decimal(c.open)), ("high", .decimal(c.high)), ("low", .decimal(c.low)), ("close", .decimal(c.close)),
            ("volume", .decimal(c.volume)), ("quote_volume", optional(c.quoteVolume)),
            ("trades", c.tradeCount.map { .int($0) } ?? .null), ("closed", c.isClosed.map { .bool($0) } ?? .null),
        ])
    }

    static func ticker(_ t: Ticker) -> JSONText {
        .object([
            ("type", "ticker"), ("venue", .string(t.venue.rawValue)), ("symbol", .string(t.symbol.description)),
            ("bid", optional(t.bid)), ("bid_qty", optional(t.bidQuantity)), ("ask", optional(t.ask)), ("ask_qty", optional(t.askQuantity)),
            ("last", optional(t.last)), ("volume_24h", optional(t.volume24h)), ("ts", .int(t.timestamp)),
        ])
    }

    static func order(_ o: Order) -> JSONText {
        .object([
            ("type", "order"), ("venue", .string(o.venue.rawValue)), ("symbol", .string(o.symbol.description)),
            ("order_id", .string(o.orderID)), ("client_order_id", o.clientOrderID.map { .string($0) } ?? .null),
            ("side", .string(o.side.rawValue)), ("order_type", .string(o.type.rawValue)), ("tif", .string(o.timeInForce.rawValue)),
            ("post_only", .bool(o.postOnly)), ("price", optional(o.price)), ("qty", .decimal(o.quantity)),
            ("filled_qty", .decimal(o.filledQuantity)), ("avg_price", optional(o.averagePrice)), ("status", .string(o.status.rawValue)),
            ("ts", .int(o.timestamp)),
        ])
    }

    static func fill(_ f: Fill) -> JSONText {
        .object([
            ("type", "fill"), ("venue", .string(f.venue.rawValue)), ("symbol", .string(f.symbol.description)),
            ("trade_id", .string(f.tradeID)), ("order_id", .string(f.orderID)), ("client_order_id", f.clientOrderID.map { .string($0) } ?? .null),
            ("side", .string(f.side.rawValue)), ("price", .decimal(f.price)), ("qty", .decimal(f.quantity)),
            ("fee", .decimal(f.fee)), ("fee_currency", .string(f.feeCurrency)), ("liquidity", .string(f.liquidity.rawValue)),
            ("ts", .int(f.timestamp)),
        ])
    }

    static func balance(_ b: Balance) -> JSONText {
        .object([
            ("type", "balance"), ("venue", .string(b.venue.rawValue)), ("asset", .string(b.asset)),
            ("available", .decimal(b.available)), ("frozen", .decimal(b.frozen)), ("total", .decimal(b.total)), ("ts", .int(b.timestamp)),
        ])
    }

    static func position(_ p: Position) -> JSONText {
        .object([
            ("type", "position"), ("venue", .string(p.venue.rawValue)), ("symbol", .string(p.symbol.description)),
            ("qty", .decimal(p.quantity)), ("entry_price", optional(p.entryPrice)), ("leverage", .decimal(p.leverage)),
            ("margin", .decimal(p.margin)), ("liquidation_price", optional(p.liquidationPrice)),
            ("bankruptcy_price", optional(p.bankruptcyPrice)), ("realized_pnl", .decimal(p.realizedPnL)), ("ts", .int(p.timestamp)),
        ])
    }

    static func status(_ s: VenueStatus) -> JSONText {
        var members: [(String, JSONText)] = [("type", "status"), ("venue", .string(s.venue.rawValue))]
        if let symbol = s.symbol { members.append(("symbol", .string(symbol.description))) }
        members.append(("event", .string(s.event.rawValue)))
        members.append(("detail", .string(s.detail)))
        return .object(members)
    }

    static func error(_ e: VenueErrorReply) -> JSONText {
        .object([("type", "error"), ("venue", .string(e.venue.rawValue)), ("code", .string(e.code)), ("message", .string(e.message))])
    }

    /// `hft order`'s one line: the venue's method, ids, measured latency, and its reply as received.
    static func response(_ r: OrderResult) -> JSONText {
        .object([
            ("type", "response"), ("venue", .string(r.venue.rawValue)), ("method", .string(r.method)), ("request_id", .int(r.requestID)),
            ("ok", .bool(r.ok)), ("latency_us", .int(Int64(clamping: r.latencyMicros))),
            ("order_id", r.orderID.map { .string($0) } ?? .null), ("client_order_id", r.clientOrderID.map { .string($0) } ?? .null),
            ("error", r.error.map { .string(errorText($0)) } ?? .null), ("response", rawJSON(r.response)),
        ])
    }

    /// The venue's own text for its rejections; our description otherwise.
    static func errorText(_ e: HFTError) -> String {
        if case .venueRejected(let code, let message) = e {
            return code.isEmpty || message.hasPrefix(code) ? message : "\(code): \(message)"
        }
        return e.description
    }

    /// A reply embedded as JSON when it is JSON, as a string otherwise.
    static func rawJSON(_ text: String?) -> JSONText {
        guard let text else { return .null }
        let valid = Array(text.utf8).withUnsafeBytes { (try? JSONValue.parse($0)) != nil }
        return valid ? .raw(text) : .string(text)
    }

    static func optional(_ d: FixedDecimal?) -> JSONText { d.map { .decimal($0) } ?? .null }
}
