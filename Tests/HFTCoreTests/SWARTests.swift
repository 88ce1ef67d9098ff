import Testing
@testable import HFTCore

/// The eight-byte masks against a byte-by-byte reference: the first flagged byte must be the
/// first byte the scan has to stop at, whatever the other seven bytes hold.
@Suite struct SWARTests {
    static func firstStop(_ bytes: [UInt8], _ stops: (UInt8) -> Bool) -> Int? { bytes.firstIndex(where: stops) }

    static func check(_ bytes: [UInt8]) {
        let word = bytes.withUnsafeBytes { SWAR.load($0, 0) }
        let s = SWAR.stringSpecialMask(word)
        let expectedString = firstStop(bytes) { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }
        #expect((s == 0 ? nil : SWAR.firstIndex(s)) == expectedString, "string stop in \(bytes)")
        let d = SWAR.nonDigitMask(word)
        let expectedDigit = firstStop(bytes) { !(0x30...0x39).contains($0) }
        #expect((d == 0 ? nil : SWAR.firstIndex(d)) == expectedDigit, "digit stop in \(bytes)")
    }

    @Test func everyByteValueAtEveryPosition() {
        for position in 0..<8 {
            for v in 0...255 {
                var plain = Array("abcdefgh".utf8)
                plain[position] = UInt8(v)
                Self.check(plain)
                var digits = Array("01234567".utf8)
                digits[position] = UInt8(v)
                Self.check(digits)
            }
        }
    }

    @Test func randomWords() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x1F, 0x20, 0x21, 0x22, 0x2F, 0x30, 0x35, 0x39, 0x3A, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xB0, 0xDC, 0xFF]
        for _ in 0..<50_000 {
            Self.check((0..<8).map { _ in Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng) })
        }
    }
}
