import HFTKit

/// The table `hft demo --seconds N` ends with, beside the simulators' own records.
enum DemoSummary {
    /// What the venue's simulator itself recorded for the demo account.
    struct SimRecord {
        let venue: Venue
        let openOrders: Int
        let fills: Int
        init(_ counter: SimFillCounter) {
            venue = counter.venue
            openOrders = counter.account.map { counter.exchange.openOrders($0).count } ?? 0
            fills = counter.fills
        }
    }

    static func table(rows: [DashboardRow], records: [SimRecord], seconds: Int) -> String {
        var lines = ["", "Summary after \(seconds) s", ""]
        let header = ["VENUE", "ORDERS", "FILLS", "SIM FILLS", "POSITION", "PNL", "RTT p50", "RTT p99", "RESYNCS", "RECONNECTS", "OPEN AFTER STOP"]
        let widths = [10, 8, 7, 9, 12, 14, 9, 9, 8, 10, 15]
        func row(_ cells: [String]) -> String { zip(cells, widths).map { $0.padded($1) }.joined(separator: " ") }
        lines.append(row(header))
        for r in rows {
            let rec = records.first { $0.venue == r.venue }
            lines.append(row([r.venue.displayName, String(r.orders), String(r.fills), rec.map { String($0.fills) } ?? "-",
                              r.position.description, r.pnl.description,
                              "\(r.latency.p50) µs", "\(r.latency.p99) µs", String(r.resyncs), String(r.reconnects),
                              rec.map { String($0.openOrders) } ?? "-"]))
        }
        return lines.joined(separator: "\n")
    }

    static func jsonLines(rows: [DashboardRow], records: [SimRecord]) -> [String] {
        rows.map { r in
            let rec = records.first { $0.venue == r.venue }
            return JSONText.object([
                ("type", "summary"), ("venue", .string(r.venue.rawValue)), ("symbol", .string(r.symbol.description)),
                ("orders", .int(Int64(r.orders))), ("fills", .int(Int64(r.fills))),
                ("position", .decimal(r.position)), ("pnl", .decimal(r.pnl)),
                ("rtt_p50_us", .int(Int64(r.latency.p50))), ("rtt_p99_us", .int(Int64(r.latency.p99))),
                ("resyncs", .int(Int64(r.resyncs))), ("reconnects", .int(Int64(r.reconnects))),
                ("sim_fills", .int(Int64(rec?.fills ?? -1))),
                ("sim_open_orders_after_stop", .int(Int64(rec?.openOrders ?? -1))),
            ]).rendered
        }
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

import Synchronization

/// Counts the demo account's fills as the simulator records them.
final class SimFillCounter: Sendable {
    let venue: Venue
    let exchange: SimulatedExchange
    let account: AccountID?
    private let box = CountBox()

    init(venue: Venue, exchange: SimulatedExchange) {
        self.venue = venue
        self.exchange = exchange
        account = exchange.userAccounts().first?.id
        if let account {
            _ = exchange.subscribe(.account(account)) { [box] event in
                if case .fill = event { box.count.add(1, ordering: .relaxed) }
            }
        }
    }

    var fills: Int { box.count.load(ordering: .relaxed) }
}

final class CountBox: Sendable {
    let count = Atomic(0)
}
