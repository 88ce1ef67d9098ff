import NIOCore
import NIOHTTP1
import Synchronization

/// Answers plain HTTP requests from the route table (404 when none matches).
final class ServerHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let name = "hft.loopback.http"

    private let routes: RouteTable
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(routes: RouteTable) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.clear()
        case .body(var b):
            body.writeBuffer(&b)
        case .end:
            guard let h = head else { return }
            head = nil
            dispatch(context: context, head: h, body: Array(buffer: body))
        }
    }

    private func dispatch(context: ChannelHandlerContext, head: HTTPRequestHead, body: [UInt8]) {
        let request = ServerHTTPRequest(head: ServerRequestHead(head), body: body)
        let keepAlive = head.isKeepAlive
        let version = head.version
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        guard let route = routes.httpRoute(method: request.head.method, path: request.head.path) else {
            write(ServerHTTPResponse.notFound, context: context, version: version, keepAlive: keepAlive)
            return
        }
        routes.inflight.run {
            let response = await route.handler(request)
            bound.eventLoop.execute {
                let (handler, context) = bound.value
                handler.write(response, context: context, version: version, keepAlive: keepAlive)
            }
        }
    }

    private func write(_ r: ServerHTTPResponse, context: ChannelHandlerContext, version: HTTPVersion, keepAlive: Bool) {
        var headers = HTTPHeaders(r.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(r.body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: r.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !r.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: r.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

/// The server's routes; sims may add routes while it runs.
final class RouteTable: Sendable {
    let inflight = InflightTasks()
    private let webSockets = Mutex<[WebSocketRoute]>([])
    private let http = Mutex<[HTTPRoute]>([])

    func add(_ r: WebSocketRoute) { webSockets.withLock { $0.append(r) } }
    func add(_ r: HTTPRoute) { http.withLock { $0.append(r) } }

    func webSocketRoute(path: String) -> WebSocketRoute? {
        webSockets.withLock { routes in routes.first { $0.matches(path) } }
    }

    func httpRoute(method: String, path: String) -> HTTPRoute? {
        http.withLock { routes in routes.first { $0.matches(method: method, path: path) } }
    }
}

/// HTTP handler tasks still running, so shutdown can cancel and await them before the event
/// loops go away.
final class InflightTasks: Sendable {
    private let tasks = Mutex<(next: Int, running: [Int: Task<Void, Never>])>((0, [:]))

    func run(_ body: @escaping @Sendable () async -> Void) {
        tasks.withLock { t in
            t.next += 1
            let id = t.next
            t.running[id] = Task {
                await body()
                _ = self.tasks.withLock { $0.running.removeValue(forKey: id) }
            }
        }
    }

    func cancelAndWait() async {
        let all = tasks.withLock { Array($0.running.values) }
        for t in all { t.cancel() }
        for t in all { await t.value }
    }
}
