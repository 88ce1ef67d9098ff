/// The pairs and assets a client knows, keyed by v2 code; a snapshot replaces, an update upserts.
import HFTCore

public struct KrakenInstruments: Sendable, Hashable {
    public private(set) var pairs: [String: KrakenInstrument] = [:]
    public private(set) var assets: [String: KrakenAsset] = [:]

    public init(pairs: [KrakenInstrument] = [], assets: [KrakenAsset] = []) {
        for p in pairs { self.pairs[p.symbol] = p }
        for a in assets { self.assets[a.id] = a }
    }

    public subscript(symbol: String) -> KrakenInstrument? { pairs[symbol] }

    public func precision(for symbol: String) -> KrakenPrecision? { pairs[symbol]?.precision }

    public mutating func insert(_ pair: KrakenInstrument) { pairs[pair.symbol] = pair }
    public mutating func insert(_ asset: KrakenAsset) { assets[asset.id] = asset }

    /// Applies an `instrument` channel message.
    public mutating func apply(_ message: KrakenInstrumentMessage) {
        if message.type == .snapshot {
            pairs.removeAll(keepingCapacity: true)
            assets.removeAll(keepingCapacity: true)
        }
        for p in message.pairs { pairs[p.symbol] = p }
        for a in message.assets { assets[a.id] = a }
    }
}
