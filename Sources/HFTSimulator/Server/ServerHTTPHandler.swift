import NIOCore
import NIOHTTP1

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
