/// A WebSocket or REST failure as FMex reports it: `{"status":S,"msg":M}` (§4). WebSocket
/// topic errors use 41002 (notes); REST errors use the HTTP status as `status` (README).
struct FMexError: Error, Sendable, Equatable {
    let status: Int
    let message: String
    /// HTTP status of the REST reply.
    var http: Int = 400

    static func invalidTopic(_ topic: String) -> FMexError { FMexError(status: 41002, message: "invalid sub topic, " + topic) }
    static func badRequest(_ status: Int, _ detail: String) -> FMexError { FMexError(status: status, message: "invalid request: " + detail) }

    // REST (§4 HTTP codes)
    static let unauthorized = FMexError(status: 401, message: "wrong API key, signature or timestamp", http: 401)
    static let notFound = FMexError(status: 404, message: "not found", http: 404)
    static let methodNotAllowed = FMexError(status: 405, message: "method not allowed", http: 405)
    static let notJSON = FMexError(status: 406, message: "body is not JSON", http: 406)
    static let rateLimited = FMexError(status: 429, message: "too many requests", http: 429)
    static func badParameter(_ detail: String) -> FMexError { FMexError(status: 400, message: "bad request: " + detail) }

    static func reject(_ r: RejectReason) -> FMexError {
        switch r {
        case .unknownOrder: FMexError(status: 404, message: "order not found", http: 404)
        case .unknownAccount: unauthorized
        default: FMexError(status: 400, message: "order rejected: \(r)")
        }
    }
}
