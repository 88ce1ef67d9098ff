/// Kraken's REST API as the WebSocket side needs it (kraken.md §3, §5.4): the signed
/// `GetWebSocketsToken` (one strictly increasing nonce source per API key, process-wide) and
/// the public reference data `AssetPairs` / `Assets`, performed by HFTTransport's `RESTClient`.
/// Errors are typed `HFTError`s carrying Kraken's own text; keys, signatures and tokens never
/// appear in them.
import HFTCore
import HFTTransport
import Synchronization

public final class KrakenRestAPI: ExchangeRestAPI, SigningRESTAPI {
    public let venue = Venue.kraken
    public let endpoints: [String: String]
    public let krakenEndpoints: KrakenEndpoints
    let credentials: KrakenCredentials?
    let nonces: KrakenNonceSource
    private let link: VenueRESTLink

    /// From registry settings (endpoint overrides by name: `rest`, `ws`, `ws-auth`).
    public convenience init(settings: VenueAPISettings) throws(HFTError) {
        let creds = try settings.credentials.map { (c) throws(HFTError) in try KrakenCredentials(c) }
        let options = try KrakenClientOptions(settings.options)
        try self.init(credentials: creds, endpoints: try KrakenDescriptor.endpoints(settings.endpoints),
                      timeout: options.requestTimeout)
    }

    /// `client` nil: a client of its own, shut down by `shutdown()`.
    public init(credentials: KrakenCredentials?, endpoints: KrakenEndpoints = .production, client: RESTClient? = nil,
                timeout: Duration = .seconds(10), nonces: KrakenNonceSource? = nil) throws(HFTError) {
        self.credentials = credentials
        self.krakenEndpoints = endpoints
        self.endpoints = [KrakenDescriptor.wsEndpoint: endpoints.publicWebSocket,
                          KrakenDescriptor.wsAuthEndpoint: endpoints.privateWebSocket,
                          KrakenDescriptor.restEndpoint: endpoints.rest]
        link = try VenueRESTLink(client: client, timeout: timeout)
        self.nonces = nonces ?? credentials.map { KrakenRestAPI.sharedNonces(apiKey: $0.apiKey) } ?? KrakenNonceSource()
    }

    public var hasCredentials: Bool { credentials != nil }

    // MARK: Calls

    /// `POST /0/private/GetWebSocketsToken`: a token for the private WebSocket (use within
    /// `expiresSeconds`; fetch a fresh one for every connection).
    public func webSocketToken(otp: String? = nil) async throws(HFTError) -> KrakenWebSocketToken {
        guard let credentials else { throw .authenticationFailed("Kraken: no API credentials for a WebSocket token") }
        let request = KrakenREST.getWebSocketsToken(credentials: credentials, nonce: nonces.next(), otp: otp,
                                                    endpoints: krakenEndpoints)
        let body = try await perform(request, what: "GetWebSocketsToken")
        do throws(KrakenRESTError) { return try KrakenREST.parseWebSocketsToken(body) } catch { throw Self.map(error) }
    }

    /// `GET /0/public/AssetPairs`: pairs in v2 spelling with their price/qty precisions.
    public func assetPairs(_ pairs: [String] = []) async throws(HFTError) -> [KrakenInstrument] {
        let body = try await perform(KrakenREST.assetPairs(pairs, endpoints: krakenEndpoints), what: "AssetPairs")
        do throws(KrakenRESTError) { return try KrakenREST.parseAssetPairs(body) } catch { throw Self.map(error) }
    }

    /// `GET /0/public/Assets`.
    public func assets(_ assets: [String] = []) async throws(HFTError) -> [KrakenAsset] {
        let body = try await perform(KrakenREST.assets(assets, endpoints: krakenEndpoints), what: "Assets")
        do throws(KrakenRESTError) { return try KrakenREST.parseAssets(body) } catch { throw Self.map(error) }
    }

    /// Pairs and assets as one `KrakenInstruments` (assets are optional: a failure there is ignored).
    public func instruments() async throws(HFTError) -> KrakenInstruments {
        let pairs = try await assetPairs()
        let assets = (try? await self.assets()) ?? []
        return KrakenInstruments(pairs: pairs, assets: assets)
    }

    public func shutdown() async {
        await link.shutdown()
    }

    // MARK: Plumbing

    /// Runs the request; Kraken answers errors with HTTP 200 and an `error` array, so any body
    /// is returned for parsing. HTTP 429/418 → `.rateLimited`, other non-2xx statuses without a
    /// Kraken error body → `.venueRejected("HTTP n")`. The request (with its key and signature)
    /// is never part of an error.
    private func perform(_ r: KrakenHTTPRequest, what: String) async throws(HFTError) -> [UInt8] {
        let request = RESTClient.Request(method: r.method, url: r.url, headers: r.headers.map { ($0.name, $0.value) },
                                         body: r.body.isEmpty ? nil : r.body)
        let response = try await link.execute(request, rateLimitStatuses: [429, 418])
        if response.isSuccess { return response.body }
        // A Kraken error body on a non-2xx status still carries the venue's own text.
        do throws(KrakenRESTError) {
            _ = try KrakenREST.withResult(response.body) { _ in 0 }
        } catch {
            if case .venue = error { throw Self.map(error) }
        }
        throw .venueRejected(code: "HTTP \(response.status)", message: "Kraken \(what) answered HTTP \(response.status)")
    }

    static func map(_ e: KrakenRESTError) -> HFTError { e.hftError }

    // MARK: Nonces

    private static let nonceSources = Mutex<[String: KrakenNonceSource]>([:])

    /// One nonce source per API key in the process: Kraken needs strictly increasing nonces per key.
    static func sharedNonces(apiKey: String) -> KrakenNonceSource {
        nonceSources.withLock { m in
            if let s = m[apiKey] { return s }
            let s = KrakenNonceSource()
            m[apiKey] = s
            return s
        }
    }
}
