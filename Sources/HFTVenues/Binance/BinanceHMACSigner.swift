/// Binance HMAC-SHA256 request signature (binance.md §5): the secret key string's UTF-8 bytes
/// are the key, the sorted `name=value&…` payload the message, lower-case hex the result.
///
/// The keyed HMAC state is built once per secret and copied per message (STACK.md pitfall 18).
/// Neither the secret nor the keyed state ever appears in descriptions, dumps or errors.
import Crypto
import HFTCore

public struct BinanceHMACSigner: Sendable {
    private let keyed: HMAC<SHA256>

    public init(secret: Secret) throws(HFTError) {
        guard !secret.isEmpty else { throw .configuration("Binance API secret is empty") }
        keyed = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.reveal().utf8)))
    }

    /// Lower-case hex HMAC-SHA256 of `payload`'s UTF-8 bytes.
    public func sign(_ payload: String) -> String {
        var p = payload
        return p.withUTF8 { sign(bytes: UnsafeRawBufferPointer($0)) }
    }

    public func sign(bytes: UnsafeRawBufferPointer) -> String {
        var mac = keyed
        mac.update(data: bytes)
        return mac.finalize().withUnsafeBytes { BinanceHex.lower($0) }
    }
}

extension BinanceHMACSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "BinanceHMACSigner(secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Lower-case hexadecimal text of bytes.
enum BinanceHex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func lower(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var i = 0
            for b in bytes {
                out[i] = digits[Int(b >> 4)]
                out[i + 1] = digits[Int(b & 0x0F)]
                i += 2
            }
            return i
        }
    }
}
