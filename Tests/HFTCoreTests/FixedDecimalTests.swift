import Foundation
import Testing
@testable import HFTCore

@Suite struct FixedDecimalTests {
    @Test func keepsScaleAndPrintsBack() throws {
        for text in ["0.00100000", "45285.2", "0", "0.0", "-1.50", "100", "1.00000000", "123456789012345678.12345678901234567"] {
            let d = try #require(FixedDecimal(text))
            #expect(d.description == text)
        }
        #expect(D("0.00100000")?.scale == 8)
        #expect(D("0.00100000")?.mantissa == 100_000)
    }

    @Test func roundTripsEveryDecimalInTheProtocolNotes() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/protocol-decimals", withExtension: "txt"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count > 50)
        for text in lines {
            let d = try #require(FixedDecimal(text), "\(text)")
            #expect(d.description == text)
        }
    }

    @Test func rejectsNonDecimals() {
        for bad in ["", "-", ".", "1.", ".5", "1..2", "1.2.3", "abc", "1e", "1e+", "--1", "1-2", "0x10", " 1", "1 ", "NaN", "Infinity"] {
            #expect(FixedDecimal(bad) == nil, "\(bad)")
        }
        #expect(FixedDecimal(String(repeating: "9", count: 39)) == nil)
    }

    @Test func exponentFormsFoldIntoScale() throws {
        #expect(D("1.5e-5")?.description == "0.000015")
        #expect(D("1.5E3")?.description == "1500")
        #expect(D("2.50e1")?.description == "25.0")
    }

    @Test func comparesAcrossScales() {
        let a: FixedDecimal = "1.0", b: FixedDecimal = "1.00", c: FixedDecimal = "1.01"
        #expect(a == b)
        #expect(!a.isIdentical(to: b))
        #expect(a.hashValue == b.hashValue)
        #expect(a < c && b < c)
        #expect(D("-0.5")! < D("0.1")!)
    }

    @Test func arithmeticIsExact() {
        #expect((D("0.1")! + D("0.2")!).description == "0.3")
        #expect((D("1.10")! - D("0.1")!).description == "1.00")
        #expect((D("45285.2")! * D("0.00100000")!).description == "45.285200000")
        #expect(D("10")!.divided(by: D("3")!, scale: 4)?.description == "3.3333")
        #expect(D("2")!.divided(by: D("3")!, scale: 2)?.description == "0.67")
        #expect(D("1")!.divided(by: .zero, scale: 2) == nil)
        #expect(D("0.125")!.rescaled(to: 2).description == "0.12")
        #expect(D("0.135")!.rescaled(to: 2).description == "0.14")
        #expect(D("-0.125")!.rescaled(to: 2, rounding: .down).description == "-0.13")
        #expect(D("45285.20")!.isMultiple(of: "0.1"))
        #expect(!D("45285.25")!.isMultiple(of: "0.1"))
        #expect(D("1.2300")!.normalized.description == "1.23")
    }

    /// Property: any canonical decimal text parses and prints back byte for byte; ordering
    /// agrees with exact integer comparison at a common scale; a + b - b == a.
    @Test func propertyParsePrintCompare() throws {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<20_000 {
            let a = rng.decimalText(), b = rng.decimalText()
            let da = try #require(FixedDecimal(a)), db = try #require(FixedDecimal(b))
            #expect(da.description == a)
            let s = max(da.scale, db.scale)
            let ma = da.rescaled(to: s).mantissa, mb = db.rescaled(to: s).mantissa
            #expect((da < db) == (ma < mb))
            #expect((da == db) == (ma == mb))
            #expect((da + db - db) == da)
            #expect(FixedDecimal(da.description)!.isIdentical(to: da))
        }
    }
}

/// Decimal texts for the property tests.
extension SeededRandom {
    /// Canonical decimal text: optional '-', no leading zeros, 0…12 fraction digits.
    mutating func decimalText() -> String {
        let intDigits = 1 + below(12)
        var s = below(4) == 0 ? "-" : ""
        var int = String(1 + below(9))
        for _ in 1..<intDigits { int += String(below(10)) }
        if below(3) == 0 { int = "0" }
        s += int
        let frac = below(13)
        if frac > 0 {
            s += "."
            for _ in 0..<frac { s += String(below(10)) }
        }
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }  // no negative zero
        return s
    }
}

/// Parses at run time (a literal argument to `FixedDecimal(…)` would be a literal coercion that traps).
func D(_ text: String) -> FixedDecimal? { FixedDecimal(text) }
