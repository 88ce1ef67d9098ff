/// One signed HTTP request, ready for `RESTClient`: what BGE, FMex and DigiFinex build. `payload`
/// is the venue's signed text apart from the timestamp (method, path, query, body as the venue
/// signs them) — never the key or the signature.
import HFTCore
import HFTTransport

public struct VenueHTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var payload: String

    public init(method: String, url: String, headers: [(String, String)], body: [UInt8]?, payload: String) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.payload = payload
    }

    var clientRequest: RESTClient.Request { RESTClient.Request(method: method, url: url, headers: headers, body: body) }
}

/// A venue's REST error that maps onto `HFTError` (its code kept).
protocol HFTErrorConvertible: Error {
    var hftError: HFTError { get }
}

/// Runs a venue parser, turning its typed error into the `HFTError` it stands for.
func mapHFTError<T, E: HFTErrorConvertible>(_ body: () throws(E) -> T) throws(HFTError) -> T {
    do throws(E) { return try body() } catch { throw error.hftError }
}
