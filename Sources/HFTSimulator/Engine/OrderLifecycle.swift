import HFTCore

/// Opening and closing orders: account indexes, reserves, history and private events.
extension MatchingEngine {
    func view(_ o: OrderRecord, _ ledger: Ledger) -> SimOrder {
        let fa = inst.feeAsset(o.side)
        return inst.simOrder(o, feeAssetName: ledger.assets[fa].name, feeScale: ledger.assets[fa].scale)
    }

    func emitOrder(_ kind: OrderEventKind, _ o: OrderRecord, _ ledger: Ledger, _ ctx: inout OpContext,
                   reject: RejectReason? = nil) {
        guard ctx.interest.wants(o.account) else { return }
        ctx.events.append(.order(SimOrderEvent(kind: kind, order: view(o, ledger), rejectReason: reject)))
    }

    /// Registers a newly accepted order with its account and announces it.
    func accept(_ o: OrderRecord, _ ledger: inout Ledger, _ ctx: inout OpContext) {
        ledger.accounts[o.account].openOrders[o.id] = inst.index
        if let c = o.clientOrderID { ledger.accounts[o.account].clientIDs[c] = o.id }
        emitOrder(.new, o, ledger, &ctx)
    }

    /// Ends an order that is no longer in the book: releases its reserve, drops it from the
    /// account's indexes, records it in the history and announces it.
    func finish(_ o: inout OrderRecord, _ status: OrderStatus, _ reason: OrderEndReason?,
                _ ledger: inout Ledger, _ ctx: inout OpContext) {
        o.status = status
        o.endReason = status == .filled ? nil : reason
        o.updatedAt = ctx.now
        ledger.releaseReserve(inst, &o)
        ledger.accounts[o.account].openOrders.removeValue(forKey: o.id)
        if let c = o.clientOrderID, ledger.accounts[o.account].clientIDs[c] == o.id {
            ledger.accounts[o.account].clientIDs.removeValue(forKey: c)
        }
        if !ledger.accounts[o.account].isParticipant {
            ledger.accounts[o.account].history.record(view(o, ledger))
        }
        let kind: OrderEventKind = switch status {
        case .filled: .filled
        case .canceled: .canceled
        default: .expired
        }
        emitOrder(kind, o, ledger, &ctx)
    }
}
