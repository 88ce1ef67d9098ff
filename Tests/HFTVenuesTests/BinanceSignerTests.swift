import Crypto
import Foundation
import HFTCore
import Testing
@testable import HFTVenues

@Suite struct BinanceSignerTests {
    typealias T = BinanceTestSupport

    // vectors.md B1.
    static let b1Payload = "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
    static let b1Expected = "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"

    @Test func knownAnswerB1() throws {
        let signer = try BinanceHMACSigner(secret: Secret(T.secret))
        #expect(signer.sign(Self.b1Payload) == Self.b1Expected)
        // The cached keyed state is copied, never consumed.
        #expect(signer.sign(Self.b1Payload) == Self.b1Expected)
        #expect(signer.sign(Self.b1Payload + "x") != Self.b1Expected)
    }

    @Test func b1PayloadIsTheSortedParams() throws {
        // The params in the order a client writes them; the payload sorts them by name.
        let p = BinanceParams([("symbol", .string("BTCUSDT")), ("side", .string("SELL")), ("type", .string("LIMIT")),
                               ("timeInForce", .string("GTC")), ("quantity", .decimal("0.01000000")), ("price", .decimal("52000.00")),
                               ("recvWindow", .int(100)), ("timestamp", .int(1_645_423_376_532)), ("apiKey", .string(T.apiKey)),
                               ("signature", .string("ignored"))])
        #expect(p.signaturePayload == Self.b1Payload)
    }

    @Test func signsConcurrentlyFromOneValue() async throws {
        let signer = try BinanceHMACSigner(secret: Secret(T.secret))
        let all = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { signer.sign(Self.b1Payload) } }
            var out: [String] = []
            for await s in group { out.append(s) }
            return out
        }
        #expect(all.count == 8 && all.allSatisfy { $0 == Self.b1Expected })
    }

    @Test func ed25519FromOpenSSLPEM() throws {
        let signer = try BinanceEd25519Signer(pem: Secret(T.pem))
        #expect(Array(signer.publicKey.rawRepresentation) == T.hex(T.pemPublicKeyHex))
        let payload = "apiKey=\(T.apiKey)&timestamp=1649729878532"
        let sig = try signer.sign(payload)
        #expect(Data(base64Encoded: sig)?.count == 64)
        // Verify, never compare bytes (CryptoKit signatures are randomized).
        let openSSLPublic = try Curve25519.Signing.PublicKey(rawRepresentation: T.hex(T.pemPublicKeyHex))
        #expect(openSSLPublic.isValidSignature(Data(base64Encoded: sig)!, for: Array(payload.utf8)))
        #expect(signer.isValidSignature(sig, for: payload))
        #expect(!signer.isValidSignature(sig, for: payload + "0"))
        // And OpenSSL's own signature of the same payload verifies with our key.
        let openSSLSig = "Q6DuzySOtyTlP4bBkja25SxRcdDeyOF0t1Yw/WJ4ZXVmeha0aHPngqITKKaimxKef9UigQBMKOgYY5Q03mWrBQ=="
        #expect(signer.isValidSignature(openSSLSig, for: payload))
    }

    @Test func ed25519RFC8032Vector1() throws {
        // RFC 8032 §7.1 TEST 1, wrapped as PKCS#8.
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n"
        #expect(try BinancePKCS8.ed25519Seed(pem: pem) == T.hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        let signer = try BinanceEd25519Signer(pem: Secret(pem))
        #expect(Array(signer.publicKey.rawRepresentation) == T.hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        let rfcSignature = Data(T.hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"))
        #expect(signer.isValidSignature(rfcSignature.base64EncodedString(), for: ""))
    }

    @Test func pkcs8Variants() throws {
        let seed = T.hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let prefix = T.hex("302e020100300506032b657004220420")
        #expect(try BinancePKCS8.ed25519Seed(der: prefix + seed) == seed)
        // Bare base64 (no PEM lines), CRLF line ends.
        let b64 = Data(prefix + seed).base64EncodedString()
        #expect(try BinancePKCS8.ed25519Seed(pem: b64) == seed)
        #expect(try BinancePKCS8.ed25519Seed(pem: "-----BEGIN PRIVATE KEY-----\r\n\(b64)\r\n-----END PRIVATE KEY-----\r\n") == seed)
        // RFC 8410 v1 with the public key appended.
        let pub = T.hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let v1 = [0x30, 0x51, 0x02, 0x01, 0x01] + T.hex("300506032b657004220420") + seed + [0x81, 0x21, 0x00] + pub
        #expect(try BinancePKCS8.ed25519Seed(der: v1) == seed)
    }

    @Test func pkcs8Rejections() {
        let seed = T.hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        // An RSA algorithm OID, a truncated seed, trailing bytes, encrypted and other PEM blocks, garbage.
        let rsa = T.hex("302e020100300506032a864804220420") + seed
        let short = T.hex("302d020100300506032b657004210420") + seed.dropLast()
        let trailing = T.hex("302e020100300506032b657004220420") + seed + [0x00]
        for der in [rsa, short, trailing, [], [0x30], [0x30, 0x85, 0, 0, 0, 0, 0]] {
            #expect(throws: HFTError.self) { try BinancePKCS8.ed25519Seed(der: der) }
        }
        for pem in ["-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
                    "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
                    "-----BEGIN PRIVATE KEY-----\nnot base64!!\n-----END PRIVATE KEY-----", "", "-----BEGIN PRIVATE KEY-----\nMC4C"] {
            #expect(throws: HFTError.self) { try BinancePKCS8.ed25519Seed(pem: pem) }
        }
    }

    @Test func credentialsPickTheKeyType() throws {
        #expect(try T.hmacCredentials().keyType == .hmac)
        #expect(try !T.hmacCredentials().canLogOn)
        #expect(try T.ed25519Credentials().keyType == .ed25519)
        #expect(try T.ed25519Credentials().canLogOn)
        #expect(throws: HFTError.self) { try BinanceCredentials(Credentials(key: "", secret: T.secret)) }
        #expect(throws: HFTError.self) { try BinanceCredentials(Credentials(key: T.apiKey, secret: "")) }
    }

    @Test func secretsNeverPrinted() throws {
        let hmac = try T.hmacCredentials(), ed = try T.ed25519Credentials()
        let pemBody = "MC4CAQAwBQYDK2VwBCIEIGrIuzNd"
        var texts: [String] = []
        for c in [hmac, ed] {
            var dumped = ""
            dump(c, to: &dumped)
            texts += [c.description, String(reflecting: c), "\(c)", dumped, c.signer.description, String(reflecting: c.signer)]
        }
        let request = try BinanceRequest.orderPlace(id: 1, order: .limit("BTCUSDT", .buy, quantity: "1", price: "2"),
                                                    auth: .signed(hmac, timestamp: 1))
        var dumpedRequest = ""
        dump(request, to: &dumpedRequest)
        texts += [request.description, request.redactedText, "\(request)", dumpedRequest, request.redactedParams.rendered]
        for t in texts {
            #expect(!t.contains(T.apiKey.prefix(10)))
            #expect(!t.contains(T.secret.prefix(10)))
            #expect(!t.contains(pemBody))
        }
        // The frame itself does carry them.
        #expect(request.text.contains(T.apiKey))
        #expect(Mirror(reflecting: hmac.signer).children.isEmpty)
    }

    @Test func badKeyErrorsDoNotQuoteTheKey() {
        let secretLooking = "-----BEGIN PRIVATE KEY-----\nSUPERSECRETSUPERSECRET!!\n-----END PRIVATE KEY-----"
        do {
            _ = try BinanceEd25519Signer(pem: Secret(secretLooking))
            Issue.record("expected a failure")
        } catch {
            #expect(!error.description.contains("SUPERSECRET"))
        }
    }
}
