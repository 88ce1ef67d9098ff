import HFTCore

/// The `kbar` channel (§3, §4): one push of the slot's current bar per trade batch that
/// changed it, plus the final state of a bar that closed with unpushed changes.
extension LBankSession {
    /// Starts `slot` on `m` from the trades already accounted for (never ahead of the event
    /// stream, so none is counted twice) and, by option, pushes the current bar.
    func subscribeKbar(_ m: LBankMarketState, _ slot: String) {
        let current = LBankKbar.open(context.now(), slot: slot)
        var bar: TradeBar?
        for t in context.exchange.recentTrades(m.market.symbol, limit: 1_000) where t.tradeID <= m.lastTradeID {
            guard LBankKbar.open(t.trade.timestamp, slot: slot) == current else { continue }
            if bar == nil { bar = TradeBar(id: current, t) } else { bar!.add(t) }
        }
        m.kbars[slot] = LBankKbarSlot(bar: bar)
        if options.kbarPushOnSubscribe, let bar { sendKbar(m, slot, bar) }
    }

    func addToKbars(_ m: LBankMarketState, _ t: TradeEvent) {
        for (slot, var s) in m.kbars {
            let id = LBankKbar.open(t.trade.timestamp, slot: slot)
            if let bar = s.bar, bar.id == id {
                s.bar!.add(t)
            } else if s.bar.map({ $0.id < id }) ?? true {
                if s.due, let old = s.bar { m.closedKbars.append((slot, old)) }
                s.bar = TradeBar(id: id, t)
            } else {
                continue  // A trade older than the current bar: already past.
            }
            s.due = true
            m.kbars[slot] = s
        }
    }

    func flushKbars(_ m: LBankMarketState) {
        let closed = m.closedKbars
        m.closedKbars.removeAll(keepingCapacity: true)
        for (slot, bar) in closed { sendKbar(m, slot, bar) }
        for slot in m.kbars.keys.sorted() where m.kbars[slot]!.due {
            m.kbars[slot]!.due = false
            if let bar = m.kbars[slot]!.bar { sendKbar(m, slot, bar) }
        }
    }

    /// `{"kbar":{"a":turnover,"c":…,"t":"<open, UTC+8>","v":base volume,"h":…,"slot":…,"l":…,
    /// "n":count,"o":…},"type":"kbar","pair":…,"SERVER":"V2","TS":…}` — the notes' field order;
    /// prices at the price scale, `v` at the quantity scale, `a` exact (both scales).
    func sendKbar(_ m: LBankMarketState, _ slot: String, _ bar: TradeBar) {
        let now = context.now()
        send(.other) { j, _ in
            j.object { j in
                j.key("kbar")
                j.object { j in
                    j.field("a", number: bar.turnover)
                    j.field("c", number: bar.close)
                    j.field("t", LBankTime.string(bar.id * 1_000_000))
                    j.field("v", number: bar.volume)
                    j.field("h", number: bar.high)
                    j.field("slot", slot)
                    j.field("l", number: bar.low)
                    j.field("n", bar.count)
                    j.field("o", number: bar.open)
                }
                j.field("type", "kbar")
                j.field("pair", m.market.pair)
                Self.writeTrailer(&j, now)
            }
        }
    }
}
