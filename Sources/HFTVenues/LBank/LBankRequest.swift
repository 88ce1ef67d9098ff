/// Client → server messages (lbank.md §2, §3). Every message is one JSON text frame; there is
/// no request id and no subscribe acknowledgement.
import HFTCore

public enum LBankRequest {
    /// The channels this client subscribes to.
    public enum Channel: Sendable, Hashable {
        case depth(pair: String, levels: Int)
        case trade(pair: String)
        case tick(pair: String)
        case kbar(pair: String, interval: String)
        case orderUpdate(pair: String)
        case assetUpdate

        /// Identity for the connection's subscription table.
        public var key: String {
            switch self {
            case .depth(let p, _): "depth:" + p
            case .trade(let p): "trade:" + p
            case .tick(let p): "tick:" + p
            case .kbar(let p, let i): "kbar:\(i):" + p
            case .orderUpdate(let p): "orderUpdate:" + p
            case .assetUpdate: "assetUpdate"
            }
        }

        public var isPrivate: Bool {
            switch self {
            case .orderUpdate, .assetUpdate: true
            default: false
            }
        }
    }

    /// The depths the venue serves.
    public static let depthLevels = [10, 50, 100]

    /// The smallest served depth covering `n` levels (100 beyond).
    public static func depthLevel(for n: Int) -> Int { depthLevels.first { $0 >= n } ?? 100 }

    /// `{"action":"subscribe","subscribe":…}`; private channels carry `subscribeKey`.
    public static func subscribe(_ c: Channel, subscribeKey: String? = nil) -> String { render("subscribe", c, subscribeKey) }

    /// The same object with `"action":"unsubscribe"`.
    public static func unsubscribe(_ c: Channel, subscribeKey: String? = nil) -> String { render("unsubscribe", c, subscribeKey) }

    /// One-shot depth snapshot request.
    public static func requestDepth(pair: String, levels: Int) -> String {
        JSONText.object([("action", "request"), ("request", "depth"), ("depth", .string(String(levels))), ("pair", .string(pair))]).rendered
    }

    public static func ping(_ id: String) -> String { JSONText.object([("action", "ping"), ("ping", .string(id))]).rendered }
    public static func pong(_ id: String) -> String { JSONText.object([("action", "pong"), ("pong", .string(id))]).rendered }

    static func render(_ action: String, _ c: Channel, _ key: String?) -> String {
        var f: [(String, JSONText)] = [("action", .string(action))]
        switch c {
        case .depth(let p, let n):
            f += [(action, "depth"), ("depth", .string(String(n))), ("pair", .string(p))]
        case .trade(let p):
            f += [(action, "trade"), ("pair", .string(p))]
        case .tick(let p):
            f += [(action, "tick"), ("pair", .string(p))]
        case .kbar(let p, let i):
            f += [(action, "kbar"), ("kbar", .string(i)), ("pair", .string(p))]
        case .orderUpdate(let p):
            f += [(action, "orderUpdate"), ("subscribeKey", .string(key ?? "")), ("pair", .string(p))]
        case .assetUpdate:
            f += [(action, "assetUpdate"), ("subscribeKey", .string(key ?? ""))]
        }
        return JSONText.object(f).rendered
    }
}
