import HFTCore

/// Renders dashboard rows: a table that refreshes in place on a terminal, or one compact
/// JSON line per venue when the output is not a terminal.
public enum DashboardRenderer {
    static let columns: [(String, Int)] = [
        ("VENUE", 10), ("SYMBOL", 12), ("BID", 22), ("ASK", 22), ("OUR BID", 20), ("OUR ASK", 20),
        ("POS", 12), ("PNL", 12), ("MSG/s", 8), ("RTT p50/p99 µs", 16), ("ORD", 6), ("FILL", 6), ("RSYNC", 6), ("RECON", 6), ("STATE", 12),
    ]

    /// The full screen: cursor home, each line cleared to its end (no flicker), then the fills.
    public static func screen(_ rows: [DashboardRow], elapsedSeconds: Int, title: String) -> String {
        var lines: [String] = []
        lines.append("\(title) — \(elapsedSeconds) s — Ctrl-C to stop")
        lines.append("")
        lines.append(row(columns.map(\.0)))
        lines.append(String(repeating: "─", count: columns.reduce(0) { $0 + $1.1 + 1 }))
        for r in rows {
            lines.append(row([
                r.venue.displayName, r.symbol.description, level(r.bestBid), level(r.bestAsk), level(r.ourBid), level(r.ourAsk),
                short(r.position), short(r.pnl), String(Int(r.messagesPerSecond.rounded())),
                r.latency.count == 0 ? "-" : "\(r.latency.p50)/\(r.latency.p99)",
                String(r.orders), String(r.fills), String(r.resyncs), String(r.reconnects), r.state,
            ]))
        }
        lines.append("")
        lines.append("Recent fills")
        for r in rows {
            let fills = r.recentFills.suffix(3).map { "\($0.side.rawValue) \($0.quantity)@\($0.price) (\($0.liquidity.rawValue))" }
            lines.append("  \(r.venue.displayName.padding(10)) \(fills.isEmpty ? "—" : fills.joined(separator: "  ·  "))")
        }
        return "\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\n\u{1B}[J"
    }

    /// One JSON line per venue for pipes and logs.
    public static func compactLine(_ r: DashboardRow, elapsedSeconds: Int) -> String {
        JSONText.object([
            ("type", "dashboard"), ("t", .int(Int64(elapsedSeconds))), ("venue", .string(r.venue.rawValue)),
            ("symbol", .string(r.symbol.description)),
            ("bid", r.bestBid.map { .decimal($0.price) } ?? .null), ("ask", r.bestAsk.map { .decimal($0.price) } ?? .null),
            ("our_bid", r.ourBid.map { .decimal($0.price) } ?? .null), ("our_ask", r.ourAsk.map { .decimal($0.price) } ?? .null),
            ("position", .decimal(r.position)), ("pnl", .decimal(r.pnl)),
            ("msgs_per_s", .int(Int64(r.messagesPerSecond.rounded()))),
            ("rtt_p50_us", .int(Int64(r.latency.p50))), ("rtt_p99_us", .int(Int64(r.latency.p99))),
            ("orders", .int(Int64(r.orders))), ("fills", .int(Int64(r.fills))),
            ("resyncs", .int(Int64(r.resyncs))), ("reconnects", .int(Int64(r.reconnects))), ("state", .string(r.state)),
        ]).rendered
    }

    static func row(_ cells: [String]) -> String {
        zip(cells, columns).map { $0.padding($1.1) }.joined(separator: " ")
    }

    static func level(_ l: BookLevel?) -> String {
        guard let l else { return "-" }
        return "\(l.price) × \(short(l.quantity))"
    }

    /// A decimal cut to at most 6 fraction digits for display (never used for money maths).
    static func short(_ d: FixedDecimal) -> String {
        d.scale > 6 ? d.rescaled(to: 6).description : d.description
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
    }
}
