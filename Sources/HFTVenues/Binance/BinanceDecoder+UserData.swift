/// User-data events (binance.md §8): `{"subscriptionId":N,"event":{…}}` →
/// `executionReport`, `outboundAccountPosition`, `balanceUpdate`, `externalLockUpdate`,
/// `listStatus`, `eventStreamTerminated`; a `serverShutdown` in `event` ends the connection.
import HFTCore

extension BinanceDecoder {
    static func userData(_ event: JSONValue, subscriptionID: Int64?, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceInbound {
        guard event.kind == .object else { throw .invalidField("event") }
        var x = ExecutionFields()
        try BinanceFields.members(event, "event") { n, v in x.collect(n, v) }
        guard let e = x.e else { throw .missingField("e") }
        if e.stringEquals("serverShutdown") { return .serverShutdown(eventTime: try BinanceFields.time(x.E, "E", unit)) }
        let payload: BinanceUserEvent
        if e.stringEquals("executionReport") {
            payload = .executionReport(try executionReport(x, unit))
        } else if e.stringEquals("outboundAccountPosition") {
            var assets: [BinanceAccountPosition.Asset] = []
            guard let list = x.B else { throw .missingField("B") }
            try BinanceFields.elements(list, "B") { (entry) throws(BinanceDecodeError) in
                var a, f, l: JSONValue?
                try BinanceFields.members(entry, "B[]") { n, v in
                    if n.binanceIs("a") { a = v } else if n.binanceIs("f") { f = v } else if n.binanceIs("l") { l = v }
                }
                assets.append(.init(asset: try BinanceFields.string(a, "B.a"), free: try BinanceFields.decimal(f, "B.f"),
                                    locked: try BinanceFields.decimal(l, "B.l")))
            }
            payload = .accountPosition(BinanceAccountPosition(eventTime: try BinanceFields.time(x.E, "E", unit),
                                                              lastUpdateTime: try BinanceFields.time(x.u, "u", unit),
                                                              balances: assets))
        } else if e.stringEquals("balanceUpdate") {
            payload = .balanceUpdate(try balanceDelta(x, unit))
        } else if e.stringEquals("externalLockUpdate") {
            payload = .externalLockUpdate(try balanceDelta(x, unit))
        } else if e.stringEquals("listStatus") {
            payload = .listStatus(try listStatus(x, unit))
        } else if e.stringEquals("eventStreamTerminated") {
            payload = .eventStreamTerminated(eventTime: try BinanceFields.time(x.E, "E", unit))
        } else {
            guard e.kind == .string else { throw .invalidField("e") }
            throw .unknownEvent(e.string ?? "")
        }
        return .userData(payload, subscriptionID: subscriptionID)
    }

    static func balanceDelta(_ x: ExecutionFields, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceBalanceDelta {
        BinanceBalanceDelta(eventTime: try BinanceFields.time(x.E, "E", unit), asset: try BinanceFields.string(x.a, "a"),
                            delta: try BinanceFields.decimal(x.d, "d"), time: try BinanceFields.time(x.T, "T", unit))
    }

    static func listStatus(_ x: ExecutionFields, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceListStatus {
        var members: [BinanceListStatus.Member] = []
        if let list = x.O, !list.isNull {
            try BinanceFields.elements(list, "O") { (entry) throws(BinanceDecodeError) in
                var s, i, c: JSONValue?
                try BinanceFields.members(entry, "O[]") { n, v in
                    if n.binanceIs("s") { s = v } else if n.binanceIs("i") { i = v } else if n.binanceIs("c") { c = v }
                }
                members.append(.init(symbol: try BinanceFields.string(s, "O.s"), orderID: try BinanceFields.int64(i, "O.i"),
                                     clientOrderID: try BinanceFields.string(c, "O.c")))
            }
        }
        return BinanceListStatus(eventTime: try BinanceFields.time(x.E, "E", unit), symbol: try BinanceFields.string(x.s, "s"),
                                 orderListID: try BinanceFields.int64(x.g, "g"),
                                 contingencyType: try BinanceFields.string(x.c, "c"),
                                 listStatusType: try BinanceFields.string(x.l, "l"),
                                 listOrderStatus: try BinanceFields.string(x.L, "L"),
                                 listRejectReason: try BinanceFields.optionalString(x.r, "r"),
                                 listClientOrderID: try BinanceFields.string(x.C, "C"),
                                 transactionTime: try BinanceFields.time(x.T, "T", unit),
                                 orders: members)
    }

    static func executionReport(_ x: ExecutionFields, _ unit: BinanceTimeUnit) throws(BinanceDecodeError) -> BinanceExecutionReport {
        var r = BinanceExecutionReport(
            eventTime: try BinanceFields.time(x.E, "E", unit),
            symbol: try BinanceFields.string(x.s, "s"),
            clientOrderID: try BinanceFields.string(x.c, "c"),
            side: try BinanceFields.side(x.S, "S"),
            orderType: try BinanceFields.string(x.o, "o"),
            quantity: try BinanceFields.decimal(x.q, "q"),
            price: try BinanceFields.decimal(x.p, "p"),
            executionType: BinanceExecutionType(wire: try BinanceFields.string(x.x, "x")),
            orderStatus: BinanceOrderStatus(wire: try BinanceFields.string(x.X, "X")),
            orderID: try BinanceFields.int64(x.i, "i"),
            lastQty: try BinanceFields.decimal(x.l, "l"),
            cumulativeQty: try BinanceFields.decimal(x.z, "z"),
            lastPrice: try BinanceFields.decimal(x.L, "L"),
            commission: try BinanceFields.optionalDecimal(x.n, "n") ?? .zero,
            transactionTime: try BinanceFields.time(x.T, "T", unit),
            isMaker: try BinanceFields.optionalBool(x.m, "m") ?? false)
        r.timeInForce = try BinanceFields.optionalString(x.f, "f")
        r.stopPrice = try BinanceFields.optionalDecimal(x.P, "P")
        r.icebergQty = try BinanceFields.optionalDecimal(x.F, "F")
        r.orderListID = try BinanceFields.optionalInt64(x.g, "g")
        r.originalClientOrderID = try BinanceFields.optionalString(x.C, "C").flatMap { $0.isEmpty ? nil : $0 }
        r.rejectReason = try BinanceFields.optionalString(x.r, "r")
        r.commissionAsset = try BinanceFields.optionalString(x.N, "N")
        r.tradeID = try BinanceFields.optionalInt64(x.t, "t").flatMap { $0 < 0 ? nil : $0 }
        r.executionID = try BinanceFields.optionalInt64(x.I, "I")
        r.isOnBook = try BinanceFields.optionalBool(x.w, "w")
        r.creationTime = try BinanceFields.optionalTime(x.O, "O", unit)
        r.cumulativeQuoteQty = try BinanceFields.optionalDecimal(x.Z, "Z")
        r.lastQuoteQty = try BinanceFields.optionalDecimal(x.Y, "Y")
        r.quoteOrderQty = try BinanceFields.optionalDecimal(x.Q, "Q")
        r.workingTime = try BinanceFields.optionalTime(x.W, "W", unit)
        r.selfTradePreventionMode = try BinanceFields.optionalString(x.V, "V")
        r.trailingDelta = try BinanceFields.optionalInt64(x.d, "d")
        r.trailingTime = try BinanceFields.optionalTime(x.D, "D", unit)
        r.strategyID = try BinanceFields.optionalInt64(x.j, "j")
        r.strategyType = try BinanceFields.optionalInt64(x.J, "J")
        r.preventedMatchID = try BinanceFields.optionalInt64(x.v, "v")
        r.preventedQty = try BinanceFields.optionalDecimal(x.A, "A")
        r.lastPreventedQty = try BinanceFields.optionalDecimal(x.B, "B")
        r.tradeGroupID = try BinanceFields.optionalInt64(x.u, "u")
        r.counterOrderID = try BinanceFields.optionalInt64(x.U, "U")
        r.counterSymbol = try BinanceFields.optionalString(x.Cs, "Cs")
        r.preventedExecutionQty = try BinanceFields.optionalDecimal(x.pl, "pl")
        r.preventedExecutionPrice = try BinanceFields.optionalDecimal(x.pL, "pL")
        r.preventedExecutionQuoteQty = try BinanceFields.optionalDecimal(x.pY, "pY")
        r.matchType = try BinanceFields.optionalString(x.b, "b")
        r.allocationID = try BinanceFields.optionalInt64(x.a, "a")
        r.workingFloor = try BinanceFields.optionalString(x.k, "k")
        r.usedSOR = try BinanceFields.optionalBool(x.uS, "uS")
        r.pegPriceType = try BinanceFields.optionalString(x.gP, "gP")
        r.pegOffsetType = try BinanceFields.optionalString(x.gOT, "gOT")
        r.pegOffsetValue = try BinanceFields.optionalInt64(x.gOV, "gOV")
        r.peggedPrice = try BinanceFields.optionalDecimal(x.gp, "gp")
        r.expiryReason = try BinanceFields.optionalString(x.eR, "eR")
        return r
    }

    /// Members of a user-data event (case-sensitive one- and two-letter names).
    struct ExecutionFields {
        var e, E, s, c, S, o, f, q, p, P, F, g, C, x, X, r, i, l, z, L, n, N, T, t, I, w, m, O, Z, Y, Q, W, V: JSONValue?
        var d, D, j, J, v, A, B, u, U, b, a, k: JSONValue?
        var Cs, pl, pL, pY, uS, gP, gOT, gOV, gp, eR: JSONValue?

        mutating func collect(_ name: UnsafeRawBufferPointer, _ value: JSONValue) {
            if name.count == 1 {
                switch name[0] {
                case UInt8(ascii: "e"): e = value
                case UInt8(ascii: "E"): E = value
                case UInt8(ascii: "s"): s = value
                case UInt8(ascii: "c"): c = value
                case UInt8(ascii: "S"): S = value
                case UInt8(ascii: "o"): o = value
                case UInt8(ascii: "f"): f = value
                case UInt8(ascii: "q"): q = value
                case UInt8(ascii: "p"): p = value
                case UInt8(ascii: "P"): P = value
                case UInt8(ascii: "F"): F = value
                case UInt8(ascii: "g"): g = value
                case UInt8(ascii: "C"): C = value
                case UInt8(ascii: "x"): x = value
                case UInt8(ascii: "X"): X = value
                case UInt8(ascii: "r"): r = value
                case UInt8(ascii: "i"): i = value
                case UInt8(ascii: "l"): l = value
                case UInt8(ascii: "z"): z = value
                case UInt8(ascii: "L"): L = value
                case UInt8(ascii: "n"): n = value
                case UInt8(ascii: "N"): N = value
                case UInt8(ascii: "T"): T = value
                case UInt8(ascii: "t"): t = value
                case UInt8(ascii: "I"): I = value
                case UInt8(ascii: "w"): w = value
                case UInt8(ascii: "m"): m = value
                case UInt8(ascii: "O"): O = value
                case UInt8(ascii: "Z"): Z = value
                case UInt8(ascii: "Y"): Y = value
                case UInt8(ascii: "Q"): Q = value
                case UInt8(ascii: "W"): W = value
                case UInt8(ascii: "V"): V = value
                case UInt8(ascii: "d"): d = value
                case UInt8(ascii: "D"): D = value
                case UInt8(ascii: "j"): j = value
                case UInt8(ascii: "J"): J = value
                case UInt8(ascii: "v"): v = value
                case UInt8(ascii: "A"): A = value
                case UInt8(ascii: "B"): B = value
                case UInt8(ascii: "u"): u = value
                case UInt8(ascii: "U"): U = value
                case UInt8(ascii: "b"): b = value
                case UInt8(ascii: "a"): a = value
                case UInt8(ascii: "k"): k = value
                default: break
                }
            } else if name.binanceIs("Cs") { Cs = value }
            else if name.binanceIs("pl") { pl = value }
            else if name.binanceIs("pL") { pL = value }
            else if name.binanceIs("pY") { pY = value }
            else if name.binanceIs("uS") { uS = value }
            else if name.binanceIs("gP") { gP = value }
            else if name.binanceIs("gOT") { gOT = value }
            else if name.binanceIs("gOV") { gOV = value }
            else if name.binanceIs("gp") { gp = value }
            else if name.binanceIs("eR") { eR = value }
        }
    }
}
