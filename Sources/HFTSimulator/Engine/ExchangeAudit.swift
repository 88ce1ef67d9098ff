import HFTCore

extension ExchangeCore {
    /// Every broken invariant, described; empty when the state is consistent.
    func audit() -> [String] {
        var problems: [String] = []
        var reserved = ledger.accounts.map { _ in Array(repeating: Int128(0), count: ledger.assets.count) }
        for e in engines {
            let inst = e.inst
            for side in [Side.buy, .sell] {
                let b = e.book(side)
                var previous: Int64?
                for level in b.levels {
                    if let previous, b.isBid ? level.price <= previous : level.price >= previous {
                        problems.append("\(inst.spec.symbol) \(side): levels out of order at \(level.price)")
                    }
                    previous = level.price
                    var total: Int64 = 0
                    for o in level.orders[level.head...] {
                        total += o.remaining
                        if o.remaining <= 0 { problems.append("order \(o.id) rests with remaining \(o.remaining)") }
                        if o.price != level.price || o.side != side { problems.append("order \(o.id) in the wrong level") }
                        if e.locator[o.id] == nil { problems.append("order \(o.id) missing from the locator") }
                        if ledger.accounts[o.account].openOrders[o.id] != inst.index {
                            problems.append("order \(o.id) missing from its account's open orders")
                        }
                        if o.reserved != ledger.reserveNeeded(inst, o) {
                            problems.append("order \(o.id) reserves \(o.reserved), needs \(ledger.reserveNeeded(inst, o))")
                        }
                        reserved[o.account][inst.reserveAsset(side)] += o.reserved
                    }
                    if total != level.total { problems.append("\(inst.spec.symbol) level \(level.price): total \(level.total) ≠ Σ \(total)") }
                    if level.isEmpty { problems.append("\(inst.spec.symbol) level \(level.price) is empty") }
                }
            }
            if let bid = e.bids.bestPrice, let ask = e.asks.bestPrice, bid >= ask {
                problems.append("\(inst.spec.symbol) book crossed: \(bid) ≥ \(ask)")
            }
            if e.locator.count != e.bids.levels.reduce(0, { $0 + $1.orders.count - $1.head }) + e.asks.levels.reduce(0, { $0 + $1.orders.count - $1.head }) {
                problems.append("\(inst.spec.symbol) locator has stale entries")
            }
        }
        for (i, a) in ledger.accounts.enumerated() {
            for (id, ei) in a.openOrders where engines[ei].locator[id] == nil {
                problems.append("account \(i) lists order \(id) that is not in the book")
            }
            for (c, id) in a.clientIDs where a.openOrders[id] == nil {
                problems.append("account \(i) client id \(c) points at closed order \(id)")
            }
            for (ei, p) in a.positions { reserved[i][engines[ei].inst.settle] += p.margin }
            for asset in ledger.assets.indices {
                let name = ledger.assets[asset].name
                if a.available[asset] < 0 { problems.append("account \(i) \(name) available \(a.available[asset]) < 0") }
                if a.frozen[asset] != reserved[i][asset] {
                    problems.append("account \(i) \(name) frozen \(a.frozen[asset]) ≠ reserved \(reserved[i][asset])")
                }
            }
        }
        for asset in ledger.assets.indices where ledger.feePool[asset] < 0 {
            problems.append("fee pool \(ledger.assets[asset].name) negative")
        }
        return problems
    }
}

extension SimulatedExchange {
    /// Broken invariants (negative balances, frozen ≠ reserves of open orders + position margins,
    /// level totals, crossed books, stale indexes), described; empty when consistent.
    public func audit() -> [String] { read { $0.core.audit() } }
}
