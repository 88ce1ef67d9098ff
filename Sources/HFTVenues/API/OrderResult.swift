import HFTCore
import Logging

/// The outcome of one order-entry request, as the hftpy callback reports it:
/// `(request_id, method, request, response, latency)` plus the unified reading of it.
public struct OrderResult: Sendable, Equatable {
    public var venue: Venue
    public var requestID: RequestID
    /// The venue's own method name (`add_order`, `order.place`, `POST /v3/spot/order/new`, …).
    public var method: String
    /// The request as sent, as JSON text, with credentials, tokens and signatures redacted.
    public var request: String
    /// The venue's raw reply (JSON text), or nil when none arrived.
    public var response: String?
    /// From the request frame's write to the decoded reply, in microseconds (0 when no reply).
    public var latencyMicros: UInt64
    public var ok: Bool
    public var orderID: String?
    public var clientOrderID: String?
    /// Set when `ok` is false: the venue's error, a timeout, or an unknown outcome.
    public var error: HFTError?

    public init(venue: Venue, requestID: RequestID, method: String, request: String, response: String?, latencyMicros: UInt64,
                ok: Bool, orderID: String? = nil, clientOrderID: String? = nil, error: HFTError? = nil) {
        self.venue = venue
        self.requestID = requestID
        self.method = method
        self.request = request
        self.response = response
        self.latencyMicros = latencyMicros
        self.ok = ok
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.error = error
    }
}

/// The callback form of order entry, in hftpy's shape.
public typealias OrderCallback = @Sendable (OrderResult) -> Void

/// The callback hftpy's `WsApiBase.default_ws_callback` is: one log entry with the request id,
/// method, latency in µs, request params and response.
public enum DefaultOrderCallback {
    public static func format(_ r: OrderResult) -> String {
        """
        WebSocket Request - ID: \(r.requestID) | Method: \(r.method) | Latency: \(r.latencyMicros)μs
        Request Params: \(r.request)
        Response Data: \(r.response ?? (r.error.map { "\($0)" } ?? "none"))
        """
    }

    /// hftpy's default callback: logs `format(result)` at info level (warning when the request
    /// failed). Pass it where a callback is taken: `api.placeOrder(order, callback: DefaultOrderCallback.logging())`.
    public static func logging(to logger: Logger = Logger(label: "hftkit.orders")) -> OrderCallback {
        { result in
            logger.log(level: result.ok ? .info : .warning, "\(format(result))",
                       metadata: ["venue": "\(result.venue)", "latency_us": "\(result.latencyMicros)"])
        }
    }
}
