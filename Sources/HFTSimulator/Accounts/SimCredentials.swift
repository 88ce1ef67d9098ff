/// An account's API key and secret as a client presents them.
///
/// Default simulator credentials (every venue preset creates these accounts):
/// `sim-key-1` / `c2ltLXNlY3JldC0x` and `sim-key-2` / `c2ltLXNlY3JldC0y`. The secrets are the
/// Base64 of `sim-secret-1` / `sim-secret-2`, so they are valid both as an opaque HMAC key string
/// (Binance, DigiFinex, LBank, BGE, FMex) and as a Base64 secret (Kraken decodes it to the
/// HMAC key). Add more with `SimulatedExchange.addAccount`.
public struct SimCredentials: Sendable, Hashable {
    public var apiKey: String
    public var apiSecret: String
    /// Some venues add a passphrase (BGE-style); nil when unused.
    public var passphrase: String?

    public init(apiKey: String, apiSecret: String, passphrase: String? = nil) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.passphrase = passphrase
    }

    /// `sim-key-N` with the Base64 of `sim-secret-N` as the secret.
    public static func simDefault(_ n: Int) -> SimCredentials {
        SimCredentials(apiKey: "sim-key-\(n)", apiSecret: base64(Array("sim-secret-\(n)".utf8)))
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(table[Int(n >> 18 & 63)])
            out.append(table[Int(n >> 12 & 63)])
            out.append(i + 1 < bytes.count ? table[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? table[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
