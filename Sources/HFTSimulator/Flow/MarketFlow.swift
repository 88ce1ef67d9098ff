import HFTCore

/// The running state of one symbol's synthetic flow. Participants are ordinary accounts
/// (unreachable by API key, zero fees) that trade through the same matching engine.
struct MarketFlow: Sendable {
    let symbol: Symbol
    let config: FlowConfig
    private let engine: Int
    private var rng: SeededRandom
    /// Mid in ticks of the price scale.
    private var mid: Int64
    private let tick: Int64
    private let lot: Int64
    private let quantityScale: UInt8
    private let minLots: Int64
    private let maxLots: Int64
    private let maxTakerLots: Int64
    private let makerAccounts: [Int]
    private let takerAccounts: [Int]
    /// Per maker: `levelsPerSide * 2` slots (bids then asks), each the open order id or 0.
    private var slots: [[SimOrderID]]

    init(config: FlowConfig, core: inout ExchangeCore, now: Timestamp) throws(HFTError) {
        guard let ei = core.symbolIndex[config.symbol] else { throw .configuration("flow: unknown symbol \(config.symbol)") }
        guard config.makers > 0, config.levelsPerSide > 0, config.levelSpacingTicks > 0, config.halfSpreadTicks > 0,
              config.takers >= 0, config.minQuoteQuantity > .zero, config.maxQuoteQuantity >= config.minQuoteQuantity,
              config.maxTakerQuantity > .zero, config.initialMid > .zero else {
            throw .configuration("flow \(config.symbol): invalid parameters")
        }
        let inst = core.engines[ei].inst
        symbol = config.symbol
        self.config = config
        engine = ei
        rng = SeededRandom(seed: config.seed)
        tick = inst.tick
        lot = inst.lot
        quantityScale = inst.spec.quantityScale
        func lots(_ q: FixedDecimal) -> Int64 {
            max(1, Int64(ScaledMath.mantissa(q, at: inst.spec.quantityScale) / Int128(inst.lot)))
        }
        minLots = max(lots(config.minQuoteQuantity), (inst.minQuantity + inst.lot - 1) / inst.lot)
        maxLots = max(minLots, lots(config.maxQuoteQuantity))
        maxTakerLots = max(minLots, lots(config.maxTakerQuantity))
        let m = Int64(ScaledMath.mantissa(config.initialMid, at: inst.spec.priceScale))
        mid = max(m / tick * tick, tick * Int64(config.halfSpreadTicks + config.levelsPerSide * config.levelSpacingTicks + 10))

        // Funding: enough for a long random walk without running dry.
        let notional = FixedDecimal(mantissa: Int128(mid), scale: inst.spec.priceScale) * config.maxQuoteQuantity
        let scale = FixedDecimal(1_000_000) * FixedDecimal(config.levelsPerSide)
        var funding: [String: FixedDecimal] = [:]
        if inst.perp != nil {
            funding[core.ledger.assets[inst.settle].name] = FixedDecimal(1_000_000_000)
        } else {
            funding[core.ledger.assets[inst.base].name] = (config.maxQuoteQuantity * scale).rescaled(to: inst.baseScale, rounding: .down)
            funding[core.ledger.assets[inst.quote].name] = (notional * scale).rescaled(to: inst.quoteScale, rounding: .down)
        }
        var makers: [Int] = [], takers: [Int] = []
        for i in 0..<config.makers {
            makers.append(try core.addAccount(Self.participant("maker", i, config, funding), participant: true))
        }
        for i in 0..<config.takers {
            takers.append(try core.addAccount(Self.participant("taker", i, config, funding), participant: true))
        }
        makerAccounts = makers
        takerAccounts = takers
        slots = Array(repeating: Array(repeating: 0, count: config.levelsPerSide * 2), count: config.makers)

        // Seed the book with every maker's quotes.
        var ctx = OpContext(now: now, interest: PrivateInterest(), collectsReplies: false)
        for mk in 0..<config.makers {
            for s in 0..<config.levelsPerSide * 2 { refresh(maker: mk, slot: s, core: &core, ctx: &ctx, allowCancel: false) }
        }
        core.finishOperation(&ctx)
    }

    private static func participant(_ role: String, _ i: Int, _ c: FlowConfig, _ funding: [String: FixedDecimal]) -> AccountSetup {
        AccountSetup(credentials: SimCredentials(apiKey: "flow-\(c.symbol)-\(role)-\(i)", apiSecret: ""),
                     label: "flow \(role) \(i) \(c.symbol)", balances: funding, fees: .zero)
    }

    /// One action: maybe move the mid, then either a taker trades or a maker refreshes a quote.
    mutating func step(_ core: inout ExchangeCore, _ ctx: inout OpContext) {
        if rng.chance(config.midMoveProbability) {
            mid += rng.chance(0.5) ? tick : -tick
            let floor = tick * Int64(config.halfSpreadTicks + config.levelsPerSide * config.levelSpacingTicks + 10)
            if mid < floor { mid = floor }
        }
        if !takerAccounts.isEmpty && rng.chance(config.takerProbability) {
            take(&core, &ctx)
        } else {
            let mk = rng.below(makerAccounts.count)
            refresh(maker: mk, slot: rng.below(config.levelsPerSide * 2), core: &core, ctx: &ctx, allowCancel: true)
        }
    }

    private mutating func quantity(_ lo: Int64, _ hi: Int64) -> FixedDecimal {
        let lots = lo + Int64(rng.below(Int(hi - lo + 1)))
        return FixedDecimal(mantissa: Int128(lots * lot), scale: quantityScale)
    }

    private mutating func take(_ core: inout ExchangeCore, _ ctx: inout OpContext) {
        let account = takerAccounts[rng.below(takerAccounts.count)]
        let side: Side = rng.chance(0.5) ? .buy : .sell
        let qty = quantity(minLots, maxTakerLots)
        let request: OrderRequest
        if rng.chance(0.5) {
            request = .market(symbol, side, quantity: qty)
        } else {
            // IOC a few ticks through the mid.
            let through = Int64(config.halfSpreadTicks + rng.below(3 * config.levelSpacingTicks + 1)) * tick
            let p = side == .buy ? mid + through : mid - through
            request = .limit(symbol, side, quantity: qty, price: core.engines[engine].inst.price(p), timeInForce: .ioc)
        }
        _ = try? core.place(account, request, &ctx)
    }

    private mutating func refresh(maker mk: Int, slot: Int, core: inout ExchangeCore, ctx: inout OpContext, allowCancel: Bool) {
        let account = makerAccounts[mk]
        let side: Side = slot < config.levelsPerSide ? .buy : .sell
        let level = slot % config.levelsPerSide
        let distance = Int64(config.halfSpreadTicks + level * config.levelSpacingTicks + rng.below(config.levelSpacingTicks)) * tick
        let price = core.engines[engine].inst.price(side == .buy ? mid - distance : mid + distance)
        let qty = quantity(minLots, maxLots)
        let id = slots[mk][slot]
        if id != 0, core.ledger.accounts[account].openOrders[id] != nil {
            if allowCancel && rng.chance(config.cancelProbability) {
                _ = try? core.cancel(account, .id(id), symbol: nil, &ctx)
                slots[mk][slot] = 0
                return
            }
            if (try? core.amend(account, AmendRequest(order: .id(id), newQuantity: qty, newPrice: price), symbol: nil, &ctx)) != nil {
                if core.ledger.accounts[account].openOrders[id] == nil { slots[mk][slot] = 0 }
                return
            }
            _ = try? core.cancel(account, .id(id), symbol: nil, &ctx)
        }
        let placed = try? core.place(account, .limit(symbol, side, quantity: qty, price: price), &ctx)
        slots[mk][slot] = placed.flatMap { core.ledger.accounts[account].openOrders[$0.id] != nil ? $0.id : nil } ?? 0
    }
}
