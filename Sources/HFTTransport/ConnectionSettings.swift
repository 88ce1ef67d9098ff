/// The parts of `WebSocketConfiguration` the channel handler needs.
struct ConnectionSettings: Sendable {
    let compression: PayloadCompression
    let maxMessageSize: Int
    let validateUTF8: Bool
    let keepAlive: KeepAlivePolicy
    let closeTimeout: Duration
    let maxConnectionAge: Duration?

    init(_ c: WebSocketConfiguration) {
        compression = c.compression
        maxMessageSize = c.maxMessageSize
        validateUTF8 = c.validateUTF8
        keepAlive = c.keepAlive
        closeTimeout = c.closeTimeout
        maxConnectionAge = c.maxConnectionAge
    }
}
