import Foundation
import HFTCore
@testable import HFTVenues

/// Shared helpers for the Kraken tests.
enum KrakenTestSupport {
    /// BTC/USD precision (price 1 dp, qty 8 dp).
    static let btcusd = KrakenPrecision(price: 1, qty: 8)

    static func decode(_ text: String) throws -> KrakenInbound {
        try KrakenDecoder.decode(text)
    }

    static func fixture(_ name: String, _ ext: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "Fixtures/kraken/\(name)", withExtension: ext) else {
            throw HFTError.configuration("missing fixture \(name).\(ext)")
        }
        return Array(try Data(contentsOf: url))
    }

    /// Every message of the recorded book stream (snapshot first), each decoded from its own
    /// byte range of the file, as a frame would arrive.
    static func recordedBookStream() throws -> [KrakenBookMessage] {
        let bytes = try fixture("book-v2-btcusd-recorded", "json")
        return try bytes.withUnsafeBytes { raw -> [KrakenBookMessage] in
            let root = try JSONValue.parse(raw)
            var frames: [UnsafeRawBufferPointer] = []
            func frame(_ v: JSONValue) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[v.start..<v.end]) }
            guard let initial = try root.member("init"), let updates = try root.member("updates") else {
                throw HFTError.configuration("fixture shape")
            }
            frames.append(frame(initial))
            try updates.forEachElement { v in frames.append(frame(v)); return true }
            return try frames.map { f in
                guard case .book(let m) = try KrakenDecoder.decode(f) else { throw HFTError.configuration("not a book frame") }
                return m
            }
        }
    }
}
