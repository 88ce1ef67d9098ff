/// Outbound frames (fmex.md §3, §4): `{"cmd":…,"args":[…],"id":…}` as valid JSON text frames.
import HFTCore

/// One topic: `depth-delta.L20.btcusd_p`, `trade.btcusd_p`, `ticker.btcusd_p`, `account`,
/// `order.btcusd_p`, `position.btcusd_p`.
public struct FMexTopic: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public init(_ name: String) { self.name = name }

    public static func depth(_ symbol: String, level: Int, delta: Bool) -> FMexTopic {
        FMexTopic((delta ? "depth-delta" : "depth") + ".L\(level)." + symbol)
    }
    public static func trade(_ symbol: String) -> FMexTopic { FMexTopic("trade." + symbol) }
    public static func ticker(_ symbol: String) -> FMexTopic { FMexTopic("ticker." + symbol) }
    /// `candle.M1.btcusd_p`.
    public static func candle(_ resolution: String, _ symbol: String) -> FMexTopic { FMexTopic("candle." + resolution + "." + symbol) }
    public static let account = FMexTopic("account")
    public static func order(_ symbol: String) -> FMexTopic { FMexTopic("order." + symbol) }
    public static func position(_ symbol: String) -> FMexTopic { FMexTopic("position." + symbol) }

    /// The id our `sub` carries, so an error reply names the topic.
    public var subscribeID: String { "sub." + name }
    public var description: String { name }
}

public enum FMexRequest {
    /// `{"cmd":"sub","args":["topic"],"id":"sub.topic"}`.
    public static func subscribe(_ t: FMexTopic) -> String { command("sub", [.string(t.name)], id: t.subscribeID) }
    public static func unsubscribe(_ t: FMexTopic) -> String { command("unsub", [.string(t.name)], id: "unsub." + t.name) }

    /// `{"cmd":"ping","args":[ms],"id":"ping.N"}`.
    public static func ping(milliseconds: Int64, id: String) -> String { command("ping", [.int(milliseconds)], id: id) }

    /// `{"cmd":"req","args":["trade.btcusd_p",20],"id":…}`.
    public static func request(_ t: FMexTopic, limit: Int, id: String) -> String {
        command("req", [.string(t.name), .int(Int64(limit))], id: id)
    }

    public static func command(_ cmd: String, _ args: [JSONText], id: String) -> String {
        JSONText.object([("cmd", .string(cmd)), ("args", .array(args)), ("id", .string(id))]).rendered
    }
}
