import HFTCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// Opens one socket: TCP (+ TLS with SNI), HTTP/1.1 upgrade, then hands the channel to a
/// `WebSocketFrameHandler` installed in `ConnectionCore`. The result is the channel's
/// "closed" future, available once the upgrade completed.
enum WebSocketConnector {
    static func connect(_ configuration: WebSocketConfiguration, sslContext: NIOSSLContext?,
                        eventLoop: any EventLoop, core: NIOLoopBoundBox<ConnectionCore>) -> EventLoopFuture<EventLoopFuture<DisconnectReason>> {
        let url = configuration.url
        let settings = ConnectionSettings(configuration)
        let upgraded = eventLoop.makePromise(of: EventLoopFuture<DisconnectReason>.self)

        let upgrader = EngineWebSocketUpgrader { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                if let watcher = try? sync.handler(type: UpgradeWatcher.self) {
                    watcher.done = true
                    sync.removeHandler(watcher, promise: nil)
                }
                let handler = WebSocketFrameHandler(core: core.value, settings: settings, eventLoop: channel.eventLoop)
                try sync.addHandler(handler)
                core.value.install(handler)
                upgraded.succeed(handler.closed)
            }
        }

        let sni: String? = url.isSecure ? (configuration.tls.serverHostname ?? (url.hostIsIPAddress ? nil : url.host)) : nil
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout.timeAmount)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: sni))
                    }
                    // .forwardBytes: frames that arrive with the 101 must not be lost (STACK pitfall 1).
                    try sync.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes,
                                                   withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    try sync.addHandler(UpgradeWatcher(promise: upgraded))
                }
            }

        let connected = bootstrap.connect(host: url.host, port: url.port)
        connected.whenFailure { upgraded.fail(TransportErrors.map($0)) }
        return connected.flatMap { channel in
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: url.hostHeader)
            for (name, value) in configuration.headers { headers.add(name: name, value: value) }
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            let timeout = channel.eventLoop.scheduleTask(in: configuration.connectTimeout.timeAmount) {
                upgraded.fail(HFTError.connectFailed("WebSocket handshake timed out"))
                channel.close(promise: nil)
            }
            upgraded.futureResult.whenComplete { result in
                timeout.cancel()
                if case .failure = result { channel.close(promise: nil) }
            }
            return upgraded.futureResult
        }
    }
}

/// Sits behind the HTTP upgrade handler until the upgrade completes, turning TLS errors,
/// refused upgrades (non-101) and early closes into a failed handshake.
final class UpgradeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<EventLoopFuture<DisconnectReason>>
    var done = false

    init(promise: EventLoopPromise<EventLoopFuture<DisconnectReason>>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return context.fireChannelRead(data) }
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        done = true
        let status = head.status.code
        let error: HFTError
        if status == 429 || status == 418 {
            let retry = head.headers.first(name: "Retry-After").flatMap(UInt64.init).map { $0 * 1_000_000 }
            error = .rateLimited(retryAfterMicros: retry)
        } else {
            error = .connectFailed("WebSocket upgrade refused: HTTP \(status)")
        }
        promise.fail(error)
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard !done else { return context.fireErrorCaught(error) }
        done = true
        promise.fail(TransportErrors.map(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.fail(HFTError.connectFailed("connection closed during the handshake"))
        }
        context.fireChannelInactive()
    }
}
