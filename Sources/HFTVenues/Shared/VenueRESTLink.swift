/// The HTTP side every venue's `…RestAPI` shares: the `RESTClient` (owned, or lent by the
/// caller), the process-wide limiter key per API key, the exchange with its rate-limit statuses.
import HFTCore
import HFTTransport

struct VenueRESTLink: Sendable {
    private let client: RESTClient
    private let ownsClient: Bool

    /// Uses `client` when given (the caller shuts it down), else a new one with `timeout`.
    init(client: RESTClient?, timeout: Duration) throws(HFTError) {
        if let client {
            self.client = client
            ownsClient = false
        } else {
            self.client = try RESTClient(timeout: timeout)
            ownsClient = true
        }
    }

    func shutdown() async {
        if ownsClient { await client.shutdown() }
    }

    /// Performs `request`; a status in `rateLimitStatuses` becomes `.rateLimited` with the
    /// `Retry-After` seconds (as µs) when sent.
    func execute(_ request: RESTClient.Request, rateLimitStatuses: [Int] = [429]) async throws(HFTError) -> RESTClient.Response {
        let response = try await client.execute(request)
        if rateLimitStatuses.contains(response.status) {
            let retry = response.header("Retry-After").flatMap(UInt64.init).map { $0 * 1_000_000 }
            throw .rateLimited(retryAfterMicros: retry)
        }
        return response
    }

    /// One limiter per API key: `venue:rest:` + FNV-1a of the key (the key itself is listed
    /// nowhere), or `venue:rest:public`.
    static func limiterKey(_ venue: String, _ apiKey: String?) -> String {
        guard let apiKey else { return venue + ":rest:public" }
        var h: UInt64 = 0xcbf29ce484222325
        for b in apiKey.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return venue + ":rest:" + String(h, radix: 16)
    }

    /// The path of `url` (`https://host/a/b?q` → `/a/b?q`), for error contexts.
    static func path(_ url: String) -> String {
        var s = Substring(url)
        if let colon = s.firstIndex(of: ":") { s = s[s.index(after: colon)...].drop { $0 == "/" } }
        return s.firstIndex(of: "/").map { String(s[$0...]) } ?? "/"
    }
}
