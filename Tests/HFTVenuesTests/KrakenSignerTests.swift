import HFTCore
import Testing
@testable import HFTVenues

@Suite struct KrakenSignerTests {
    // vectors.md K1 (Kraken's documented example).
    static let secret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
    static let postData = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
    static let expected = "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="

    @Test func knownAnswerK1() throws {
        let signer = try KrakenSigner(secret: Self.secret)
        #expect(signer.sign(path: "/0/private/AddOrder", nonce: "1616492376594", postData: Self.postData) == Self.expected)
        // The cached keyed state is copied, never consumed: the same answer again, and via the UInt64 overload.
        #expect(signer.sign(path: "/0/private/AddOrder", nonce: 1_616_492_376_594, postData: Self.postData) == Self.expected)
        #expect(signer.sign(path: "/0/private/AddOrder", nonce: "1616492376595", postData: Self.postData) != Self.expected)
    }

    @Test func signsConcurrentlyFromOneValue() async throws {
        let signer = try KrakenSigner(secret: Self.secret)
        let results = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { signer.sign(path: "/0/private/AddOrder", nonce: "1616492376594", postData: Self.postData) }
            }
            var all: [String] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 8 && results.allSatisfy { $0 == Self.expected })
    }

    @Test func secretsNeverPrinted() throws {
        let creds = try KrakenCredentials(apiKey: "ABCDEFGHIJKLMNOP", secret: Self.secret)
        var dumped = ""
        dump(creds, to: &dumped)
        for text in [creds.description, String(reflecting: creds), "\(creds)", dumped,
                     creds.signer.description, String(reflecting: creds.signer)] {
            #expect(!text.contains(Self.secret.prefix(12)))
            #expect(!text.contains("ABCDEFGHIJKLMNOP"))
        }
        #expect(creds.description.contains("ABCD…"))
        #expect(Mirror(reflecting: creds.signer).children.isEmpty)
    }

    @Test func badSecretIsATypedErrorWithoutTheSecret() {
        let bad = "not base64 !!! super-secret-value"
        #expect(throws: HFTError.self) { try KrakenSigner(secret: bad) }
        do {
            _ = try KrakenSigner(secret: bad)
        } catch {
            #expect(!error.description.contains("super-secret-value"))
        }
        #expect(throws: HFTError.self) { try KrakenCredentials(apiKey: "", secret: Self.secret) }
    }

    @Test func noncesStrictlyIncrease() {
        let fixed = KrakenNonceSource(scale: .milliseconds, clock: { 1_616_492_376_594_000 })
        let a = fixed.next(), b = fixed.next(), c = fixed.next()
        #expect(a == 1_616_492_376_594 && b == a + 1 && c == b + 1)
        let micros = KrakenNonceSource(scale: .microseconds, clock: { 5_000_000 })
        #expect(micros.next() == 5_000_000)
        let live = KrakenNonceSource()
        var last: UInt64 = 0
        for _ in 0..<1000 {
            let n = live.next()
            #expect(n > last)
            last = n
        }
    }
}

@Suite struct KrakenCRC32Tests {
    @Test func standardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func incrementalEqualsOneShot() {
        let text = Array("452852100000452864154571953".utf8)
        var c = CRC32()
        for b in text.prefix(10) { c.update(b) }
        c.update(text.dropFirst(10))
        #expect(c.value == CRC32.checksum(text))
    }
}

@Suite struct KrakenTimeTests {
    @Test func parsesKrakenTimestamps() {
        #expect(KrakenTime.parse("1970-01-01T00:00:00Z") == 0)
        #expect(KrakenTime.parse("2023-10-06T17:35:55.440295Z") == 1_696_613_755_440_295)
        #expect(KrakenTime.parse("2023-10-06T17:35:55.4Z") == 1_696_613_755_400_000)
        #expect(KrakenTime.parse("2023-10-06T17:35:55.4402951Z") == 1_696_613_755_440_295)
        #expect(KrakenTime.parse("2023-10-06T19:35:55.440295+02:00") == 1_696_613_755_440_295)
        #expect(KrakenTime.parse("2024-02-29T00:00:00Z") == 1_709_164_800_000_000)
        for bad in ["", "TS", "2023-…Z", "2023-10-06 17:35:55", "2023-13-06T17:35:55Z", "2023-10-06T17:35:55.Z", "2023-10-06T17:35:55Zjunk"] {
            #expect(KrakenTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func formatsRoundTrip() {
        for t: Timestamp in [0, 1_696_613_755_440_295, 1_709_164_800_000_000, 4_102_444_799_999_999] {
            #expect(KrakenTime.parse(KrakenTime.format(t)) == t)
        }
        #expect(KrakenTime.format(1_696_613_755_440_295) == "2023-10-06T17:35:55.440295Z")
    }
}

@Suite struct KrakenSymbolsTests {
    @Test func spotSymbolsMapBothWays() throws {
        #expect(try KrakenSymbols.native("BTC/USD") == "BTC/USD")
        #expect(try KrakenSymbols.native("XBT/USD") == "BTC/USD")
        #expect(try KrakenSymbols.native(Symbol(base: "xdg", quote: "eur")) == "DOGE/EUR")
        #expect(KrakenSymbols.unified("ETH/USD") == Symbol("ETH/USD"))
        #expect(KrakenSymbols.unified("XBT/USD") == Symbol("BTC/USD"))
        #expect(KrakenSymbols.unified("BTCUSD") == nil)
        #expect(KrakenSymbols.modernize("XBT/EUR") == "BTC/EUR")
        #expect(KrakenSymbols.modernize("ETH/XBT") == "ETH/BTC")
        #expect(throws: HFTError.self) { try KrakenSymbols.native("BTC/USD:BTC") }
    }

    @Test func endpointsFollowTheNotes() {
        #expect(KrakenEndpoints.production.publicWebSocket == "wss://ws.kraken.com/v2")
        #expect(KrakenEndpoints.production.privateWebSocket == "wss://ws-auth.kraken.com/v2")
        #expect(KrakenEndpoints.production.restURL(KrakenEndpoints.Path.getWebSocketsToken) == "https://api.kraken.com/0/private/GetWebSocketsToken")
        #expect(KrakenEndpoints.beta.publicWebSocket == "wss://beta-ws.kraken.com/v2")
        #expect(KrakenEndpoints.local(host: "localhost", port: 9000).publicWebSocket == "ws://localhost:9000/v2")
    }
}
