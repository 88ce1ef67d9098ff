import HFTCore

/// What one side of a fill moved.
struct FillAmounts {
    /// Quote moved (spot) or contract value (perpetual), at the reserve/settle asset's scale.
    var quote: Int128
    var fee: Int128
    var feeAsset: Int
}

/// Reservations and fill settlement.
///
/// Reserve rule (frozen while an order is open):
/// - spot limit buy: `ceil(price × remaining)` quote; spot limit sell: `remaining` base;
/// - perpetual limit order: `ceil(v / leverage) + ceil(v × max(maker, taker))` BTC with
///   `v = ceil(remaining × contractValue / price)`, for opening and closing orders alike;
/// - market orders reserve nothing: each fill is paid from available at once, and the order
///   stops (remainder expired, reason `.insufficientBalance`) when the next fill is unaffordable.
///   A market order that cannot afford its first fill is rejected with `.insufficientBalance`.
///
/// Each fill first releases the part of the reserve the remaining quantity no longer needs,
/// then pays: a spot buyer pays `floor(price × qty)` quote (the seller receives exactly that),
/// so the release always covers it; perpetual fills pay margin and fee from the release plus
/// available.
extension Ledger {
    func leverage(_ account: Int, _ inst: InstrumentRuntime) -> FixedDecimal {
        accounts[account].leverage[inst.index] ?? inst.perp?.defaultLeverage ?? FixedDecimal(1)
    }

    /// `floor`/`ceil` of `price × qty` at the quote scale.
    func notional(_ inst: InstrumentRuntime, _ price: Int64, _ qty: Int64, _ rule: FloatingPointRoundingRule) -> Int128 {
        let shift = Int(inst.quoteScale) - Int(inst.spec.priceScale) - Int(inst.spec.quantityScale)
        return ScaledMath.shift(Int128(price) * Int128(qty), by: shift, rule)
    }

    func baseAmount(_ inst: InstrumentRuntime, _ qty: Int64) -> Int128 {
        ScaledMath.shift(Int128(qty), by: Int(inst.baseScale) - Int(inst.spec.quantityScale), .up)
    }

    /// What a limit order resting with `remaining` at `price` keeps frozen.
    func reserveNeeded(_ inst: InstrumentRuntime, account: Int, side: Side, price: Int64, remaining: Int64) -> Int128 {
        guard remaining > 0 else { return 0 }
        if inst.perp != nil {
            let v = inst.contractValue(remaining, at: price, .up)
            return marginFor(v, leverage: leverage(account, inst)) + ScaledMath.fee(v, rate: accounts[account].fees.highest)
        }
        return side == .buy ? notional(inst, price, remaining, .up) : baseAmount(inst, remaining)
    }

    func marginFor(_ value: Int128, leverage: FixedDecimal) -> Int128 {
        ScaledMath.divide(value * ScaledMath.pow10(Int(leverage.scale)), leverage.mantissa, .up)
    }

    func reserveNeeded(_ inst: InstrumentRuntime, _ o: OrderRecord) -> Int128 {
        o.type == .limit ? reserveNeeded(inst, account: o.account, side: o.side, price: o.price, remaining: o.remaining) : 0
    }

    /// Contracts of a perpetual fill that close an opposite position.
    func closingContracts(_ inst: InstrumentRuntime, account: Int, side: Side, qty: Int64) -> Int64 {
        guard let pos = accounts[account].positions[inst.index], pos.contracts != 0 else { return 0 }
        let opposite = side == .buy ? pos.contracts < 0 : pos.contracts > 0
        return opposite ? min(qty, Int64(pos.contracts.magnitude)) : 0
    }

    /// A perpetual fill's value `v = floor(qty × contractValue / price)`, split into the part
    /// closing an opposite position and the part opening (`v - vClose`), exactly as settled.
    func splitValue(_ inst: InstrumentRuntime, account: Int, side: Side, price: Int64, qty: Int64)
        -> (v: Int128, vClose: Int128, vOpen: Int128) {
        let v = inst.contractValue(qty, at: price, .down)
        let close = closingContracts(inst, account: account, side: side, qty: qty)
        let vClose = close == 0 ? 0 : (close == qty ? v : inst.contractValue(close, at: price, .down))
        return (v, vClose, v - vClose)
    }

    /// What the fill takes from the order's released reserve plus available (before proceeds).
    func fillCost(_ inst: InstrumentRuntime, _ o: OrderRecord, price: Int64, qty: Int64, _ liquidity: Liquidity) -> Int128 {
        if inst.perp != nil {
            let (v, _, vOpen) = splitValue(inst, account: o.account, side: o.side, price: price, qty: qty)
            let rate = accounts[o.account].fees.rate(liquidity)
            return marginFor(vOpen, leverage: leverage(o.account, inst)) + ScaledMath.fee(v, rate: rate)
        }
        return o.side == .buy ? notional(inst, price, qty, .down) : baseAmount(inst, qty)
    }

    /// The largest quantity ≤ `qty` (in whole lots) the order can pay for at `price`.
    func affordable(_ inst: InstrumentRuntime, _ o: OrderRecord, price: Int64, qty: Int64, _ liquidity: Liquidity) -> Int64 {
        let available = accounts[o.account].available[inst.reserveAsset(o.side)]
        func fits(_ k: Int64) -> Bool {
            if let budget = o.quoteBudget, notional(inst, price, k, .down) > budget { return false }
            var funds = available
            if o.type == .limit {
                var after = o
                after.filled += k
                funds += o.reserved - reserveNeeded(inst, after)
            }
            return fillCost(inst, o, price: price, qty: k, liquidity) <= funds
        }
        if fits(qty) { return qty }
        var lo: Int64 = 0, hi = qty / inst.lot   // in lots; lo fits, hi does not
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if fits(mid * inst.lot) { lo = mid } else { hi = mid }
        }
        return lo * inst.lot
    }

    /// Frees an order's whole remaining reserve (the order ended).
    mutating func releaseReserve(_ inst: InstrumentRuntime, _ o: inout OrderRecord) {
        unfreeze(o.account, inst.reserveAsset(o.side), o.reserved)
        o.reserved = 0
    }

    /// Settles one side of a fill of `qty` at `price`: releases reserve, pays, receives, charges
    /// the fee, updates the position (perpetuals) and the order's fill counters.
    mutating func applyFill(_ inst: InstrumentRuntime, _ o: inout OrderRecord, price: Int64, qty: Int64,
                            _ liquidity: Liquidity) -> FillAmounts {
        let account = o.account
        let ra = inst.reserveAsset(o.side)
        let rate = accounts[account].fees.rate(liquidity)
        o.filled += qty
        if o.type == .limit {
            let keep = reserveNeeded(inst, o)
            unfreeze(account, ra, o.reserved - keep)
            o.reserved = keep
        }
        o.cumPriceQty += Int128(price) * Int128(qty)
        let amounts: FillAmounts
        if inst.perp != nil {
            amounts = applyPerpetualFill(inst, account: account, side: o.side, price: price, qty: qty, rate: rate)
        } else if o.side == .buy {
            let pay = notional(inst, price, qty, .down)
            let got = baseAmount(inst, qty)
            let fee = ScaledMath.fee(got, rate: rate)
            credit(account, inst.quote, -pay)
            credit(account, inst.base, got)
            chargeFee(account, inst.base, fee)
            amounts = FillAmounts(quote: pay, fee: fee, feeAsset: inst.base)
        } else {
            let got = notional(inst, price, qty, .down)
            let fee = ScaledMath.fee(got, rate: rate)
            credit(account, inst.base, -baseAmount(inst, qty))
            credit(account, inst.quote, got)
            chargeFee(account, inst.quote, fee)
            amounts = FillAmounts(quote: got, fee: fee, feeAsset: inst.quote)
        }
        if let budget = o.quoteBudget { o.quoteBudget = budget - amounts.quote }
        o.cumQuote += amounts.quote
        o.feePaid += amounts.fee
        assert(accounts[account].available[ra] >= 0 || inst.perp != nil, "spot fill overdrew \(account)")
        coverShortfall(account, ra)
        return amounts
    }

    private mutating func applyPerpetualFill(_ inst: InstrumentRuntime, account: Int, side: Side, price: Int64, qty: Int64,
                                             rate: FixedDecimal) -> FillAmounts {
        let s = inst.settle
        let lev = leverage(account, inst)
        var pos = accounts[account].positions[inst.index] ?? InversePositionState(leverage: lev)
        let close = closingContracts(inst, account: account, side: side, qty: qty)
        let open = qty - close
        let (v, vClose, vOpen) = splitValue(inst, account: account, side: side, price: price, qty: qty)
        let sign: Int64 = side == .buy ? 1 : -1
        if close > 0 {
            let size = Int128(pos.contracts.magnitude)
            let c = Int128(close)
            let costShare = c == size ? pos.cost : ScaledMath.divide(pos.cost * c, size, .towardZero)
            let marginShare = c == size ? pos.margin : ScaledMath.divide(pos.margin * c, size, .towardZero)
            let pnl = costShare + (side == .buy ? vClose : -vClose)
            pos.cost -= costShare
            pos.margin -= marginShare
            pos.contracts += sign * close
            pos.realizedPnL += pnl
            unfreeze(account, s, marginShare)
            settlePnL(account, s, pnl)
        }
        if open > 0 {
            if pos.contracts == 0 { pos.leverage = lev }
            let im = marginFor(vOpen, leverage: lev)
            freeze(account, s, im)
            pos.margin += im
            pos.cost += side == .buy ? vOpen : -vOpen
            pos.contracts += sign * open
        }
        let fee = ScaledMath.fee(v, rate: rate)
        chargeFee(account, s, fee)
        accounts[account].positions[inst.index] = pos
        touchPosition(account, inst.index)
        return FillAmounts(quote: v, fee: fee, feeAsset: s)
    }
}
