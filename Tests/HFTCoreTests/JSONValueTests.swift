import Foundation
import Testing
@testable import HFTCore

@Suite struct JSONValueTests {
    func withValue<R>(_ text: String, _ body: (JSONValue) throws -> R) throws -> R {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in try body(try JSONValue.parse(raw)) }
    }

    @Test func readsKrakenBookUpdate() throws {
        let frame = #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000}],"asks":[],"checksum":3310070434,"timestamp":"2023-10-06T17:35:55.440295Z"}]}"#
        try withValue(frame) { v in
            #expect(v["channel"]?.stringEquals("book") == true)
            let data = try #require(try v.member("data")?.element(0))
            #expect(data["symbol"]?.string == "BTC/USD")
            #expect(data["checksum"]?.int64 == 3_310_070_434)
            let bid = try #require(try data["bids"]?.element(0))
            #expect(bid["price"]?.decimal?.description == "45283.5")
            #expect(bid["qty"]?.decimal?.description == "0.10000000")
            let asks = try data["asks"]?.count
            #expect(asks == 0)
            #expect(data["missing"] == nil)
        }
    }

    /// Walking a validated document (fast skips) sees exactly what a lazily validated walk sees.
    @Test func validatedAndLazyWalksAgree() throws {
        let frames = [
            #"{"a":[{"b":"x\"]}","c":[1,[2,{"d":"}"}]]}],"e":{"f":{"g":[true,false,null]}},"h":-1.5e3}"#,
            #"[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015}]"#,
        ]
        func flatten(_ v: JSONValue, into out: inout [String]) throws(JSONError) {
            switch v.kind {
            case .object: try v.forEachMember { (n, m) throws(JSONError) -> Bool in out.append(JSONValue.unescape(n)); try flatten(m, into: &out); return true }
            case .array: try v.forEachElement { (e) throws(JSONError) -> Bool in try flatten(e, into: &out); return true }
            default: out.append(String(decoding: v.rawBytes, as: UTF8.self))
            }
        }
        for f in frames {
            let bytes = Array(f.utf8)
            try bytes.withUnsafeBytes { raw in
                var fast: [String] = [], lazy: [String] = []
                let validated = try JSONValue.parse(raw)
                #expect(validated.validated)
                try flatten(validated, into: &fast)
                try flatten(try JSONValue.root(raw), into: &lazy)
                #expect(fast == lazy)
                #expect(!fast.isEmpty)
            }
        }
    }

    @Test func stringsAndEscapes() throws {
        try withValue(#"{"a":"x\"y\\z\n\u00e9\ud83d\ude00","b":true,"c":null,"d":-12,"e":[1,[2,{"f":3}]]}"#) { v in
            #expect(v["a"]?.string == "x\"y\\z\né😀")
            #expect(v["b"]?.bool == true)
            #expect(v["c"]?.isNull == true)
            #expect(v["d"]?.int64 == -12)
            let n = try v["e"]?.count
            #expect(n == 2)
        }
    }

    @Test func malformedInputThrowsTypedErrors() {
        let bad = ["", "{", "{\"a\"", "{\"a\":}", "{\"a\":1,}", "[1,2", "[1 2]", "\"abc", "tru", "nul", "-", "1.", "1e",
                   "{\"a\":\"\u{01}\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{1:2}", "[1]]", String(repeating: "[", count: 200) + String(repeating: "]", count: 200)]
        for text in bad {
            #expect(throws: JSONError.self, "\(text)") { try withValue(text) { _ in } }
        }
    }

    /// Fuzz: random mutations of valid frames never crash; each parse either succeeds or throws JSONError,
    /// and whatever parses agrees with Foundation's JSONSerialization about validity.
    @Test func fuzzMutationsNeverCrash() throws {
        let seeds = [
            #"{"channel":"book","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.1}],"checksum":1}]}"#,
            #"{"e":"depthUpdate","E":1,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}"#,
            #"{"method":"depth.update","params":[true,{"asks":[["11702.01","0.001"]],"bids":[]},"BTC_USDT"],"id":null}"#,
        ]
        var rng = SeededRandom(seed: 7)
        var agreed = 0, checked = 0
        var disagreements: [String] = []
        for i in 0..<30_000 {
            var bytes = Array(seeds[i % seeds.count].utf8)
            for _ in 0..<(1 + rng.below(4)) {
                let pos = rng.below(bytes.count)
                switch rng.below(3) {
                case 0: bytes[pos] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: pos)
                default:
                    let specials = Array("{}[]\":,0\\".utf8)
                    bytes.insert(specials[rng.below(specials.count)], at: pos)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            let ours: Bool = bytes.withUnsafeBytes { raw in
                guard let v = try? JSONValue.parse(raw) else { return false }
                // Walk everything: lookups on a parsed value must never fail.
                func walk(_ v: JSONValue) {
                    if v.kind == .object { try? v.forEachMember { _, m in walk(m); return true } }
                    if v.kind == .array { try? v.forEachElement { e in walk(e); return true } }
                    _ = v.decimal; _ = v.string
                }
                walk(v)
                return true
            }
            let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
            // Byte-level UTF-8 checks belong to the transport; on valid UTF-8 both parsers must agree exactly.
            guard UTF8Validation.isValid(bytes) else { continue }
            checked += 1
            // Foundation tolerates trailing commas; RFC 8259 (and we) do not. We are never looser.
            if ours == foundation || (!ours && hasTrailingComma(bytes)) { agreed += 1 } else if disagreements.count < 5 { disagreements.append(String(decoding: bytes, as: UTF8.self)) }
            // A frame we accept must be JSON (we may reject more: invalid UTF-8 inside strings is allowed by us).
            if ours && !foundation {
                #expect(!UTF8Validation.isValid(bytes), "accepted invalid JSON: \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(checked > 15_000)
        #expect(agreed == checked, "\(disagreements)")
    }
}

@Suite struct UTF8ValidationTests {
    @Test func agreesWithTheStandardLibrary() {
        var rng = SeededRandom(seed: 3)
        let samples: [[UInt8]] = [Array("plain ascii text, long enough to use the fast path".utf8), Array("é😀中".utf8),
                                  [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF]]
        #expect(UTF8Validation.isValid(samples[0]))
        #expect(UTF8Validation.isValid(samples[1]))
        for bad in samples[2...] { #expect(!UTF8Validation.isValid(bad)) }
        for _ in 0..<20_000 {
            let n = rng.below(24)
            var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if rng.below(2) == 0 { bytes = bytes.map { $0 & 0x7F } + Array("ü".utf8) }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(UTF8Validation.isValid(bytes) == expected)
        }
    }
}

func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
    let text = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
    return text.contains(",]") || text.contains(",}")
}
