import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization

/// A WebSocket + HTTP server on 127.0.0.1 (ephemeral port) for tests, benchmarks and venue
/// simulators: WebSocket upgrades are routed by path to sessions the caller scripts, plain
/// HTTP requests by method and path to async handlers. Optional TLS. Raw SwiftNIO, so it can
/// push pre-encoded frames at socket speed and misbehave on purpose.
public final class LoopbackServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0: pick a free port.
        public var port: Int
        public var tls: ServerTLS?
        /// Largest client frame accepted.
        public var maxFrameSize: Int
        /// Outbound buffer limits per connection: `firehose` pauses above `high`.
        public var writeBufferLowWaterMark: Int
        public var writeBufferHighWaterMark: Int
        /// Event-loop threads when the server owns its group.
        public var threads: Int

        public init(host: String = "127.0.0.1", port: Int = 0, tls: ServerTLS? = nil, maxFrameSize: Int = 16 << 20,
                    writeBufferLowWaterMark: Int = 256 << 10, writeBufferHighWaterMark: Int = 1 << 20, threads: Int = 1) {
            self.host = host
            self.port = port
            self.tls = tls
            self.maxFrameSize = maxFrameSize
            self.writeBufferLowWaterMark = writeBufferLowWaterMark
            self.writeBufferHighWaterMark = writeBufferHighWaterMark
            self.threads = threads
        }
    }

    private struct State {
        var serverChannel: (any Channel)?
        var port = 0
        var children: [ObjectIdentifier: any Channel] = [:]
        var sessions: [ServerSession] = []
        var nextSessionID = 0
        var shutDown = false
    }

    public let configuration: Configuration
    public let group: any EventLoopGroup
    /// Sessions as they open (one consumer).
    public let sessions: AsyncStream<ServerSession>

    private let ownsGroup: Bool
    private let routes = RouteTable()
    private let state = Mutex(State())
    private let sessionsContinuation: AsyncStream<ServerSession>.Continuation

    public init(configuration: Configuration = Configuration(), group: (any EventLoopGroup)? = nil) {
        self.configuration = configuration
        if let group {
            self.group = group
            ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
            ownsGroup = true
        }
        (sessions, sessionsContinuation) = AsyncStream.makeStream(of: ServerSession.self)
    }

    public func route(_ r: WebSocketRoute) { routes.add(r) }
    public func route(_ r: HTTPRoute) { routes.add(r) }

    /// The bound port (0 before `start`).
    public var port: Int { state.withLock { $0.port } }

    /// Sessions currently open.
    public var openSessions: [ServerSession] { state.withLock { $0.sessions.filter { !$0.isClosed } } }

    /// `ws://127.0.0.1:port/path`, or `wss://localhost:port/path` with TLS (certificates name
    /// `localhost`, and IP literals cannot be sent as SNI).
    public func webSocketURL(_ path: String = "/") -> String {
        configuration.tls == nil ? "ws://\(configuration.host):\(port)\(path)" : "wss://localhost:\(port)\(path)"
    }

    public func httpURL(_ path: String = "/") -> String {
        configuration.tls == nil ? "http://\(configuration.host):\(port)\(path)" : "https://localhost:\(port)\(path)"
    }

    /// Binds and starts accepting; returns the port.
    @discardableResult
    public func start() async throws -> Int {
        let sslContext = try configuration.tls?.makeContext()
        let routes = self.routes
        let maxFrame = configuration.maxFrameSize
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: maxFrame, automaticErrorHandling: false,
            shouldUpgrade: { channel, head in
                let h = ServerRequestHead(head)
                guard let r = routes.webSocketRoute(path: h.path), r.accept(h) else {
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
            },
            upgradePipelineHandler: { [weak self] channel, head in
                channel.eventLoop.makeCompletedFuture {
                    try self?.upgraded(channel: channel, head: head)
                }
            })
        let marks = ChannelOptions.Types.WriteBufferWaterMark(low: configuration.writeBufferLowWaterMark,
                                                              high: configuration.writeBufferHighWaterMark)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: marks)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext { try sync.addHandler(NIOSSLServerHandler(context: sslContext)) }
                    try sync.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    try sync.addHandler(ServerHTTPHandler(routes: routes), name: ServerHTTPHandler.name)
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        let port = channel.localAddress?.port ?? 0
        state.withLock { s in
            s.serverChannel = channel
            s.port = port
        }
        return port
    }

    /// Closes the listener and every connection (without close frames), then the event loops
    /// when the server owns them.
    public func shutdown() async {
        let (server, children, first) = state.withLock { s in
            defer { s.shutDown = true; s.children.removeAll() }
            return (s.serverChannel, Array(s.children.values), !s.shutDown)
        }
        guard first else { return }
        try? await server?.close()
        for c in children { try? await c.close() }
        sessionsContinuation.finish()
        await routes.inflight.cancelAndWait()
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    // MARK: Internal

    private func track(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        state.withLock { $0.children[key] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLock { $0.children.removeValue(forKey: key) }
        }
    }

    private func upgraded(channel: any Channel, head: HTTPRequestHead) throws {
        let sync = channel.pipeline.syncOperations
        sync.removeHandler(name: ServerHTTPHandler.name, promise: nil)
        let request = ServerRequestHead(head)
        guard let route = routes.webSocketRoute(path: request.path) else { throw ChannelError.inappropriateOperationForState }
        // Our frames are encoded by ServerFrame and written below NIO's encoder.
        let encoder = try sync.handler(type: WebSocketFrameEncoder.self)
        let raw = RawFrameWriter()
        try sync.addHandler(raw, position: .before(encoder))
        let handler = ServerSessionHandler(route: route, raw: raw)
        try sync.addHandler(handler)
        let id = state.withLock { s -> Int in s.nextSessionID += 1; return s.nextSessionID }
        let session = ServerSession(id: id, request: request, remoteAddress: channel.remoteAddress?.description,
                                    handler: handler, eventLoop: channel.eventLoop)
        handler.session = session
        state.withLock { $0.sessions.append(session) }
        sessionsContinuation.yield(session)
        route.onOpen(session)
    }
}
