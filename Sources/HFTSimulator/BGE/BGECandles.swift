import HFTCore

/// One `candles` bar (§5) in BGE's shape.
extension TradeBar {
    func writeBGECandle(_ j: inout KrakenJSON, seq: Int64) {
        j.object { j in
            j.field("id", id)
            j.field("open", quoted: open)
            j.field("close", quoted: close)
            j.field("high", quoted: high)
            j.field("low", quoted: low)
            j.field("filled_size", quoted: turnover)
            j.field("vol", quoted: volume)
            j.field("count", count)
            j.field("seq_id", seq)
        }
    }
}

/// Candle intervals (§5; `1hour` accepted as `60min`). `1mon` is not served (README).
enum BGECandles {
    static let seconds: [String: Int64] = [
        "1min": 60, "5min": 300, "15min": 900, "30min": 1_800, "60min": 3_600, "1hour": 3_600,
        "4hour": 14_400, "1day": 86_400, "1week": 604_800,
    ]

    /// The bar open time (seconds) of a trade at `micros`; weeks start on Monday (UTC).
    static func bucket(_ micros: Timestamp, interval: Int64) -> Int64 {
        TradeBar.openTime(micros / 1_000_000, interval: interval)
    }

    /// Bars of `trades` (oldest first) in `[from, to]` seconds, oldest first.
    static func bars(_ trades: [TradeEvent], interval: Int64, from: Int64 = .min, to: Int64 = .max) -> [TradeBar] {
        var out: [TradeBar] = []
        for t in trades {
            let id = bucket(t.trade.timestamp, interval: interval)
            guard id >= from - interval + 1, id <= to else { continue }
            if let last = out.last, last.id == id { out[out.count - 1].add(t) } else { out.append(TradeBar(id: id, t)) }
        }
        return out
    }
}
