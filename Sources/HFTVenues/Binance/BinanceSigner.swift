/// One Binance key's signer, whichever kind it is (binance.md §5). RSA keys are not supported.
import HFTCore

public enum BinanceKeyType: String, Sendable, Hashable {
    case hmac, ed25519
}

public struct BinanceSigner: Sendable {
    enum Kind: Sendable {
        case hmac(BinanceHMACSigner)
        case ed25519(BinanceEd25519Signer)
    }

    let kind: Kind

    public init(_ hmac: BinanceHMACSigner) { kind = .hmac(hmac) }
    public init(_ ed25519: BinanceEd25519Signer) { kind = .ed25519(ed25519) }

    public var keyType: BinanceKeyType {
        switch kind {
        case .hmac: .hmac
        case .ed25519: .ed25519
        }
    }

    /// Signs the exact payload text: hex for HMAC, Base64 for Ed25519.
    public func sign(_ payload: String) throws(HFTError) -> String {
        switch kind {
        case .hmac(let s): return s.sign(payload)
        case .ed25519(let s): return try s.sign(payload)
        }
    }
}

extension BinanceSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "BinanceSigner(\(keyType.rawValue), <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
