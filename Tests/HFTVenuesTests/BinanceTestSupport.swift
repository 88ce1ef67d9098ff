import HFTCore
@testable import HFTVenues

/// Shared constants and helpers for the Binance tests.
enum BinanceTestSupport {
    // vectors.md: published illustration keys.
    static let apiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    static let secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

    /// A throwaway Ed25519 key made with `openssl genpkey -algorithm ed25519` for these tests.
    static let pem = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIGrIuzNd+rqokITAJp1jw6urkoC7Hc50QcfhdLq2U7JF
        -----END PRIVATE KEY-----
        """
    /// `openssl pkey -pubout` of `pem`, raw 32 bytes.
    static let pemPublicKeyHex = "8c050d59d264fe0e3bab870a15fd8ffffd726ac6cbd9346b04ee9ba81f79903d"

    static func hmacCredentials() throws -> BinanceCredentials {
        try BinanceCredentials(Credentials(key: apiKey, secret: secret))
    }

    static func ed25519Credentials() throws -> BinanceCredentials {
        try BinanceCredentials(Credentials(apiKey: Secret(apiKey), apiSecret: "", privateKeyPEM: Secret(pem)))
    }

    static func decode(_ text: String, timeUnit: BinanceTimeUnit = .milliseconds) throws -> BinanceInbound {
        try BinanceDecoder.decode(text, timeUnit: timeUnit)
    }

    static func response(_ text: String) throws -> BinanceResponse {
        guard case .response(let r) = try decode(text) else { throw HFTError.unknownMessage(text) }
        return r
    }

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let h = it.next(), let l = it.next() {
            out.append(UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16)!)
        }
        return out
    }

    /// The params object of a request's JSON text, as text.
    static func paramsText(_ r: BinanceRequest) -> String { r.params.json.rendered }
}
