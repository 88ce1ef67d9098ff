import AsyncHTTPClient
import HFTCore
import NIOCore
import NIOHTTP1
import NIOSSL

/// A small HTTP client for the signed REST calls the WebSocket side needs (tokens, listen keys).
/// Nothing is logged: headers and query strings carry keys and signatures.
public final class RESTClient: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var url: String
        public var headers: [(String, String)]
        public var body: [UInt8]?
        /// Overrides the client's default timeout.
        public var timeout: Duration?

        public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                    timeout: Duration? = nil) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.timeout = timeout
        }

        public init(method: String, url: String, headers: [(String, String)] = [], body: String, timeout: Duration? = nil) {
            self.init(method: method, url: url, headers: headers, body: Array(body.utf8), timeout: timeout)
        }
    }

    public struct Response: Sendable {
        public let requestID: RequestID
        public let status: Int
        public let headers: [(String, String)]
        public let body: [UInt8]
        /// From sending the request to having the whole body.
        public let latencyMicros: UInt64

        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        public var isSuccess: Bool { (200..<300).contains(status) }

        public func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) }?.1
        }
    }

    public let defaultTimeout: Duration
    public let maxBodySize: Int
    private let client: HTTPClient

    public init(tls: TLSOptions = .default, timeout: Duration = .seconds(10), maxBodySize: Int = 16 << 20,
                eventLoopGroup: (any EventLoopGroup)? = nil) throws(HFTError) {
        let tlsConfig = try tls.makeConfiguration()
        var config = HTTPClient.Configuration(tlsConfiguration: tlsConfig)
        config.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
        config.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroup: eventLoopGroup ?? HTTPClient.defaultEventLoopGroup, configuration: config)
        defaultTimeout = timeout
        self.maxBodySize = maxBodySize
    }

    /// Performs the request. Any HTTP status is a response; transport failures throw:
    /// `.noAnswer` (timeout), `.tls`, `.connectFailed`, `.invalidArgument` (bad URL/method).
    public func execute(_ request: Request) async throws(HFTError) -> Response {
        let id = RequestIDGenerator.next()
        var r = HTTPClientRequest(url: request.url)
        r.method = HTTPMethod(rawValue: request.method.uppercased())
        for (name, value) in request.headers { r.headers.add(name: name, value: value) }
        if let body = request.body { r.body = .bytes(ByteBuffer(bytes: body)) }
        let timeout = request.timeout ?? defaultTimeout
        let start = MonotonicClock.nanoseconds()
        do {
            let response = try await client.execute(r, timeout: timeout.timeAmount)
            let body = try await response.body.collect(upTo: maxBodySize)
            let latency = (MonotonicClock.nanoseconds() - start) / 1_000
            return Response(requestID: id, status: Int(response.status.code),
                            headers: response.headers.map { ($0.name, $0.value) },
                            body: Array(buffer: body), latencyMicros: latency)
        } catch {
            throw Self.map(error, id: id, timeout: timeout)
        }
    }

    public func get(_ url: String, headers: [(String, String)] = []) async throws(HFTError) -> Response {
        try await execute(Request(method: "GET", url: url, headers: headers))
    }

    public func post(_ url: String, headers: [(String, String)] = [], body: String) async throws(HFTError) -> Response {
        try await execute(Request(method: "POST", url: url, headers: headers, body: body))
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    static func map(_ error: any Error, id: RequestID, timeout: Duration) -> HFTError {
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return .noAnswer(requestID: id, timeoutMicros: timeout.microseconds)
            case .invalidURL, .emptyHost, .emptyScheme:
                return .invalidArgument("bad URL: \(e)")
            case .remoteConnectionClosed:
                return .outcomeUnknown(requestID: id, reason: "connection closed before the response")
            default:
                return .connectFailed(String(describing: e))
            }
        }
        if error is NIOTooManyBytesError { return .malformedFrame("REST response body too large") }
        return TransportErrors.map(error)
    }
}

extension String {
    fileprivate func caseInsensitiveCompare(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
