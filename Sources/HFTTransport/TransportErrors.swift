import HFTCore
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket

/// Maps library errors to `HFTError`.
enum TransportErrors {
    static func map(_ error: any Error) -> HFTError {
        if let e = error as? HFTError { return e }
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            return .tls(String(describing: error))
        }
        if let e = error as? NIOWebSocketError { return .malformedFrame(String(describing: e)) }
        if let e = error as? NIOHTTPClientUpgradeError { return .connectFailed("WebSocket upgrade failed: \(e)") }
        if let e = error as? ChannelError {
            switch e {
            case .connectTimeout: return .connectFailed("connect timed out")
            case .ioOnClosedChannel, .alreadyClosed, .eof: return .notConnected
            default: return .connectFailed(String(describing: e))
            }
        }
        if error is CancellationError { return .cancelled }
        return .connectFailed(String(describing: error))
    }
}
