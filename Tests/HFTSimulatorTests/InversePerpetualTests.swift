import HFTCore
import Testing
import HFTSimulator

@Suite("Inverse perpetual")
struct InversePerpetualTests {
    let perp: Symbol = "BTC/USD:BTC"

    func exchange() throws -> SimulatedExchange {
        var config = ExchangeConfig.preset(for: .fmex)   // BTC scale 12, leverage 20, taker 0.045 %, maker 0
        config.flows = []
        config.accounts = (1...3).map { AccountSetup(credentials: .simDefault($0), balances: ["BTC": "10"]) }
        return try SimulatedExchange(config: config, clock: ManualClock(autoAdvanceMicros: 1))
    }

    /// Worked example:
    /// 1. alice buys 1000 contracts at 10000 from bob: value 1000/10000 = 0.1 BTC each side,
    ///    margin 0.1/20 = 0.005, alice (taker) pays 0.1 × 0.00045 = 0.000045 fee.
    /// 2. alice sells 1000 at 12500 to carol: PnL = 1000 × (1/10000 − 1/12500) = 0.02 BTC,
    ///    fee 0.08 × 0.00045 = 0.000036 → alice ends with 10 − 0.000045 − 0.000036 + 0.02 = 10.019919.
    /// 3. bob buys 1000 back at 12500 from carol: bob loses 0.02 and pays 0.000036; carol is flat at 0.
    @Test func workedExample() throws {
        let ex = try exchange()
        let start = ex.totals()
        try ex.limit(bob, .sell, "1000", at: "10000.0", symbol: perp)
        #expect(ex.frozen(bob, "BTC") == FixedDecimal("0.005045"))    // margin + max fee, reserved
        try ex.limit(alice, .buy, "1000", at: "10000.0", symbol: perp)

        let a = try #require(ex.positions(alice).first)
        #expect(a.quantity == FixedDecimal("1000"))
        #expect(a.entryPrice == FixedDecimal("10000"))
        #expect(a.margin == FixedDecimal("0.005") && a.leverage == FixedDecimal("20"))
        #expect(a.bankruptcyPrice?.description == "9523.80952")       // 1000 / (0.1 + 0.005)
        #expect(a.liquidationPrice?.description == "9569.37799")      // 1000 / (0.1 + 0.005 − 0.0005)
        #expect(ex.available(alice, "BTC") == FixedDecimal("9.994955"))
        #expect(ex.frozen(alice, "BTC") == FixedDecimal("0.005"))

        let b = try #require(ex.positions(bob).first)
        #expect(b.quantity == FixedDecimal("-1000"))
        #expect(b.bankruptcyPrice?.description == "10526.31579")      // 1000 / (0.1 − 0.005)
        #expect(b.liquidationPrice?.description == "10471.20419")     // 1000 / (0.1 − 0.005 + 0.0005)
        #expect(ex.available(bob, "BTC") == FixedDecimal("9.995"))

        try ex.limit(carol, .buy, "1000", at: "12500.0", symbol: perp)
        let r = try ex.limit(alice, .sell, "1000", at: "12500.0", symbol: perp)
        #expect(r.fills.first?.quoteQuantity == FixedDecimal("0.08"))
        #expect(r.fills.first?.fill.fee == FixedDecimal("0.000036"))
        let closed = try #require(ex.positions(alice).first)
        #expect(closed.quantity.isZero && closed.entryPrice == nil)
        #expect(closed.realizedPnL == FixedDecimal("0.02"))
        #expect(ex.available(alice, "BTC") == FixedDecimal("10.019919"))
        #expect(ex.frozen(alice, "BTC") == .zero)
        #expect(ex.settlementPool()["BTC"] == FixedDecimal("-0.02"))   // bob's open loss backs it
        #expect(ex.totals() == start)

        try ex.limit(carol, .sell, "1000", at: "12500.0", symbol: perp)
        try ex.limit(bob, .buy, "1000", at: "12500.0", symbol: perp)
        #expect(ex.available(bob, "BTC") == FixedDecimal("9.979964"))
        #expect(ex.positions(bob).first?.realizedPnL == FixedDecimal("-0.02"))
        #expect(ex.available(carol, "BTC") == FixedDecimal("10"))
        #expect(ex.positions(carol).first?.realizedPnL == FixedDecimal("0"))
        #expect(ex.settlementPool()["BTC"] == .zero)
        #expect(ex.collectedFees()["BTC"] == FixedDecimal("0.000117"))
        #expect(ex.totals() == start)
        #expect(ex.audit().isEmpty)
    }

    @Test func positionEventsAndFlip() throws {
        let ex = try exchange()
        let rec = record(ex, .account(alice))
        try ex.limit(bob, .sell, "1000", at: "10000.0", symbol: perp)
        try ex.limit(alice, .buy, "1000", at: "10000.0", symbol: perp)
        try ex.limit(carol, .buy, "3000", at: "10000.0", symbol: perp)
        try ex.limit(alice, .sell, "3000", at: "10000.0", symbol: perp)   // closes 1000, opens 2000 short
        let p = try #require(ex.positions(alice).first)
        #expect(p.quantity == FixedDecimal("-2000"))
        #expect(p.entryPrice == FixedDecimal("10000"))
        #expect(p.margin == FixedDecimal("0.01"))
        #expect(p.realizedPnL.isZero)
        let positions = rec.events.compactMap { if case .position(let e) = $0 { e.position.quantity } else { nil } }
        #expect(positions == [FixedDecimal("1000"), FixedDecimal("-2000")])
        #expect(ex.audit().isEmpty)
    }

    @Test func leverage() throws {
        let ex = try exchange()
        try ex.setLeverage(alice, symbol: perp, leverage: "50")
        #expect(rejection { try ex.setLeverage(alice, symbol: perp, leverage: "0") } == .invalidLeverage)
        #expect(rejection { try ex.setLeverage(alice, symbol: perp, leverage: "101") } == .invalidLeverage)
        try ex.limit(alice, .buy, "1000", at: "10000.0", symbol: perp)
        #expect(ex.frozen(alice, "BTC") == FixedDecimal("0.002045"))   // 0.1/50 + fee reserve
        #expect(rejection { try ex.setLeverage(alice, symbol: perp, leverage: "10") } == .leverageLocked)
        #expect(rejection { try ex.limit(alice, .buy, "100000000", at: "10000.0", symbol: perp) } == .insufficientBalance(asset: "BTC"))
        #expect(rejection { try ex.limit(alice, .buy, "1.5", at: "10000.0", symbol: perp) } == .quantityNotOnLot(lotSize: "1"))
        #expect(rejection { try ex.limit(alice, .buy, "1", at: "10000.3", symbol: perp) } == .priceNotOnTick(tickSize: "0.5"))
    }
}
