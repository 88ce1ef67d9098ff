/// Reads the 32-byte Ed25519 seed out of a PKCS#8 private key (binance.md §5: Binance issues
/// Ed25519 keys as PKCS#8 PEM, `MC4CAQAwBQYDK2VwBCIEI…`). The DER is walked, not sliced: version
/// 0 or 1 (RFC 8410, optional public key), algorithm OID 1.3.101.112, then an OCTET STRING that
/// wraps the 32-byte seed. Errors never quote the key material.
import HFTCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public enum BinancePKCS8 {
    /// The seed from PEM text (`-----BEGIN PRIVATE KEY-----` … or bare base64 of the DER).
    public static func ed25519Seed(pem: String) throws(HFTError) -> [UInt8] {
        if pem.contains("ENCRYPTED PRIVATE KEY") {
            throw .configuration("Binance private key: encrypted PKCS#8 is not supported; export it unencrypted")
        }
        var body = pem
        if let begin = pem.firstRange(of: "-----BEGIN PRIVATE KEY-----") {
            guard let end = pem[begin.upperBound...].firstRange(of: "-----END PRIVATE KEY-----") else {
                throw .configuration("Binance private key: PEM without END line")
            }
            body = String(pem[begin.upperBound..<end.lowerBound])
        } else if pem.contains("-----BEGIN") {
            throw .configuration("Binance private key: expected a PKCS#8 'PRIVATE KEY' PEM block")
        }
        let base64 = String(body.unicodeScalars.filter { !$0.properties.isWhitespace })
        guard !base64.isEmpty, let der = Data(base64Encoded: base64) else {
            throw .configuration("Binance private key: PEM body is not valid base64")
        }
        return try ed25519Seed(der: Array(der))
    }

    /// The seed from DER bytes.
    public static func ed25519Seed(der: [UInt8]) throws(HFTError) -> [UInt8] {
        var outer = Reader(der[...])
        var key = Reader(try outer.read(tag: 0x30, "PrivateKeyInfo"))
        guard outer.isAtEnd else { throw bad("trailing bytes") }
        let version = try key.read(tag: 0x02, "version")
        guard version.count == 1, version.first! <= 1 else { throw bad("unsupported version") }
        var algorithm = Reader(try key.read(tag: 0x30, "algorithm"))
        let oid = try algorithm.read(tag: 0x06, "algorithm OID")
        guard Array(oid) == [0x2B, 0x65, 0x70] else {
            throw .configuration("Binance private key: not an Ed25519 key (RSA keys are not supported; use Ed25519 or HMAC)")
        }
        guard algorithm.isAtEnd else { throw bad("Ed25519 takes no algorithm parameters") }
        var privateKey = Reader(try key.read(tag: 0x04, "privateKey"))
        let seed = try privateKey.read(tag: 0x04, "CurvePrivateKey")
        guard privateKey.isAtEnd, seed.count == 32 else { throw bad("seed is not 32 bytes") }
        return Array(seed)
    }

    static func bad(_ why: String) -> HFTError { .configuration("Binance private key: malformed PKCS#8 (\(why))") }

    /// A tiny DER TLV reader (definite lengths only).
    struct Reader {
        var bytes: ArraySlice<UInt8>
        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
        var isAtEnd: Bool { bytes.isEmpty }

        /// The content of the next element, which must carry `tag`.
        mutating func read(tag: UInt8, _ what: String) throws(HFTError) -> ArraySlice<UInt8> {
            guard let t = bytes.first, t == tag else { throw BinancePKCS8.bad("expected \(what)") }
            var i = bytes.index(after: bytes.startIndex)
            guard i < bytes.endIndex else { throw BinancePKCS8.bad("truncated \(what)") }
            var length = Int(bytes[i])
            i += 1
            if length & 0x80 != 0 {
                let n = length & 0x7F
                guard (1...3).contains(n), bytes.endIndex - i >= n else { throw BinancePKCS8.bad("bad length of \(what)") }
                length = 0
                for _ in 0..<n { length = length << 8 | Int(bytes[i]); i += 1 }
            }
            guard bytes.endIndex - i >= length else { throw BinancePKCS8.bad("truncated \(what)") }
            let content = bytes[i..<(i + length)]
            bytes = bytes[(i + length)...]
            return content
        }
    }
}
