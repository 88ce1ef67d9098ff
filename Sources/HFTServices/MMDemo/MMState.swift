import HFTCore
import HFTVenues

/// One of our resting quotes.
struct Quote: Sendable {
    var clientID: String
    var orderID: String?
    var price: FixedDecimal
    /// A request about this quote is on its way; no new decision until it answers.
    var inFlight: Bool
}

enum QuoteAction: Sendable {
    case place(Side, FixedDecimal, String)
    case amend(Side, String, FixedDecimal)
    case cancel(Side, String)
}

/// The market maker's books: quotes, inventory, cash, fills, counters.
struct MMState: Sendable {
    var quotes: [Side: Quote] = [:]
    var position = FixedDecimal.zero
    /// Quote currency for spot; for inverse perpetuals, settlement currency (Σ ±q/p).
    var cash = FixedDecimal.zero
    var fees = FixedDecimal.zero
    var fills: [Fill] = []
    var fillCount = 0
    var requests = 0
    var bookUpdates = 0
    var resyncs = 0
    var reconnects = 0
    var mid: FixedDecimal?
    var bestBid: BookLevel?
    var bestAsk: BookLevel?
    var connection = "starting"
    var stopping = false
    /// Requests written whose result has not come back (stop waits for them before cancel-all).
    var sending = 0
    /// Cleared when the venue answers that it has no post-only flag; quotes then go as plain limits.
    var postOnly = true
    var nextClientID = 0
    var rateMark: (time: UInt64, count: Int) = (0, 0)

    mutating func plan(_ side: Side, target: FixedDecimal, allowed: Bool, size: FixedDecimal, threshold: FixedDecimal) -> [QuoteAction] {
        if let q = quotes[side] {
            guard !q.inFlight, let id = q.orderID else { return [] }
            if !allowed {
                quotes[side]?.inFlight = true
                return [.cancel(side, id)]
            }
            guard (q.price - target).magnitude >= threshold else { return [] }
            quotes[side]?.inFlight = true
            return [.amend(side, id, target)]
        }
        guard allowed else { return [] }
        nextClientID += 1
        let clientID = "mm\(side == .buy ? "b" : "s")\(nextClientID)"
        quotes[side] = Quote(clientID: clientID, orderID: nil, price: target, inFlight: true)
        return [.place(side, target, clientID)]
    }

    mutating func record(_ r: OrderResult) { requests += 1 }

    mutating func apply(_ o: Order) {
        for side in [Side.buy, .sell] {
            guard let q = quotes[side], q.orderID == o.orderID || (o.clientOrderID != nil && q.clientID == o.clientOrderID) else { continue }
            if o.status.isFinal { quotes[side] = nil } else if q.orderID == nil { quotes[side]?.orderID = o.orderID }
        }
    }

    mutating func apply(_ f: Fill, perpetual: Bool) {
        fills.append(f)
        if fills.count > 50 { fills.removeFirst(fills.count - 50) }
        fillCount += 1
        let signed = f.side == .buy ? f.quantity : -f.quantity
        position += signed
        if perpetual {
            if let v = f.quantity.divided(by: f.price, scale: 12) { cash += f.side == .buy ? v : -v }
            fees += f.fee
        } else {
            cash -= signed * f.price
            if f.feeCurrency == f.symbol.base { position -= f.fee } else { fees += f.fee }
        }
    }

    /// Realized plus marked-to-mid PnL (quote currency; settlement currency for perpetuals).
    func pnl(perpetual: Bool) -> FixedDecimal {
        guard let mid else { return cash - fees }
        if perpetual {
            let open = position.divided(by: mid, scale: 12) ?? .zero
            return (cash - open - fees).rescaled(to: 8)
        }
        return (cash + position * mid - fees).rescaled(to: mid.scale + 2)
    }
}
